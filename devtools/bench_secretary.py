"""Issue 12's figure: a village branch secretary's whole year recorded through the real pages.

A scripted Playwright journey (Debian's chromium) against `manage.py runserver` on the benchmark
database: the secretary of a 30-member village branch with three party groups records everything
the norms in force that year ask (N-MEETINGS, Q-THREE-MEETINGS, Q-LECTURE-SECRETARY, Q-TRAINING-*,
Q-TALKS, Q-EVALUATION, Q-ANNUAL-REPORT, and the dues, N-DUES), each group's leader (an account scoped
to the group) its 党小组会; then the compliance check runs for that year and the branch's open
findings are counted. The plan is computed from the norms (`secretary_year_plan`), so a revision of
the numbers changes the journey, not this code.
"""

import datetime
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessments.compliance.engine import compliance_run
from assessments.enums import MeetingKind
from assessments.models import AnnualReport, Attendance, EvaluationResult, Finding, Meeting, Talk, TrainingRecord
from assessments.norms import DEFAULT_STUDY_HOURS, MONTH, QUARTER, REQUIRED_MEETINGS, meeting_norms, study_targets
from branches import services as branch_services
from branches.enums import OrganisationKind, PostKind, Sector
from core.enums import Role
from core.idcard import id_make
from core.models import User
from core.policy import policy_for_year
from core.scoping import subtree
from devtools import demo
from devtools.loadtest import _database_url, _free_port
from funding.models import DuesBase, DuesPayment
from members.enums import LifeStatus
from members.models import Member, Membership
from members.services import member_counts_refresh

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Secretary-2015!"
GROUPS = 3
MEMBERS = 30
# The rules the journey's records serve: their findings for the branch and its groups are counted.
RULES = (
    "Q-THREE-MEETINGS",
    "N-MEETINGS",
    "Q-LECTURE-SECRETARY",
    "Q-TRAINING-MEMBER",
    "Q-TRAINING-LEADER",
    "Q-TALKS",
    "Q-EVALUATION",
    "Q-ANNUAL-REPORT",
)
# Debian's chromium, as the browser tests drive it (tests/browser/conftest.py).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUARTER_MONTHS = ((1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12))


@dataclass
class Step:
    """One form submission of the journey: who submits it, which form, and what it holds."""

    actor: str  # "secretary" or "group:<n>"
    form: str  # meeting, training, talks, dues_bases, dues_collect, evaluation, report
    data: dict = field(default_factory=dict)


