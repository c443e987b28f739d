"""Bulk import of member rosters: read a file, preview every row, then write the valid rows at once.

`roster_read` turns .xlsx, .xls or .csv (UTF-8 or GBK) into rows, refusing files that are not
spreadsheets, are encrypted, empty, too large or zip bombs. `roster_preview` checks every row
with the same rules as the member form (members.services.member_clean) and sorts it: new,
changed, unchanged or rejected, each rejection with its sheet row, column, value and reason in
Chinese. `roster_import` writes the new and changed rows of a preview in one transaction: a
failure part-way writes none of them. Rows are keyed by ID number, so importing the same file
again changes nothing, and a changed row updates the member (with history) instead of adding one.
"""

import array
import collections
import contextlib
import csv
import dataclasses
import datetime
import functools
import gc
import hashlib
import hmac
import io
import itertools
import json
import logging
import operator
import pickle
import traceback
import zipfile
import zlib
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from core import audit, bulkload, excel, forkwork, scoping, sidequery
from core.dates import moment_text
from core.enums import AuditAction
from core.idcard import half_width, id_normalise
from core.masking import id_number_masked, phone_masked, text_masked
from core.progress import progress_delete, progress_get, progress_set
from core.work_locks import work_lock, work_lock_free, worker_name
from members import roster, services
from members.development_norms import development_norms_on
from members.enums import MemberEventKind, MemberStatus
from members.models import Member, MemberEvent, Membership, RosterUpload
from members.pinyin import name_pinyin

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000
LOOKUP_CHUNK = 10_000
CHECK_CHUNK = 2_000  # rows read, looked up and checked at a time (rows_check)
HELPER_ROWS = 10_000  # a sheet of more rows is read and checked with a helper process (rows_check)
HELPER_SHARE = 0.4  # of each chunk, the part rows_check reads itself while the helper reads the rest
# Where things stand in a member on record as `_existing` gives it.
ON_RECORD_PATH, ON_RECORD_CODE, ON_RECORD_VALUES = 3, 5, 6
MAX_STORED_ERRORS = 2_000
logger = logging.getLogger(__name__)
FIELD_HEADERS = dict(roster.FIELD_HEADERS)
FIELD_HEADERS.update({"organisation": "组织代码", "birth_date": "出生日期", "gender": "性别"})


class SheetRows:
    """The rows of a sheet, one at a time, and how many there are (for the progress bar)."""

    def __init__(self, rows: Iterator[list], total: int):
        self.rows, self.total = rows, total

    def __iter__(self):
        return self

    def __next__(self) -> list:
        return next(self.rows)


def roster_read(*, name: str, content: bytes) -> SheetRows:
    """The first sheet's rows, one at a time, or RosterError saying what is wrong with the file.

    The whole file is checked (and, for workbooks, parsed) before the first row is given, so a
    bad file is refused here; the rows then stream, so 100,000 of them never sit in memory as
    Python lists at once."""
    kind = roster_file_check(name=name, content=content)
    return _csv_rows(name, content) if kind == "text" else _calamine_rows(name, content)


