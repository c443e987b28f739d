"""A year of generated activity for the demo zone (issue 6): the records the compliance rules read.

`activity_generate(year=…, seed=…)` bulk-loads what the zone's secretaries would have recorded
in a year (up to today in the current year): 三会一课, themed party days and the organisational
life meeting with their attendance (a branch's meetings list its party groups' members too, its
committee meetings the committee in post); party groups' meetings; the study-hour ledger (a course or
two a branch, a class for secretaries and committee members); heart-to-heart talks; the
democratic evaluation once the year is over; days at the grassroots and integrity pledges of
the leadership teams; six-standard venues; special reports and town congress sessions; in-service
members registered with a community and their service. From the catalogue's second edition (issue 14):
the democratic life meeting of each party committee's leadership team (Q-LIFE-MEETING); convenience
service stations and member household posts of villages and communities, congress-deputy offices of
towns (Q-SERVICE-STATION, Q-DEPUTY-STUDIO); villages' major matters through the four deliberations,
a few of them stalled (Q-FOUR-DELIBERATIONS). Most organisations have them; a few do not. So that every
rule checks real records: the candidacy of each member admitted in the year, and each branch's
open development pipeline (N-DEVELOPMENT); once the year is over, the bureau's weak organisations of
the year, proposed by the ranking service and confirmed early the next year, under rectification with
remedies and progress notes (Q-WEAK-*). Most steps are on time; some are not.

Most branches are diligent, some miss a meeting or two, a few are weak and miss many (a
branch's profile holds for every kind of record and every year of a seed). Everything is drawn
from random generators seeded by the seed, the year and the organisation's path, so the same
seed gives the same records on the same zone, and a year generated on a later day extends the
one generated earlier. Rows go in with COPY on PostgreSQL (executemany on SQLite), never one
save per record. Organisations that already have records of a kind in the year (the demo
branch's own, written through the services by `demo._demo_assessments`) are left alone, so a
second run adds nothing.
"""

import calendar
import contextlib
import dataclasses
import datetime
import operator
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from assessments import weak
from assessments.compliance.base import RunContext
from assessments.compliance.rules_reports import reporting_organisations
from assessments.enums import (
    DELIBERATION_ORDER,
    EVALUATING_KINDS,
    AttendanceStatus,
    DeliberationStep,
    Disposal,
    Grade,
    LeadershipDayKind,
    MeetingKind,
    ReportResult,
    SixStandard,
    TrainingKind,
    VenueKind,
)
from assessments.models import (
    AnnualReport,
    Attendance,
    CongressSession,
    Evaluation,
    EvaluationResult,
    IntegrityPledge,
    LeadershipDays,
    MatterStep,
    Meeting,
    Rectification,
    RectificationNote,
    RectificationRemedy,
    Talk,
    TrainingRecord,
    Venue,
    VenueCheck,
    VillageMatter,
    WeakSelection,
)
from assessments.norms import LEADERSHIP_CLAUSES
from assessments.selectors import leadership_teams
from branches.enums import COMMITTEE_POSTS, MEMBER_HOLDING_KINDS, TOWN_SECTORS, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from core.bulkload import ids_reserve, row_factory, rows_copy
from core.enums import Role
from core.idcard import id_make
from core.models import User
from core.policy import policy_for_year
from devtools.demo import GIVEN, SURNAMES
from members.development_norms import development_norms, months_after
from members.enums import DevelopmentStage, Gender, LifeStatus, MemberCategory, MemberStatus
from members.models import Candidate, CommunityRegistration, CommunityService, Member, Membership, MobileRecord
from members.services import years_after


@dataclasses.dataclass(frozen=True)
class Profile:
    """How a branch keeps its records: the share of meetings held, of members present, of
    members taking the courses, talked with, registered with a community and serving there."""

    name: str
    keep: float
    present: tuple[float, float]
    course: float
    online: float
    talked: float
    secretary_lectures: float
    evaluates: float
    registered: float
    serves: float


DILIGENT = Profile("diligent", 1.0, (0.88, 0.96), 0.97, 0.8, 1.0, 0.95, 1.0, 1.0, 1.0)
AVERAGE = Profile("average", 0.93, (0.84, 0.92), 0.9, 0.65, 0.95, 0.8, 0.97, 0.9, 0.85)
WEAK = Profile("weak", 0.5, (0.65, 0.82), 0.6, 0.3, 0.6, 0.4, 0.6, 0.6, 0.5)
# (profile, share of branches): 80% diligent, 15% miss a meeting or two, 5% weak.
PROFILES = ((DILIGENT, 0.80), (AVERAGE, 0.15), (WEAK, 0.05))

AWAY = "流动在外"  # a mobile member at a meeting of the home branch (S-MOBILE)
REASONS = ["外出务工", "生病住院", "出差在外", "年老体弱", "家中有事", "单位值班", "外出学习"]
THEMED_TOPICS = [
    "重温入党誓词",
    "学习党章党规",
    "志愿服务进社区",
    "参观红色教育基地",
    "学习习近平新时代中国特色社会主义思想",
    "清洁家园义务劳动",
    "走访慰问困难群众",
    "观看党员教育片",
    "党员承诺践诺",
    "学习先进典型事迹",
]
LECTURE_TOPICS = ["学习贯彻党的二十大精神", "全面从严治党", "党的优良传统和作风", "党史学习教育", "党员的权利和义务"]
OUTSIDE_LECTURERS = ["街道党工委书记", "区委党校讲师", "高新区党工委宣传部", "市委讲师团"]
TALK_TOPICS = ["思想和工作情况", "学习生活情况", "对支部工作的意见建议", "家庭困难和诉求"]
SERVICE_ACTIVITIES = ["社区志愿服务", "垃圾分类宣传", "关爱空巢老人", "文明城市创建", "社区治安巡逻", "政策宣讲"]
PLEDGE_PLACES = ["党务公开栏", "单位门户网站", "机关大厅公示栏"]
STANDARD_NOTES = {
    SixStandard.PLACE: "党员活动室一间，约80平方米",
    SixStandard.FACILITIES: "桌椅、投影、音响齐全",
    SixStandard.SIGN: "门口挂牌",
    SixStandard.FLAG: "正面墙悬挂党旗",
    SixStandard.READING: "党报党刊和学习书籍",
    SixStandard.RULES: "三会一课等制度上墙",
}

MEETING_NAMES = {
    MeetingKind.GENERAL: "支部党员大会",
    MeetingKind.COMMITTEE: "支部委员会",
    MeetingKind.GROUP: "党小组会",
    MeetingKind.ORGANISATIONAL_LIFE: "组织生活会",
}
MATTER_TITLES = [
    "村道硬化工程",
    "集体土地流转",
    "村级公益事业一事一议",
    "集体资产出租",
    "惠民项目资金使用",
    "安置小区物业选聘",
    "农田水利设施修缮",
]
PLACES = {Sector.VILLAGE: "村党员活动室", Sector.COMMUNITY: "社区党群服务中心"}
BRANCH_KINDS = (OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH)
LEADER_CLASS = "基层党组织书记和班子成员轮训班"
WINTER_COURSE = "党员冬训班"
ONLINE_COURSE = "网上专题学习"
TALKERS = ["党支部书记", "组织委员", "党支部副书记"]
# Applicants' ID numbers are of places the members' are not (devtools/demo.py AREA_CODES): never a member's number.
CANDIDATE_AREAS = ["430102", "430103", "430105", "430122", "430182", "430203", "430211", "430304"]
WITHDRAWAL = "本人申请撤回"
STEP_DATES = [
    "applied_on",
    "talked_on",
    "activist_on",
    "reviewed_on",
    "target_on",
    "admitted_on",
    "approved_on",
    "withdrawn_on",
]
STEP_FIELDS = ["stage", "talked_by", "withdrawal_reason", *STEP_DATES]
LEFT_OFF = ["经复核，主要问题已在年内整改到位", "班子调整后工作已恢复正常", "排名靠后系换届过渡所致，不列为整顿对象"]
PROGRESS = [
    "召开专题组织生活会，查摆问题清单",
    "调整充实支部班子，补齐支部委员",
    "恢复三会一课，按月开展主题党日",
    "挂点领导到村（社区）专题调研指导",
    "帮扶部门协调解决阵地建设问题",
    "整改台账逐项销号，进展顺利",
]


def _covers(start, end, day) -> bool:
    return (start is None or start <= day) and (end is None or end >= day)


def _between(draw, low: int, high: int) -> int:
    """A whole number from low to high, both included, from one draw (randint costs ten)."""
    return low + int(draw() * (high - low + 1))