def secretary_year_plan(*, year: int) -> list[Step]:
    """The submissions a secretary who uses the portal's collect-once features makes for a year:
    each month's committee meeting and themed party day, the themed days of a quarter also counted as
    the quarter's lectures and general meetings (issue 12), the organisational life meetings, class
    batches topping the themed days' hours up to Q-TRAINING-MEMBER / Q-TRAINING-LEADER, one talk
    day (and the secretary's own talk), the dues bases and a quarter's dues a form, the evaluation,
    the annual report; and each party group's meetings, by its leader."""
    values = policy_for_year(year)
    norms = meeting_norms(values)
    steps = []

    def need(kind):
        return norms[kind][1]

    themed = {}  # month -> themed day steps of that month
    for month in range(1, 13):
        for n in range(need(MeetingKind.COMMITTEE)):
            steps.append(
                Step(
                    "secretary",
                    "meeting",
                    {"kind": MeetingKind.COMMITTEE, "held_on": datetime.date(year, month, 5 + n)},
                )
            )
        for n in range(need(MeetingKind.THEMED_DAY)):
            step = Step(
                "secretary",
                "meeting",
                {"kind": MeetingKind.THEMED_DAY, "held_on": datetime.date(year, month, 15 + n), "also": []},
            )
            themed.setdefault(month, []).append(step)
            steps.append(step)
    # The quarter's lectures and general meetings ride on its themed days (one each at most); what the
    # themed days cannot carry is held on its own.
    for months in QUARTER_MONTHS:
        days = [s for m in months for s in themed.get(m, [])]
        for kind in (MeetingKind.LECTURE, MeetingKind.GENERAL):
            wanted = need(kind)
            for step in days[:wanted]:
                step.data["also"].append(kind)
            for n in range(max(0, wanted - len(days))):
                steps.append(
                    Step("secretary", "meeting", {"kind": kind, "held_on": datetime.date(year, months[-1], 20 + n)})
                )
    for n in range(need(MeetingKind.ORGANISATIONAL_LIFE)):
        steps.append(
            Step(
                "secretary",
                "meeting",
                {"kind": MeetingKind.ORGANISATIONAL_LIFE, "held_on": datetime.date(year, 12, 22 + n)},
            )
        )
    # Study hours: every member present at every themed day (and any lecture held on its own).
    credited = DEFAULT_STUDY_HOURS * sum(
        1 for s in steps if s.form == "meeting" and s.data["kind"] in (MeetingKind.THEMED_DAY, MeetingKind.LECTURE)
    )
    member_hours, leader_hours = study_targets(values)
    for who, gap, month in (
        ("all", member_hours - credited, 11),
        ("committee", leader_hours - max(member_hours, credited), 3),
    ):
        n = 0
        while gap > 0:
            hours = min(gap, Decimal(24))
            steps.append(
                Step(
                    "secretary",
                    "training",
                    {"members": who, "hours": hours, "held_on": datetime.date(year, month + n, 10)},
                )
            )
            gap -= hours
            n += 1
    steps.append(
        Step(
            "secretary",
            "talks",
            {"held_on": datetime.date(year, 6, 20), "talker": "secretary", "members": "all but the secretary"},
        )
    )
    steps.append(
        Step(
            "secretary",
            "talks",
            {"held_on": datetime.date(year, 6, 21), "talker": "deputy", "members": "the secretary"},
        )
    )
    steps.append(Step("secretary", "dues_bases", {}))
    for months in QUARTER_MONTHS:
        steps.append(
            Step("secretary", "dues_collect", {"months": months, "paid_on": datetime.date(year, months[-1], 25)})
        )
    steps.append(Step("secretary", "evaluation", {"held_on": datetime.date(year, 12, 26)}))
    steps.append(
        Step(
            "secretary",
            "report",
            {"reported_on": datetime.date(year + 1, 1, 12), "published_on": datetime.date(year + 1, 1, 20)},
        )
    )
    for group in range(1, GROUPS + 1):
        for month in range(1, 13):
            for n in range(need(MeetingKind.GROUP)):
                steps.append(
                    Step(
                        f"group:{group}",
                        "meeting",
                        {"kind": MeetingKind.GROUP, "held_on": datetime.date(year, month, 8 + n)},
                    )
                )
    return steps


def plan_coverage(*, steps: list[Step], year: int) -> dict:
    """Per organisation kind and meeting kind: the periods of the year the plan leaves short (empty: none)."""
    norms = meeting_norms(policy_for_year(year))
    short = {}
    for actor, org_kind in (("secretary", OrganisationKind.BRANCH), ("group:1", OrganisationKind.PARTY_GROUP)):
        counts = {}
        for s in steps:
            if s.actor != actor or s.form != "meeting":
                continue
            for kind in (s.data["kind"], *s.data.get("also", ())):
                counts[(kind, s.data["held_on"].month)] = counts.get((kind, s.data["held_on"].month), 0) + 1
        for kind in REQUIRED_MEETINGS[org_kind]:
            period, expected, _clause = norms[kind]
            spans = (
                [(m,) for m in range(1, 13)]
                if period == MONTH
                else QUARTER_MONTHS
                if period == QUARTER
                else [tuple(range(1, 13))]
            )
            for months in spans:
                if sum(counts.get((kind, m), 0) for m in months) < expected:
                    short.setdefault(str(kind), []).append(months)
    return short