def roster_file_check(*, name: str, content: bytes) -> str:
    """ "workbook" or "text", or RosterError: the checks that need no parsing (size, kind, zip
    bomb, XML entities, password), done when the file is uploaded."""
    if not content:
        raise roster.RosterError(_("The file %(name)s is empty.") % {"name": name})
    if len(content) > MAX_FILE_BYTES:
        raise roster.RosterError(
            _("The file %(name)s is larger than %(mb)s MB; split the roster.")
            % {"name": name, "mb": MAX_FILE_BYTES // 2**20}
        )
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if content[:4] == b"PK\x03\x04":
        _zip_check(name, content)
        return "workbook"
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: .xls, or an encrypted .xlsx
        if "EncryptedPackage".encode("utf-16-le") in content:  # the stream an encrypted .xlsx lives in
            raise roster.RosterError(_("%(name)s is password-protected: save it without a password.") % {"name": name})
        return "workbook"
    if suffix in ("csv", "txt") or _looks_like_text(content):
        return "text"
    raise roster.RosterError(_("%(name)s is not a spreadsheet: upload .xlsx, .xls or .csv.") % {"name": name})


def _zip_check(name: str, content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            _parts_check(name, archive, entries)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise roster.RosterError(_("%(name)s is damaged and cannot be read.") % {"name": name}) from exc


def _parts_check(name, archive, entries) -> None:
    """Refuse zip bombs and entity declarations before calamine parses anything."""
    if len(entries) > MAX_ZIP_MEMBERS or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise roster.RosterError(_("%(name)s unpacks to far more than a roster: it is refused.") % {"name": name})
    # Excel never writes a DOCTYPE: one in a part is an entity attack ("billion laughs", XXE).
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                start = part.read(8192)
            if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                raise roster.RosterError(
                    _("%(name)s declares XML entities, which Excel never writes: it is refused.") % {"name": name}
                )


def _calamine_rows(name: str, content: bytes) -> SheetRows:
    import python_calamine

    try:
        workbook = python_calamine.load_workbook(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
    except python_calamine.PasswordError as exc:
        raise roster.RosterError(
            _("%(name)s is password-protected: save it without a password.") % {"name": name}
        ) from exc
    except Exception as exc:  # calamine raises several error types for damaged or foreign files
        raise roster.RosterError(_("%(name)s is damaged or not a spreadsheet.") % {"name": name}) from exc
    return SheetRows(sheet.iter_rows(), total=sheet.height)


def _looks_like_text(content: bytes) -> bool:
    return b"\x00" not in content[:4096]


def _csv_rows(name: str, content: bytes) -> SheetRows:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise roster.RosterError(_("%(name)s is neither UTF-8 nor GBK text.") % {"name": name})
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return SheetRows(_csv_records(name, csv.reader(io.StringIO(text), dialect)), total=text.count("\n") + 1)


def _csv_records(name: str, reader) -> Iterator[list]:
    """The records of a CSV file. One the csv module cannot read is a RosterError naming the file
    and the row: a cell over its 128 KiB limit (an unclosed quotation mark swallowing the rest of
    the file, usually) would otherwise stop the check with no word to the page (issue 13, item 10)."""
    row = 0
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise roster.RosterError(
                    _(
                        "%(name)s, row %(row)s: a cell holds more than %(kb)s KB of text, which no roster cell does; "
                        'an unclosed quotation mark (") usually causes this. Fix the row and upload the file again.'
                    )
                    % {"name": name, "row": row, "kb": csv.field_size_limit() // 1024}
                ) from exc
            raise roster.RosterError(
                _("%(name)s, row %(row)s: this row is not valid CSV text; save the sheet as .xlsx or .csv again.")
                % {"name": name, "row": row}
            ) from exc
        yield record


# The member fields a roster row sets, in the order a checked row keeps them (a tuple, not a dict:
# 100,000 checked rows must fit in a few tens of MB).
IMPORT_FIELDS = services.MEMBER_FIELDS
ID_POSITION = IMPORT_FIELDS.index("id_number")


class _Missing:
    """The cell was blank: the member's value stays as it is. One instance, kept by pickling."""

    def __reduce__(self):
        return "MISSING"

    def __repr__(self):
        return "MISSING"


MISSING = _Missing()
_MISSING_EACH = (MISSING,) * len(IMPORT_FIELDS)  # map(values.get, IMPORT_FIELDS, _MISSING_EACH): each field or MISSING
PROGRESS_EVERY = 5_000
MAX_LISTED = 200  # new and changed rows named on the preview, each; the page says how many more


@dataclasses.dataclass
class ImportPlan:
    """What a file would do: counts, each rejected cell, and the rows to write."""

    file_name: str
    header_row: int
    counts: dict = dataclasses.field(default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0, "rejected": 0})
    errors: list[roster.CellError] = dataclasses.field(default_factory=list)
    creates: list = dataclasses.field(default_factory=list)  # (row, organisation id, values by IMPORT_FIELDS)
    updates: list = dataclasses.field(default_factory=list)  # (row, member id, values after, {field: [before, after]})
    # Who the preview names: the first MAX_LISTED new and changed rows, the changes as the history shows
    # them. By name and sheet row, not by ID number: the preview shows no more personal data than it needs.
    added: list = dataclasses.field(default_factory=list)  # {"row", "name", "organisation"}
    changed: list = dataclasses.field(default_factory=list)  # the same and "changes": [[field, before, after]]
    # How columns whose meaning their values decide were read (roster.columns_settle: 人员类别).
    readings: list = dataclasses.field(default_factory=list)
    # What the plan was made from in the database (`_plan_basis`); None where it cannot be told.
    basis: dict | None = None
    # The sheet rows' digests (`_row_digest`; 0: none), one per new and one per changed row, in
    # their order: each member written keeps its row's fingerprint (Member.roster_row).
    digests: array.array = dataclasses.field(default_factory=lambda: array.array("Q"))
    update_digests: array.array = dataclasses.field(default_factory=lambda: array.array("Q"))

    def listing(self) -> dict:
        """The named rows and the columns' readings, as an upload keeps them for its page."""
        return {"added": self.added, "changed": self.changed, "readings": self.readings}


def _organisations(*, codes: set, names: set, user) -> tuple[dict, dict]:
    queryset = (
        scoping.for_user(Organisation.objects.active(), user) if user is not None else Organisation.objects.active()
    )
    by_code = {o.code: o for o in queryset.filter(code__in=codes)} if codes else {}
    by_name = {}
    if names:
        for organisation in queryset.filter(name__in=names):
            by_name.setdefault(organisation.name, []).append(organisation)
    return by_code, by_name


def _blank(row) -> bool:
    for cell in row:  # a loop, not all(…): a row's first cell most often answers (every row is asked)
        if cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip()):
            return False
    return True


@dataclasses.dataclass
class CheckedRows:
    """A file's rows after the checks that need only the file: each good row's values, each bad
    row's cell errors. Kept (signed) between the preview and the confirmation."""

    header_row: int
    checked_on: datetime.date  # "not in the future" is checked against this day
    checked: list  # (row, organisation code, organisation name, values by IMPORT_FIELDS)
    rejected: dict  # row -> (organisation code, organisation name, [CellError])
    readings: list = dataclasses.field(default_factory=list)  # roster.columns_settle
    plan: ImportPlan | None = None  # the preview's, kept with the rows; plan_still_valid says if it holds
    unchanged: int = 0  # rows found to say what their member's record says (rows_check's `known`)
    # The digest of each checked row's cells as the sheet has them (`_row_digest`), in the order of
    # `checked`; empty where no fingerprint is kept (SQLite, rows_check without `known`).
    digests: array.array = dataclasses.field(default_factory=lambda: array.array("Q"))


def rows_check(
    *, rows: Iterable[list], progress=None, known: "MembersOnRecord | None" = None, helper: bool | None = None
) -> CheckedRows:
    """One pass over the rows: cells read and the roster rules checked, row by row.
    `progress(done)` is called every few thousand rows (the page's progress bar).

    `known(numbers)` (a MembersOnRecord), when given, returns the members on record with these
    ID numbers, a chunk of rows at a time: a row that says exactly what its member's record
    already says (each filled cell equal to the value on record, the organisation code the
    member's own) is counted unchanged at once, without the member rules run on it again; it was
    checked when it was written, and a re-import of a roster is mostly such rows. Without `known`
    no query is made and every row is checked.

    `helper`: whether a helper process reads and checks the cells (by default, for a sheet of more
    than HELPER_ROWS rows); the result is the same either way."""
    rows = iter(rows)
    head = list(itertools.islice(rows, roster.HEADER_SEARCH_ROWS))
    header_index, columns = roster.header_find(head)
    header, data = head[header_index], head[header_index + 1 :]
    readings = []
    if roster.header_ambiguous(header):
        # 人员类别's values decide what it is: the first few hundred data rows are read ahead.
        data += itertools.islice(rows, max(0, roster.SETTLE_SAMPLE_ROWS - len(data)))
        columns, readings = roster.columns_settle(header, columns, data)
    check = _RowCheck(columns, readings, header_row=header_index + 1, known=known)
    fingerprinted = check.known is not None and check.known.fingerprinted
    numbered = (
        (row_number, row)
        for row_number, row in enumerate(itertools.chain(data, rows), start=header_index + 2)
        # blank rows are common between blocks of a roster; the template has an example row
        if not (_blank(row) or roster.row_is_example(row, check.name_position))
    )
    counted = {"done": 0, "reported": 0}  # rows taken, and the last count the progress bar was given
    chunks = iter(lambda: list(itertools.islice(numbered, CHECK_CHUNK)), [])
    # A large file's cells are read and checked by a helper process on the other core, a chunk
    # ahead of the lookups and bookkeeping here (core.forkwork); a small one's here, as needed.
    helper = helper if helper is not None else getattr(rows, "total", 0) > HELPER_ROWS
    skipping = {"rows": 0, "skipped": 0}

    def parts():
        # The first chunk is read here. If most of its rows needed reading (a first import), the
        # rest are read and checked with a helper process on the other core (core.forkwork), a
        # chunk's tail there while its head is read here; a re-import's rows are mostly skipped
        # unread (as written), and the helper would cost more than it saves.
        first = next(chunks, None)
        if first is None:
            return
        yield first, None
        if helper and skipping["skipped"] * 2 <= skipping["rows"]:
            yield from forkwork.ChunksMapped(
                chunks, functools.partial(_rows_read, check, fingerprinted), share=HELPER_SHARE
            )
        else:
            yield from ((chunk, None) for chunk in chunks)

    def count(rows: int) -> None:
        counted["done"] += rows
        if progress is not None and counted["done"] >= counted["reported"] + PROGRESS_EVERY:
            counted["reported"] = counted["done"]
            progress(counted["done"])

    def rows_take(kept: list, cells: list, on_record: dict) -> None:
        # kept: (sheet row, row, digest, the helper's reading or None); cells: each one's cells as
        # read here, or None where the helper read them without a fault.
        for (row_number, row, digest, r), read_cells in zip(kept, cells, strict=True):
            count(1)
            if read_cells is None and r[4] not in on_record:
                check.accept(row_number, row, r[2], r[3], r[5], digest)  # nothing on record to compare with
            else:
                check.row(row_number, row, *(read_cells or check.cells(row_number, row)), on_record, digest)

    def chunk_take(chunk: list, read: list, keys: list, answer) -> None:
        # A row the import wrote as it stands, its member unchanged since, is counted unchanged
        # without its cells read; any other row is read (here, unless the helper read it) and checked.
        written, on_record = answer()
        kept = [
            (row_number, row, digest, r, number)
            for index, ((row_number, row), (digest, number), r) in enumerate(zip(chunk, keys, read, strict=True))
            if not check.as_written(row_number, row, number, written.get(index))
        ]
        # found as written yet not taken so (an ID number repeated, an organisation recoded): read as any other
        on_record = known.complete([number for *_k, number in kept if number], on_record)
        count(len(chunk) - len(kept))
        skipping.update(rows=skipping["rows"] + len(chunk), skipped=skipping["skipped"] + len(chunk) - len(kept))
        kept = [k[:4] for k in kept]
        rows_take(
            kept,
            [None if r is not None and r[5] is not None else check.cells(n, row) for n, row, _d, r in kept],
            on_record,
        )

    # Closed however the loop ends, so the helper process and the second connection leave with it.
    with contextlib.ExitStack() as stack:
        chunk_parts = stack.enter_context(contextlib.closing(parts()))
        if fingerprinted:
            stack.callback(known.close)
        pending = None
        for index, (chunk, read) in enumerate(chunk_parts):
            # read: the helper's (digest, ID as typed, code, name, ID as read, checked values) of each
            # row, the last three None where it found a fault; None where there is no helper.
            read = read or [None] * len(chunk)
            if not fingerprinted:
                kept = [(row_number, row, 0, r) for (row_number, row), r in zip(chunk, read, strict=True)]
                cells = [None if r is not None and r[5] is not None else check.cells(n, row) for n, row, _d, r in kept]
                numbers = [
                    r[4] if c is None else None if c[3] else c[2].get("id_number")
                    for (*_k, r), c in zip(kept, cells, strict=True)
                ]
                rows_take(kept, cells, known([number for number in numbers if number]) if known else {})
                continue
            # The members on record are looked up by the rows' digests and ID cells as typed. The
            # first chunk's here, and it is taken at once: whether a helper starts depends on it, and
            # the helper is forked before a second thread exists. Each later chunk's on a second
            # connection (core.sidequery) while the chunk before it is taken here.
            keys = [r[:2] if r else check.keys(row) for (_n, row), r in zip(chunk, read, strict=True)]
            answer = known.ask(keys, ahead=index > 0)
            if pending is not None:
                chunk_take(*pending)
            pending = (chunk, read, keys, answer)
            if index == 0:
                chunk_take(*pending)
                pending = None
        if pending is not None:
            chunk_take(*pending)
    check.result.readings += roster.notes_readings(check.noted.notes)
    return check.result


class _RowCheck:
    """The checks of one file's rows, row by row, and what they found (`result`)."""

    def __init__(self, columns: dict[int, roster.Column], readings: list, *, header_row: int, known=None):
        self.columns = columns
        self.known = known
        self.today = timezone.localdate()
        self.development = development_norms_on(self.today)  # N-DEVELOPMENT: one read for the whole roster
        self.result = CheckedRows(
            header_row=header_row, checked_on=self.today, checked=[], rejected={}, readings=readings
        )
        self.memo: dict = {}
        self.seen: dict[str, int] = {}
        self.name_position = next((p for p, c in columns.items() if c.field == "name"), None)
        # Where each field's cell is, for a message that shows the cell as the sheet has it (女, not female).
        self.positions: dict[str, int] = {}
        for position, column in columns.items():
            self.positions.setdefault(column.field, position)
        self.noted = _NotedCells(columns, self.positions.get("life_status"))
        self.id_at = self.positions.get("id_number")
        self.layout = _layout_key(columns)
        self.code_at = self.positions.get("organisation_code")

    def raw_id_number(self, row: list) -> str:
        """The row's ID number as its cell reads (as roster.row_values reads it), or ""."""
        at = self.id_at
        raw = row[at] if at is not None and at < len(row) else None
        return id_normalise(raw) if isinstance(raw, str) else ""

    def as_written(self, row_number: int, row: list, number: str, organisation: int | None) -> bool:
        """Whether a row is the one an import last wrote its member from, the member unchanged since
        (Member.roster_row, compared by the server: `organisation` is then the member's, from
        MembersOnRecord.ask), still in the organisation the row's code names and within the user's
        responsibility: then it is counted unchanged, as `row` would find it, without its cells
        read and checked. `number`: the row's `raw_id_number`."""
        if organisation is None or number in self.seen or self.code_at is None or self.code_at >= len(row):
            return False
        code = row[self.code_at]
        path, _name, on_record = self.known.organisations[organisation]
        if not isinstance(code, str) or " ".join(half_width(code).split()) != on_record:
            return False
        if not self.known.in_scope(path):
            return False
        self.noted.gather(row)
        self.seen[number] = row_number
        self.result.unchanged += 1
        return True

    def keys(self, row: list) -> tuple[int, str]:
        """What a row is looked up by before its cells are read: its digest and its ID as typed."""
        return _row_digest(row, self.layout), self.raw_id_number(row)

    def cells(self, row_number: int, row: list) -> tuple:
        """A row's cells read: (organisation code, organisation name, values, cell errors)."""
        values, errors = roster.row_values(row, self.columns, row_number=row_number, memo=self.memo)
        return values.pop("organisation_code", None), values.pop("organisation_name", None), values, errors

    def row(self, row_number, row, code, name, values: dict, errors: list, on_record: dict, digest: int = 0) -> None:
        """Take one row further: unchanged (it says what its member's record says), checked or rejected."""
        member = on_record.get(values.get("id_number")) if not errors else None
        if (
            member is not None
            and code == member[ON_RECORD_CODE]
            and values["id_number"] not in self.seen
            and _same_as_record(values, member)
        ):
            self.noted.gather(row)
            self.seen[values["id_number"]] = row_number
            self.result.unchanged += 1
            if self.known is not None:
                self.known.forget(values["id_number"])
            return
        cleaned, refused = _member_clean(self, values)
        for field, messages in refused.items():
            position = self.positions.get(field)
            header = self.columns[position].header if position is not None else FIELD_HEADERS.get(field, field)
            if any(e.column == header for e in errors):
                continue  # the cell error already says what is wrong with this cell
            shown = _cell_shown(row, position)
            label = FIELD_HEADERS.get(field, field)
            errors += [roster.CellError(row_number, header, shown, m, label) for m in messages]
        if errors or cleaned is None:
            self.noted.gather(row)
            if cleaned is not None and (first := self.seen.setdefault(cleaned[ID_POSITION], row_number)) != row_number:
                errors.append(self._duplicate(row_number, row, first))
            self.result.rejected[row_number] = (code, name, errors)
        else:
            self.accept(row_number, row, code, name, cleaned, digest)

    def accept(self, row_number: int, row: list, code, name, checked: tuple, digest: int) -> None:
        """A row whose cells and member rules hold (`checked`: its values by IMPORT_FIELDS), unless
        an earlier row of the file has its ID number."""
        self.noted.gather(row)
        first = self.seen.setdefault(checked[ID_POSITION], row_number)
        if first != row_number:
            self.result.rejected[row_number] = (code, name, [self._duplicate(row_number, row, first)])
            return
        self.result.checked.append((row_number, code, name, checked))
        if self.known is not None and self.known.fingerprinted:
            self.result.digests.append(digest)

    def _duplicate(self, row_number: int, row: list, first: int) -> roster.CellError:
        return roster.CellError(
            row_number,
            "公民身份号码",
            _cell_shown(row, self.positions["id_number"]),
            _("The same ID number is already in row %(row)s of this file.") % {"row": first},
        )


def _member_clean(check: _RowCheck, values: dict) -> tuple[tuple | None, dict]:
    """member_clean on a row's values: (the values by IMPORT_FIELDS, {}), or (None, messages by field)."""
    try:
        cleaned = services.member_clean(
            data=values, check_duplicate=False, today=check.today, development=check.development
        )
    except ValidationError as exc:
        return None, exc.message_dict
    return tuple(map(cleaned.get, IMPORT_FIELDS, _MISSING_EACH)), {}


def _rows_read(check: _RowCheck, fingerprinted: bool, chunk: list) -> list:
    """The part of a chunk's checks that needs nothing but its rows, as the helper process does it:
    for each row, its digest and ID as typed (when fingerprinted), its organisation code and name,
    and if its cells and the member rules hold, its ID as read and its values by IMPORT_FIELDS.
    A row with a fault is read again by rows_check, which words its errors (few rows have any)."""
    read = []
    for row_number, row in chunk:
        digest, number = check.keys(row) if fingerprinted else (0, "")
        code, name, values, errors = check.cells(row_number, row)
        checked = None if errors else _member_clean(check, values)[0]
        read.append((digest, number, code, name, values.get("id_number"), checked))
    return read


def _same_as_record(values: dict, member: tuple) -> bool:
    """Whether each value a row gives equals the member's on record (`_existing`'s tuple). The
    rows of a roster fill the same columns: the fields a row gives, and where the record holds
    them, are read by one pair of getters per set of fields (a re-import compares 90,000 rows)."""
    getters = _compare_getters(tuple(values))
    if getters is None:
        current = member[ON_RECORD_VALUES:]
        return all(values.get(field, MISSING) in (MISSING, current[p]) for p, field in enumerate(IMPORT_FIELDS))
    given, on_record = getters
    return given(values) == on_record(member)


_FIELD_POSITIONS = {field: position for position, field in enumerate(IMPORT_FIELDS)}


@functools.lru_cache(maxsize=256)
def _compare_getters(fields: tuple) -> tuple | None:
    """Two getters of the same values in the same order: from a row's values by field, from an
    `_existing` tuple by position; None for a row with one field or none (itemgetter gives a tuple
    only for two or more, or with a field that is not imported)."""
    if len(fields) < 2 or not all(field in _FIELD_POSITIONS for field in fields):
        return None
    return (
        operator.itemgetter(*fields),
        operator.itemgetter(*(ON_RECORD_VALUES + _FIELD_POSITIONS[field] for field in fields)),
    )


class MembersOnRecord:
    """The `known` of rows_check: the members on record with some ID numbers, those within the user's
    responsibility only (`user` None: the whole zone); the others' rows take the whole check, which
    says what may be said of them.

    What it was asked and found is kept for plan_make (`lookup`), which then reads the members on
    record once, not twice (issue 16); a row found unchanged is `forget`-ten at once, so a re-import
    keeps only the few members whose rows go on to the plan.

    On PostgreSQL each member keeps the fingerprint of the row an import wrote it from
    (Member.roster_row): `ask` has the server find the rows written as they stand, so a re-import's
    90 % of such rows bring back two numbers each, not a member's fields."""

    def __init__(self, *, user):
        self.user = user
        self.asked: set[str] = set()
        self.found: dict[str, tuple] = {}
        self.versions: dict[int, str] | None = {} if connection.vendor == "postgresql" else None
        self.fingerprinted = connection.vendor == "postgresql"
        self.organisations: dict[int, tuple] = {}  # (path, name, code) by key, of the members found
        self.side = sidequery.SideQueries()

    def __call__(self, numbers: list[str]) -> dict[str, tuple]:
        """The members on record with these ID numbers (`_existing`'s tuples, by ID number)."""
        found = self._read(numbers)
        self.asked.update(numbers)
        return self._in_scope(found)

    def ask(self, keys: list[tuple[int, str]], *, ahead: bool):
        """Look up a chunk's rows by their (digest, ID as typed); `answer()` then gives (the chunk's
        rows its member was written from as they stand, by position: that member's organisation; the
        other members found, by ID number). `ahead`: on a second connection meanwhile (the answer is
        the same; core.sidequery)."""
        numbers = [number for _digest, number in keys if number]
        digests = [f"{digest:016x}" for digest, number in keys if number]
        fetch = self.side.ask(_written_and_found, numbers, digests, here=not ahead)

        def answer() -> tuple[dict[int, int], dict[str, tuple]]:
            written, others, rows = fetch()
            self.asked.update(others)
            positions = [index for index, (_digest, number) in enumerate(keys) if number]
            written = {positions[ordinal - 1]: organisation for ordinal, organisation in written}
            if missing := set(written.values()) - self.organisations.keys():
                self.organisations.update(_organisations_of(missing))
            return written, self._in_scope(self._take(rows))

        return answer

    def complete(self, numbers: list[str], on_record: dict) -> dict[str, tuple]:
        """`on_record` with the members of these numbers not asked about yet (found as written by
        `ask`, but whose rows are read after all)."""
        if wanted := [n for n in dict.fromkeys(numbers) if n not in self.asked]:
            on_record = {**on_record, **self(wanted)}
        return on_record

    def close(self) -> None:
        self.side.close()

    def _read(self, numbers: list[str]) -> dict[str, tuple]:
        with transaction.atomic(), connection.cursor() as cursor, _index_probes(cursor):
            rows = _existing_rows(cursor, numbers, versions=self.versions is not None)
        return self._take(rows)

    def _take(self, rows: list) -> dict[str, tuple]:
        versions = [] if self.versions is not None else None
        found = _existing_tuples(rows, versions=versions, organisations=self.organisations)
        self.found.update(found)
        if versions:
            self.versions.update(versions)
        return found

    def in_scope(self, path: str) -> bool:
        return self.user is None or scoping.path_in_scope(self.user, path)

    def _in_scope(self, found: dict) -> dict[str, tuple]:
        return {n: m for n, m in found.items() if self.in_scope(m[ON_RECORD_PATH])}

    def forget(self, number: str) -> None:
        self.asked.discard(number)
        member = self.found.pop(number, None)
        if member is not None and self.versions is not None:
            self.versions.pop(member[1], None)

    def lookup(self, numbers: list[str], versions: list | None = None) -> dict[str, tuple]:
        """As `_existing(numbers, versions=versions)`, from what was found already where it was asked."""
        asked, found = self.asked, self.found
        result = {n: found[n] for n in numbers if n in found}
        if versions is not None:
            versions.extend((member[1], self.versions[member[1]]) for member in result.values())
        missing = [n for n in numbers if n not in asked]
        if missing:
            result.update(_existing(missing, versions=versions, organisations=self.organisations))
        return result


def _written_and_found(numbers: list[str], digests: list[str]) -> tuple[list, list, list]:
    """MembersOnRecord.ask's queries, on whichever connection runs them: (the ordinal of each number
    whose active member was written from a row of this digest and not changed since, with its
    organisation; the other numbers; the members found among those, as `_existing_rows`). Each
    number is probed once; a member's fields are read only if its row is not as written."""
    quote = connection.ops.quote_name
    member = Member._meta
    with transaction.atomic(), connection.cursor() as cursor, _index_probes(cursor):
        # A member's fingerprint is the row's digest and the row version it was written with
        # (roster_fingerprint): the version is xmin still only if nothing changed the member since.
        cursor.execute(
            f"SELECT v.i, m.{quote(member.get_field('organisation').column)}, "
            f"m.{quote('roster_row')} = v.d || ':' || m.xmin::text "
            f"FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS v(n, d, i) "
            f"JOIN {quote(member.db_table)} m ON m.{quote('id_number')} = v.n AND m.{quote('status')} = %s",
            [numbers, digests, MemberStatus.ACTIVE.value],
        )
        found = cursor.fetchall()
        written = [(ordinal, organisation) for ordinal, organisation, same in found if same]
        changed = [numbers[ordinal - 1] for ordinal, _organisation, same in found if not same]
        rows = _existing_rows(cursor, changed, versions=True) if changed else []
    matched = {ordinal for ordinal, _organisation in written}
    others = [number for ordinal, number in enumerate(numbers, start=1) if ordinal not in matched]
    return written, others, rows


def _row_digest(row: list, layout: bytes) -> int:
    """A sheet row's cells as read (their values and types) under a file's `layout`, in 64 bits;
    never 0 (0 is "none")."""
    digest = hashlib.blake2b(repr(row).encode(), digest_size=8, key=layout).digest()
    return int.from_bytes(digest, "big") or 1


def _layout_key(columns: dict[int, roster.Column]) -> bytes:
    """What a file's columns are read as (position → field): the same cells under other headers
    (联系电话 relabelled 备注) say something else, so a row's digest is keyed by it."""
    return hashlib.blake2b(repr(sorted((p, c.field) for p, c in columns.items())).encode(), digest_size=16).digest()


def roster_fingerprint(digest: int, version: str) -> str:
    """Member.roster_row: the digest of the row a member was written from, with the row version
    (PostgreSQL's xmin, the writing transaction's id) it was written with; "" for no digest."""
    return f"{digest:016x}:{version}" if digest else ""


class _NotedCells:
    """The cells a preview names because they were read as something their words do not say: a
    national-form 工作岗位 read as the nearest occupational status (公务员 → 在岗职工), a month
    typed as the number 1998.1 read as October. Counted by column and value over a file's rows."""

    def __init__(self, columns: dict[int, roster.Column], occupation_at: int | None):
        self.occupation_at = occupation_at
        self.occupation_header = columns[occupation_at].header if occupation_at is not None else ""
        self.dates = [(p, c.header) for p, c in columns.items() if c.field in roster.DATE_FIELDS]
        self.notes: dict = {}
        self._occupations: dict = {}

    def _count(self, key: tuple, example: str) -> None:
        counted = self.notes.setdefault(key, [0, example])
        counted[0] += 1

    def gather(self, row: list) -> None:
        width = len(row)
        at = self.occupation_at
        if at is not None and at < width and isinstance(row[at], str):
            raw = row[at]
            if raw not in self._occupations:
                self._occupations[raw] = roster.occupation_note(raw)
            note = self._occupations[raw]
            if note is not None:
                self._count((self.occupation_header, "occupation", *note), raw)
        for position, header in self.dates:
            if position < width and roster.number_month_october(row[position]):
                self._count((header, "month_october", "", ""), roster.cell_text(row[position]))


def _cell_shown(row: list, position: int | None) -> str:
    """The cell at a position as the sheet shows it (blank when the row is shorter)."""
    if position is None or position >= len(row):
        return ""
    return roster.cell_text(row[position])


def plan_make(
    *,
    checked: CheckedRows,
    user=None,
    default_organisation: Organisation | None = None,
    file_name: str = "",
    on_record: MembersOnRecord | None = None,
) -> ImportPlan:
    """Sort checked rows against the database: organisations within the user's responsibility,
    members already on record (read in chunks of a few thousand ID numbers; those rows_check's
    `on_record` has read already are taken from it)."""
    lookup = on_record.lookup if on_record is not None else _existing
    plan = ImportPlan(file_name=file_name, header_row=checked.header_row, readings=list(checked.readings))
    rejected = dict(checked.rejected)
    codes, names = _targets(checked)
    by_code, by_name = _organisations(codes=codes, names=names, user=user)
    organise = functools.partial(_row_organisation, by_code=by_code, by_name=by_name, default=default_organisation)
    for row_number, (code, name, errors) in rejected.items():
        rejected[row_number] = (code, name, list(errors))
        organise(row_number, code, name, rejected[row_number][2])

    versions = [] if connection.vendor == "postgresql" else None
    holders = {}
    # The organisation a code (or a name given alone) names, once found: a roster's 100,000 rows
    # name a few thousand. A row naming none is sent to `organise` each time, for its own message.
    found: dict = {}
    for start in range(0, len(checked.checked), LOOKUP_CHUNK):
        chunk = checked.checked[start : start + LOOKUP_CHUNK]
        existing = lookup([values[ID_POSITION] for _row, _code, _name, values in chunk], versions=versions)
        holders.update((member[2], member[3:5]) for member in existing.values())
        for offset, (row_number, code, name, values) in enumerate(chunk, start=start):
            errors = []
            organisation = found.get(code or ("name", name))
            if organisation is None and (organisation := organise(row_number, code, name, errors)) is not None:
                found[code or ("name", name)] = organisation
            if organisation is not None:
                member = existing.get(values[ID_POSITION])
                digest = checked.digests[offset] if checked.digests else 0
                _row_classify(plan, row_number, organisation, values, member, user, errors, digest)
            if errors:
                rejected[row_number] = (code, name, errors)
    plan.counts["rejected"] = len(rejected)
    plan.counts["unchanged"] += checked.unchanged
    plan.errors = [e for row_number in sorted(rejected) for e in rejected[row_number][2]]
    if versions is not None:
        plan.basis = _plan_basis(
            user=user,
            default_organisation=default_organisation,
            by_code=by_code,
            by_name=by_name,
            members=(sorted(pk for pk, _version in versions), _versions_digest(versions)),
            holders=_holders_key(holders, user),
        )
    return plan


def _targets(checked: CheckedRows) -> tuple[set, set]:
    """The organisation codes, and the names given without a code, that a file's rows name."""
    rejected = checked.rejected.values()
    codes = {row[1] for row in checked.checked} | {code for code, _name, _errors in rejected}
    codes.discard(None)
    codes.discard("")
    names = {row[2] for row in checked.checked if row[2] and not row[1]}
    names.update(name for code, name, _errors in rejected if name and not code)
    return codes, names


def _organisation_key(organisation: Organisation | None) -> tuple | None:
    return None if organisation is None else (organisation.pk, organisation.code, organisation.name, organisation.kind)


def _holders_key(holders: dict, user) -> tuple:
    """The organisations of the members on record: (pk, path, name, within the user's responsibility)."""
    return tuple(
        sorted(
            (pk, path, name, user is None or scoping.path_in_scope(user, path)) for pk, (path, name) in holders.items()
        )
    )


def _plan_basis(*, user, default_organisation, by_code, by_name, members, holders) -> dict:
    """Everything a plan was made from besides the checked rows: who asked, in which language, the
    organisations the rows name, and the members on record with the rows' ID numbers (their keys,
    and a digest of each one's row version: PostgreSQL's xmin changes with every update of a row).
    The same basis later means the same plan. A member recorded since with a new row's ID number is
    not looked for: the unique index refuses the row, and the import plans again (_upload_import)."""
    return {
        "user": getattr(user, "pk", None),
        "language": translation.get_language(),
        "default": _organisation_key(default_organisation),
        "by_code": sorted((code, _organisation_key(o)) for code, o in by_code.items()),
        "by_name": sorted((name, [_organisation_key(o) for o in found]) for name, found in by_name.items()),
        "members": members,
        "holders": holders,
    }


def _versions_digest(versions: list) -> str:
    """The members found, as (pk, row version) pairs, in one digest (the same as _members_digest's)."""
    text = ",".join(f"{pk}:{version}" for pk, version in sorted(versions))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _members_digest(pks: list[int]) -> str:
    """The active members among these, as (pk, row version) pairs, digested by the server: nothing
    but one value comes back (PostgreSQL)."""
    if not pks:
        return _versions_digest([])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(COALESCE(string_agg(id::text || ':' || xmin::text, ',' ORDER BY id), '')) "
            f"FROM {connection.ops.quote_name(Member._meta.db_table)} WHERE status = %s AND id = ANY(%s)",
            [MemberStatus.ACTIVE.value, pks],
        )
        return cursor.fetchone()[0]


def plan_still_valid(
    *, plan: ImportPlan, user, default_organisation, checked: CheckedRows | None = None, targets: tuple | None = None
) -> bool:
    """Whether a plan made at the preview is what plan_make would make now: the same basis, read
    again at a fraction of the cost (the organisations the rows name, and one digest per chunk of
    ID numbers instead of the members themselves). Anything changed since (a member recorded or
    updated, an organisation dissolved or renamed, another user confirming) makes it False."""
    basis = plan.basis
    if basis is None or connection.vendor != "postgresql":
        return False
    if basis["user"] != getattr(user, "pk", None) or basis["language"] != translation.get_language():
        return False
    if not isinstance(basis["members"], tuple):  # a preview stored before the basis named the members by key
        return False
    codes, names = targets if targets is not None else _targets(checked)  # the preview stores them (_checked_save)
    by_code, by_name = _organisations(codes=codes, names=names, user=user)
    pks = basis["members"][0]
    holders = {
        pk: (path, name)
        for pk, path, name in Organisation.objects.filter(pk__in=[h[0] for h in basis["holders"]]).values_list(
            "pk", "path", "name"
        )
    }
    now = _plan_basis(
        user=user,
        default_organisation=default_organisation,
        by_code=by_code,
        by_name=by_name,
        members=(pks, _members_digest(pks)),
        holders=_holders_key(holders, user),
    )
    return now == basis


def roster_preview(
    *,
    rows: Iterable[list],
    user=None,
    default_organisation: Organisation | None = None,
    file_name: str = "",
    progress=None,
) -> ImportPlan:
    """Check every row; nothing is written. `user` None is an operator with the whole zone."""
    on_record = MembersOnRecord(user=user)
    checked = rows_check(rows=rows, progress=progress, known=on_record)
    return plan_make(
        checked=checked,
        user=user,
        default_organisation=default_organisation,
        file_name=file_name,
        on_record=on_record,
    )


def _existing(numbers: list[str], versions: list | None = None, organisations: dict | None = None) -> dict[str, tuple]:
    """Active members with these ID numbers as plain tuples (id_number, pk, organisation id,
    organisation path, organisation name, organisation code, *IMPORT_FIELDS); the few organisations
    involved are read once. (Model instances, or a join per row, would cost a re-import of 100,000 rows
    seconds and hundreds of MB.) On PostgreSQL, `versions` gets each member's (pk, xmin).
    `organisations` (by key, as _organisations_of gives them) is used and added to: a caller asking
    chunk after chunk reads each organisation once (a roster's 2,000 organisations: 10 ms a chunk)."""
    with transaction.atomic(), connection.cursor() as cursor, _index_probes(cursor):
        rows = _existing_rows(cursor, numbers, versions=versions is not None)
    return _existing_tuples(rows, versions=versions, organisations=organisations)


@contextlib.contextmanager
def _index_probes(cursor):
    """Within a transaction, the members looked up by ID number through the unique index led by it.
    Estimating 10,000 matches a chunk, the planner scans the whole table (1,000,000 members:
    0.11-0.14 s a chunk); the index answers in under half that (100,000 rows: 1.4 s → 0.55 s, in the
    preview and again in the confirmation; issue 16). Put back after, for a caller's transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    planner = cursor.fetchone()[0]
    yield
    cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [planner])


def _existing_rows(cursor, numbers: list[str], *, versions: bool) -> list[tuple]:
    """The active members with these ID numbers, as the database gives them: (id_number, pk,
    organisation id, *IMPORT_FIELDS), then xmin as text if `versions` (PostgreSQL)."""
    quote = connection.ops.quote_name
    fields = ("id_number", "id", "organisation", *IMPORT_FIELDS)
    columns = ", ".join(quote(Member._meta.get_field(f).column) for f in fields)
    table = quote(Member._meta.db_table)
    version = ", xmin::text" if versions else ""
    rows = []
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        if connection.vendor == "postgresql":  # one array parameter: planned in no time, unlike IN (…10,000)
            match, params = "id_number = ANY(%s)", [chunk]
        else:
            match, params = f"id_number IN ({', '.join(['%s'] * len(chunk))})", chunk
        cursor.execute(
            f"SELECT {columns}{version} FROM {table} WHERE status = %s AND {match}",
            [MemberStatus.ACTIVE.value, *params],
        )
        rows += cursor.fetchall()
    return rows


def _existing_tuples(rows: list[tuple], *, versions: list | None, organisations: dict | None) -> dict[str, tuple]:
    """`_existing`'s tuples from `_existing_rows`' rows (those with a version give it to `versions`)."""
    if versions is not None:
        width = 3 + len(IMPORT_FIELDS)
        versions.extend((row[1], row[width]) for row in rows)
        rows = [row[:width] for row in rows]
    organisations = {} if organisations is None else organisations
    if missing := {row[2] for row in rows} - organisations.keys():
        organisations.update(_organisations_of(missing))
    if connection.vendor == "postgresql":  # psycopg2 already gives dates and booleans
        return {row[0]: (*row[:3], *organisations[row[2]], *row[3:]) for row in rows}
    convert = _converters()
    return {
        row[0]: (*row[:3], *organisations[row[2]], *(c(v) for c, v in zip(convert, row[3:], strict=True)))
        for row in rows
    }


def _organisations_of(organisation_ids: set) -> dict[int, tuple]:
    """(path, name, code) of some organisations by key: on PostgreSQL one array parameter, not a
    parameter each (a re-import's chunks name 2,000 organisations each: 25 ms a chunk saved)."""
    if connection.vendor != "postgresql":
        found = Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "path", "name", "code")
        return {pk: (path, name, code) for pk, path, name, code in found}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, path, name, code FROM {connection.ops.quote_name(Organisation._meta.db_table)} "
            "WHERE id = ANY(%s)",
            [list(organisation_ids)],
        )
        return {pk: (path, name, code) for pk, path, name, code in cursor.fetchall()}


