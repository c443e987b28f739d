"""Bulk import of member rosters: read a file, preview every row, then write the valid rows at once.

`roster_read` turns .xlsx, .xls or .csv (UTF-8 or GBK) into rows, refusing files that are not
spreadsheets, are encrypted, empty, too large or zip bombs. `roster_preview` checks every row
with the same rules as the member form (members.services.member_clean) and sorts it: new,
changed, unchanged or rejected, each rejection with its sheet row, column, value and reason in
Chinese. `roster_import` writes the new and changed rows of a preview in one transaction: a
failure part-way writes none of them. Rows are keyed by ID number, so importing the same file
again changes nothing, and a changed row updates the member (with history) instead of adding one.
"""

import csv
import dataclasses
import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches import scoping
from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from portal import bulkload, excel

from . import roster, services
from .enums import MemberEventKind, MemberStatus
from .idcard import id_normalise
from .models import Member, MemberEvent, Membership, RosterUpload

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000
LOOKUP_CHUNK = 5_000
MAX_STORED_ERRORS = 2_000
FIELD_HEADERS = {c.field: c.header for c in roster.COLUMNS}
FIELD_HEADERS.update({"organisation": "组织代码", "birth_date": "出生日期", "gender": "性别"})


def roster_read(*, name: str, content: bytes) -> list[list]:
    """The first sheet's rows, or RosterError with a message saying what is wrong with the file."""
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
        return _calamine_rows(name, content)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: .xls, or an encrypted .xlsx
        return _calamine_rows(name, content)
    if suffix in ("csv", "txt") or _looks_like_text(content):
        return _csv_rows(name, content)
    raise roster.RosterError(_("%(name)s is not a spreadsheet: upload .xlsx, .xls or .csv.") % {"name": name})