def zone_build(*, year: int) -> dict:
    """Work committee → town → the village branch (30 members: six of its own, three groups of eight),
    its committee from posts, the secretary's and the group leaders' accounts."""
    demo.demo_zone_reset()
    make = branch_services.organisation_create
    wc = make(parent=None, data={"code": "SY", "name": "中共高新区工作委员会", "kind": OrganisationKind.WORK_COMMITTEE})
    town = make(
        parent=wc,
        data={
            "code": "SYT",
            "name": "中共雷锋街道工作委员会",
            "kind": OrganisationKind.PARTY_COMMITTEE,
            "sector": Sector.STREET,
        },
    )
    branch = make(
        parent=town,
        data={"code": "SYB", "name": "中共桃花村支部委员会", "kind": OrganisationKind.BRANCH, "sector": Sector.VILLAGE},
    )
    groups = [
        make(
            parent=branch,
            data={
                "code": f"SYG{n}",
                "name": f"桃花村第{n}党小组",
                "kind": OrganisationKind.PARTY_GROUP,
                "sector": Sector.VILLAGE,
            },
        )
        for n in range(1, GROUPS + 1)
    ]
    since = datetime.date(year - 5, 1, 1)
    members = []
    for n in range(MEMBERS):
        holder = branch if n < MEMBERS - 8 * GROUPS else groups[(n - (MEMBERS - 8 * GROUPS)) // 8]
        born = datetime.date(1960 + n, 3, 1 + n % 28)
        name = (
            demo.SURNAMES[n % len(demo.SURNAMES)]
            + demo.GIVEN[(n * 7) % len(demo.GIVEN)]
            + demo.GIVEN[n % len(demo.GIVEN)]
        )
        members.append(
            Member.objects.create(
                name=name,
                gender="male" if n % 3 else "female",
                birth_date=born,
                organisation=holder,
                id_number=id_make(area="430104", born=born, sequence=n, male=bool(n % 3)),
                joined_on=datetime.date(1990 + n % 20, 7, 1),
                life_status=LifeStatus.FARMER,
            )
        )
    Membership.objects.bulk_create(Membership(member=m, organisation=m.organisation, started_on=since) for m in members)
    for member, kind in zip(
        members, (PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY, PostKind.COMMITTEE_MEMBER), strict=False
    ):
        branch_services.post_assign(organisation=branch, member=member, kind=kind, started_on=since)
    member_counts_refresh()
    accounts = {"secretary": _account("taohua_secretary", "桃花村支部书记", branch)}
    for n, group in enumerate(groups, 1):
        accounts[f"group:{n}"] = _account(f"taohua_group{n}", f"桃花村第{n}党小组组长", group)
    return {"branch": branch, "groups": groups, "members": members, "accounts": accounts}


def _account(username: str, name: str, organisation) -> User:
    user = User(username=username, first_name=name, role=Role.ORG_ADMIN, organisation=organisation)
    user.set_password(PASSWORD)
    user.save()
    return user


class Journey:
    """Drives one browser page and counts what a person does: clicks, typed fields, submissions."""

    def __init__(self, page, base_url: str):
        self.page, self.base = page, base_url
        self.clicks = self.typed = 0
        self.submissions = {}

    def goto(self, path: str):
        self.page.goto(self.base + path)

    def fill(self, selector: str, value):
        self.page.fill(selector, str(value))
        self.typed += 1

    def select(self, selector: str, value):
        self.page.select_option(selector, str(value))
        self.clicks += 1

    def check(self, selector: str):
        self.page.check(selector)
        self.clicks += 1

    def click(self, selector: str):
        self.page.click(selector)
        self.clicks += 1

    def submit(self, actor: str, selector: str = "main form[method=post] [type=submit] >> nth=0"):
        """Click the form's button and insist the page that follows shows no error."""
        with self.page.expect_navigation():
            self.click(selector)
        errors = self.page.locator(".alert-danger, .invalid-feedback, .errorlist, .is-invalid")
        if errors.count():
            raise RuntimeError(f"{self.page.url}: {errors.first.inner_text()}")
        self.submissions[actor] = self.submissions.get(actor, 0) + 1

    def login(self, username: str):
        self.page.context.clear_cookies()
        self.goto("/login/")
        self.fill("input[name=username]", username)
        self.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.click("form button[type=submit]")
        if "/login/" in self.page.url:
            raise RuntimeError(f"login of {username} failed")


def _meeting(journey: Journey, organisation, step: Step, *, topic: str):
    from playwright.sync_api import expect

    page, data = journey.page, step.data
    journey.goto(f"/assessments/meetings/new/{organisation.pk}/")
    kind, day = str(data["kind"]), data["held_on"].isoformat()
    if page.input_value("#id_kind") != kind:
        journey.select("#id_kind", kind)
    journey.fill("#id_held_on", day)
    page.dispatch_event("#id_held_on", "change")  # what leaving the field does: the attendance list follows
    attendance = page.locator("#attendance")
    expect(attendance).to_have_attribute("data-held-on", day)
    expect(attendance).to_have_attribute("data-kind", kind)
    expect(page.locator("#attendance input[disabled]")).to_have_count(0)
    journey.fill("#id_place", "村党员活动室")
    journey.fill("#id_topic", topic)
    for also in data.get("also", ()):
        journey.check(f"input[name=also_counts_as][value={also}]")
    journey.submit(step.actor, "#meeting-save")


TOPICS = {
    MeetingKind.COMMITTEE: "研究本月支部工作",
    MeetingKind.THEMED_DAY: "主题党日：学习党章党规",
    MeetingKind.LECTURE: "书记讲党课",
    MeetingKind.GENERAL: "支部党员大会",
    MeetingKind.ORGANISATIONAL_LIFE: "年度组织生活会",
    MeetingKind.GROUP: "党小组学习讨论",
}


def _steps_play(journey: Journey, *, zone: dict, steps: list[Step], year: int) -> None:
    """Each step on its page, each actor logged in through the login page when the turn passes."""
    page, branch, members, accounts = journey.page, zone["branch"], zone["members"], zone["accounts"]
    secretary, deputy, committee_member = members[:3]
    actor = None
    for step in steps:
        if step.actor != actor:
            actor = step.actor
            journey.login(accounts[actor].username)
        data = step.data
        if step.form == "meeting":
            organisation = branch if actor == "secretary" else zone["groups"][int(actor.split(":")[1]) - 1]
            topic = TOPICS[data["kind"]] + (f"（{data['held_on'].month}月）")
            _meeting(journey, organisation, step, topic=topic)
        elif step.form == "training":
            journey.goto(f"/assessments/training/batch/{branch.pk}/")
            journey.fill("#id_title", "冬训班" if data["members"] == "all" else "支委班子专题培训班")
            journey.fill("#id_held_on", data["held_on"].isoformat())
            journey.fill("#id_hours", data["hours"])
            if data["members"] == "all":
                journey.click("button[data-tick=members][data-checked=true]")
            else:
                for member in (secretary, deputy, committee_member):
                    journey.check(f"input[name=members][value='{member.pk}']")
            journey.submit(actor)
        elif step.form == "talks":
            journey.goto(f"/assessments/talks/new/{branch.pk}/")
            journey.fill("#id_held_on", data["held_on"].isoformat())
            if data["talker"] == "deputy":
                journey.select("#id_talker", deputy.pk)
            journey.fill("#id_topic", "谈心谈话")
            talked = [secretary] if data["talker"] == "deputy" else members[1:]
            for member in talked:
                journey.check(f"input[name=members][value='{member.pk}']")
            journey.submit(actor)
        elif step.form == "dues_bases":
            journey.goto(f"/funding/dues/{branch.pk}/{year}/bases/")  # farmers: the least amount, as offered
            journey.submit(actor)
        elif step.form == "dues_collect":
            journey.goto(f"/funding/dues/{branch.pk}/{year}/collect/")
            for month in data["months"]:
                journey.check(f"input[name=months][value='{month}']")
            journey.fill("#id_paid_on", data["paid_on"].isoformat())
            journey.submit(actor)
        elif step.form == "evaluation":
            journey.goto(f"/assessments/evaluations/{branch.pk}/{year}/edit/")
            journey.fill("#id_held_on", data["held_on"].isoformat())
            journey.submit(actor, "#all-qualified")
        elif step.form == "report":
            journey.goto(f"/assessments/reports/{branch.pk}/{year}/new/")
            journey.fill("#id_reported_on", data["reported_on"].isoformat())
            journey.fill("#id_text", f"{year}年度桃花村党支部书记抓基层党建工作述职报告")
            journey.select("#id_result", page.locator("#id_result option").nth(0).get_attribute("value"))
            journey.fill("#id_published_on", data["published_on"].isoformat())
            journey.fill("#id_published_where", "村务公开栏")
            journey.submit(actor)
        else:
            raise ValueError(step.form)


def journey_run(*, zone: dict, steps: list[Step], year: int, base_url: str) -> dict:
    """Play the plan in a real browser, each actor logged in through the login page."""
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        journey = Journey(page, base_url)
        try:
            _steps_play(journey, zone=zone, steps=steps, year=year)
        except Exception:
            (Path(os.environ.get("TMPDIR", "/tmp")) / "secretary-year-failed.html").write_text(
                f"<!-- {page.url} -->\n{page.content()}"
            )
            raise
        browser.close()
    seconds = time.perf_counter() - started
    groups = sum(n for who, n in journey.submissions.items() if who.startswith("group:"))
    return {
        "secretary_submissions": journey.submissions.get("secretary", 0),
        "group_leader_submissions": groups,
        "typed_fields": journey.typed,
        "clicks": journey.clicks,
        "browser_seconds": round(seconds, 1),
    }


def server_start(*, work: Path):
    """`manage.py runserver` on a free loopback port against the benchmark database, tasks in-process."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    url = f"sqlite:///{connection.settings_dict['NAME']}" if connection.vendor == "sqlite" else _database_url()
    env.update(
        DEBUG="true",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=url,
        SECRET_KEY=settings.SECRET_KEY,
        PORTAL_VAR_DIR=str(work),
        MEDIA_ROOT=str(work / "media"),
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    log = (work / "runserver.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                raise RuntimeError(f"runserver did not start: {(work / 'runserver.log').read_text()[-2000:]}") from None
            time.sleep(0.3)


def records_kept() -> dict:
    """What the journey left in the benchmark database (its own: nothing else is in it)."""

    models = (Meeting, Attendance, TrainingRecord, Talk, EvaluationResult, AnnualReport, DuesBase, DuesPayment)
    return {model.__name__: model.objects.count() for model in models}


def open_findings(*, zone: dict, year: int, today: datetime.date) -> dict:
    """The compliance check of the year for those rules; the open findings of the branch and its groups."""

    run = compliance_run(year=year, today=today, trigger="manual", rules=RULES)
    found = Finding.objects.filter(
        subtree(zone["branch"], via="organisation"), year=year, rule__in=RULES, status=Finding.Status.OPEN
    )
    return {
        "open_findings": found.count(),
        "open_findings_by_rule": {
            f"{rule} {period} {aspect}".strip(): str(measured) + "/" + str(required)
            for rule, period, aspect, measured, required in found.values_list(
                "rule", "period", "aspect", "measured", "required"
            )
        },
        "rules_checked": list(RULES),
        # Checks each rule made in the run (the town's too: its annual report is not the branch's to give).
        "checks_by_rule": {clause: row["checked"] for clause, row in run.summary.get("rules", {}).items()},
    }


def bench_secretary_year(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 12: a village secretary's previous calendar year through the real pages (see module docstring)."""
    import tempfile

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    today = timezone.localdate()
    year = today.year - 1
    zone = zone_build(year=year)
    steps = secretary_year_plan(year=year)
    connection.close()  # the server and the browser take over; nothing of this process holds a lock
    work = Path(tempfile.mkdtemp(prefix="portal-secretary-year-"))
    server, base_url = server_start(work=work)
    try:
        counts = journey_run(zone=zone, steps=steps, year=year, base_url=base_url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)  # kept, with the server's log, when the journey failed
    result = {
        "year": year,
        "today": today,
        "branch": zone["branch"].name,
        "members": len(zone["members"]),
        "party_groups": len(zone["groups"]),
        "planned_submissions": len(steps),
        **counts,
        "records": records_kept(),
        **open_findings(zone=zone, year=year, today=today),
        "targets": {"secretary_submissions": 60, "typed_fields": 400, "open_findings": 0},
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    result["targets_met"] = (
        result["secretary_submissions"] <= 60 and result["typed_fields"] <= 400 and result["open_findings"] == 0
    )
    return result