def _as_date(value):
    return value if value is None or isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


@functools.cache
def _converters() -> tuple:
    """Raw values as the model holds them (SQLite hands back dates as text and booleans as 0/1)."""
    kinds = []
    for name in IMPORT_FIELDS:
        field = Member._meta.get_field(name)
        if isinstance(field, models.DateField):
            kinds.append(_as_date)
        elif isinstance(field, models.BooleanField):
            kinds.append(bool)
        else:
            kinds.append(_same)
    return tuple(kinds)


def _same(value):
    return value


def _row_classify(plan, row_number, organisation, values, member, user, errors, digest: int = 0) -> None:
    """New, changed or unchanged, for a row whose cells and organisation are right."""
    if member is None:
        plan.counts["new"] += 1
        plan.creates.append((row_number, organisation.pk, values))
        plan.digests.append(digest)
        if len(plan.added) < MAX_LISTED:
            plan.added.append({"row": row_number, "name": values[0], "organisation": organisation.name})
        return
    number, pk, organisation_id, path, organisation_name, _code, *current = member
    if user is not None and not scoping.path_in_scope(user, path):
        errors.append(roster.CellError(row_number, "公民身份号码", number, services.elsewhere_message()))
        return
    if organisation_id != organisation.pk:
        errors.append(
            roster.CellError(
                row_number,
                "组织代码",
                organisation.code,
                _("This member belongs to %(org)s: record a transfer instead.") % {"org": organisation_name},
            )
        )
        return
    # Most rows of a re-import are unchanged: compared whole (blank cells taking the value on
    # record), only the changed ones are compared field by field.
    after = tuple([before if value is MISSING else value for before, value in zip(current, values, strict=True)])
    if after == tuple(current):
        plan.counts["unchanged"] += 1
        return
    changes = {
        field: [_display(field, before), _display(field, value)]
        for field, before, value in zip(IMPORT_FIELDS, current, after, strict=True)
        if value != before
    }
    plan.counts["changed"] += 1
    plan.updates.append((row_number, pk, after, changes))
    plan.update_digests.append(digest)
    if len(plan.changed) < MAX_LISTED:
        plan.changed.append(
            {
                "row": row_number,
                "name": after[0],
                "organisation": organisation.name,
                "changes": [[field, *values] for field, values in changes.items()],
            }
        )


