"""Benchmarks behind `manage.py bench <name>`: each measures one figure an issue names.

They run in a throwaway database (`portal_bench` on PostgreSQL, var/bench.sqlite3 on SQLite),
never in the portal's own data. A seeded zone is kept between runs and rebuilt only when the
requested size differs, so the page benchmarks do not pay for the build each time.
"""

import contextlib
import datetime
import itertools
import os
import statistics
import threading
import time

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.enums import MeetingKind
from assessments.models import Meeting, TrainingRecord
from branches import selectors
from branches.enums import MEMBER_HOLDING_KINDS, TOWN_SECTORS, OrganisationKind
from branches.models import Organisation
from core.idcard import id_make
from core.models import User
from devtools import demo
from members import imports
from members.models import Member, MemberEvent, Membership
from members.resources import MemberResource
from members.roster import COLUMNS
from members.services import member_counts_refresh

# BENCH_DATABASE=… keeps zones of other sizes beside the 1,000,000-member one (scaling runs).
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench")


def bench_database_open(name: str | None = None) -> str:
    """Switch this process to the benchmark database (created and migrated when missing); a benchmark
    that builds its own small zone names its own database, so the shared zone stays as it is."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["TEST"]["NAME"] = str(demo.__file__).rsplit("/", 2)[0] + f"/var/{name or 'bench'}.sqlite3"
    else:
        settings_dict["TEST"]["NAME"] = name or BENCH_DATABASE
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)


def zone_ensure(*, members: int, seed: int) -> dict:
    """Reuse the benchmark zone when it has the requested size, else rebuild it."""
    if Member.objects.count() == members and User.objects.filter(username="bureau").exists():
        return {"reused": True, "organisations": Organisation.objects.count(), "members": members}
    demo.demo_zone_reset()
    started = time.perf_counter()
    result = demo.demo_zone_build(seed=seed, members=members)
    result.pop("logins")
    return {"reused": False, "seconds": round(time.perf_counter() - started, 2), **result}


class LoadSampler:
    """/proc/loadavg every second while the bench runs (the machine's load during the run)."""

    def __init__(self, every: float = 1.0):
        self.every, self.samples, self.stop = every, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _read(self):
        with contextlib.suppress(OSError), open("/proc/loadavg") as handle:
            self.samples.append(float(handle.read().split()[0]))

    def _run(self):
        while not self.stop.is_set():
            self._read()
            self.stop.wait(self.every)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self._read()

    def summary(self) -> dict:
        samples = self.samples or [0.0]
        return {
            "cores": os.cpu_count(),
            "loadavg_1min_start": samples[0],
            "loadavg_1min_mean": round(statistics.fmean(samples), 2),
            "loadavg_1min_max": max(samples),
            "loadavg_1min_end": samples[-1],
            "samples": len(samples),
        }


def percentile(samples: list[float], rank: float) -> float:
    """The `rank`th percentile, interpolated between the two nearest samples (numpy's "linear"): with
    30 samples the 95th lies between the 28th and the 29th, not on the 28th."""
    ordered = sorted(samples)
    position = (len(ordered) - 1) * rank / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _timings(fn, repeat: int) -> dict:
    fn()  # warm caches and connections once
    samples = []
    with CaptureQueriesContext(connection) as queries:
        fn()
    query_count = len(queries.captured_queries)
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        reset_queries()
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(samples[-1], 2),
        "queries": query_count,
        "runs": repeat,
    }


