"""Issue 17's figures: printing the ledgers.

`bench_ledger` (registered as `ledger` in devtools/benchmarks.py) works in its own database (a 15,000-member
demo zone, `make run`'s size, whatever `--members` says) with last year's activity generated as for the
compliance bench. It adds, in the town whose subtree is nearest 60 organisations, a branch of 40 members
with 50 meetings of the year, each with a photo and a sign-in sheet (1600 x 1200 JPEGs), and measures:

- the print copies of the 100 photos, made when they are stored (portal/ledgers/images.py): seconds a photo;
- the branch's record book and year ledger in each format: seconds and peak memory (target <= 5 s each),
  and the record book once more with no print copy made yet (the first print of photos stored before
  the copies existed);
- the town's subtree ZIP in each format, run as the Celery task the page starts (in a child process, its
  progress read from the cache meanwhile): seconds, peak memory (target < 400 MB), progress readings;
- the page count of the demo branch's (the `branch1` login's) record book and year ledger as PDF.

Each print runs in a forked child, so its peak resident memory (wait4's ru_maxrss, the parent's pages it
touches included) is its own; the parent's resident size at the fork is reported beside it.
"""

import datetime
import io
import json
import os
import random
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from PIL import Image, ImageFilter
from pypdf import PdfReader

from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import Attendance, Meeting, MeetingAttachment
from branches import services as branch_services
from branches.enums import TOWN_SECTORS, OrganisationKind, PostKind
from branches.models import Organisation
from core.idcard import id_make
from core.models import User
from core.progress import progress_get
from core.uploads import upload_check
from devtools import demo
from devtools.bench_assessments import activity_ensure
from devtools.benchmarks import BENCH_DATABASE, zone_ensure
from members.enums import LifeStatus
from members.models import Member, Membership
from members.services import member_counts_refresh
from portal.celery import app
from portal.ledgers import services, tasks

ZONE_MEMBERS = 15_000
BRANCH_MEMBERS = 40
MEETINGS = 50
TOWN_SIZE = 60
PHOTO_SIZE = (4000, 3000)  # a phone's 12 megapixels
DISTINCT_PHOTOS = 10


def _rss_now_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def _in_child(fn, *, poll=None) -> dict:
    """fn() in a forked child: its JSON result, wall seconds and peak RSS; `poll()` runs in the parent
    every 0.2 s meanwhile (a progress bar's reads)."""
    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    baseline = _rss_now_mb()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            result = fn()
        except Exception as exc:  # reported to the parent, which raises it
            result = {"error": repr(exc)}
        connections.close_all()
        with os.fdopen(write, "w") as out:
            json.dump(result, out, default=str)
        os._exit(0)
    os.close(write)
    polled = []
    while True:
        done, _status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if poll is not None:
            polled.append(poll())
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    with os.fdopen(read) as source:
        result = json.load(source)
    if "error" in result:
        raise RuntimeError(result["error"])
    result.update(seconds=round(seconds, 2), peak_rss_mb=round(usage.ru_maxrss / 1024), rss_at_fork_mb=baseline)
    if poll is not None:
        result["progress_readings"] = polled
    return result


def _photos(rng: random.Random) -> list[bytes]:
    """Phone-sized photos as the portal stores them (decoded and encoded again by core.uploads at quality
    90): blurred noise over a tint has a real photo's texture and size, 2 to 3 MB each."""
    photos = []
    for n in range(DISTINCT_PHOTOS):
        noise = Image.effect_noise(PHOTO_SIZE, 60 + 5 * n).filter(ImageFilter.GaussianBlur(1.2))
        tint = Image.new("RGB", PHOTO_SIZE, (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200)))
        out = io.BytesIO()
        Image.blend(noise.convert("RGB"), tint, 0.4).save(out, format="JPEG", quality=95)
        stored = upload_check(SimpleUploadedFile(f"{n}.jpg", out.getvalue(), content_type="image/jpeg"))
        photos.append(stored.file.read())
    return photos