@functools.cache
def _choices(field: str) -> dict:
    """Value → label (lazy: shown in the language active when the history is written)."""
    return {str(k): v for k, v in Member._meta.get_field(field).flatchoices}


def _display(field: str, value) -> str:
    """A value as the member's history shows it (the same as services.field_display)."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value in (None, ""):
        return ""
    return str(_choices(field).get(str(value), value))


def _row_organisation(row, code, name, errors, *, by_code, by_name, default) -> Organisation | None:
    if code:
        organisation = by_code.get(code)
        if organisation is None:
            errors.append(
                roster.CellError(
                    row, "组织代码", code, _("No organisation with this code is within your responsibility.")
                )
            )
            return None
    elif name:
        matches = by_name.get(name, [])
        if len(matches) != 1:
            message = (
                _("No organisation with this name is within your responsibility.")
                if not matches
                else _("Several organisations have this name: give the organisation code.")
            )
            errors.append(roster.CellError(row, "所在党组织", name, message))
            return None
        organisation = matches[0]
    elif default is not None:
        organisation = default
    else:
        errors.append(roster.CellError(row, "组织代码", "", _("Give the organisation code of the member's branch.")))
        return None
    if organisation.kind not in MEMBER_HOLDING_KINDS:
        errors.append(
            roster.CellError(
                row, "组织代码", organisation.code, _("Members belong to a branch, a joint branch or a party group.")
            )
        )
        return None
    return organisation


_SEARCH_FIELDS = ("name_pinyin", "name_initials", "id_tail_reversed")


def _defaults() -> tuple:
    """Each import field's value for a blank cell of a new member (the model's default)."""
    return tuple(Member._meta.get_field(f).get_default() for f in IMPORT_FIELDS)


def _search_keys(values) -> tuple[str, str, str]:
    full, initials = name_pinyin(values[0])
    return full, initials, values[1][-6:][::-1]


def _member_text(values, default_texts, pinyin: tuple[str, str]) -> str:
    """A new member's import fields and search keys (`pinyin`: name_pinyin of the name) as COPY
    text: a blank cell (MISSING) takes the field's default; a value holding a backslash, tab or
    line break is escaped as copy_line does. Joined at once, a line needs no escape when its
    backslashes are those of its null markers (a value None, or a blank cell whose default is
    null: never a value that reads "\\N")."""
    parts = [
        default if value is MISSING else bulkload.NULL if value is None else value if type(value) is str else str(value)
        for value, default in zip(values, default_texts, strict=True)
    ]
    parts += [*pinyin, values[1][-6:][::-1]]
    line = "\t".join(parts)
    markers = values.count(None)
    for position, backslashes in _default_backslashes(tuple(default_texts)):
        if values[position] is MISSING:
            markers += backslashes
    if line.count("\\") != markers or line.count("\t") != len(parts) - 1 or "\n" in line or "\r" in line:
        full = tuple(d if v is MISSING else v for v, d in zip(values, _defaults(), strict=True))
        line = bulkload.copy_line((*full, *pinyin, full[1][-6:][::-1]))
    return line


@functools.cache
def _default_backslashes(default_texts: tuple) -> tuple:
    """(position, backslashes) of each default whose COPY text holds any (the null marker)."""
    return tuple((p, text.count("\\")) for p, text in enumerate(default_texts) if "\\" in text)


@dataclasses.dataclass
class NewRows:
    """A plan's new rows in pinyin order, in chunks, as the confirmation streams them into COPY:
    each (sheet row, organisation code, organisation name, values by IMPORT_FIELDS, digest,
    organisation id, pinyin, initials). The preview stores them so (`_checked_save`); a plan made
    here gets them from `_new_rows_sorted` (the code and name None: nothing reads them)."""

    count: int
    chunks: Iterable[list]


def _new_rows_sorted(plan: ImportPlan) -> NewRows:
    """A plan's new rows in pinyin order (the sort is stable: members of the same pinyin keep their
    sheet rows' order)."""
    digests = plan.digests or array.array("Q", bytes(8 * len(plan.creates)))
    rows = [
        (row, None, None, values, digest, organisation, *name_pinyin(values[0]))
        for (row, organisation, values), digest in zip(plan.creates, digests, strict=True)
    ]
    rows.sort(key=operator.itemgetter(6))
    return NewRows(count=len(rows), chunks=[rows])