def _day(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


class _Zone:
    """What the generator reads of the zone, once: organisations, membership spans, committee posts."""

    def __init__(self, *, first: datetime.date, last: datetime.date, people: bool = True):
        self.first, self.last = first, last
        active = (
            Organisation.objects.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=last))
            .filter(Q(established_on__isnull=True) | Q(established_on__lte=last))
            .order_by("path")
        )
        self.orgs = list(active.values_list("pk", "path", "kind", "sector", "unit_name"))
        self.path_of = {pk: path for pk, path, *_rest in self.orgs}
        self.kind_of = {pk: kind for pk, _path, kind, *_rest in self.orgs}
        by_path = {path: pk for pk, path, *_rest in self.orgs}
        step = Organisation.steplen
        # A party group's members count for the branch directly above it (as the talks and evaluation rules count them).
        self.owner, self.groups = {}, defaultdict(list)
        for pk, path, kind, *_rest in self.orgs:
            if kind in BRANCH_KINDS:
                self.owner[pk] = pk
            elif kind == OrganisationKind.PARTY_GROUP:
                parent = by_path.get(path[:-step])
                if parent is not None and self.kind_of[parent] in BRANCH_KINDS:
                    self.owner[pk] = parent
                    self.groups[parent].append(pk)
        self.always, self.partial, self.sets, self.posts = defaultdict(list), defaultdict(list), {}, defaultdict(list)
        if people:
            self._people_read()

    def _people_read(self) -> None:
        first, last = self.first, self.last
        spans = (
            Membership.objects.filter(organisation__kind__in=MEMBER_HOLDING_KINDS)
            .filter(Q(started_on__isnull=True) | Q(started_on__lte=last))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
            .order_by("organisation_id", "member_id")
            .values_list("organisation_id", "member_id", "started_on", "ended_on")
        )
        for organisation_id, member_id, start, end in spans.iterator(chunk_size=50_000):
            if (start is None or start <= first) and (end is None or end >= last):
                self.always[organisation_id].append(member_id)
            else:
                self.partial[organisation_id].append((member_id, start, end))
        posts = (
            Post.objects.filter(kind__in=COMMITTEE_POSTS, started_on__lte=last)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
            .order_by("organisation_id", "started_on", "pk")
            .values_list("organisation_id", "member_id", "kind", "started_on", "ended_on")
        )
        for organisation_id, member_id, kind, start, end in posts:
            self.posts[organisation_id].append((member_id, kind, start, end))
        # Mobile members (S-MOBILE): the branch receiving them lists them at its meetings (in-flow); their
        # home branch still lists them, excused while they are away.
        self.received, self.away = defaultdict(list), defaultdict(list)
        mobile = (
            MobileRecord.objects.filter(member__isnull=False, since__lte=last)
            .filter(Q(returned_on__isnull=True) | Q(returned_on__gte=first))
            .order_by("pk")
            .values_list("member_id", "receiving_organisation_id", "since", "returned_on")
        )
        for member_id, receiving_id, since, returned in mobile:
            self.away[member_id].append((since, returned))
            if receiving_id is not None:
                self.received[receiving_id].append((member_id, since, returned))

    def received_on(self, organisation_id: int, day: datetime.date) -> list[int]:
        """The in-flow members (of the zone) an organisation received and had not seen return by the day."""
        return [m for m, since, returned in self.received.get(organisation_id, ()) if _covers(since, returned, day)]

    def is_away(self, member_id: int, day: datetime.date) -> bool:
        spans = self.away.get(member_id)
        return bool(spans) and any(_covers(since, returned, day) for since, returned in spans)

    def roster(self, organisation_id: int, day: datetime.date) -> list[int]:
        """Members of the organisation on the day, by id (as the attendance sheet lists them)."""
        members = self.always.get(organisation_id, [])
        partial = self.partial.get(organisation_id)
        if partial:
            members = sorted(members + [m for m, start, end in partial if _covers(start, end, day)])
        return members

    def is_member(self, organisation_id: int, member_id: int, day: datetime.date) -> bool:
        members = self.sets.get(organisation_id)
        if members is None:
            members = self.sets[organisation_id] = set(self.always.get(organisation_id, ()))
        if member_id in members:
            return True
        return any(
            m == member_id and _covers(start, end, day) for m, start, end in self.partial.get(organisation_id, ())
        )

    def under(self, branch_id: int, day: datetime.date) -> list[int]:
        """Members of a branch and of its party groups on the day (a class, the talks)."""
        members = list(self.roster(branch_id, day))
        for group in self.groups.get(branch_id, ()):
            members += self.roster(group, day)
        return members

    def secretary(self, organisation_id: int, day: datetime.date) -> int | None:
        for member_id, kind, start, end in self.posts.get(organisation_id, ()):
            if kind == PostKind.SECRETARY and _covers(start, end, day):
                return member_id
        return None

    def committee(self, organisation_id: int, day: datetime.date) -> list[int]:
        return sorted({m for m, _kind, start, end in self.posts.get(organisation_id, ()) if _covers(start, end, day)})

    def leaders(self, organisation_id: int) -> list[tuple[int, datetime.date, datetime.date | None]]:
        """(member, first day, last day or None) of each committee post of the organisation in the year."""
        return [(m, start, end) for m, _kind, start, end in self.posts.get(organisation_id, ())]


def _profiles(zone: _Zone, seed: int) -> dict[int, Profile]:
    """Each branch's profile, the same every year of a seed."""
    bounds, cumulative = [], 0.0
    for profile, share in PROFILES:
        cumulative += share
        bounds.append((cumulative, profile))
    profiles = {}
    for pk, path, kind, *_rest in zone.orgs:
        if kind in BRANCH_KINDS:
            draw = random.Random(f"{seed}:profile:{path}").random()
            profiles[pk] = next((profile for upto, profile in bounds if draw < upto), DILIGENT)
    return profiles


def activity_profiles(*, seed: int, year: int | None = None) -> dict[int, str]:
    """How each branch and party group keeps its records under a seed ("diligent", "average" or
    "weak"; a party group as its branch): what the generated year of a branch is made from."""
    year = year or timezone.localdate().year
    zone = _Zone(first=datetime.date(year, 1, 1), last=datetime.date(year, 12, 31), people=False)
    profiles = _profiles(zone, seed)
    return {pk: profiles[owner].name for pk, owner in zone.owner.items()}


def _org_ids(queryset, field: str = "organisation_id") -> set[int]:
    return set(queryset.order_by().values_list(field, flat=True).distinct())


class _Writer:
    """Copies rows and counts them."""

    def __init__(self, now):
        self.now = now
        self.counts = defaultdict(int)

    def copy(self, label: str, model, fields: list[str], rows) -> int:
        columns, make = row_factory(model=model, fields=fields, now=self.now)
        # The same rows as `make` gives, built by one C call each (tens of millions of attendance rows).
        given = [object() for _ in fields]
        template = make(given)
        constants = tuple(value for value in template if not any(value is g for g in given))
        order, constant = [], len(fields)
        for value in template:
            position = next((i for i, g in enumerate(given) if value is g), None)
            if position is None:
                position, constant = constant, constant + 1
            order.append(position)
        pick = operator.itemgetter(*order)
        written = rows_copy(
            table=model._meta.db_table, columns=columns, rows=(pick(values + constants) for values in rows)
        )
        self.counts[label] += written
        return written


WRITTEN = (
    Meeting,
    Attendance,
    TrainingRecord,
    Talk,
    Evaluation,
    EvaluationResult,
    LeadershipDays,
    IntegrityPledge,
    Venue,
    VenueCheck,
    AnnualReport,
    CongressSession,
    CommunityRegistration,
    CommunityService,
)


@contextlib.contextmanager
def _indexes_deferred(models):
    """On PostgreSQL, load as pg_restore does: the tables' secondary indexes, unique and foreign-key
    constraints go for the load and are built again after it, so millions of rows cost one sort per
    index and one join per key instead of millions of index insertions and key checks. Inside the
    caller's transaction: a failure brings every index and constraint back with the rows."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks still pending in the transaction run now
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
            "AND c.contype IN ('u', 'p', 'x'))",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:  # unique ones first: the keys may refer to them
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def activity_generate(*, year: int, seed: int, today: datetime.date | None = None, progress=None) -> dict:
    """Bulk-load a year of the zone's activity (up to `today` in the current year); see the module docstring."""
    today = today or timezone.localdate()
    say = progress or (lambda message: None)
    started = time.perf_counter()
    if year > today.year:
        return {"year": year, "seconds": 0.0}
    first, last = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)
    final = today > datetime.date(year, 12, 31)
    zone = _Zone(first=first, last=last)
    profiles = _profiles(zone, seed)
    say(f"activity {year}: zone read ({len(zone.orgs)} organisations) in {time.perf_counter() - started:.1f} s")
    writer = _Writer(timezone.now())
    generator = _Generator(
        zone=zone,
        profiles=profiles,
        seed=seed,
        year=year,
        first=first,
        last=last,
        today=today,
        final=final,
        writer=writer,
    )
    steps = [
        generator.meetings,
        generator.training,
        generator.talks,
        generator.evaluations,
        generator.leadership,
        generator.venues,
        generator.places,
        generator.democratic_life,
        generator.deliberations,
        generator.reports,
        generator.community,
    ]
    timings = {"read": round(time.perf_counter() - started, 2)}
    with transaction.atomic(), _indexes_deferred(WRITTEN):
        for step in steps:
            begun = time.perf_counter()
            step()
            timings[step.__name__] = round(time.perf_counter() - begun, 2)
            say(f"activity {year}: {step.__name__} in {timings[step.__name__]} s")
        begun = time.perf_counter()
    timings["indexes_and_commit"] = round(time.perf_counter() - begun, 2)
    say(f"activity {year}: indexes, keys and commit in {timings['indexes_and_commit']} s")
    # After the load, with its indexes back: the pipeline and the weak organisations, ranked on the year's records.
    with transaction.atomic():
        for step in (generator.development, generator.weak):
            begun = time.perf_counter()
            step()
            timings[step.__name__] = round(time.perf_counter() - begun, 2)
            say(f"activity {year}: {step.__name__} in {timings[step.__name__]} s")
    return {"year": year, **dict(writer.counts), "seconds": round(time.perf_counter() - started, 2), "steps": timings}


