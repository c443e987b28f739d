"""Issue 16's figures: the roster import measured the way a user meets it (`manage.py bench roster_flow`).

In one run, on this machine, with its load sampled all along (/proc/loadavg):

- the **floor**: python-calamine reading the file, the same checks per row (members.roster's cell
  rules, then members.services.member_clean), PostgreSQL COPY of the checked rows into a scratch
  table; twice (before and after the user's flow), so the ratio has a floor of the same rounds;
- the **user's flow**, upload to done, through the services the page and its task call: the
  upload kept and checked (`roster_upload_create`, `roster_upload_check`: every row checked and the
  checked rows stored, as the preview page's task does), confirmed (`roster_upload_confirm`) and
  imported (`roster_upload_import`), timed end to end, with the peak resident memory of the flow
  (the process's high-water mark reset before it: /proc/self/clear_refs) and the rows written;
- a **re-import** of the same roster with 10 % of rows changed (a phone, a post 单位职务, a transfer
  to another branch, a third each) and 1 % new: what it wrote, the members' history (MemberEvent)
  before and after, and its time against the first import;
- a file in a **layout the bench did not write**: the national collection form's headers in
  another order, 人员类别 holding 正式党员/预备党员, month-only dates, 2 % of rows bad on purpose,
  the rejected rows counted apart;
- django-import-export's **stock import** (members.resources.MemberResource) of the same file:
  the whole file parsed by tablib (openpyxl), the first BENCH_STOCK_ROWS rows (20,000) imported and
  committed, the import's rate extrapolated to the whole file (the summary says so).

Sizes: BENCH_ROSTER_ROWS (100,000), BENCH_STOCK_ROWS (20,000), BENCH_FLOOR_ROUNDS (2).
"""

import contextlib
import datetime
import io
import itertools
import multiprocessing
import os
import statistics
import tempfile
import time
import traceback

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from core import bulkload, forkwork
from core.models import User
from devtools.benchmarks import (
    LoadSampler,
    _imported_remove,
    roster_people,
    roster_template_row,
    zone_ensure,
)
from members import imports, roster, services
from members.development_norms import development_norms_on
from members.enums import MemberEventKind
from members.models import Member, MemberEvent, RosterUpload
from members.resources import MemberResource

OTHER_AREA = "439902"  # the other layout's members: not the template file's people
TITLE = "高新区党员名册（基准测试）"
TEMPLATE_HEADER = [c.header for c in roster.COLUMNS if c.field != "organisation_name"]
# The national collection form's headers (全国党员管理信息系统 信息采集), in its own order.
NATIONAL_HEADER = [
    "序号",
    "党员姓名",
    "性别",
    "身份证号码",
    "民族",
    "出生年月",
    "文化程度",
    "人员类别",
    "入党时间",
    "转正时间",
    "工作岗位",
    "联系电话",
    "所在党支部",
    "党组织代码",
]
CHANGE_KINDS = ("phone", "job_title", "transfer")


# The files ------------------------------------------------------------------------------------


def _xlsx(write) -> bytes:
    """The bytes of a workbook that `write(sheet)` fills, written in a forked child (openpyxl's memory
    is not the import's)."""
    import openpyxl

    def child(path):
        workbook = openpyxl.Workbook(write_only=True)
        write(workbook.create_sheet())
        workbook.save(path)

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/roster.xlsx"
        process = multiprocessing.get_context("fork").Process(target=child, args=(path,))
        process.start()
        process.join()
        with open(path, "rb") as handle:
            return handle.read()