def _town_near(size: int) -> Organisation:
    towns = Organisation.objects.filter(sector__in=TOWN_SECTORS, kind=OrganisationKind.PARTY_COMMITTEE)
    counts = {t: services.subtree_organisations(organisation=t).count() for t in towns}
    return min(counts, key=lambda t: abs(counts[t] - size))


def branch_build(*, town: Organisation, year: int, seed: int) -> Organisation:
    """The heavy branch: 40 members (a secretary and two committee members from posts), 50 meetings of
    the year with attendance (two excused with a reason, one absent) and two JPEGs each."""
    existing = Organisation.objects.filter(code="LEDGERB").first()
    if existing is not None:
        return existing
    rng = random.Random(seed)
    branch = branch_services.organisation_create(
        parent=town,
        data={"code": "LEDGERB", "name": "台账测试第1党支部", "kind": OrganisationKind.BRANCH, "sector": town.sector},
    )
    since = datetime.date(year - 5, 1, 1)
    members = []
    for n in range(BRANCH_MEMBERS):
        born = datetime.date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
        name = demo.SURNAMES[n % len(demo.SURNAMES)] + demo.GIVEN[(n * 7) % len(demo.GIVEN)] + demo.GIVEN[n]
        members.append(
            Member.objects.create(
                name=name,
                gender="male" if n % 3 else "female",
                birth_date=born,
                organisation=branch,
                id_number=id_make(area="430104", born=born, sequence=400 + n, male=bool(n % 3)),
                joined_on=datetime.date(1990 + n % 20, 7, 1),
                full_member_on=datetime.date(1991 + n % 20, 7, 1),
                life_status=LifeStatus.IN_SERVICE,
            )
        )
    Membership.objects.bulk_create(Membership(member=m, organisation=branch, started_on=since) for m in members)
    for member, kind in zip(
        members, (PostKind.SECRETARY, PostKind.COMMITTEE_MEMBER, PostKind.COMMITTEE_MEMBER), strict=False
    ):
        branch_services.post_assign(organisation=branch, member=member, kind=kind, started_on=since)
    member_counts_refresh()
    photos = _photos(rng)
    kinds = [MeetingKind.GENERAL, MeetingKind.THEMED_DAY, MeetingKind.LECTURE, MeetingKind.THEMED_DAY]
    for n in range(MEETINGS):
        kind = kinds[n % len(kinds)]
        day = datetime.date(year, 1, 3) + datetime.timedelta(days=n * 7)
        meeting = Meeting.objects.create(
            organisation=branch,
            kind=kind,
            held_on=day,
            place="党员活动室",
            topic=f"第{n + 1}次学习：习近平新时代中国特色社会主义思想专题",
            chaired_by=members[0],
            lecturer=members[0] if kind == MeetingKind.LECTURE else None,
            minutes="会议传达学习了上级精神，" * 20 + "与会党员结合实际交流了体会。",
            study_hours=Decimal(2) if kind in (MeetingKind.LECTURE, MeetingKind.THEMED_DAY) else None,
        )
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                member=m,
                status=AttendanceStatus.EXCUSED
                if i in (5, 6)
                else AttendanceStatus.ABSENT
                if i == 7
                else AttendanceStatus.PRESENT,
                reason="外出务工" if i in (5, 6) else "",
            )
            for i, m in enumerate(members)
        )
        for kind_of_file, label in (("photo", "会场照片"), ("sign_in", "签到表")):
            content = photos[(2 * n + (kind_of_file == "sign_in")) % len(photos)]
            stored = default_storage.save(f"meetings/bench/{n}-{kind_of_file}.jpg", ContentFile(content))
            MeetingAttachment.objects.create(
                meeting=meeting,
                kind=kind_of_file,
                file=stored,
                file_name=f"{label}{n + 1}.jpg",
                size=len(content),
                content_type="image/jpeg",
            )
    return branch