class _Generator:
    def __init__(self, *, zone, profiles, seed, year, first, last, today, final, writer):
        self.zone, self.profiles, self.seed, self.year = zone, profiles, seed, year
        self.first, self.last, self.today, self.final, self.writer = first, last, today, final, writer
        self.date = {}
        # days[month][n]: the n-th day of the month, the month's last day for n beyond it (and its first for n < 1).
        self.days = {month: [_day(year, month, max(1, n)) for n in range(0, 33)] for month in range(1, 13)}
        self.norms = development_norms(policy_for_year(year))
        adapt = connection.ops.adapt_decimalfield_value
        self.hours_db = {h: adapt(Decimal(h), 4, 1) for h in (2, 3, 4, 6, 8, 12, 16, 24)}

    def rng(self, section: str, path: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.year}:{section}:{path}")

    def d(self, day: datetime.date):
        """A date as the column stores it (adapted once per day)."""
        value = self.date.get(day)
        if value is None:
            value = self.date[day] = connection.ops.adapt_datefield_value(day)
        return value

    def profile(self, organisation_id: int) -> Profile:
        return self.profiles.get(self.zone.owner.get(organisation_id), DILIGENT)

    # Meetings and attendance -------------------------------------------------------------------

    def _plan(self, organisation_id: int, path: str, kind: str, sector: str) -> list[tuple]:
        """The organisation's meetings of the year up to the last day: (kind, day, chair, lecturer,
        lecturer_name, hours, topic, place). Every draw is made whatever the last day, so a year
        generated later extends one generated earlier."""
        rng, zone, last, days = self.rng("meetings", path), self.zone, self.last, self.days
        draw = rng.random
        keep = self.profile(organisation_id).keep
        place = PLACES.get(sector, "党员活动室")
        committee_day, themed_day = rng.randint(2, 8), rng.randint(10, 20)
        general_day, lecture_day, group_day = rng.randint(18, 26), rng.randint(20, 28), rng.randint(3, 9)
        life_month = rng.choice((10, 11, 12, 12, 12))
        by_secretary = draw() < self.profile(organisation_id).secretary_lectures
        # Issue 14: about a third of the weak branches go quiet after June (no organisational life: a
        # criterion of a weak organisation, Q-WEAK-CRITERIA), drawn apart so the other draws stay as they were.
        quiet = self.profile(organisation_id) is WEAK and self.rng("quiet", path).random() < 0.35
        plan = []
        for month in range(1, 13):
            if kind == OrganisationKind.PARTY_GROUP:  # the lectures and themed days are the branch's (N-MEETINGS)
                wanted = [(MeetingKind.GROUP, group_day)]
            else:
                wanted = [(MeetingKind.COMMITTEE, committee_day), (MeetingKind.THEMED_DAY, themed_day)]
                if month % 3 == 1:
                    wanted.append((MeetingKind.GENERAL, general_day))
                elif month % 3 == 2:
                    wanted.append((MeetingKind.LECTURE, lecture_day))
                if month == life_month:
                    wanted.append((MeetingKind.ORGANISATIONAL_LIFE, 25))
            for meeting_kind, day_of_month in wanted:
                held, shift, topic_draw, hours_draw, outside = (
                    draw() < keep,
                    int(draw() * 3) - 1,
                    draw(),
                    draw(),
                    draw(),
                )
                day = days[month][day_of_month + shift]
                if not held or day > last or (quiet and month > 6):
                    continue
                secretary = zone.secretary(organisation_id, day)
                lecturer, lecturer_name, hours = None, "", None
                if meeting_kind == MeetingKind.THEMED_DAY:
                    topic, hours = THEMED_TOPICS[int(topic_draw * len(THEMED_TOPICS))], 2
                elif meeting_kind == MeetingKind.LECTURE:
                    topic = LECTURE_TOPICS[int(topic_draw * len(LECTURE_TOPICS))]
                    hours = 3 if hours_draw < 0.2 else 2
                    if by_secretary and secretary is not None:
                        lecturer = secretary
                    else:
                        lecturer_name = OUTSIDE_LECTURERS[int(outside * len(OUTSIDE_LECTURERS))]
                else:
                    topic = f"{month}月{MEETING_NAMES[meeting_kind]}"
                plan.append((meeting_kind, day, secretary, lecturer, lecturer_name, hours, topic, place))
        return plan

    def _meeting_organisations(self):
        skip = _org_ids(Meeting.objects.filter(held_on__gte=self.first, held_on__lte=datetime.date(self.year, 12, 31)))
        for pk, path, kind, sector, _unit in self.zone.orgs:
            if kind in MEMBER_HOLDING_KINDS and pk not in skip and pk in self.zone.owner:
                yield pk, path, kind, sector

    def meetings(self) -> None:
        """三会一课, themed party days, the organisational life meeting; party groups' meetings; attendance."""
        organisations = list(self._meeting_organisations())

        def planned():
            for pk, path, kind, sector in organisations:
                yield pk, path, self._attended(pk, self._plan(pk, path, kind, sector))

        # Keys for as many meetings as a year can have (33 a branch): the unused ones are a gap in the sequence.
        reserved = ids_reserve(model=Meeting, count=33 * len(organisations))
        fields = [
            "id",
            "organisation",
            "kind",
            "held_on",
            "place",
            "topic",
            "chaired_by",
            "lecturer",
            "lecturer_name",
            "study_hours",
        ]

        def meeting_rows():
            ids = iter(reserved)
            for pk, _path, meetings in planned():
                for meeting_kind, day, chair, lecturer, lecturer_name, hours, topic, place, _people in meetings:
                    yield (
                        next(ids),
                        pk,
                        meeting_kind,
                        self.d(day),
                        place,
                        topic,
                        chair,
                        lecturer,
                        lecturer_name,
                        self.hours_db[hours] if hours else None,
                    )

        def attendance_rows():
            ids = iter(reserved)
            present, excused, absent = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT
            zone = self.zone
            for pk, path, meetings in planned():
                rng = self.rng("attendance", path)
                draw = rng.random
                base = rng.uniform(*self.profile(pk).present)
                for *meeting, people in meetings:
                    meeting_id = next(ids)
                    rate = base + (draw() - 0.5) * 0.06
                    excused_below = rate + (1 - rate) * 0.75
                    day = meeting[1]
                    received = set(zone.received_on(pk, day)) if pk in zone.received else ()
                    for member_id in people:
                        x = draw()
                        inflow = member_id in received
                        if not inflow and member_id in zone.away and zone.is_away(member_id, day):
                            yield meeting_id, member_id, excused, AWAY, False  # at the receiving branch's, or far
                        elif x < rate:
                            yield meeting_id, member_id, present, "", inflow
                        elif x < excused_below:
                            yield meeting_id, member_id, excused, REASONS[int(draw() * len(REASONS))], inflow
                        else:
                            yield meeting_id, member_id, absent, "", inflow

        self.writer.copy("meetings", Meeting, fields, meeting_rows())
        self.writer.copy(
            "attendance", Attendance, ["meeting", "member", "status", "reason", "is_inflow"], attendance_rows()
        )

    def _attended(self, organisation_id: int, plan: list[tuple]) -> list[tuple]:
        """The planned meetings with who was on the list (as `attendance_roster` lists them): the
        committee in post for a committee meeting, nobody sitting in; the members of the branch and of
        its party groups for the branch's other meetings; the group's own for a group meeting. A
        meeting the organisation had nobody for is not held."""
        zone, out = self.zone, []
        branch = self.zone.kind_of.get(organisation_id) in BRANCH_KINDS
        for entry in plan:
            meeting_kind, day, chair = entry[0], entry[1], entry[2]
            if meeting_kind == MeetingKind.COMMITTEE:
                people = zone.committee(organisation_id, day)
            elif branch:
                people = zone.under(organisation_id, day)
                received = [m for m in zone.received_on(organisation_id, day) if m not in people]
                people = people + received if received else people
            else:
                people = zone.roster(organisation_id, day)
            if not people:
                continue
            if chair is not None and chair not in people:
                entry = (*entry[:2], None, *entry[3:])
            out.append((*entry, people))
        return out

    # The study-hour ledger, talks, the evaluation -------------------------------------------------

    def _branches(self, skip: set[int]):
        for pk, path, kind, *_rest in self.zone.orgs:
            if kind in BRANCH_KINDS and pk not in skip:
                yield pk, path

    def training(self) -> None:
        """A winter course and online study for each branch's members (its party groups' too), and a
        class for every secretary and committee member; Q-TRAINING-MEMBER / Q-TRAINING-LEADER."""
        zone, year = self.zone, self.year
        skip = _org_ids(TrainingRecord.objects.filter(held_on__year=year))
        winter_title, online_title = f"{year}年{WINTER_COURSE}", f"{year}年{ONLINE_COURSE}"
        # The leaders' class once a year each, whichever of their organisations records it (never twice).
        classed = TrainingRecord.objects.filter(held_on__year=year, title=LEADER_CLASS).values_list("member_id")
        classed = {member_id for (member_id,) in classed}

        def rows():  # (no query in here: it runs while the COPY streams)
            for pk, path in self._branches(skip):
                rng, profile = self.rng("training", path), self.profile(pk)
                courses = (
                    (
                        TrainingKind.COURSE,
                        winter_title,
                        _day(year, 1, rng.randint(5, 25)),
                        rng.choice((12, 16)),
                        profile.course,
                    ),
                    (
                        TrainingKind.ONLINE,
                        online_title,
                        _day(year, rng.randint(6, 9), rng.randint(1, 28)),
                        rng.choice((6, 8)),
                        profile.online,
                    ),
                )
                for kind, title, day, hours, share in courses:
                    people = zone.under(pk, day)
                    draws = [rng.random() for _ in people]
                    if day > self.last:
                        continue
                    for member_id, draw in zip(people, draws, strict=True):
                        if draw < share:
                            yield pk, member_id, kind, title, self.d(day), self.hours_db[hours]
            taught = set(classed)
            for pk, path, kind, *_rest in zone.orgs:
                if pk in skip or kind == OrganisationKind.PARTY_GROUP:
                    continue
                # One class a year for each town or system, on its own day.
                unit = random.Random(f"{self.seed}:{year}:class:{path[:8]}")
                day = _day(year, unit.randint(4, 5), unit.randint(8, 26))
                rng = self.rng("class", path)
                for member_id, start, end in zone.leaders(pk):
                    attends = rng.random() < 0.92
                    if attends and day <= self.last and _covers(start, end, day) and member_id not in taught:
                        taught.add(member_id)
                        yield pk, member_id, TrainingKind.COURSE, LEADER_CLASS, self.d(day), self.hours_db[24]

        fields = ["organisation", "member", "kind", "title", "held_on", "hours"]
        self.writer.copy("training", TrainingRecord, fields, rows())

    def talks(self) -> None:
        """Q-TALKS: the secretary talks with the branch's members (its party groups' too), most of
        them by autumn."""
        zone, first = self.zone, self.first
        skip = _org_ids(Talk.objects.filter(held_on__year=self.year))

        def rows():
            for pk, path in self._branches(skip):
                rng, profile = self.rng("talks", path), self.profile(pk)
                for member_id in zone.under(pk, self.last):
                    talked, offset, topic = rng.random() < profile.talked, rng.randint(4, 300), rng.random()
                    day = first + datetime.timedelta(days=offset)
                    if not talked or day > self.last:
                        continue
                    talker = zone.secretary(pk, day)
                    yield (
                        pk,
                        member_id,
                        talker,
                        "" if talker else "党支部书记",
                        self.d(day),
                        TALK_TOPICS[int(topic * len(TALK_TOPICS))],
                    )

        fields = ["organisation", "member", "talker", "talker_name", "held_on", "topic"]
        self.writer.copy("talks", Talk, fields, rows())

    def evaluations(self) -> None:
        """Q-EVALUATION, once the year is over: the branch grades its members and its party groups' in
        December; an unqualified member's disposal is recorded with the grade (as the form requires)."""
        if not self.final:
            return
        zone, year = self.zone, self.year
        skip = _org_ids(Evaluation.objects.filter(year=year))
        plan = []
        for pk, path, kind, *_rest in zone.orgs:
            if kind not in EVALUATING_KINDS or pk in skip:
                continue
            rng = self.rng("evaluation", path)
            held, day = rng.random() < self.profile(pk).evaluates, datetime.date(year, 12, rng.randint(5, 28))
            people = zone.under(pk, day)
            if held and people:
                plan.append((pk, path, day, people))
        ids = ids_reserve(model=Evaluation, count=len(plan))
        evaluations = ((i, pk, year, self.d(day)) for i, (pk, _path, day, _people) in zip(ids, plan, strict=True))
        self.writer.copy("evaluations", Evaluation, ["id", "organisation", "year", "held_on"], evaluations)
        probationary = set(
            Member.objects.filter(category=MemberCategory.PROBATIONARY, status=MemberStatus.ACTIVE).values_list(
                "pk", flat=True
            )
        )
        excellent, qualified = Grade.EXCELLENT, Grade.QUALIFIED
        basic, unqualified = Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED

        def rows():
            for evaluation_id, (_pk, path, _day, people) in zip(ids, plan, strict=True):
                draw = self.rng("grades", path).random
                for member_id in people:
                    x = draw()
                    grade = excellent if x < 0.12 else qualified if x < 0.975 else basic if x < 0.995 else unqualified
                    disposal = ""
                    if grade == unqualified:
                        disposal = Disposal.EXTEND_PROBATION if member_id in probationary else Disposal.CORRECTION
                    self_grade = excellent if grade == excellent or draw() < 0.1 else qualified
                    yield evaluation_id, member_id, self_grade, grade, grade, grade, grade, disposal

        fields = [
            "evaluation",
            "member",
            "self_grade",
            "peer_grade",
            "public_grade",
            "branch_grade",
            "grade",
            "disposal",
        ]
        self.writer.copy("evaluation_results", EvaluationResult, fields, rows())

    # Leadership teams, venues, reports ------------------------------------------------------------

    def leadership(self) -> None:
        """Days at the grassroots month by month for the leadership members of the work committee,
        departments and towns (most reach the yearly days, a few fall short), and their integrity
        pledges early in the year (Q-RESEARCH-*, Q-CONTACT-TOWN, Q-INTEGRITY-PLEDGE)."""

        zone, year, values = self.zone, self.year, policy_for_year(self.year)
        teams = {}
        for pk, clause in leadership_teams(organisations=Organisation.objects.all()).items():
            if pk in zone.path_of:
                teams[pk] = (values.whole(LEADERSHIP_CLAUSES[clause][0]), clause)
        ordered = sorted(teams, key=zone.path_of.get)
        skip_days = _org_ids(LeadershipDays.objects.filter(started_on__year=year))
        skip_pledges = _org_ids(IntegrityPledge.objects.filter(year=year))

        def days():
            for pk in ordered:
                if pk in skip_days:
                    continue
                target, clause = teams[pk]
                kind = LeadershipDayKind.CONTACT if clause == "Q-CONTACT-TOWN" else LeadershipDayKind.RESEARCH
                seen = set()
                for member_id, start, end in zone.leaders(pk):
                    if member_id in seen:
                        continue
                    seen.add(member_id)
                    rng = self.rng("days", f"{zone.path_of[pk]}:{len(seen)}")
                    factor = rng.uniform(1.0, 1.2) if rng.random() < 0.9 else rng.uniform(0.5, 0.9)
                    length = min(25, -(-round(target * factor) // 12))
                    for month in range(1, 13):
                        begin = _day(year, month, rng.randint(1, calendar.monthrange(year, month)[1] - length + 1))
                        finish = begin + datetime.timedelta(days=length - 1)
                        if finish <= self.last and _covers(start, end, begin) and _covers(start, end, finish):
                            yield (
                                pk,
                                member_id,
                                kind,
                                self.d(begin),
                                self.d(finish),
                                "下辖村（社区）和企业",
                                "走访党员群众，调研基层党建"
                                if kind == LeadershipDayKind.RESEARCH
                                else "直接联系服务群众",
                            )

        def pledges():
            for pk in ordered:
                if pk in skip_pledges:
                    continue
                rng = self.rng("pledge", zone.path_of[pk])
                team_day = _day(year, rng.randint(1, 3), rng.randint(5, 28))
                wanted = [(None, team_day, rng.random() < 0.95, rng.randint(0, 5))]
                for member_id, start, end in zone.leaders(pk):
                    day = max(team_day, (start or team_day) + datetime.timedelta(days=7))
                    if _covers(start, end, day):
                        wanted.append((member_id, day, rng.random() < 0.95, rng.randint(0, 5)))
                for member_id, day, made, delay in wanted:
                    if made and day.year == year and day <= self.last:
                        published = min(day + datetime.timedelta(days=delay), self.today)
                        yield (
                            pk,
                            member_id,
                            year,
                            self.d(day),
                            self.d(published),
                            PLEDGE_PLACES[delay % len(PLEDGE_PLACES)],
                        )

        fields = ["organisation", "member", "kind", "started_on", "ended_on", "place", "purpose"]
        self.writer.copy("leadership_days", LeadershipDays, fields, days())
        fields = ["organisation", "member", "year", "pledged_on", "published_on", "published_where"]
        self.writer.copy("pledges", IntegrityPledge, fields, pledges())

    def _tops(self, sectors) -> list[tuple]:
        """Organisations of the sectors whose parent is not of the same sector (a village, a community)."""
        step = Organisation.steplen
        sector_of = {path: sector for _pk, path, _kind, sector, _unit in self.zone.orgs}
        return [row for row in self.zone.orgs if row[3] in sectors and sector_of.get(row[1][:-step]) != row[3]]

    def venues(self) -> None:
        """S-VENUE: an activity venue for most villages and communities, with the six standards checked
        (most meet all six), and for most non-public and social party committees (Q-VENUE-*). A venue
        is a state, not a yearly record: organisations with a venue at or below them are left alone."""
        step = Organisation.steplen
        covered = {
            path[:end]
            for path in Venue.objects.values_list("organisation__path", flat=True)
            for end in range(step, len(path) + 1, step)
        }
        wanted = [(row, 0.97) for row in self._tops((Sector.VILLAGE, Sector.COMMUNITY))]
        wanted += [
            (row, 0.8)
            for row in self.zone.orgs
            if row[3] in (Sector.NON_PUBLIC, Sector.SOCIAL_ORGANISATION)
            and row[2] in (OrganisationKind.PARTY_COMMITTEE, OrganisationKind.GENERAL_BRANCH)
        ]
        plan = []
        for (pk, path, _kind, sector, unit), share in wanted:
            rng = random.Random(f"{self.seed}:venue:{path}")
            has, opened = rng.random() < share, datetime.date(rng.randint(2015, 2023), rng.randint(1, 12), 1)
            met = len(SixStandard) if rng.random() < 0.85 else rng.randint(3, 5)
            unmet = set(rng.sample(list(SixStandard), len(SixStandard) - met))
            checked = min(self.first + datetime.timedelta(days=rng.randint(20, 150)), self.last)
            if has and path not in covered:
                name = {Sector.VILLAGE: "村级党群服务中心", Sector.COMMUNITY: "社区党群服务中心"}.get(
                    sector, "党员活动室"
                )
                plan.append((pk, name, f"{unit or '本单位'}办公楼", min(opened, self.first), unmet, checked))
        ids = ids_reserve(model=Venue, count=len(plan))
        area = connection.ops.adapt_decimalfield_value(Decimal(80), 7, 1)
        self.writer.copy(
            "venues",
            Venue,
            ["id", "organisation", "kind", "name", "address", "area", "opened_on"],
            (
                (i, pk, VenueKind.ACTIVITY_VENUE, name, address, area, self.d(opened))
                for i, (pk, name, address, opened, _unmet, _day) in zip(ids, plan, strict=True)
            ),
        )
        self.writer.copy(
            "venue_checks",
            VenueCheck,
            ["venue", "standard", "is_met", "note", "checked_on"],
            (
                (i, standard, standard not in unmet, "" if standard in unmet else STANDARD_NOTES[standard], self.d(day))
                for i, (_pk, _name, _address, _opened, unmet, day) in zip(ids, plan, strict=True)
                for standard in SixStandard
            ),
        )

    # The catalogue's second edition (issue 14) --------------------------------------------------

    def places(self) -> None:
        """Q-SERVICE-STATION, Q-DEPUTY-STUDIO: a convenience service station and a member household post for
        most villages and communities, a congress-deputy office for most towns and streets. A place is a
        state, not a yearly record: a top with a place of the kind at or below it is left alone."""
        step = Organisation.steplen
        covered = {
            (path[:end], kind)
            for path, kind in Venue.objects.exclude(kind=VenueKind.ACTIVITY_VENUE).values_list(
                "organisation__path", "kind"
            )
            for end in range(step, len(path) + 1, step)
        }
        places = self._tops((Sector.VILLAGE, Sector.COMMUNITY))
        wanted = [(row, VenueKind.CONVENIENCE_STATION, 0.94, "便民服务站") for row in places]
        wanted += [(row, VenueKind.MEMBER_HOUSEHOLD, 0.9, "党员中心户") for row in places]
        wanted += [(row, VenueKind.DEPUTY_OFFICE, 0.9, "党代表工作室") for row in self._tops(tuple(TOWN_SECTORS))]
        plan = []
        for (pk, path, _kind, _sector, unit), kind, share, name in wanted:
            rng = random.Random(f"{self.seed}:{kind}:{path}")
            has, opened = rng.random() < share, datetime.date(rng.randint(2015, 2023), rng.randint(1, 12), 1)
            if has and (path, kind) not in covered:
                plan.append((pk, kind, name, f"{unit or '本单位'}办公楼", min(opened, self.first)))
        self.writer.copy(
            "places",
            Venue,
            ["organisation", "kind", "name", "address", "opened_on"],
            ((pk, kind, name, address, self.d(opened)) for pk, kind, name, address, opened in plan),
        )

    def democratic_life(self) -> None:
        """Q-LIFE-MEETING: the democratic life meeting of most party committees' leadership teams, late in the
        year or early the next (here: in the year), listing the team in post that day."""
        skip = _org_ids(
            Meeting.objects.filter(kind=MeetingKind.DEMOCRATIC_LIFE, held_on__year=self.year),
        )
        plan = []
        for pk, path, kind, _sector, _unit in self.zone.orgs:
            if kind != OrganisationKind.PARTY_COMMITTEE or pk in skip:
                continue
            rng = self.rng("democratic_life", path)
            held, day = rng.random() < 0.9, _day(self.year, rng.choice((1, 12, 12, 12)), rng.randint(10, 28))
            team = self.zone.committee(pk, day)
            if held and day <= self.last and team:
                plan.append((pk, day, self.zone.secretary(pk, day), team))
        ids = ids_reserve(model=Meeting, count=len(plan))
        self.writer.copy(
            "democratic_life",
            Meeting,
            ["id", "organisation", "kind", "held_on", "place", "topic", "chaired_by"],
            (
                (
                    i,
                    pk,
                    MeetingKind.DEMOCRATIC_LIFE,
                    self.d(day),
                    "党委会议室",
                    f"{self.year}年度领导班子民主生活会",
                    chair,
                )
                for i, (pk, day, chair, _team) in zip(ids, plan, strict=True)
            ),
        )
        self.writer.copy(
            "democratic_life_attendance",
            Attendance,
            ["meeting", "member", "status", "reason"],
            (
                (i, member_id, AttendanceStatus.PRESENT, "")
                for i, (_pk, _day, _chair, team) in zip(ids, plan, strict=True)
                for member_id in team
            ),
        )

    def deliberations(self) -> None:
        """Q-FOUR-DELIBERATIONS: two or three major matters a year for each village, taken through the six
        steps a week or two apart; about one in twelve stops at a step and stays stalled."""
        skip = _org_ids(
            VillageMatter.objects.filter(steps__step=DeliberationStep.PROPOSAL, steps__done_on__year=self.year)
        )
        matters = []
        for pk, path, _kind, _sector, _unit in self._tops((Sector.VILLAGE,)):
            if pk in skip:
                continue
            rng = self.rng("deliberations", path)
            for n in range(rng.choice((2, 2, 3))):
                title = MATTER_TITLES[rng.randrange(len(MATTER_TITLES))]
                day = _day(self.year, rng.randint(1, 10), rng.randint(1, 28))
                stops = rng.randrange(1, len(DELIBERATION_ORDER)) if rng.random() < 0.08 else len(DELIBERATION_ORDER)
                gaps = [rng.randint(3, 20) for _ in DELIBERATION_ORDER]
                done = []
                for position, step in enumerate(DELIBERATION_ORDER[:stops]):
                    day = day + datetime.timedelta(days=gaps[position] if position else 0)
                    if day > self.last:
                        break
                    done.append((step, day))
                if done:
                    matters.append((pk, f"{self.year}年{title}（{n + 1}）", done))
        ids = ids_reserve(model=VillageMatter, count=len(matters))
        self.writer.copy(
            "village_matters",
            VillageMatter,
            ["id", "organisation", "title"],
            ((i, pk, title) for i, (pk, title, _done) in zip(ids, matters, strict=True)),
        )
        self.writer.copy(
            "matter_steps",
            MatterStep,
            ["matter", "step", "done_on", "note"],
            (
                (i, step, self.d(day), "")
                for i, (_pk, _title, done) in zip(ids, matters, strict=True)
                for step, day in done
            ),
        )

    def reports(self) -> None:
        """Q-ANNUAL-REPORT, once the year is over: the secretary's special report early the next year
        (or in December), its evaluation published; Q-TOWN-CONGRESS: the town's session early in the year."""

        zone, year = self.zone, self.year
        skip = _org_ids(CongressSession.objects.filter(year=year))

        def sessions():
            for pk, path, kind, sector, _unit in zone.orgs:
                if sector != Sector.TOWN or kind != OrganisationKind.PARTY_COMMITTEE or pk in skip:
                    continue
                rng = self.rng("congress", path)
                held, day = rng.random() < 0.93, _day(year, rng.randint(1, 3), rng.randint(5, 28))
                deputies = rng.randint(80, 160)
                if held and day <= self.last:
                    yield (
                        pk,
                        year,
                        self.d(day),
                        deputies,
                        deputies - rng.randint(0, 8),
                        "听取和审议党委工作报告；审议通过年度工作要点",
                    )

        fields = ["organisation", "year", "held_on", "deputies", "deputies_present", "agenda"]
        self.writer.copy("congress_sessions", CongressSession, fields, sessions())
        if not self.final:
            return
        context = RunContext(year=year, today=self.today, values=policy_for_year(year))
        reporting = set(reporting_organisations(context)) - _org_ids(AnnualReport.objects.filter(year=year))
        secretaries = defaultdict(list)
        posts = (
            Post.objects.filter(
                kind=PostKind.SECRETARY, organisation_id__in=reporting, started_on__lte=datetime.date(year + 1, 3, 31)
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 12, 1)))
            .order_by("started_on", "pk")
            .values_list("organisation_id", "member_id", "started_on", "ended_on")
        )
        for organisation_id, member_id, start, end in posts:
            secretaries[organisation_id].append((member_id, start, end))
        results = [ReportResult.GOOD] * 12 + [ReportResult.FAIRLY_GOOD] * 6 + [ReportResult.AVERAGE, ReportResult.POOR]

        def rows():
            for pk, path, *_rest in zone.orgs:
                if pk not in reporting:
                    continue
                rng = self.rng("report", path)
                made, result, delay = rng.random() < 0.93, rng.choice(results), rng.randint(3, 15)
                early = _day(year + 1, rng.randint(1, 3), rng.randint(5, 25))
                december = datetime.date(year, 12, rng.randint(10, 28))
                if not made:
                    continue
                for day in (early, december):
                    # The secretary in post that day reports: a secretary who took over later that quarter reports then.
                    spans = secretaries.get(pk, ())
                    held = next(((m, day) for m, start, end in spans if _covers(start, end, day)), None)
                    if held is None and day == early:
                        later = [(m, start) for m, start, end in spans if day < start <= datetime.date(year + 1, 3, 31)]
                        held = later[0] if later else None
                    if held is not None and held[1] <= self.today:
                        reporter, reported = held
                        published = min(reported + datetime.timedelta(days=delay), self.today)
                        yield pk, year, self.d(reported), reporter, result, self.d(published), "党务公开栏"
                        break

        fields = ["organisation", "year", "reported_on", "reporter", "result", "published_on", "published_where"]
        self.writer.copy("reports", AnnualReport, fields, rows())

    # Community registrations and service ----------------------------------------------------------

    def community(self) -> None:
        """Q-COMMUNITY-SERVICE: in-service members registered with a community (most long before the
        year), and the service they gave in it this year."""
        zone, year, first, last = self.zone, self.year, self.first, self.last
        communities = [row[0] for row in self._tops((Sector.COMMUNITY,))]
        if not communities:
            return
        in_service = set(
            Member.objects.filter(status=MemberStatus.ACTIVE, life_status=LifeStatus.IN_SERVICE).values_list(
                "pk", flat=True
            )
        )
        registered = {}
        for pk, member_id, day in (
            CommunityRegistration.objects.filter(registered_on__lte=last)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
            .order_by("pk")
            .values_list("pk", "member_id", "registered_on")
        ):
            registered.setdefault(member_id, (pk, day))
        served = set(
            CommunityService.objects.filter(served_on__year=year).values_list("registration_id", flat=True).distinct()
        )

        def plan():
            """(member, community, since, registration or None when new, service days) in a fixed order."""
            for pk, path, kind, *_rest in zone.orgs:
                if kind not in MEMBER_HOLDING_KINDS or pk not in zone.owner:
                    continue
                profile = self.profile(pk)
                joining = random.Random(f"{self.seed}:registration:{path}")  # the same whichever year comes first
                serving = self.rng("service", path)
                for member_id in zone.roster(pk, last):
                    if member_id not in in_service:
                        continue
                    joins, early = joining.random() < profile.registered, joining.random() < 0.85
                    offset = joining.randint(30, 1500) if early else -joining.randint(0, 150)
                    community = communities[joining.randrange(len(communities))]
                    serves, times = serving.random() < profile.serves, serving.choice((1, 2, 2, 3))
                    days = [
                        (serving.random(), serving.choice((2, 3, 4)), serving.randrange(len(SERVICE_ACTIVITIES)))
                        for _ in range(times)
                    ]
                    registration, since = registered.get(member_id, (None, first - datetime.timedelta(days=offset)))
                    if registration is None and (not joins or since > last):
                        continue
                    start = max(since, first)
                    span = (last - start).days
                    service = (
                        []
                        if not serves or registration in served
                        else [
                            (start + datetime.timedelta(days=int(fraction * span)), hours, activity)
                            for fraction, hours, activity in days
                        ]
                    )
                    yield member_id, community, since, registration, service

        new = [(member_id, community, since) for member_id, community, since, pk, _days in plan() if pk is None]
        ids = ids_reserve(model=CommunityRegistration, count=len(new))
        self.writer.copy(
            "registrations",
            CommunityRegistration,
            ["id", "member", "community", "registered_on"],
            (
                (i, member_id, community, self.d(since))
                for i, (member_id, community, since) in zip(ids, new, strict=True)
            ),
        )
        del new

        def services():
            fresh = iter(ids)
            for _member, _community, _since, registration, days in plan():
                registration = next(fresh) if registration is None else registration
                for day, hours, activity in days:
                    yield registration, self.d(day), self.hours_db[hours], SERVICE_ACTIVITIES[activity]

        self.writer.copy("services", CommunityService, ["registration", "served_on", "hours", "activity"], services())

    # The development pipeline (N-DEVELOPMENT) ----------------------------------------------------

    def _joiners(self) -> list[tuple]:
        """The zone's members admitted from three months before the year (their approval falls due in it) up to
        its last day, without a candidacy on record: (member, branch, name, id number, gender, born, phone,
        unit, admitted)."""
        start = months_after(self.first, -self.norms.approval_within_months)
        recorded = Candidate.objects.filter(member__isnull=False).values_list("member_id", flat=True)
        rows = (
            Member.objects.filter(joined_on__gte=start, joined_on__lte=self.last)
            .exclude(pk__in=recorded)
            .order_by("id_number")
            .values_list(
                "pk", "organisation_id", "name", "id_number", "gender", "birth_date", "phone", "work_unit", "joined_on"
            )
        )
        owner = self.zone.owner
        return [(pk, owner[org], *rest) for pk, org, *rest in rows if org in owner]

    def _introducer_check(self):
        """Whether a member could introduce on a day: active and a full member by then (one query of the
        members who became full lately or are not yet, one of those no longer active)."""
        since = months_after(self.first, -self.norms.approval_within_months)
        recent = dict(
            Member.objects.filter(Q(full_member_on__isnull=True) | Q(full_member_on__gte=since)).values_list(
                "pk", "full_member_on"
            )
        )
        gone = set(Member.objects.exclude(status=MemberStatus.ACTIVE).values_list("pk", flat=True))

        def eligible(member_id: int, day: datetime.date) -> bool:
            if member_id in gone:
                return False
            if member_id not in recent:
                return True
            full = recent[member_id]
            return full is not None and full <= day

        return eligible

    def _admitted(self, rng: random.Random, born: datetime.date, admitted: datetime.date) -> dict | None:
        """The steps of a member's candidacy, backwards from the admission; None when they do not fit after
        the 18th birthday (the member joined young: no candidacy on record, as for one admitted where fewer
        full members than the introducers needed were there)."""
        draw, days = rng.random, datetime.timedelta
        target = admitted - days(_between(draw, 60, 330))
        activist = months_after(target, -self.norms.activist_months) - days(_between(draw, 0, 240))
        talked = activist - days(_between(draw, 45, 200))
        late, early, slow = draw() < 0.08, _between(draw, 3, 27), _between(draw, 35, 70)
        applied = talked - days(slow if late else early)
        gaps = [_between(draw, 150, 178) for _ in range(6)]
        x, soon, later = draw(), _between(draw, 20, 85), _between(draw, 95, 160)
        approved = admitted + days(soon if x < 0.9 else later if x < 0.97 else 240)
        if applied < years_after(born, self.norms.min_age):
            return None
        reviewed = activist
        for gap in gaps:
            if reviewed + days(gap) >= target:
                break
            reviewed += days(gap)
        return {
            "applied_on": applied,
            "talked_on": talked,
            "activist_on": activist,
            "reviewed_on": reviewed,
            "target_on": target,
            "admitted_on": admitted,
            "approved_on": approved if approved <= self.today else None,
            "stage": DevelopmentStage.ADMITTED,
        }

    def _applicant(self, draw, applied: datetime.date) -> dict:
        """An application's steps up to the year's last day: the talk within the month (a few late, a few not
        held), activist some months later, reviewed half-yearly (a few reviews late), development target after
        a year or more, a few withdrawn. Every draw is made whatever the last day."""
        days = datetime.timedelta
        x, talk_days, late_days = draw(), _between(draw, 3, 27), _between(draw, 35, 80)
        talked = applied + days(talk_days if x < 0.88 else late_days) if x < 0.97 else None
        becomes, activist_days = draw() < 0.85, _between(draw, 45, 200)
        activist = talked + days(activist_days) if talked and becomes else None
        slack = 0.0 if draw() < 0.85 else 0.5  # the share of this activist's reviews that come late
        gaps = [_between(draw, 200, 320) if draw() < slack else _between(draw, 150, 178) for _ in range(8)]
        promoted, target_days = draw() < 0.75, _between(draw, 0, 200)
        target = months_after(activist, self.norms.activist_months) + days(target_days) if activist else None
        target = target if promoted else None
        leaves, leave_days = draw() < 0.05, _between(draw, 30, 500)
        withdrawn = applied + days(leave_days) if leaves else None
        last = min(self.last, withdrawn) if withdrawn else self.last
        steps = {"applied_on": applied, "stage": DevelopmentStage.APPLICANT}
        if talked and talked <= last:
            steps["talked_on"] = talked
        if activist and activist <= last and "talked_on" in steps:
            steps.update(activist_on=activist, reviewed_on=activist, stage=DevelopmentStage.ACTIVIST)
            for gap in gaps:
                following = steps["reviewed_on"] + days(gap)
                if following > last or (target and following >= target):
                    break
                steps["reviewed_on"] = following
            if target and target <= last:
                steps.update(target_on=target, stage=DevelopmentStage.TARGET)
        if withdrawn and withdrawn <= self.last:
            steps.update(withdrawn_on=withdrawn, stage=DevelopmentStage.WITHDRAWN)
        return steps

    def development(self) -> None:
        """N-DEVELOPMENT: the candidacy of each member of the zone admitted in the year (or in the three months
        before it), from the application on, with two full members of the branch introducing and the higher
        committee's approval (most within three months); and each branch's open pipeline: 0-3 applications a
        year, of the year and the one before, at their steps on the year's last day (those who apply earlier and
        join are the zone's members admitted in the year). An application is drawn from
        the seed, the branch and the year it was made, so a later year's generation finds the same person and
        moves it on; the candidacies of admitted members are written once."""
        zone = self.zone
        eligible = self._introducer_check()
        known = {
            id_number: (pk, max(d for d in dates if d is not None))
            for id_number, pk, *dates in Candidate.objects.filter(member__isnull=True).values_list(
                "id_number", "pk", "applied_on", "talked_on", "reviewed_on", "target_on", "withdrawn_on"
            )
        }
        unit_of = {pk: unit for pk, _path, _kind, _sector, unit in zone.orgs}
        new, introducers, moved = [], [], []
        for member_id, branch, name, id_number, gender, born, phone, unit, admitted in self._joiners():
            rng = random.Random(f"{self.seed}:candidacy:{id_number}")
            steps = self._admitted(rng, born, admitted)
            day = max(admitted, self.first)
            people = sorted({m for m in zone.under(branch, day) if m != member_id and eligible(m, admitted)})
            if steps is None or len(people) < self.norms.introducers:  # joined young, or in a branch of newcomers
                continue
            steps.update(talked_by=TALKERS[int(rng.random() * len(TALKERS))], member=member_id)
            new.append((branch, name, id_number, gender, born, phone, unit, steps))
            introducers.append(rng.sample(people, self.norms.introducers))
        taken, counts = set(), (0, 0, 1, 1, 1, 2, 3)
        for pk, path, kind, *_rest in zone.orgs:
            if kind not in BRANCH_KINDS:
                continue
            for year in (self.year - 1, self.year):
                draw = random.Random(f"{self.seed}:applications:{year}:{path}").random
                for _ in range(counts[int(draw() * len(counts))]):
                    applied, age = _day(year, _between(draw, 1, 12), _between(draw, 1, 28)), _between(draw, 19, 42)
                    born = _day(applied.year - age, _between(draw, 1, 12), _between(draw, 1, 28))
                    male, area = draw() < 0.55, CANDIDATE_AREAS[int(draw() * len(CANDIDATE_AREAS))]
                    sequence, third = int(draw() * 500), draw() < 0.5
                    chars = [SURNAMES[int(draw() * len(SURNAMES))], GIVEN[int(draw() * len(GIVEN))]]
                    chars += [GIVEN[int(draw() * len(GIVEN))]] if third else []
                    phone = f"1{'3456789'[int(draw() * 7)]}{int(draw() * 1_000_000_000):09d}"
                    steps = self._applicant(draw, applied)
                    steps["talked_by"] = TALKERS[int(draw() * len(TALKERS))] if "talked_on" in steps else ""
                    if applied > self.last:
                        continue
                    id_number = id_make(area=area, born=born, sequence=sequence, male=male)
                    while id_number in taken:  # a person of the same place, birthday and sex: the next order code
                        sequence = (sequence + 1) % 500
                        id_number = id_make(area=area, born=born, sequence=sequence, male=male)
                    taken.add(id_number)
                    gender = Gender.MALE if male else Gender.FEMALE
                    row = (pk, "".join(chars), id_number, gender, born, phone, unit_of.get(pk) or "", steps)
                    if id_number not in known:
                        new.append(row)
                    elif max(d for d in steps.values() if isinstance(d, datetime.date)) > known[id_number][1]:
                        moved.append((known[id_number][0], steps))
        self._candidates_write(new, introducers, moved)

    def _candidates_write(self, new: list[tuple], introducers: list[list[int]], moved: list[tuple]) -> None:
        ids = ids_reserve(model=Candidate, count=len(new))
        fields = ["id", "organisation", "name", "id_number", "gender", "birth_date", "phone", "work_unit"]

        def d(day):
            return None if day is None else self.d(day)

        self.writer.copy(
            "candidates",
            Candidate,
            fields + STEP_FIELDS + ["member"],
            (
                (
                    i,
                    branch,
                    name,
                    id_number,
                    gender,
                    d(born),
                    phone,
                    unit,
                    steps["stage"],
                    steps.get("talked_by", ""),
                    steps.get("withdrawal_reason", WITHDRAWAL if steps.get("withdrawn_on") else ""),
                    *map(d, map(steps.get, STEP_DATES)),
                    steps.get("member"),
                )
                for i, (branch, name, id_number, gender, born, phone, unit, steps) in zip(ids, new, strict=True)
            ),
        )
        self.writer.copy(
            "introducers",
            Candidate.introducers.through,
            ["candidate", "member"],
            ((i, member_id) for i, chosen in zip(ids, introducers, strict=False) for member_id in chosen),
        )
        updated = []
        for pk, steps in moved:
            candidate = Candidate(pk=pk, stage=steps["stage"], talked_by=steps.get("talked_by", ""))
            candidate.withdrawal_reason = WITHDRAWAL if steps.get("withdrawn_on") else ""
            for field in STEP_DATES:
                setattr(candidate, field, steps.get(field))
            updated.append(candidate)
        Candidate.objects.bulk_update(
            updated, ["stage", "talked_by", "withdrawal_reason", *STEP_DATES], batch_size=2000
        )
        self.writer.counts["candidates_moved_on"] += len(updated)

    # Weak organisations (Q-WEAK-*) --------------------------------------------------------------------

    def weak(self) -> None:
        """Q-WEAK-*, once the year is over: the bureau's proposal from the year's records (the ranking service,
        `weak.weak_proposal_make`), confirmed early the next year (a few proposed left off, with a reason);
        each named one rectified: a leader liaison and often a department's support (a few with no remedy
        yet), progress notes (a few with none), and the verdict at the end of the next year once it has come.
        A year with a proposal on record is left alone."""
        if not self.final or WeakSelection.objects.filter(year=self.year).exists():
            return
        selections = weak.weak_proposal_make(year=self.year)
        bureau = User.objects.filter(role=Role.BUREAU).order_by("pk").first()
        zone, year, today, step = self.zone, self.year, self.today, Organisation.steplen
        leaders = defaultdict(list)  # a town's or system's path (the work committee's: its own) -> its team
        for pk, path, start, end in (
            Post.objects.filter(kind__in=COMMITTEE_POSTS, organisation__depth__lte=2, started_on__lte=today)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=datetime.date(year, 12, 31)))
            .order_by("organisation__path", "kind", "pk")
            .values_list("pk", "organisation__path", "started_on", "ended_on")
        ):
            leaders[path].append((pk, start, end))
        departments = [
            (pk, path)
            for pk, path, kind, sector, unit in zone.orgs
            if sector == Sector.AGENCY and unit and kind != OrganisationKind.PARTY_GROUP
        ]
        path_of = {pk: path for pk, path, *_rest in zone.orgs}
        decided, rectifications = [], []
        for selection in sorted(
            (s for s in selections if s.proposed), key=lambda s: path_of.get(s.organisation_id, "")
        ):
            path = path_of.get(selection.organisation_id)
            if path is None:
                continue
            rng = random.Random(f"{self.seed}:{year}:weak:{path}")
            named, reason = rng.random() < 0.95, LEFT_OFF[rng.randrange(len(LEFT_OFF))]
            day = min(_day(year + 1, rng.randint(1, 3), rng.randint(5, 28)), today)
            selection.named, selection.reason = named, "" if named else reason
            selection.decided_by = bureau
            selection.decided_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            decided.append(selection)
            # A leader of its town or system takes it in hand (of the work committee, for one directly under it).
            town = path[: 2 * step] if len(path) > 2 * step else ""
            team = leaders.get(town) or leaders.get(path[:step]) or []
            outside = [pk for pk, dept_path in departments if not dept_path.startswith(path)]
            if named:
                rectifications.append((selection, day, self._rectification(rng, day, team, outside)))
        WeakSelection.objects.bulk_update(decided, ["named", "reason", "decided_by", "decided_at"], batch_size=2000)
        self._rectifications_write(rectifications, bureau)

    def _rectification(self, rng: random.Random, day: datetime.date, team: list, departments: list) -> dict:
        """A named organisation's remedies (kind, post, department, since), progress notes and verdict."""
        today = self.today
        count = 0 if rng.random() < 0.08 else rng.choice((1, 2, 2, 3))
        remedies, posts = [], sorted(team, key=lambda _post: rng.random())
        for n in range(count):
            since = day + datetime.timedelta(days=rng.randint(0, 20))
            if n % 2 == 0 and posts:
                pk, start, end = posts.pop()
                if _covers(start, end, since) and since <= today:
                    remedies.append((RectificationRemedy.Kind.LEADER_LIAISON, pk, None, since))
            elif n % 2 == 1 and departments:
                department = departments[rng.randrange(len(departments))]
                if since <= today and all(department != r[2] for r in remedies):
                    remedies.append((RectificationRemedy.Kind.DEPARTMENT_SUPPORT, None, department, since))
        notes, written = [], day
        for _ in range(0 if rng.random() < 0.15 else rng.randint(1, 6)):
            written += datetime.timedelta(days=rng.randint(25, 70))
            if written <= today:
                notes.append((written, PROGRESS[rng.randrange(len(PROGRESS))]))
        verdict_on, rectified = _day(day.year, 12, rng.randint(10, 28)), rng.random() < 0.85
        verdict = None
        if notes and verdict_on <= today and verdict_on >= notes[-1][0]:
            verdict = (
                Rectification.Verdict.RECTIFIED if rectified else Rectification.Verdict.NOT_RECTIFIED,
                verdict_on,
            )
        return {"remedies": remedies, "notes": notes, "verdict": verdict}

    def _rectifications_write(self, rectifications: list[tuple], bureau) -> None:
        made = Rectification.objects.bulk_create(
            [
                Rectification(
                    selection=selection,
                    started_on=day,
                    verdict=plan["verdict"][0] if plan["verdict"] else "",
                    verdict_on=plan["verdict"][1] if plan["verdict"] else None,
                    verdict_by=bureau if plan["verdict"] else None,
                    recorded_by=bureau,
                )
                for selection, day, plan in rectifications
            ],
            batch_size=2000,
        )
        remedies = RectificationRemedy.objects.bulk_create(
            [
                RectificationRemedy(
                    rectification=rectification,
                    kind=kind,
                    post_id=post,
                    department_id=department,
                    started_on=since,
                    recorded_by=bureau,
                )
                for rectification, (_selection, _day, plan) in zip(made, rectifications, strict=True)
                for kind, post, department, since in plan["remedies"]
            ],
            batch_size=2000,
        )
        notes = RectificationNote.objects.bulk_create(
            [
                RectificationNote(rectification=rectification, written_on=written, text=text, recorded_by=bureau)
                for rectification, (_selection, _day, plan) in zip(made, rectifications, strict=True)
                for written, text in plan["notes"]
            ],
            batch_size=2000,
        )
        self.writer.counts["rectifications"] += len(made)
        self.writer.counts["remedies"] += len(remedies)
        self.writer.counts["rectification_notes"] += len(notes)