def bench_zone_build(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 2: build the zone (about 50,000 organisations at 1,000,000 members) with bulk inserts."""
    demo.demo_zone_reset()
    started = time.perf_counter()
    result = demo.demo_zone_build(seed=seed, members=members)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "organisations": result["organisations"],
        "members": result["members"],
        "posts": result["posts"],
        "rows_per_second": round((result["organisations"] + result["members"] + result["posts"]) / seconds),
    }


def _largest_town():
    towns = Organisation.objects.filter(sector__in=TOWN_SECTORS, kind=OrganisationKind.PARTY_COMMITTEE)
    return max(towns[:50], key=lambda t: selectors.organisation_subtree(organisation=t).count())


def bench_subtree(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 2: "everything under this town" and "members under this town" as single indexed queries."""
    zone = zone_ensure(members=members, seed=seed)
    town = _largest_town()
    root = Organisation.objects.get(depth=1)
    size = selectors.organisation_subtree(organisation=town).count()
    return {
        "zone": zone,
        "town": town.name,
        "subtree_organisations": size,
        "subtree_ids": _timings(
            lambda: list(selectors.organisation_subtree(organisation=town).values_list("pk", flat=True)), repeat
        ),
        "town_summary": _timings(lambda: selectors.organisation_summary(organisation=town), repeat),
        "zone_summary": _timings(lambda: selectors.organisation_summary(organisation=root), repeat),
        "zone_ids": _timings(
            lambda: list(selectors.organisation_subtree(organisation=root).values_list("pk", flat=True)), repeat
        ),
    }


def bench_tree_page(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 2: the tree pages for bureau staff; server time per request and SQL queries."""
    zone = zone_ensure(members=members, seed=seed)
    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    root = Organisation.objects.get(depth=1)
    town = _largest_town()

    def get(url, **params):
        def request():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        return request

    return {
        "zone": zone,
        "tree_page": _timings(get(reverse("branches:tree")), repeat),
        "children_of_work_committee": _timings(get(reverse("branches:children", args=[root.pk])), repeat),
        "children_of_town": _timings(get(reverse("branches:children", args=[town.pk])), repeat),
        "detail_of_work_committee": _timings(get(reverse("branches:detail", args=[root.pk])), repeat),
        "detail_of_town": _timings(get(reverse("branches:detail", args=[town.pk])), repeat),
        "search_by_name": _timings(get(reverse("branches:tree"), q="社区"), repeat),
    }


def bench_member_list(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 3: the member list with a filter at 1,000,000 members (target <= 150 ms)."""
    zone = zone_ensure(members=members, seed=seed)
    town = _largest_town()
    sample = Member.objects.order_by("pk")[members // 2]
    bureau = Client()
    bureau.force_login(User.objects.get(username="bureau"))
    town_admin = Client()
    town_admin.force_login(User.objects.get(username="town1"))
    url = reverse("members:list")

    def get(client, **params):
        def request():
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code

        return request

    return {
        "zone": zone,
        "bureau_all_active": _timings(get(bureau), repeat),
        "bureau_page_100": _timings(get(bureau, page=100), repeat),
        "bureau_filter_town": _timings(get(bureau, org=town.code), repeat),
        "bureau_filter_probationary_age": _timings(get(bureau, category="probationary", age_band="-35"), repeat),
        "bureau_search_initials": _timings(get(bureau, q=sample.name_initials), repeat),
        "bureau_search_id_tail": _timings(get(bureau, q=sample.id_number[-4:]), repeat),
        "bureau_search_name": _timings(get(bureau, q=sample.name[:2]), repeat),
        "town_admin_all": _timings(get(town_admin), repeat),
        "town_admin_search_initials": _timings(get(town_admin, q=sample.name_initials[:2]), repeat),
    }


ROSTER_AREA = "439901"  # the generated members' area code: the clean-up finds them by it


def roster_people(*, count: int, seed: int, area: str = ROSTER_AREA) -> list[tuple]:
    """`count` generated members (name, male, ID number, birth date) with distinct ID numbers: each
    order code of a birth day and gender is handed out once (drawn at random, 290 of 100,000 repeated)."""
    import random

    rng = random.Random(seed)
    issued: dict[tuple, int] = {}
    people = []
    while len(people) < count:
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 18000))
        male = rng.random() < 0.6
        sequence = issued.get((born, male), 0)
        if sequence >= 500:  # the day's order codes are all taken: another day
            continue
        issued[born, male] = sequence + 1
        name = rng.choice(demo.SURNAMES) + "".join(rng.choice(demo.GIVEN) for _ in range(rng.randint(1, 2)))
        people.append((name, male, id_make(area=area, born=born, sequence=sequence, male=male), born))
    return people


def roster_template_row(n: int, person: tuple, code: str, *, phone: str = "", job_title: str = "") -> list:
    """One row of the template's 17 columns (dates as text, as rosters type them)."""
    name, male, number, born = person
    return [
        name,
        "男" if male else "女",
        number,
        "汉族",
        born.isoformat(),
        "大学本科",
        "正式党员",
        f"{born.year + 25}年7月1日",
        f"{born.year + 26}.7.1",
        "在岗职工",
        "某公司",
        job_title,
        phone or f"139{n:08d}",
        "长沙市",
        "长沙市岳麓区",
        "",
        code,
    ]


def _roster_file_write(path: str, rows: int, seed: int, codes: list[str]) -> None:
    """A generated roster of `rows` members (17 columns of the template, dates as text, Chinese
    names, no ID number twice) in .xlsx. Runs in a child process, so openpyxl's memory is not the import's."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["高新区党员名册（基准测试）"])
    sheet.append([c.header for c in COLUMNS if c.field != "organisation_name"])
    for n, person in enumerate(roster_people(count=rows, seed=seed)):
        sheet.append(roster_template_row(n, person, codes[n % len(codes)]))
    workbook.save(path)


def _roster_file(rows: int, seed: int) -> bytes:
    import multiprocessing
    import tempfile

    codes = list(Organisation.objects.filter(kind__in=MEMBER_HOLDING_KINDS).values_list("code", flat=True)[:2000])
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/roster.xlsx"
        child = multiprocessing.get_context("fork").Process(target=_roster_file_write, args=(path, rows, seed, codes))
        child.start()
        child.join()
        with open(path, "rb") as handle:
            return handle.read()


def _imported_remove() -> None:
    """Leave the benchmark zone as it was: the generated members (area codes 4399xx) go again,
    with plain DELETEs (Django's delete() would load 100,000 members into memory first)."""

    imported = Member.objects.filter(id_number__startswith="4399")
    touched = list(imported.values_list("organisation_id", flat=True).distinct())
    ids = "SELECT id FROM members_member WHERE id_number LIKE '4399%%'"
    with connection.cursor() as cursor:
        for model in (MemberEvent, Membership):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE member_id IN ({ids})")
        cursor.execute(f"DELETE FROM members_member WHERE id IN ({ids})")
    member_counts_refresh(organisation_ids=touched)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction: no VACUUM)
        # Without this the next run's unique checks wade through the dead rows of the same ID numbers.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member, members_membership, members_memberevent")
            # …and the next timing starts with no checkpoint of this clean-up still writing.
            cursor.execute("CHECKPOINT")


def _stock_import(content: bytes, rows: int) -> dict:
    """django-import-export's own row-by-row import of the first `rows` rows of the same file,
    rolled back afterwards."""
    import tablib
    from django.db import transaction

    sheet = imports.roster_read(name="bench.xlsx", content=content)
    next(sheet)  # the title row
    header = [str(c) for c in next(sheet)]
    dataset = tablib.Dataset(
        *[["" if c is None else c for c in row] for row in itertools.islice(sheet, rows)], headers=header
    )
    started = time.perf_counter()
    with transaction.atomic():
        outcome = MemberResource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=False)
        transaction.set_rollback(True)
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "new": outcome.totals["new"],
        "errors": len(outcome.row_errors()) + len(outcome.invalid_rows),
    }