def _zip_check(name: str, content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise roster.RosterError(_("%(name)s is damaged and cannot be read.") % {"name": name}) from exc
    if len(entries) > MAX_ZIP_MEMBERS or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise roster.RosterError(_("%(name)s unpacks to far more than a roster: it is refused.") % {"name": name})


def _calamine_rows(name: str, content: bytes) -> list[list]:
    import python_calamine

    try:
        workbook = python_calamine.load_workbook(io.BytesIO(content))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except python_calamine.PasswordError as exc:
        raise roster.RosterError(
            _("%(name)s is password-protected: save it without a password.") % {"name": name}
        ) from exc
    except Exception as exc:  # calamine raises several error types for damaged or foreign files
        raise roster.RosterError(_("%(name)s is damaged or not a spreadsheet.") % {"name": name}) from exc
    return rows


def _looks_like_text(content: bytes) -> bool:
    return b"\x00" not in content[:4096]


def _csv_rows(name: str, content: bytes) -> list[list]:
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
    return list(csv.reader(io.StringIO(text), dialect))


@dataclasses.dataclass
class RowResult:
    row: int
    action: str  # new, changed, unchanged, rejected
    name: str = ""
    id_number: str = ""
    errors: list[roster.CellError] = dataclasses.field(default_factory=list)
    changes: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ImportPlan:
    file_name: str
    header_row: int
    results: list[RowResult]
    creates: list = dataclasses.field(default_factory=list)  # (row, organisation, cleaned values)
    updates: list = dataclasses.field(default_factory=list)  # (row, member, cleaned values, changes)

    @property
    def counts(self) -> dict:
        counts = {"new": 0, "changed": 0, "unchanged": 0, "rejected": 0}
        for result in self.results:
            counts[result.action] += 1
        return counts

    @property
    def errors(self) -> list[roster.CellError]:
        return [error for result in self.results for error in result.errors]


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


def _existing(numbers: list[str]) -> dict[str, Member]:
    found = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        for member in Member.objects.active().filter(id_number__in=chunk).select_related("organisation"):
            found[member.id_number] = member
    return found


def roster_preview(*, rows: list[list], user=None, default_organisation: Organisation | None = None,
                   file_name: str = "") -> ImportPlan:  # fmt: skip
    """Check every row; nothing is written. `user` None is an operator with the whole zone."""
    header_index, columns = roster.header_find(rows)
    parsed = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if all(cell in (None, "") or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue  # blank rows are common between blocks of a roster
        values, errors = roster.row_values(row, columns, row_number=index + 1)
        parsed.append((index + 1, values, errors))

    codes = {v["organisation_code"] for _row, v, _errors in parsed if v.get("organisation_code")}
    names = {
        v["organisation_name"]
        for _row, v, _errors in parsed
        if v.get("organisation_name") and not v.get("organisation_code")
    }
    by_code, by_name = _organisations(codes=codes, names=names, user=user)
    numbers = sorted({id_normalise(v["id_number"]) for _row, v, _errors in parsed if v.get("id_number")})
    existing = _existing(numbers)

    plan = ImportPlan(file_name=file_name, header_row=header_index + 1, results=[])
    seen: dict[str, int] = {}
    for row_number, values, errors in parsed:
        result = RowResult(row=row_number, action="rejected", name=str(values.get("name", "")), errors=list(errors))
        plan.results.append(result)
        organisation = _row_organisation(values, by_code, by_name, default_organisation, result)
        data = {k: v for k, v in values.items() if k not in ("organisation_code", "organisation_name")}
        try:
            cleaned = services.member_clean(data=data, check_duplicate=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                header = FIELD_HEADERS.get(field, field)
                if any(e.column == header for e in result.errors):
                    continue  # the cell error already says what is wrong with this cell
                value = str(values.get(field, ""))
                result.errors += [roster.CellError(row_number, header, value, m) for m in messages]
            cleaned = None
        if cleaned is not None:
            result.id_number = cleaned["id_number"]
            first = seen.get(cleaned["id_number"])
            if first is not None:
                result.errors.append(
                    roster.CellError(row_number, "公民身份号码", cleaned["id_number"],
                                     _("The same ID number is already in row %(row)s of this file.") % {"row": first})
                )  # fmt: skip
            else:
                seen[cleaned["id_number"]] = row_number
        if result.errors or cleaned is None or organisation is None:
            continue
        member = existing.get(cleaned["id_number"])
        if member is None:
            result.action = "new"
            plan.creates.append((row_number, organisation, cleaned))
            continue
        if user is not None and not scoping.path_in_scope(user, member.organisation.path):
            result.errors.append(roster.CellError(row_number, "公民身份号码", cleaned["id_number"],
                                                  _("This person is an active member of an organisation outside your responsibility.")))  # fmt: skip
            continue
        if member.organisation_id != organisation.pk:
            result.errors.append(roster.CellError(row_number, "组织代码", organisation.code,
                                                  _("This member belongs to %(org)s: record a transfer instead.") % {"org": member.organisation.name}))  # fmt: skip
            continue
        changes = {f: v for f, v in cleaned.items() if getattr(member, f) != v}
        result.action = "changed" if changes else "unchanged"
        result.changes = changes
        if changes:
            plan.updates.append((row_number, member, cleaned, changes))
    return plan


def _row_organisation(values, by_code, by_name, default, result) -> Organisation | None:
    code, name = values.get("organisation_code"), values.get("organisation_name")
    row = result.row
    if code:
        organisation = by_code.get(code)
        if organisation is None:
            result.errors.append(roster.CellError(row, "组织代码", code,
                                                  _("No organisation with this code is within your responsibility.")))  # fmt: skip
            return None
    elif name:
        matches = by_name.get(name, [])
        if len(matches) != 1:
            message = (
                _("No organisation with this name is within your responsibility.")
                if not matches
                else _("Several organisations have this name: give the organisation code.")
            )
            result.errors.append(roster.CellError(row, "所在党组织", name, message))
            return None
        organisation = matches[0]
    elif default is not None:
        organisation = default
    else:
        result.errors.append(
            roster.CellError(row, "组织代码", "", _("Give the organisation code of the member's branch."))
        )
        return None
    if organisation.kind not in MEMBER_HOLDING_KINDS:
        result.errors.append(roster.CellError(row, "组织代码", organisation.code,
                                              _("Members belong to a branch, a joint branch or a party group.")))  # fmt: skip
        return None
    return organisation


@transaction.atomic
def roster_import(*, plan: ImportPlan, user=None) -> dict:
    """Write the new and changed rows of a preview in one transaction; the rejected rows stay out."""
    today = timezone.localdate()
    who = user if getattr(user, "pk", None) else None
    reason = _("Roster import: %(file)s") % {"file": plan.file_name}
    new_members = []
    for _row, organisation, cleaned in plan.creates:
        member = Member(organisation=organisation, status=MemberStatus.ACTIVE, **cleaned)
        services.search_keys_set(member)
        new_members.append(member)
    # COPY (PostgreSQL) writes the new members; their keys are then read back by ID number.
    bulkload.objects_copy(model=Member, objects=new_members)
    numbers = [m.id_number for m in new_members]
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        found = dict(
            Member.objects.active()
            .filter(id_number__in=numbers[start : start + LOOKUP_CHUNK])
            .values_list("id_number", "pk")
        )
        for member in new_members[start : start + LOOKUP_CHUNK]:
            member.pk = found[member.id_number]
    bulkload.objects_copy(
        model=Membership, objects=(Membership(member_id=m.pk, organisation_id=m.organisation_id) for m in new_members)
    )
    events = [
        MemberEvent(member_id=m.pk, kind=MemberEventKind.CREATED, effective_on=today, reason=reason, recorded_by=who)
        for m in new_members
    ]

    changed_fields: set[str] = set()
    updated = []
    for _row, member, _cleaned, changes in plan.updates:
        display = {}
        for field, value in changes.items():
            before = services.field_display(member, field)
            setattr(member, field, value)
            display[field] = [before, services.field_display(member, field)]
        services.search_keys_set(member)
        member.updated_at = timezone.now()
        changed_fields.update(changes)
        updated.append(member)
        events.append(MemberEvent(member=member, kind=MemberEventKind.UPDATED, effective_on=today, reason=reason,
                                  changes=display, recorded_by=who))  # fmt: skip
    if updated:
        Member.objects.bulk_update(
            updated,
            [*changed_fields, "name_pinyin", "name_initials", "id_tail_reversed", "updated_at"],
            batch_size=2_000,
        )
    bulkload.objects_copy(model=MemberEvent, objects=events)
    services.member_counts_refresh(organisation_ids={m.organisation_id for m in new_members})
    return {"created": len(new_members), "updated": len(updated)}


def roster_upload_preview(*, content: bytes, file_name: str, organisation: Organisation, user) -> RosterUpload:
    """Keep the uploaded file and its preview; nothing is written to the roster yet."""
    if user is not None and not scoping.path_in_scope(user, organisation.path):
        raise ValidationError({"organisation_code": _("This organisation is outside your responsibility.")})
    try:
        rows = roster_read(name=file_name, content=content)
        plan = roster_preview(rows=rows, user=user, default_organisation=_default(organisation), file_name=file_name)
    except roster.RosterError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    upload = RosterUpload(
        organisation=organisation,
        file_name=file_name[:200],
        uploaded_by=user if getattr(user, "pk", None) else None,
        counts=plan.counts,
        errors=[dataclasses.asdict(e) for e in plan.errors[:MAX_STORED_ERRORS]],
    )
    upload.file.save(f"roster-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(content), save=False)
    upload.save()
    return upload


def roster_upload_import(*, upload: RosterUpload, user) -> dict:
    """Import an upload's valid rows: the preview is made again, so rows changed since are seen."""
    if upload.imported_at is not None:
        imported = timezone.localtime(upload.imported_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(_("This file was imported on %(date)s.") % {"date": imported})
    with upload.file.open("rb") as handle:
        content = handle.read()
    plan = roster_preview(rows=roster_read(name=upload.file_name, content=content), user=user,
                          default_organisation=_default(upload.organisation), file_name=upload.file_name)  # fmt: skip
    written = roster_import(plan=plan, user=user)
    upload.counts, upload.written, upload.imported_at = plan.counts, written, timezone.now()
    upload.errors = [dataclasses.asdict(e) for e in plan.errors[:MAX_STORED_ERRORS]]
    upload.save(update_fields=["counts", "written", "imported_at", "errors"])
    return written


def _default(organisation: Organisation) -> Organisation | None:
    """Rows without a code go to the upload's organisation, if members can belong there."""
    return organisation if organisation.kind in MEMBER_HOLDING_KINDS else None


def roster_template_xlsx() -> bytes:
    """The empty template: the national collection form's member fields and the organisation."""
    return excel.xlsx_bytes(
        title="党员信息", header=roster.TEMPLATE_HEADERS, rows=[], note=_("Member roster (one member a row)")
    )


def members_export_xlsx(*, members, unmasked: bool) -> bytes:
    """A filtered list in the template's columns; masked for roles that may not see ID numbers and phones."""
    from .masking import id_number_masked, phone_masked

    def cells(m: Member):
        values = {
            "name": m.name, "gender": m.get_gender_display(), "id_number": m.id_number if unmasked else id_number_masked(m.id_number),
            "ethnicity": m.get_ethnicity_display(), "birth_date": m.birth_date, "education": m.get_education_display(),
            "category": m.get_category_display(), "joined_on": m.joined_on, "full_member_on": m.full_member_on,
            "life_status": m.get_life_status_display(), "work_unit": m.work_unit, "job_title": m.job_title,
            "phone": m.phone if unmasked else phone_masked(m.phone), "household_registration": m.household_registration,
            "residence": m.residence, "probation_ends_on": m.probation_ends_on, "organisation_code": m.organisation.code,
            "organisation_name": m.organisation.name,
        }  # fmt: skip
        return [values[c.field] if values[c.field] is not None else "" for c in roster.COLUMNS]

    return excel.xlsx_bytes(
        title="党员信息", header=roster.TEMPLATE_HEADERS, rows=(cells(m) for m in members.iterator(chunk_size=2000))
    )