def _creates_copy(new_rows: NewRows, ids, *, updates, now, today, reason, who, progress, version: str) -> array.array:
    """New members, their memberships and their history as three COPY statements (PostgreSQL), each
    line built from text prepared once: only the varying values are turned into text per row.
    Each member keeps its row's fingerprint with `version`, the row version the COPY gives it.
    The members' organisations come back, in the order of `ids`."""
    default_texts = tuple(bulkload.copy_value(d) for d in _defaults())
    columns, tail = bulkload.row_tail(
        model=Member, fields=["id", "organisation", *IMPORT_FIELDS, *_SEARCH_FIELDS, "roster_row"], now=now
    )
    organisations = array.array("q")

    def member_lines():
        keys, done = iter(ids), 0
        for chunk in new_rows.chunks:
            for _row, _code, _name, values, digest, organisation, pinyin, initials in chunk:
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done)
                organisations.append(organisation)
                text = _member_text(values, default_texts, (pinyin, initials))
                yield f"{next(keys)}\t{organisation}\t{text}\t{roster_fingerprint(digest, version)}{tail}\n"

    written = bulkload.lines_copy(table=Member._meta.db_table, columns=columns, lines=member_lines())
    if written != len(ids):
        raise ValueError(f"{written} new members copied for {len(ids)} keys")
    columns, tail = bulkload.row_tail(model=Membership, fields=["member", "organisation"], now=now)
    bulkload.lines_copy(
        table=Membership._meta.db_table,
        columns=columns,
        lines=(f"{pk}\t{organisation}{tail}\n" for pk, organisation in zip(ids, organisations, strict=True)),
    )
    columns, tail = bulkload.row_tail(
        model=MemberEvent, fields=["member", "kind", "effective_on", "reason", "changes", "recorded_by"], now=now
    )
    created = "\t" + bulkload.copy_line((MemberEventKind.CREATED.value, today, reason, "{}", who)) + tail + "\n"
    updated = (MemberEventKind.UPDATED.value, today, reason)
    bulkload.lines_copy(
        table=MemberEvent._meta.db_table,
        columns=columns,
        lines=itertools.chain(
            (f"{pk}{created}" for pk in ids),
            (
                f"{pk}\t{bulkload.copy_line((*updated, json.dumps(changes, ensure_ascii=False), who))}{tail}\n"
                for _row, pk, _after, changes in updates
            ),
        ),
    )
    return organisations