def reimport_rows(*, people: list, rows: int, codes: list[str]) -> tuple[list[list], dict]:
    """The template roster again, every tenth row changed (its phone, its post 单位职务 or its branch,
    in turn) and 1 % new people at the end; and how many rows of each kind it holds."""
    kinds = dict.fromkeys(CHANGE_KINDS, 0)
    out = []
    for n, person in enumerate(people[:rows]):
        code = codes[n % len(codes)]
        if n % 10 != 0:
            out.append(roster_template_row(n, person, code))
            continue
        kind = CHANGE_KINDS[(n // 10) % 3]
        kinds[kind] += 1
        if kind == "phone":
            out.append(roster_template_row(n, person, code, phone=f"138{n:08d}"))
        elif kind == "job_title":
            out.append(roster_template_row(n, person, code, job_title="支部委员"))
        else:
            out.append(roster_template_row(n, person, codes[(n + 1) % len(codes)]))
    for n, person in enumerate(people[rows:], start=rows):
        out.append(roster_template_row(n, person, codes[n % len(codes)]))
    kinds["new"] = len(people) - rows
    return out, kinds


def national_rows(*, people: list, codes: list[str], names: dict, today: datetime.date) -> tuple[list[list], int]:
    """Rows in the national form's layout: month-only dates (出生年月 1980.01, 入党时间 2005.07), 人员类别
    as 正式党员/预备党员 (one in twenty probationary, joined half a year ago), the occupational status
    under 工作岗位; rows 37 and 71 of each hundred bad on purpose (an ID number's check digit, a 13th
    month). Returns the rows and how many are bad."""
    joined_recently = (today.replace(day=1) - datetime.timedelta(days=180)).strftime("%Y.%m")
    out, bad = [], 0
    for n, (name, male, number, born) in enumerate(people):
        probationary = n % 20 == 3
        joined = joined_recently if probationary else f"{born.year + 25}.07"
        full = "" if probationary else f"{born.year + 26}.07"
        if n % 100 == 37:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
            bad += 1
        elif n % 100 == 71:
            joined = f"{born.year + 25}.13"
            bad += 1
        code = codes[n % len(codes)]
        out.append(
            [
                n + 1,
                name,
                "男" if male else "女",
                number,
                "汉族",
                born.strftime("%Y.%m"),
                "本科",
                "预备党员" if probationary else "正式党员",
                joined,
                full,
                "离退休人员" if born.year < 1963 else "在岗职工",
                f"137{n:08d}",
                names[code],
                code,
            ]
        )
    return out, bad


def _sheet(header: list, rows: list[list], titles: int = 1):
    def write(sheet):
        for title in range(titles):
            sheet.append([TITLE if title == 0 else "填报单位：高新区党工委组织部"])
        sheet.append(header)
        for row in rows:
            sheet.append(row)

    return write


# The measurements -------------------------------------------------------------------------------


def _status_mb(key: str) -> float | None:
    with contextlib.suppress(OSError), open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


@contextlib.contextmanager
def peak_memory(into: dict):
    """The resident memory when the step starts and its peak during the step: the process's
    high-water mark (VmHWM) is reset first (Linux: /proc/self/clear_refs), so earlier steps do not count."""
    reset = False
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
        reset = True
    into["rss_start_mb"] = _status_mb("VmRSS")
    yield
    into["peak_rss_mb"] = _status_mb("VmHWM")
    into["peak_is_of_this_step"] = reset


def floor_run(*, path: str, codes: dict[str, int]) -> dict:
    """The floor: calamine reads the file, each row gets the same checks (members.roster's cells,
    member_clean), the checked rows go into a scratch table by COPY. No preview stored, no lookups."""
    import python_calamine

    content = _read(path)
    fields = imports.IMPORT_FIELDS
    defaults = tuple(Member._meta.get_field(f).get_default() for f in fields)
    columns, make = bulkload.row_factory(model=Member, fields=["id", "organisation", *fields], now=timezone.now())
    today = timezone.localdate()
    development = development_norms_on(today)
    counted = {"rows": 0, "rejected": 0}

    def checked_rows():
        rows = python_calamine.load_workbook(io.BytesIO(content)).get_sheet_by_index(0).iter_rows()
        head = list(itertools.islice(rows, roster.HEADER_SEARCH_ROWS))
        index, found = roster.header_find(head)
        data = head[index + 1 :]
        if roster.header_ambiguous(head[index]):
            data += itertools.islice(rows, roster.SETTLE_SAMPLE_ROWS)
            found, _readings = roster.columns_settle(head[index], found, data)
        memo = {}
        for number, row in enumerate(itertools.chain(data, rows), start=index + 2):
            counted["rows"] += 1
            values, errors = roster.row_values(row, found, row_number=number, memo=memo)
            code = values.pop("organisation_code", None)
            values.pop("organisation_name", None)
            try:
                cleaned = services.member_clean(
                    data=values, check_duplicate=False, today=today, development=development
                )
            except ValidationError:
                errors = True
            if errors or code not in codes:
                counted["rejected"] += 1
                continue
            yield make((number, codes[code], *(cleaned.get(f, d) for f, d in zip(fields, defaults, strict=True))))

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS roster_floor")
        cursor.execute(f"CREATE TEMPORARY TABLE roster_floor (LIKE {Member._meta.db_table})")
        written = bulkload.rows_copy(table="roster_floor", columns=columns, rows=checked_rows())
        cursor.execute("DROP TABLE roster_floor")
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "written": written, **counted}


def flow_run(*, path: str, file_name: str, organisation: Organisation, user) -> dict:
    """Upload to done as the page and its task do it: kept, checked (the preview, its checked rows
    stored), confirmed, imported; each step's time, the rows written, the flow's peak memory."""
    content = _read(path)  # the upload as it arrives
    result: dict = {}
    forkwork.ChunksMapped.last_private_mb = forkwork.ChunksMapped.last_peak_mb = None
    with peak_memory(result):
        started = time.perf_counter()
        upload = imports.roster_upload_create(
            content=content, file_name=file_name, organisation=organisation, user=user
        )
        del content  # kept by the page; the worker's task reads it back from storage, as here
        imports.roster_upload_check(upload=upload)
        checked = time.perf_counter()
        preview_peak = _status_mb("VmHWM")
        if upload.state != RosterUpload.State.CHECKED:
            raise RuntimeError(f"the check failed: {upload.failure}")
        imports.roster_upload_confirm(upload=upload)
        written = imports.roster_upload_import(upload=upload, user=user)
        done = time.perf_counter()
    rows = sum(upload.counts.values())
    total = done - started
    # The preview's helper process (core.forkwork), when it had one: its own pages (those it does
    # not share with the flow's process) count for the flow too, beside this process's peak up to
    # the moment the helper left (its pages only grow while it works).
    helper, beside = forkwork.ChunksMapped.last_private_mb, forkwork.ChunksMapped.last_peak_mb
    peak = result.get("peak_rss_mb")
    result["helper_private_mb"] = helper
    result["peak_while_helper_mb"] = beside
    result["preview_peak_rss_mb"] = preview_peak
    if peak is None:
        result["peak_with_helper_mb"] = None
    else:
        result["peak_with_helper_mb"] = round(max(peak, (beside or 0) + (helper or 0)), 1)
    result.update(
        {
            "seconds": round(total, 2),
            "preview_seconds": round(checked - started, 2),
            "confirm_seconds": round(done - checked, 2),
            "rows": rows,
            "counts": upload.counts,
            "written": written,
            "written_rows": written["created"] + written["updated"],
            "written_rows_per_second": round((written["created"] + written["updated"]) / total),
            "rows_per_second": round(rows / total),
        }
    )
    return result


def rejections_by_message(*, errors: list[dict]) -> dict:
    """How many cell errors of each message (the first MAX_STORED_ERRORS the upload keeps)."""
    tally: dict[str, int] = {}
    for error in errors:
        tally[error["message"]] = tally.get(error["message"], 0) + 1
    return dict(sorted(tally.items(), key=lambda item: -item[1]))


def stock_run(*, path: str, rows: int, import_rows: int) -> dict:
    """django-import-export's stock import: the whole file parsed by tablib (openpyxl, as the library
    reads .xlsx), then the first `import_rows` rows imported row by row and committed; the import's
    rate is extrapolated to `rows` when it imported fewer."""
    import tablib

    content = _read(path)
    started = time.perf_counter()
    dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx", skip_lines=1)
    parsed = time.perf_counter() - started
    part = tablib.Dataset(*dataset[:import_rows], headers=dataset.headers)
    del dataset
    started = time.perf_counter()
    outcome = MemberResource().import_data(part, dry_run=False, raise_errors=False)
    imported = time.perf_counter() - started
    extrapolated = imported * rows / import_rows
    return {
        "parse_seconds": round(parsed, 2),
        "parse_rows": rows,
        "import_rows": import_rows,
        "import_seconds": round(imported, 2),
        "import_rows_per_second": round(import_rows / imported),
        "new": outcome.totals["new"],
        "errors": len(outcome.row_errors()) + len(outcome.invalid_rows),
        "seconds_for_all_rows": round(parsed + extrapolated, 2),
        "extrapolated": import_rows < rows,
        "how": (
            f"the whole file parsed; {import_rows} of {rows} rows imported and committed, "
            f"the import time scaled by {rows}/{import_rows}"
            if import_rows < rows
            else "the whole file parsed and imported"
        ),
    }


def _history(reason_file: str) -> dict:
    """The history written by an import of `reason_file`: events by kind, and by field changed."""
    reason = _("Roster import: %(file)s") % {"file": reason_file}
    events = MemberEvent.objects.filter(reason=reason[:200])
    result = {kind: events.filter(kind=kind).count() for kind in MemberEventKind.values}
    updated = events.filter(kind=MemberEventKind.UPDATED)
    result["changing"] = {field: updated.filter(changes__has_key=field).count() for field in ("phone", "job_title")}
    return {k: v for k, v in result.items() if v}


_INHERITED: list = []  # a forked child's inherited database connections, kept until it exits


def forked(function, /, **kwargs):
    """`function(**kwargs)` run in a child process forked from this one, its result sent back: the
    child's memory (and its peak) is its own, and what it leaves behind is gone with it. The
    database connections are closed first and opened again by each side (a forked connection is
    one socket for two processes). Inside a transaction (a test's) the child could not see it: the
    function then runs here."""
    if connection.in_atomic_block:
        return function(**kwargs)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child():
        # A connection opened elsewhere in this process (another context: a test's live server, a
        # browser's greenlet) is the parent's socket too: it is set aside, never used nor closed
        # here (closing would end the parent's session); the child exits without collecting it.
        for alias in connections:
            inherited = connections[alias].connection
            if inherited is not None:
                _INHERITED.append(inherited)
                connections[alias].connection = None
        try:
            outcome = ("done", function(**kwargs))
        except BaseException:  # the parent raises it, with the child's traceback
            outcome = ("failed", traceback.format_exc())
        connections.close_all()
        writer.send(outcome)

    process = context.Process(target=child)
    process.start()
    writer.close()
    try:
        state, value = reader.recv()
    except EOFError:
        state, value = "failed", "the child stopped without an answer"
    process.join()
    if state != "done":
        raise RuntimeError(f"{function.__name__} failed in its child process:\n{value}")
    return value


def _files(*, folder: str, rows: int, seed: int, codes: list[str], names: dict, today) -> tuple:
    """The three workbooks (the template roster, its re-import, the national layout) written into
    `folder` (first.xlsx, again.xlsx, other.xlsx), what the re-import changes, how many rows of the
    national one are bad, the first's distinct ID numbers and size. The bench keeps none of them in
    memory: each step's child reads its own file, as a worker reads its upload, and holds no other."""
    people = roster_people(count=rows + max(1, rows // 100), seed=seed)
    first = _xlsx(
        _sheet(TEMPLATE_HEADER, [roster_template_row(n, p, codes[n % len(codes)]) for n, p in enumerate(people[:rows])])
    )
    changed_rows, kinds = reimport_rows(people=people, rows=rows, codes=codes)
    again = _xlsx(_sheet(TEMPLATE_HEADER, changed_rows))
    other_people = roster_people(count=rows, seed=seed + 1, area=OTHER_AREA)
    other_rows, bad = national_rows(people=other_people, codes=codes, names=names, today=today)
    other = _xlsx(_sheet(NATIONAL_HEADER, other_rows, titles=2))
    for name, content in (("first", first), ("again", again), ("other", other)):
        with open(os.path.join(folder, f"{name}.xlsx"), "wb") as handle:
            handle.write(content)
    return kinds, bad, len({p[2] for p in people[:rows]}), len(first)


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def roster_flow_measure(*, rows: int, seed: int, organisation: Organisation, user, stock_rows: int) -> dict:
    """Every figure of the summary, on the zone in the current database (see the module's docstring)."""
    floor_rounds = int(os.environ.get("BENCH_FLOOR_ROUNDS", "2"))
    branches = Organisation.objects.active().filter(kind__in=MEMBER_HOLDING_KINDS).order_by("path")
    targets = list(branches.values_list("code", "pk", "name")[:2000])
    codes = [code for code, _pk, _name in targets]
    ids = {code: pk for code, pk, _name in targets}
    names = {code: name for code, _pk, name in targets}
    today = timezone.localdate()
    _imported_remove()

    started = time.perf_counter()
    files = tempfile.TemporaryDirectory()
    kinds, bad, distinct, size = forked(
        _files, folder=files.name, rows=rows, seed=seed, codes=codes, names=names, today=today
    )
    first, again, other = (os.path.join(files.name, f"{name}.xlsx") for name in ("first", "again", "other"))
    result: dict = {
        "rows": rows,
        "distinct_id_numbers": distinct,
        "file_bytes": size,
        "files_seconds": round(time.perf_counter() - started, 2),
        "how": (
            "the files are made, and the floor, each flow and the stock import each run, in a child "
            "process forked from the bench (as a Celery worker forks its children), so no step's "
            "memory is another's; each peak is that child's from its start; each child reads its own "
            "file from disk (the bench holds none)"
        ),
    }

    with LoadSampler() as load, tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        floors = [forked(floor_run, path=first, codes=ids)]
        flow = forked(flow_run, path=first, file_name="roster.xlsx", organisation=organisation, user=user)
        floors.append(forked(floor_run, path=first, codes=ids))
        floors += [forked(floor_run, path=first, codes=ids) for _ in range(floor_rounds - 2)]
        floor = statistics.median(f["seconds"] for f in floors)
        result["floor"] = {**floors[0], "seconds": round(floor, 2), "rounds": [f["seconds"] for f in floors]}
        result["flow"] = flow
        result["flow_to_floor"] = round(flow["seconds"] / floor, 2)

        before = MemberEvent.objects.count()
        reimport = forked(flow_run, path=again, file_name="reimport.xlsx", organisation=organisation, user=user)
        history = _history("reimport.xlsx")
        upload = RosterUpload.objects.filter(file_name="reimport.xlsx").latest("pk")
        reimport.update(
            {
                "file": {**kinds, "rows": rows + kinds["new"]},
                "member_events_added": MemberEvent.objects.count() - before,
                "history": history,
                "rejections": rejections_by_message(errors=upload.errors),
                "faster_than_first_import": round(flow["seconds"] / reimport["seconds"], 2),
                # The import records no transfer (组织关系转接 needs its letter): those rows are refused.
                "transfers_refused": reimport["counts"]["rejected"],
            }
        )
        result["reimport"] = reimport

        national = forked(flow_run, path=other, file_name="national.xlsx", organisation=organisation, user=user)
        upload = RosterUpload.objects.filter(file_name="national.xlsx").latest("pk")
        national.update(
            {
                "bad_rows_in_file": bad,
                "rejected_rows": upload.counts["rejected"],
                "accepted_rows": upload.counts["new"] + upload.counts["changed"] + upload.counts["unchanged"],
                "readings": upload.listing.get("readings", []),
                "rejections": rejections_by_message(errors=upload.errors),
                "to_floor": round(national["seconds"] / floor, 2),
            }
        )
        result["other_layout"] = national

        _imported_remove()
        stock = forked(stock_run, path=first, rows=rows, import_rows=min(rows, stock_rows))
        _imported_remove()
        result["stock_import_export"] = stock
        result["speedup_over_stock"] = round(stock["seconds_for_all_rows"] / flow["seconds"], 1)
    files.cleanup()
    result["load"] = load.summary()
    return result


def bench_roster_flow(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 16: the roster import upload to done, against the floor and the stock import, in one run."""
    zone = zone_ensure(members=members, seed=seed)
    root = Organisation.objects.filter(depth=1).first()
    rows = int(os.environ.get("BENCH_ROSTER_ROWS", "100000"))
    stock_rows = int(os.environ.get("BENCH_STOCK_ROWS", "20000"))
    user = User.objects.filter(username="bureau").first()
    return {
        "zone": zone,
        "as": user.username if user else "operator",
        **roster_flow_measure(rows=rows, seed=seed, organisation=root, user=user, stock_rows=stock_rows),
    }