def _print(kind: str, organisation_id: int, year: int, fmt: str) -> dict:
    organisation = Organisation.objects.get(pk=organisation_id)
    content, summary = services.ledger_render(kind=kind, organisation=organisation, year=year, fmt=fmt)
    result = {"bytes": len(content), **summary}
    if fmt == "pdf":
        result["pages"] = len(PdfReader(io.BytesIO(content)).pages)
    return result


def bench_ledger(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 17: the ledgers of a heavy branch-year in each format (<= 5 s each) and a town's subtree ZIP
    as a task (peak memory < 400 MB); the demo branch's page counts. `--members` is ignored."""
    work = Path(tempfile.gettempdir()) / f"bench-ledger-{BENCH_DATABASE}"  # kept with the database's records
    with override_settings(MEDIA_ROOT=str(work / "media"), VAR_DIR=work / "var"):
        zone = zone_ensure(members=ZONE_MEMBERS, seed=seed)
        year = timezone.localdate().year - 1
        activity = activity_ensure(year=year, seed=seed)
        town = _town_near(TOWN_SIZE)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True  # the print copies' task runs here, as a worker would run it
        try:
            started = time.perf_counter()
            branch = branch_build(town=town, year=year, seed=seed)
            built = time.perf_counter() - started
        finally:
            app.conf.task_always_eager = eager
        result = {"zone": zone, "activity": activity, "year": year}
        copies = list((work / "media" / "print").rglob("*.jpg"))
        branch_figures = {
            "build_seconds_with_print_copies": round(built, 2),
            "print_copies": len(copies),
            "print_copy_bytes_mean": round(sum(p.stat().st_size for p in copies) / max(1, len(copies))),
        }
        shutil.move(work / "media" / "print", work / "print-kept")
        branch_figures["record_book.pdf.without_print_copies"] = _in_child(
            lambda: _print(services.RECORD_BOOK, branch.pk, year, "pdf")
        )
        shutil.rmtree(work / "media" / "print")
        shutil.move(work / "print-kept", work / "media" / "print")
        for fmt in services.FORMATS:
            for kind in (services.RECORD_BOOK, services.YEAR_LEDGER):
                branch_figures[f"{kind}.{fmt}"] = _in_child(lambda k=kind, f=fmt: _print(k, branch.pk, year, f))
        result["branch"] = {"members": BRANCH_MEMBERS, "meetings": MEETINGS, "photos": 2 * MEETINGS, **branch_figures}
        subtree = {
            "town": f"{town.code} {town.name}",
            "organisations": services.subtree_organisations(organisation=town).count(),
        }
        for fmt in services.FORMATS:

            def run(f=fmt):
                return tasks.subtree_zip.apply(args=(town.pk, year, f, None)).get()

            def poll(f=fmt):
                progress = progress_get(f"ledgers:subtree:{town.pk}:{year}:{f}") or {}
                return progress.get("done")

            services.subtree_zip_start(organisation=town, year=year, fmt=fmt)
            figures = _in_child(run, poll=poll)
            readings = [r for r in figures.pop("progress_readings") if r is not None]
            figures["progress_distinct_readings"] = len(set(readings))
            figures["zip_bytes"] = services.subtree_zip_path(organisation=town, year=year, fmt=fmt).stat().st_size
            subtree[fmt] = figures
        result["subtree"] = subtree
        demo_branch = User.objects.get(username="branch1").organisation
        result["demo_branch"] = {
            "organisation": f"{demo_branch.code} {demo_branch.name}",
            "record_book": _print(services.RECORD_BOOK, demo_branch.pk, year, "pdf"),
            "year_ledger": _print(services.YEAR_LEDGER, demo_branch.pk, year, "pdf"),
        }
    return result


# Its own zone of make run's size, in its own database.
bench_ledger.database = f"{BENCH_DATABASE}_ledger"