def _creates_insert(plan, ids, *, now, today, reason, who, progress) -> None:
    """The same rows as `_creates_copy`, as plain rows for bulkload.rows_copy (SQLite)."""
    defaults = _defaults()
    columns, make = bulkload.row_factory(
        model=Member, fields=["id", "organisation", *IMPORT_FIELDS, *_SEARCH_FIELDS], now=now
    )

    def member_rows():
        for done, (pk, (_row, organisation_id, values)) in enumerate(zip(ids, plan.creates, strict=True), start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            values = tuple(d if v is MISSING else v for v, d in zip(values, defaults, strict=True))
            yield make((pk, organisation_id, *values, *_search_keys(values)))

    bulkload.rows_copy(table=Member._meta.db_table, columns=columns, rows=member_rows())
    columns, make = bulkload.row_factory(model=Membership, fields=["member", "organisation"], now=now)
    bulkload.rows_copy(
        table=Membership._meta.db_table,
        columns=columns,
        rows=(make((pk, c[1])) for pk, c in zip(ids, plan.creates, strict=True)),
    )
    columns, make = bulkload.row_factory(
        model=MemberEvent, fields=["member", "kind", "effective_on", "reason", "changes", "recorded_by"], now=now
    )
    bulkload.rows_copy(
        table=MemberEvent._meta.db_table,
        columns=columns,
        rows=itertools.chain(
            (make((pk, MemberEventKind.CREATED.value, today, reason, "{}", who)) for pk in ids),
            (
                make((pk, MemberEventKind.UPDATED.value, today, reason, json.dumps(changes, ensure_ascii=False), who))
                for _row, pk, _after, changes in plan.updates
            ),
        ),
    )


@transaction.atomic
def roster_import(*, plan: ImportPlan, user=None, progress=None, new_rows: NewRows | None = None) -> dict:
    """Write the new and changed rows of a preview in one transaction; the rejected rows stay out.

    New members, their memberships and their history are copied in three COPY statements with
    keys reserved up front; changed members are copied into a temporary table and updated with one
    UPDATE … FROM. A failure anywhere (another import taking an ID number first…) writes nothing."""
    now, today = timezone.now(), timezone.localdate()
    who = user.pk if getattr(user, "pk", None) else None
    reason = (_("Roster import: %(file)s") % {"file": plan.file_name})[:200]
    assert IMPORT_FIELDS[:2] == ("name", "id_number")  # _search_keys reads them by position
    if connection.vendor == "postgresql":
        # The commit returns before its WAL reaches the disk (a second or two saved on 100,000 rows).
        # A crash in the next fraction of a second can lose this import, never half of it, and
        # the upload's "imported" mark, committed after it normally, cannot outlive it; the
        # upload can be imported again.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")

    # New members go in in pinyin order, their keys ascending with it: the largest indexes of the
    # member table (status, then pinyin; the initials) then take them in one sweep of their pages,
    # not one page each (100,000 rows into 1,000,000: the COPY a third faster). A preview's plan
    # comes with them so sorted (`new_rows`, streamed from where the preview stored them).
    if new_rows is None:
        new_rows = _new_rows_sorted(plan)
    ids = bulkload.ids_reserve(model=Member, count=new_rows.count)
    if connection.vendor == "postgresql":
        version = _writing_version()
        organisations = _creates_copy(
            new_rows,
            ids,
            updates=plan.updates,
            now=now,
            today=today,
            reason=reason,
            who=who,
            progress=progress,
            version=version,
        )
        fingerprints = [roster_fingerprint(digest, version) for digest in plan.update_digests]
        _members_update(plan.updates, now=now, fingerprints=fingerprints)
    else:
        plan.creates = [(row[0], row[5], row[3]) for chunk in new_rows.chunks for row in chunk]
        _creates_insert(plan, ids, now=now, today=today, reason=reason, who=who, progress=progress)
        _members_update(plan.updates, now=now)
        organisations = [organisation for _row, organisation, _values in plan.creates]
    # The new members are active (status is not a roster column) and the changed ones keep their
    # organisation (a row naming another is refused: a transfer needs its letter).
    services.member_counts_add(added=collections.Counter(organisations))
    written = {"created": len(ids), "updated": len(plan.updates)}
    # One audit entry for the whole import (issue 7): COPY bypasses the per-record trail.
    audit.log_action(
        action=AuditAction.IMPORT,
        model="members.member",
        user=user,
        extra={"file": plan.file_name, **written, **plan.counts},
    )
    return written


def _writing_version() -> str:
    """The row version (xmin) the rows this import writes will have: the id of the transaction, or
    savepoint, it writes in. PostgreSQL tells only the outermost one's, so a row is written to a
    scratch table first and its version read back."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS roster_version (x integer) ON COMMIT DELETE ROWS")
        cursor.execute("INSERT INTO roster_version VALUES (1) RETURNING xmin::text")
        return cursor.fetchone()[0]


def _members_update(updates: list, *, now, fingerprints: list[str] | None = None) -> None:
    """Changed members: their new values copied into a temporary table, then one UPDATE … FROM; with
    `fingerprints` (one per update), each member's Member.roster_row too."""
    if not updates:
        return
    quote = connection.ops.quote_name
    fields = [*IMPORT_FIELDS, *_SEARCH_FIELDS, "updated_at", *(["roster_row"] if fingerprints is not None else [])]
    columns = ["id", *(Member._meta.get_field(f).column for f in fields)]
    table = Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {quote('roster_update')}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote('roster_update')} AS SELECT "
            f"{', '.join(quote(c) for c in columns)} FROM {quote(table)} WHERE 1 = 0"
        )
        bulkload.rows_copy(
            table="roster_update",
            columns=columns,
            rows=(
                (pk, *after, *_search_keys(after), now, *([fingerprints[n]] if fingerprints is not None else []))
                for n, (_row, pk, after, _changes) in enumerate(updates)
            ),
        )
        assignments = ", ".join(f"{quote(c)} = roster_update.{quote(c)}" for c in columns[1:])
        cursor.execute(
            f"UPDATE {quote(table)} SET {assignments} FROM {quote('roster_update')} "
            f"WHERE {quote(table)}.{quote('id')} = roster_update.{quote('id')}"
        )
        cursor.execute(f"DROP TABLE {quote('roster_update')}")