def activity_reset(*, keep_organisation_ids=()) -> dict:
    """Delete the generated activity (the benchmark's clean slate), keeping the records of the given
    organisations (the demo branch's own, written through the services). Plain DELETEs: a
    million-member zone's attendance is not loaded into memory to be deleted."""
    keep = [int(pk) for pk in keep_organisation_ids]
    deleted = {}
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    kept = f" AND organisation_id NOT IN ({', '.join(map(str, keep))})" if keep else ""
    statements = [
        (
            "attendance",
            f"DELETE FROM {table(Attendance)} WHERE meeting_id IN (SELECT id FROM {table(Meeting)} WHERE 1=1{kept})",
        ),
        ("meetings", f"DELETE FROM {table(Meeting)} WHERE 1=1{kept}"),
        ("training", f"DELETE FROM {table(TrainingRecord)} WHERE 1=1{kept}"),
        ("talks", f"DELETE FROM {table(Talk)} WHERE 1=1{kept}"),
        (
            "evaluation_results",
            f"DELETE FROM {table(EvaluationResult)} WHERE evaluation_id IN "
            f"(SELECT id FROM {table(Evaluation)} WHERE 1=1{kept})",
        ),
        ("evaluations", f"DELETE FROM {table(Evaluation)} WHERE 1=1{kept}"),
        ("leadership_days", f"DELETE FROM {table(LeadershipDays)} WHERE 1=1{kept}"),
        ("pledges", f"DELETE FROM {table(IntegrityPledge)} WHERE 1=1{kept}"),
        (
            "venue_checks",
            f"DELETE FROM {table(VenueCheck)} WHERE venue_id IN "
            f"(SELECT id FROM {table(Venue)} WHERE 1=1{kept}) AND venue_id NOT IN "
            f"(SELECT venue_id FROM {quote('assessments_venueinspection')})",
        ),
        (
            "venues",
            f"DELETE FROM {table(Venue)} WHERE 1=1{kept} AND id NOT IN "
            f"(SELECT venue_id FROM {quote('assessments_venueinspection')})",
        ),
        (
            "matter_steps",
            f"DELETE FROM {table(MatterStep)} WHERE matter_id IN (SELECT id FROM {table(VillageMatter)} WHERE 1=1{kept})",
        ),
        ("village_matters", f"DELETE FROM {table(VillageMatter)} WHERE 1=1{kept}"),
        ("reports", f"DELETE FROM {table(AnnualReport)} WHERE 1=1{kept}"),
        ("congress_sessions", f"DELETE FROM {table(CongressSession)} WHERE 1=1{kept}"),
        (
            "introducers",
            f"DELETE FROM {table(Candidate.introducers.through)} WHERE candidate_id IN "
            f"(SELECT id FROM {table(Candidate)} WHERE 1=1{kept})",
        ),
        ("candidates", f"DELETE FROM {table(Candidate)} WHERE 1=1{kept}"),
        *(
            (
                label,
                f"DELETE FROM {table(model)} WHERE rectification_id IN (SELECT id FROM {table(Rectification)} "
                f"WHERE selection_id IN (SELECT id FROM {table(WeakSelection)} WHERE 1=1{kept}))",
            )
            for label, model in (("rectification_notes", RectificationNote), ("remedies", RectificationRemedy))
        ),
        (
            "rectifications",
            f"DELETE FROM {table(Rectification)} WHERE selection_id IN "
            f"(SELECT id FROM {table(WeakSelection)} WHERE 1=1{kept})",
        ),
        ("weak_selections", f"DELETE FROM {table(WeakSelection)} WHERE 1=1{kept}"),
        ("services", f"DELETE FROM {table(CommunityService)}"),
        ("registrations", f"DELETE FROM {table(CommunityRegistration)}"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for label, sql in statements:
            cursor.execute(sql)
            deleted[label] = cursor.rowcount
    return deleted