def bench_roster_import(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 3: a generated 100,000-row roster uploaded as a secretary does: the preview (read,
    check, sort against the roster), the whole confirmation (the checked rows loaded again, the
    roster read again, everything written), a re-import of the same file, peak memory; and
    django-import-export's stock import of the first rows of the same file, in the same run."""
    import resource
    import tempfile

    from django.test import override_settings

    zone = zone_ensure(members=members, seed=seed)
    _imported_remove()
    rows = int(os.environ.get("BENCH_ROSTER_ROWS", "100000"))
    content = _roster_file(rows, seed)
    root = Organisation.objects.filter(depth=1).first()
    result = {"zone": zone, "rows": rows, "file_bytes": len(content)}

    def timed(label, fn):
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
        result[label] = {"seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}
        return value

    def rss() -> int:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    def preview():
        return imports.roster_upload_preview(content=content, file_name="bench.xlsx", organisation=root, user=None)

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        upload = timed("preview", preview)
        result["preview"]["counts"] = upload.counts
        timed("confirm", lambda: imports.roster_upload_import(upload=upload, user=None))
        result["confirm"]["written"] = upload.written
        result["peak_rss_mb_after_confirm"] = rss()
        # The confirmation without the preview's checked rows (checked on another day): the file
        # is read and checked again.
        _imported_remove()
        upload = preview()
        upload.checked = ""
        timed("confirm_rechecking_the_file", lambda: imports.roster_upload_import(upload=upload, user=None))

        # The same file again, as the page takes it: the preview, and the confirmation only if the
        # preview found anything to write (here it finds every row unchanged).
        def reimport():
            upload = preview()
            if upload.counts["new"] or upload.counts["changed"]:
                imports.roster_upload_import(upload=upload, user=None)
            return upload.counts

        result["reimport_counts"] = timed("reimport", reimport)
    first = result["preview"]["seconds"] + result["confirm"]["seconds"]
    result["first_import_seconds"] = round(first, 2)
    result["reimport_faster_than_first_import"] = round(first / result["reimport"]["seconds"], 2)
    result["peak_rss_mb"] = rss()
    _imported_remove()
    stock_rows = min(rows, int(os.environ.get("BENCH_STOCK_ROWS", "3000")))
    result["stock_import_export"] = _stock_import(content, stock_rows)
    result["confirm_speedup_over_stock"] = round(
        result["confirm"]["rows_per_second"] / result["stock_import_export"]["rows_per_second"], 1
    )
    return result


def bench_assessment_pages(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 4: a branch's year overview and the meeting form at the demo scale (target <= 150 ms
    each), for the largest branch, with a full year of meetings, attendance and study hours."""
    from decimal import Decimal

    zone = zone_ensure(members=members, seed=seed)
    branch = Organisation.objects.filter(kind=OrganisationKind.BRANCH).order_by("-member_count", "pk").first()
    Meeting.objects.filter(organisation=branch).delete()
    TrainingRecord.objects.filter(organisation=branch).delete()
    year = timezone.localdate().year - 1
    people = list(
        Membership.objects.filter(organisation=branch, ended_on__isnull=True).values_list("member_id", flat=True)
    )
    attendance = {pk: ("present", "") for pk in people}
    plan = [(MeetingKind.COMMITTEE, m, 5) for m in range(1, 13)] + [
        (MeetingKind.THEMED_DAY, m, 15) for m in range(1, 13)
    ]
    plan += [(MeetingKind.GENERAL, m, 20) for m in (1, 4, 7, 10)] + [
        (MeetingKind.LECTURE, m, 25) for m in (2, 5, 8, 11)
    ]
    started = time.perf_counter()
    for kind, month, day in plan:
        held_on = datetime.date(year, month, day)
        assessment_services.meeting_record(
            organisation=branch,
            attendance={pk: ("present", "") for pk in _committee(assessment_selectors, branch, held_on)}
            if kind == MeetingKind.COMMITTEE
            else attendance,
            data={
                "kind": kind,
                "held_on": held_on,
                "place": "党员活动室",
                "topic": f"{month}月学习",
                "lecturer_name": "区委党校" if kind == MeetingKind.LECTURE else "",
                "study_hours": Decimal(2),
            },
        )
    for n in range(10):
        assessment_services.training_batch_record(
            organisation=branch,
            kind="course",
            title=f"专题培训{n}",
            held_on=datetime.date(year, 1 + n, 3),
            hours=Decimal(3),
            member_ids=people,
        )
    seeded = round(time.perf_counter() - started, 2)
    admin = User.objects.filter(
        role="org_admin", organisation__path__in=[branch.path[: 4 * d] for d in range(1, branch.depth + 1)]
    ).first()
    client = Client()
    client.force_login(admin or User.objects.get(username="bureau"))
    meeting = Meeting.objects.filter(organisation=branch).first()

    def get(url, **params):
        def request():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        return request

    committee = _committee(assessment_selectors, branch, datetime.date(year, 12, 28))

    def post_meeting():  # the committee present, everyone else of the branch sitting in (列席)
        data = {"kind": "committee", "held_on": f"{year}-12-28", "place": "会议室", "topic": "基准测试"}
        data.update({f"attendance_{pk}": "present" for pk in committee})
        data.update({f"nonvoting_{pk}": "on" for pk in people if pk not in committee})
        response = client.post(reverse("assessments:meeting_create", args=[branch.pk]), data)
        assert response.status_code == 302, response.status_code
        Meeting.objects.filter(organisation=branch, topic="基准测试").delete()

    result = {
        "zone": zone,
        "branch": branch.name,
        "members": len(people),
        "meetings_seeded": len(plan),
        "seed_seconds": seeded,
        "as": admin.username if admin else "bureau",
        "year_overview": _timings(get(reverse("assessments:year", args=[branch.pk, year])), repeat),
        "meeting_form": _timings(
            get(reverse("assessments:meeting_create", args=[branch.pk]), date=f"{year}-12-28"), repeat
        ),
        "meeting_form_post": _timings(post_meeting, repeat),
        "meeting_detail": _timings(get(reverse("assessments:meeting", args=[meeting.pk])), repeat),
        "member_study": _timings(get(reverse("assessments:member_study", args=[people[0], year])), repeat),
    }
    Meeting.objects.filter(organisation=branch).delete()
    TrainingRecord.objects.filter(organisation=branch).delete()
    return result


def _committee(selectors, branch, day) -> list[int]:
    """The branch's committee in post on the day: who a committee meeting lists."""
    return [member.pk for member, _post in selectors.committee_on(organisation=branch, day=day)]


def bench_funding_report(**kwargs) -> dict:
    """Issue 5: the zone's activity-fund report at the 50,000-organisation scale (funding/benchmarks.py)."""
    from devtools.bench_funding import bench_funding_report as run

    return run(**kwargs)


def bench_compliance_run(**kwargs) -> dict:
    """Issue 6: the nightly compliance run and the bureau dashboard (assessments/benchmarks.py)."""
    from devtools.bench_assessments import bench_compliance_run as run

    return run(**kwargs)


def bench_load(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 7: wrk against gunicorn (4 workers) on the zone: the secretary's home page and the member
    list (a branch secretary's and a town administrator's), requests per second, p99, errors."""
    from devtools.loadtest import load_run, session_cookie, user_marker

    zone = zone_ensure(members=members, seed=seed)
    branch = User.objects.get(username="branch1")
    town = User.objects.get(username="town1")
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "20"))
    targets = [
        ("secretary_home", "/", session_cookie(branch), (user_marker(branch), 'id="todo"')),
        ("member_list_branch", "/members/", session_cookie(branch), (user_marker(branch), 'id="member-list"')),
        ("member_list_town", "/members/", session_cookie(town), (user_marker(town), 'id="member-list"')),
    ]
    with LoadSampler() as load:
        result = load_run(targets=targets, seconds=seconds)
    return {"zone": zone, **result, "load": load.summary()}


def bench_secretary_year(**kwargs) -> dict:
    """Issue 12: a village secretary's previous year through the real pages (portal/bench_secretary.py)."""
    from devtools.bench_secretary import bench_secretary_year as run

    return run(**kwargs)


def bench_mobile(**kwargs) -> dict:
    """Issue 18: the mobile members' list and the bureau's mobile view (devtools/bench_mobile.py)."""
    from devtools.bench_mobile import bench_mobile as run

    return run(**kwargs)


# Its own small zone (one branch, 30 members), in its own database.
bench_secretary_year.database = f"{BENCH_DATABASE}_secretary"


def bench_ledger(**kwargs) -> dict:
    """Issue 17: the printed ledgers of a heavy branch-year and a town's subtree ZIP (devtools/bench_ledgers.py)."""
    from devtools.bench_ledgers import bench_ledger as run

    return run(**kwargs)


bench_ledger.database = f"{BENCH_DATABASE}_ledger"


def bench_roster_flow(**kwargs) -> dict:
    """Issue 16: the roster import upload to done, against the floor and the stock import (devtools/bench_roster.py)."""
    from devtools.bench_roster import bench_roster_flow as run

    return run(**kwargs)


BENCHMARKS = {
    "zone_build": bench_zone_build,
    "subtree": bench_subtree,
    "tree_page": bench_tree_page,
    "member_list": bench_member_list,
    "roster_import": bench_roster_import,
    "roster_flow": bench_roster_flow,
    "assessment_pages": bench_assessment_pages,
    "funding_report": bench_funding_report,
    "compliance_run": bench_compliance_run,
    "load": bench_load,
    "secretary_year": bench_secretary_year,
    "ledger": bench_ledger,
    "mobile": bench_mobile,
}