def roster_upload_create(*, content: bytes, file_name: str, organisation: Organisation, user) -> RosterUpload:
    """Keep an uploaded file for checking. What needs no parsing (a spreadsheet? encrypted? a zip
    bomb?) is judged now, so such a file gets its message on the form; the rows (and the header)
    are checked by `roster_upload_check`, a task for large files, whose failure the page shows."""
    if user is not None and not scoping.path_in_scope(user, organisation.path):
        raise ValidationError({"organisation_code": _("This organisation is outside your responsibility.")})
    try:
        roster_file_check(name=file_name, content=content)
    except roster.RosterError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    upload = RosterUpload(
        organisation=organisation,
        file_name=file_name[:200],
        uploaded_by=user if getattr(user, "pk", None) else None,
        state=RosterUpload.State.CHECKING,
    )
    upload.file.save(f"roster-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(content), save=False)
    upload.save()
    return upload


def roster_upload_preview(*, content: bytes, file_name: str, organisation: Organisation, user) -> RosterUpload:
    """Keep the uploaded file and check it now (the command line and tests; pages use the task)."""
    upload = roster_upload_create(content=content, file_name=file_name, organisation=organisation, user=user)
    roster_upload_check(upload=upload)
    return upload


def _signer():
    from django.core.signing import Signer

    return Signer(salt="members.roster-checked")


STORED_CHUNK = 5_000  # checked rows to a pickle in the stored file: the confirmation reads one at a time
STORED_FORMAT = 2


def _checked_save(upload: RosterUpload, checked: CheckedRows, plan: ImportPlan | None = None) -> None:
    """The checked rows, pickled and signed: the confirmation loads them instead of parsing and
    checking the file again (a third of a large import's time); with the preview's plan, which the
    confirmation uses as it is when nothing it was made from has changed (plan_still_valid).

    One pickle for what the confirmation reads first (the plan without its new rows, the rejected
    rows, the organisations the rows name), then the checked rows a pickle to STORED_CHUNK rows:
    first the plan's new rows in pinyin order with their organisation and search keys, as the
    confirmation streams them into COPY while it reads them (NewRows), then the other checked rows.
    The file holds each row once; a plan made again reads them all back (`_Stored.checked`)."""
    creates = plan.creates if plan is not None else []
    digests = checked.digests
    new, others, walk = [], [], iter(creates)  # plan_make takes the new rows in the checked rows' order
    following = next(walk, None)
    for position, (row, code, name, values) in enumerate(checked.checked):
        digest = digests[position] if digests else 0
        if following is not None and following[0] == row:
            new.append((row, code, name, values, digest, following[1]))
            following = next(walk, None)
        else:
            others.append((row, code, name, values, digest))
    if following is not None:
        raise ValueError(f"row {following[0]} of the plan is not among the checked rows in order")
    # The pinyin of each new name, here (the confirmation sorts and writes by it): not kept in
    # name_pinyin's cache, which the confirmation, perhaps in another worker, would not find.
    keys = [_name_pinyin(values[0]) for *_r, values, _digest, _organisation in new]
    order = sorted(range(len(new)), key=[full for full, _initials in keys].__getitem__)  # stable
    new = [(*new[i], *keys[i]) for i in order]
    del keys, order
    head = {
        "format": STORED_FORMAT,
        "header_row": checked.header_row,
        "checked_on": checked.checked_on,
        "rejected": checked.rejected,
        "readings": checked.readings,
        "unchanged": checked.unchanged,
        "fingerprinted": bool(digests),
        "plan": dataclasses.replace(plan, creates=[], digests=array.array("Q")) if plan is not None else None,
        "targets": _targets(checked),
        "new": len(new),
        "others": len(others),
    }
    # Pickled into one buffer after room for the signature, signed in place and saved from it: the
    # payload (tens of MB for 100,000 rows) is never copied, at the preview's peak of memory.
    room = len(_signer().signature("")) + 1
    buffer = io.BytesIO()
    buffer.write(b" " * room)
    pickle.dump(head, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    for rows in (new, others):
        for start in range(0, len(rows), STORED_CHUNK):
            pickle.dump(rows[start : start + STORED_CHUNK], buffer, protocol=pickle.HIGHEST_PROTOCOL)
    del new, others
    with buffer.getbuffer() as view:
        signature = _signer().signature(hashlib.sha256(view[room:]).hexdigest()).encode()
        view[:room] = signature + b"\n"
    buffer.seek(0)
    upload.checked.save(f"roster-{upload.pk}.checked", File(buffer), save=False)


_name_pinyin = name_pinyin.__wrapped__  # the same keys, not cached


class _Stored:
    """A preview's checked rows as `_checked_save` stored them, its signature verified: what the
    confirmation needs first at once (`plan`, `targets`), the new rows as they are read
    (`new_rows`), everything when asked for (`checked`)."""

    def __init__(self, payload: bytes):
        self.payload = payload
        stream = io.BytesIO(payload)
        head = pickle.load(stream)  # signed by this server: _checked_open verified it
        self.legacy = not isinstance(head, dict)  # stored before STORED_FORMAT 2: one pickle of everything
        self.head, self.stream = head, stream
        self.checked_on = head[1] if self.legacy else head["checked_on"]
        self.plan = None if self.legacy else head["plan"]
        self.targets = None if self.legacy else head["targets"]

    def _chunks(self, stream, rows: int) -> Iterator[list]:
        for _start in range(0, rows, STORED_CHUNK):
            yield pickle.load(stream)

    def new_rows(self) -> NewRows:
        """The plan's new rows in pinyin order, read a chunk at a time as they are written."""
        return NewRows(count=self.head["new"], chunks=self._chunks(self.stream, self.head["new"]))

    def checked(self) -> CheckedRows:
        """Every checked row in the sheet's order, the plan with its new rows (for a plan made again)."""
        if self.legacy:
            checked = CheckedRows(*self.head)
            _plan_unpack(checked)
            return checked
        head, stream = self.head, io.BytesIO(self.payload)
        pickle.load(stream)
        new = [row for chunk in self._chunks(stream, head["new"]) for row in chunk]
        everything = new + [row for chunk in self._chunks(stream, head["others"]) for row in chunk]
        everything.sort(key=operator.itemgetter(0))
        checked = CheckedRows(
            header_row=head["header_row"],
            checked_on=head["checked_on"],
            checked=[row[:4] for row in everything],
            rejected=head["rejected"],
            readings=head["readings"],
            unchanged=head["unchanged"],
            digests=array.array("Q", [row[4] for row in everything] if head["fingerprinted"] else []),
        )
        if (plan := head["plan"]) is not None:
            new.sort(key=operator.itemgetter(0))
            plan = dataclasses.replace(
                plan,
                creates=[(row, organisation, values) for row, _c, _n, values, _d, organisation, *_k in new],
                digests=array.array("Q", [row[4] for row in new]),
            )
        checked.plan = plan
        return checked


def _plan_unpack(checked: CheckedRows) -> None:
    """The preview's plan (stored before STORED_FORMAT 2), its new rows given their values again from
    the checked rows."""
    if checked.plan is None:
        return
    plan, rows, organisations = checked.plan
    plan.creates = _creates_of(checked.checked, rows, organisations)
    if "digests" not in vars(plan):  # a preview stored before rows had digests (the same day, a release between)
        plan.digests = array.array("Q", bytes(8 * len(plan.creates)))
        plan.update_digests = array.array("Q", bytes(8 * len(plan.updates)))
    checked.plan = plan


def _creates_of(checked: list, rows: array.array, organisations: array.array) -> list:
    """The plan's new rows, (sheet row, organisation, values), from the checked rows. plan_make
    takes them in the checked rows' order, so one walk along both finds them (a dict of 100,000
    rows to look them up in cost the confirmation 0.2 s)."""
    creates, walk = [], iter(checked)
    for row, organisation in zip(rows, organisations, strict=True):
        for checked_row, _code, _name, values in walk:
            if checked_row == row:
                creates.append((row, organisation, values))
                break
        else:
            raise ValueError(f"row {row} of the plan is not among the checked rows in order")
    return creates


def _checked_open(upload: RosterUpload) -> _Stored | None:
    """The rows checked at the preview, if their signature holds and they were checked today;
    None sends the confirmation back to the file. Nothing is unpickled before the signature holds."""
    if not upload.checked:
        return None
    with upload.checked.open("rb") as handle:
        content = handle.read()
    cut = content.find(b"\n")
    with memoryview(content) as view:
        payload = view[cut + 1 :]
        if cut < 0 or not hmac.compare_digest(
            content[:cut], _signer().signature(hashlib.sha256(payload).hexdigest()).encode()
        ):
            return None
        payload.release()
    stored = _Stored(content[cut + 1 :])
    del content
    return stored if stored.checked_on == timezone.localdate() else None


def _checked_load(upload: RosterUpload) -> CheckedRows | None:
    """Every row checked at the preview, with its plan (`_checked_open`); None: back to the file."""
    stored = _checked_open(upload)
    return stored.checked() if stored is not None else None


LARGE_FILE_ROWS = 10_000


def worker_memory_release(*, upload: RosterUpload) -> None:
    """After a large file's check or import (called by the task once the upload's state is saved,
    so the page shows it without waiting for this): its memory handed back to the system."""
    if sum((upload.counts or {}).values()) > LARGE_FILE_ROWS:
        _memory_release()


def _memory_release() -> None:
    """Hand the memory of a large file's rows back to the system (glibc keeps freed heap pages
    otherwise), so a worker that checks or imports one large roster after another does not grow.
    A full garbage collection goes first (0.1 s): the rows hold no reference cycle, but the
    objects around them do (an upload and its files), and until they are collected a worker
    keeps tens of MB more into its next task (measured: 257 → 200 MB after a 100,000-row import)."""
    import ctypes
    import ctypes.util

    name_pinyin.cache_clear()  # up to 100,000 names kept for the import: tens of MB, scattered
    gc.collect()
    library = ctypes.util.find_library("c")
    if library:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(library).malloc_trim(0)


def _progress_key(upload_pk: int) -> str:
    return f"roster-upload:{upload_pk}:progress"


def upload_progress(upload: RosterUpload) -> dict:
    """{"done", "total", "phase"} of the task working on an upload (the page's progress bar)."""
    progress = progress_get(_progress_key(upload.pk)) or {"done": 0, "total": 0, "phase": upload.state}
    progress["percent"] = min(100, round(100 * progress["done"] / progress["total"])) if progress["total"] else 0
    return progress


def _progress_reporter(upload: RosterUpload, phase: str, total: int):
    def report(done: int) -> None:
        progress_set(_progress_key(upload.pk), {"done": done, "total": total, "phase": phase}, timeout=3600)

    report(0)
    return report


UPLOAD_WORK = "roster-upload"


def _worker_key(upload_pk: int) -> str:
    return f"roster-upload:{upload_pk}:worker"


@contextlib.contextmanager
def upload_work(*, upload_pk: int):
    """Held by the task checking or importing an upload: its work lock, and which worker holds it.
    Yields False when another live task holds it (a message delivered twice)."""
    with work_lock(name=UPLOAD_WORK, key=upload_pk) as held:
        if held:
            progress_set(_worker_key(upload_pk), worker_name(), timeout=7 * 24 * 3600)
        try:
            yield held
        finally:
            if held:
                progress_delete(_worker_key(upload_pk))


def roster_upload_abandoned_release(*, upload: RosterUpload) -> RosterUpload:
    """An upload left "checking" or "importing" by a worker that died (killed, out of memory): its
    work lock is free. The import wrote nothing (one transaction), so it may be confirmed again; a
    check is failed (the file is uploaded again). Asked by the upload's pages."""
    released = {
        RosterUpload.State.IMPORTING: (
            RosterUpload.State.CHECKED,
            _("the background worker (%(worker)s) stopped before the import finished; confirm the import again."),
        ),
        RosterUpload.State.CHECKING: (
            RosterUpload.State.FAILED,
            _("The background worker (%(worker)s) stopped before the check finished; upload the file again."),
        ),
    }
    worker = progress_get(_worker_key(upload.pk)) if upload.state in released else None
    if not worker or not work_lock_free(name=UPLOAD_WORK, key=upload.pk):
        return upload
    state, failure = released[upload.state]
    RosterUpload.objects.filter(pk=upload.pk, state=upload.state).update(
        state=state, failure=failure % {"worker": worker}
    )
    progress_delete(_worker_key(upload.pk))
    upload.refresh_from_db()
    return upload


def _failure_log(upload: RosterUpload, phase: str) -> None:
    """The detail of an unexpected failure, for the server's log only, ID numbers and phones masked
    (a database error quotes the row it refused)."""
    logger.error(
        "roster upload %s (%s) failed while %s:\n%s",
        upload.pk,
        text_masked(upload.file_name),
        phase,
        text_masked(traceback.format_exc()),
    )


def roster_upload_check(*, upload: RosterUpload) -> RosterUpload:
    """Check an upload's rows (the preview): counts and each rejected cell, nothing written. Whatever
    goes wrong, the upload ends "failed" with a message, never left "checking" (issue 13, item 10)."""
    user = upload.uploaded_by
    try:
        with bulkload.collector_paused():
            _upload_check(upload, user)
    except roster.RosterError as exc:
        _upload_failed(upload, str(exc))
    except Exception:
        _failure_log(upload, "checking")
        failure = _(
            "The check of %(file)s stopped on an unexpected error (upload no. %(pk)s); nothing was written. "
            "Upload the file again; if it fails again, tell the organisation bureau."
        )
        _upload_failed(upload, failure % {"file": upload.file_name, "pk": upload.pk})
    return upload


def _upload_check(upload: RosterUpload, user) -> None:
    """roster_upload_check's work: the file read and checked, the plan made, the checked rows kept."""
    with upload.file.open("rb") as handle:
        content = handle.read()
    rows = roster_read(name=upload.file_name, content=content)
    del content
    progress = _progress_reporter(upload, "checking", getattr(rows, "total", 0))
    on_record = MembersOnRecord(user=user)
    checked = rows_check(rows=rows, progress=progress, known=on_record)
    del rows
    plan = plan_make(
        checked=checked,
        user=user,
        default_organisation=_default(upload.organisation),
        file_name=upload.file_name,
        on_record=on_record,
    )
    del on_record
    _checked_save(upload, checked, plan)
    del checked
    upload.counts, upload.state, upload.listing = plan.counts, RosterUpload.State.CHECKED, plan.listing()
    upload.errors = [dataclasses.asdict(e) for e in plan.errors[:MAX_STORED_ERRORS]]
    upload.save(update_fields=["counts", "errors", "listing", "state", "checked"])


def _upload_failed(upload: RosterUpload, failure: str) -> None:
    upload.state, upload.failure = RosterUpload.State.FAILED, failure
    RosterUpload.objects.filter(pk=upload.pk).update(state=upload.state, failure=failure)


def roster_upload_confirm(*, upload: RosterUpload) -> RosterUpload:
    """Mark a checked upload for import (the task then imports it); refuses one already imported."""
    if upload.imported_at is not None or upload.state == RosterUpload.State.IMPORTED:
        imported = moment_text(upload.imported_at)
        raise ValidationError(_("This file was imported on %(date)s.") % {"date": imported})
    updated = RosterUpload.objects.filter(pk=upload.pk, state=RosterUpload.State.CHECKED).update(
        state=RosterUpload.State.IMPORTING
    )
    if not updated:
        raise ValidationError(_("This file is still being checked or imported."))
    upload.state = RosterUpload.State.IMPORTING
    return upload


def import_failure_text(upload: RosterUpload) -> str:
    """Why an import stopped, as the page says it after "The last import failed and wrote nothing:"
    when the cause is not the user's to fix: never the database's own words, which quote rows in
    full (issue 13, item 9); those go to the server's log, masked."""
    return _(
        "an unexpected error stopped it (upload no. %(pk)s of %(file)s). Confirm the import again; "
        "if it fails again, tell the organisation bureau."
    ) % {"pk": upload.pk, "file": upload.file_name}


def roster_upload_import(*, upload: RosterUpload, user) -> dict:
    """Import an upload's valid rows. The rows checked at the preview are used again (if checked
    today); the organisations and members on record are read again, so changes since are seen.
    A failure writes nothing and leaves the upload checked, to be confirmed again, with its reason."""
    if upload.imported_at is not None:
        imported = moment_text(upload.imported_at)
        raise ValidationError(_("This file was imported on %(date)s.") % {"date": imported})
    try:
        with bulkload.collector_paused():
            return _upload_import(upload=upload, user=user)
    except (ValidationError, roster.RosterError) as exc:
        failure = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        RosterUpload.objects.filter(pk=upload.pk).update(state=RosterUpload.State.CHECKED, failure=failure)
        raise
    except Exception:
        _failure_log(upload, "importing")
        RosterUpload.objects.filter(pk=upload.pk).update(
            state=RosterUpload.State.CHECKED, failure=import_failure_text(upload)
        )
        raise


def _upload_import(*, upload: RosterUpload, user) -> dict:
    default = _default(upload.organisation)
    stored = _checked_open(upload)
    plan = new_rows = checked = None
    # The preview's plan, if nothing it was made from has changed: checked against its basis without
    # the rows, whose new members then stream from the stored file into COPY as they are read.
    if (
        stored is not None
        and stored.plan is not None
        and plan_still_valid(plan=stored.plan, targets=stored.targets, user=user, default_organisation=default)
    ):
        plan, new_rows = stored.plan, stored.new_rows()
    if plan is None:
        checked = stored.checked() if stored is not None else None
        if checked is None:
            with upload.file.open("rb") as handle:
                rows = roster_read(name=upload.file_name, content=handle.read())
                checked = rows_check(rows=rows, known=MembersOnRecord(user=user))
        plan = checked.plan
        if plan is None or not plan_still_valid(plan=plan, checked=checked, user=user, default_organisation=default):
            plan = plan_make(checked=checked, user=user, default_organisation=default, file_name=upload.file_name)
    try:
        written = _plan_import(upload=upload, plan=plan, user=user, new_rows=new_rows)
    except IntegrityError as exc:
        if not _id_number_taken(exc) or (new_rows is None and plan is not checked.plan):
            raise
        # A member recorded since the preview has a new row's ID number (plan_still_valid leaves that
        # to the unique index): the rows are planned again against the members on record now.
        checked = checked or stored.checked()
        plan = plan_make(checked=checked, user=user, default_organisation=default, file_name=upload.file_name)
        written = _plan_import(upload=upload, plan=plan, user=user)
    return written


def _plan_import(*, upload: RosterUpload, plan: ImportPlan, user, new_rows: NewRows | None = None) -> dict:
    progress = _progress_reporter(upload, "importing", new_rows.count if new_rows else len(plan.creates))
    with transaction.atomic():  # the rows and the upload's "imported" commit together (or neither)
        written = roster_import(plan=plan, user=user, progress=progress, new_rows=new_rows)
        upload.counts, upload.written, upload.imported_at = plan.counts, written, timezone.now()
        upload.state, upload.failure, upload.listing = RosterUpload.State.IMPORTED, "", plan.listing()
        upload.errors = [dataclasses.asdict(e) for e in plan.errors[:MAX_STORED_ERRORS]]
        upload.save(update_fields=["counts", "written", "imported_at", "errors", "listing", "state", "failure"])
    return written


def _id_number_taken(exc: IntegrityError) -> bool:
    """Whether the database refused a row for the one-active-member-per-ID-number index."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == "member_one_active_per_id_number"


def _default(organisation: Organisation) -> Organisation | None:
    """Rows without a code go to the upload's organisation, if members can belong there."""
    return organisation if organisation.kind in MEMBER_HOLDING_KINDS else None


def members_export_xlsx(*, members, unmasked: bool) -> bytes:
    """A filtered list in the template's columns; masked for roles that may not see ID numbers and phones."""

    def cells(m: Member):
        values = {
            "name": m.name,
            "gender": m.get_gender_display(),
            "id_number": m.id_number if unmasked else id_number_masked(m.id_number),
            "ethnicity": m.get_ethnicity_display(),
            "birth_date": m.birth_date,
            "education": m.get_education_display(),
            "category": m.get_category_display(),
            "joined_on": m.joined_on,
            "full_member_on": m.full_member_on,
            "life_status": m.get_life_status_display(),
            "work_unit": m.work_unit,
            "job_title": m.job_title,
            "phone": m.phone if unmasked else phone_masked(m.phone),
            "household_registration": m.household_registration,
            "residence": m.residence,
            "probation_ends_on": m.probation_ends_on,
            "organisation_code": m.organisation.code,
            "organisation_name": m.organisation.name,
        }
        return [values[c.field] if values[c.field] is not None else "" for c in roster.COLUMNS]

    return excel.xlsx_bytes(
        title="党员信息", header=roster.TEMPLATE_HEADERS, rows=(cells(m) for m in members.iterator(chunk_size=2000))
    )
