"""The demo zone: a realistic, deterministic high-tech zone built with bulk inserts.

`demo_zone_build(seed=…, members=…)` lays out the work committee; towns and streets with their
villages and communities; agencies and public institutions; state-owned enterprises; non-public
enterprises in liaison groups and incubators; social organisations; schools; branches and party
groups under them; members; posts; and one demo account per role. The shape scales with the
number of members (about one organisation per 20 members), so the benchmarks can build 50,000
organisations and 1,000,000 members the same way. The tree's materialised paths are computed here
and written in bulk, never one save per node.
"""

import dataclasses
import datetime
import math
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Case, F, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from assessments import selectors
from assessments import services as assessments
from assessments.enums import AttendanceStatus, Grade, MeetingKind, SixStandard, VenueKind
from assessments.models import ComplianceRun
from branches.enums import TOWN_SECTORS, Formation, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from core.bulkload import rows_copy
from core.enums import Role
from core.idcard import id_make
from core.models import User
from core.policy import PARAMETERS
from core.scoping import subtree
from devtools.demo_mobile import mobile_demo, mobile_demo_branch
from members.enums import Education, Gender, LifeStatus, MemberCategory, MemberStatus
from members.models import Member, Membership
from members.pinyin import SURNAME_READINGS, name_pinyin
from members.selectors import branch_members_on
from members.services import member_counts_refresh

DEMO_PASSWORD = "Demo@2015"
# The leadership teams took office around the opinion (2015), so every rule checks real people in
# every year since; their holders joined before mid-2013 and were full members by then.
TEAMS_SINCE = datetime.date(2015, 1, 1)
HOLDERS_JOINED_BEFORE = datetime.date(2013, 7, 1)
# Committees are elected again (换届) in 2020 or 2021; in some the secretary hands over then.
HANDOVER_YEARS = (2020, 2021)
HANDOVER_RATE = 0.4
DEFAULT_MEMBERS = 15_000
MEMBERS_PER_SCALE = 15_000
BATCH = 5_000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华志强文斌海燕晓东春梅新宇子涵浩然欣怡思远嘉怡雨辰一鸣宏伟立新国庆建国爱民"
# Streets (街道) and towns (镇): the default zone has five streets and one town (莲花镇), so both sectors
# (and Q-TOWN-CONGRESS, the towns' only) have records.
TOWN_NAMES = [
    "麓谷街道",
    "东方红街道",
    "雷锋街道",
    "岳麓街道",
    "含浦街道",
    "莲花镇",
    "白马街道",
    "坪塘街道",
    "雨敞坪镇",
]


def town_sector(name: str) -> str:
    """S-SECTOR: a 街道 is a street, a 镇 a town."""
    return Sector.STREET if "街道" in name else Sector.TOWN


AREA_CODES = ["430104", "430111", "430112", "430121", "430124", "430181", "430202", "430302", "430502", "430602"]
INDUSTRIES = ["软件", "电子", "生物医药", "新材料", "智能制造", "新能源", "检测", "文化创意", "电商", "环保"]

# Average members per member-holding organisation, by sector (realistic densities).
MEMBER_WEIGHT = {
    Sector.VILLAGE: 30,
    Sector.COMMUNITY: 35,
    Sector.TOWN: 18,
    Sector.AGENCY: 25,
    Sector.PUBLIC_INSTITUTION: 20,
    Sector.SOE: 30,
    Sector.NON_PUBLIC: 7,
    Sector.INCUBATOR: 6,
    Sector.SOCIAL_ORGANISATION: 6,
    Sector.SCHOOL: 25,
}


@dataclasses.dataclass
class _Node:
    path: str
    depth: int
    fields: dict
    numchild: int = 0
    pk: int | None = None
    first_members: list = dataclasses.field(default_factory=list)
    holder_nodes: list = dataclasses.field(default_factory=list)


class _ZoneLayout:
    """Plans the tree in memory: nodes in creation order with their materialised paths."""

    def __init__(self, rng: random.Random, scale: float):
        self.rng = rng
        self.scale = scale
        self.nodes: list[_Node] = []
        self.counter = 0

    def count(self, base: float) -> int:
        return max(1, round(base * self.scale))

    def add(self, parent: _Node | None, **fields) -> _Node:
        self.counter += 1
        fields.setdefault("code", f"GX{self.counter:07d}")
        if parent is None:
            path, depth = Organisation._get_path(None, 1, 1 + sum(1 for n in self.nodes if n.depth == 1)), 1
        else:
            parent.numchild += 1
            path, depth = Organisation._get_path(parent.path, parent.depth + 1, parent.numchild), parent.depth + 1
        node = _Node(path=path, depth=depth, fields=fields)
        self.nodes.append(node)
        return node

    def branches_under(self, parent, *, sector, prefix, n, groups=False, **extra):
        made = []
        for i in range(1, n + 1):
            branch = self.add(parent, name=f"{prefix}第{i}党支部", kind=OrganisationKind.BRANCH, sector=sector, **extra)
            made.append(branch)
            if groups and self.rng.random() < 0.3:
                for g in range(1, 3):
                    self.add(
                        branch, name=f"{prefix}第{i}党支部第{g}党小组", kind=OrganisationKind.PARTY_GROUP, sector=sector
                    )
        return made

    def build(self) -> None:
        rng = self.rng
        root = self.add(None, name="中共长沙高新区工作委员会", kind=OrganisationKind.WORK_COMMITTEE)
        self.root = root
        self.towns = []
        for t in range(self.count(6)):
            town_name = TOWN_NAMES[t % len(TOWN_NAMES)] + (
                "" if t < len(TOWN_NAMES) else f"{t // len(TOWN_NAMES) + 1}区"
            )
            sector = town_sector(town_name)
            town = self.add(
                root,
                name=f"中共{town_name}工作委员会" if sector == Sector.STREET else f"中共{town_name}委员会",
                kind=OrganisationKind.PARTY_COMMITTEE,
                sector=sector,
                unit_name=town_name,
                staff_count=rng.randint(60, 160),
                cadre_count=rng.randint(40, 120),
            )
            self.towns.append(town)
            self.branches_under(town, sector=sector, prefix=f"{town_name}机关", n=2)
            for v in range(1, 6):
                village = f"{town_name[:2]}{'东南西北中'[v - 1]}村"
                if rng.random() < 0.7:
                    top = self.add(
                        town,
                        name=f"中共{village}总支部委员会",
                        kind=OrganisationKind.GENERAL_BRANCH,
                        sector=Sector.VILLAGE,
                        unit_name=village,
                    )
                    self.branches_under(top, sector=Sector.VILLAGE, prefix=village, n=rng.randint(2, 4), groups=True)
                else:
                    self.add(
                        town,
                        name=f"中共{village}支部委员会",
                        kind=OrganisationKind.BRANCH,
                        sector=Sector.VILLAGE,
                        unit_name=village,
                    )
            for c in range(1, 5):
                community = f"{town_name[:2]}{'新和顺康'[c - 1]}社区"
                top = self.add(
                    town,
                    name=f"中共{community}委员会",
                    kind=OrganisationKind.PARTY_COMMITTEE,
                    sector=Sector.COMMUNITY,
                    unit_name=community,
                )
                self.branches_under(top, sector=Sector.COMMUNITY, prefix=community, n=rng.randint(3, 5), groups=True)

        agencies = self.add(
            root, name="中共长沙高新区机关委员会", kind=OrganisationKind.PARTY_COMMITTEE, sector=Sector.AGENCY
        )
        for a in range(1, self.count(15) + 1):
            self.add(
                agencies,
                name=f"高新区机关第{a}党支部",
                kind=OrganisationKind.BRANCH,
                sector=Sector.AGENCY,
                unit_name=f"高新区管委会第{a}部门",
                staff_count=(staff := rng.randint(15, 80)),
                cadre_count=staff - rng.randint(0, 10),
                wage_bill=Decimal(staff * rng.randint(90, 160)) * 1000,
            )
        institutions = self.add(
            root,
            name="中共长沙高新区直属事业单位委员会",
            kind=OrganisationKind.PARTY_COMMITTEE,
            sector=Sector.PUBLIC_INSTITUTION,
        )
        for p in range(1, self.count(8) + 1):
            self.add(
                institutions,
                name=f"高新区直属事业单位第{p}党支部",
                kind=OrganisationKind.BRANCH,
                sector=Sector.PUBLIC_INSTITUTION,
                unit_name=f"高新区第{p}服务中心",
                staff_count=(staff := rng.randint(10, 60)),
                wage_bill=Decimal(staff * rng.randint(80, 130)) * 1000,
            )
        for s in range(1, self.count(4) + 1):
            employees = rng.randint(300, 3000)
            soe = self.add(
                root,
                name=f"中共长沙高新区第{s}国有投资集团委员会",
                kind=OrganisationKind.PARTY_COMMITTEE,
                sector=Sector.SOE,
                unit_name=f"高新区第{s}国有投资集团",
                employee_count=employees,
                standard_wage_bill=Decimal(employees * rng.randint(90, 150)) * 1000,
                is_large_enterprise=True,
            )
            self.branches_under(soe, sector=Sector.SOE, prefix=f"第{s}国投集团", n=rng.randint(3, 6), groups=True)

        enterprise_no = 0

        def enterprise(parent, formation=Formation.STANDALONE):
            nonlocal enterprise_no
            enterprise_no += 1
            industry = INDUSTRIES[enterprise_no % len(INDUSTRIES)]
            unit = f"长沙{SURNAMES[enterprise_no % len(SURNAMES)]}{industry}科技有限公司{enterprise_no}"
            employees = rng.randint(20, 400)
            figures = dict(
                sector=Sector.NON_PUBLIC,
                formation=formation,
                unit_name=unit,
                employee_count=employees,
                wage_bill=Decimal(employees * rng.randint(60, 150)) * 1000,
            )
            if rng.random() < 0.08:
                figures.update(
                    employee_count=employees * 10,
                    is_large_enterprise=True,
                    main_investor_is_secretary=rng.random() < 0.5,
                )
                top = self.add(
                    parent,
                    name=f"中共{unit}委员会",
                    kind=OrganisationKind.PARTY_COMMITTEE
                    if parent.fields["kind"] != OrganisationKind.LIAISON_GROUP
                    else OrganisationKind.GENERAL_BRANCH,
                    **figures,
                )
                self.branches_under(top, sector=Sector.NON_PUBLIC, prefix=unit, n=rng.randint(2, 4))
            elif rng.random() < 0.1:
                self.add(
                    parent,
                    name=f"{unit}等联合党支部",
                    kind=OrganisationKind.JOINT_BRANCH,
                    **{**figures, "formation": Formation.REGIONAL_JOINT},
                )
            else:
                self.add(parent, name=f"中共{unit}支部委员会", kind=OrganisationKind.BRANCH, **figures)

        for g in range(1, self.count(10) + 1):
            group = self.add(
                root, name=f"高新区非公党建第{g}联组", kind=OrganisationKind.LIAISON_GROUP, sector=Sector.NON_PUBLIC
            )
            for _ in range(24):
                enterprise(group)
        for i in range(1, self.count(3) + 1):
            incubator = self.add(
                root,
                name=f"中共长沙高新区第{i}创业孵化基地委员会",
                kind=OrganisationKind.PARTY_COMMITTEE,
                sector=Sector.INCUBATOR,
                unit_name=f"第{i}创业孵化基地",
            )
            for _ in range(20):
                enterprise(incubator)
        social = self.add(
            root,
            name="中共长沙高新区社会组织综合委员会",
            kind=OrganisationKind.PARTY_COMMITTEE,
            sector=Sector.SOCIAL_ORGANISATION,
        )
        for o in range(1, self.count(5) + 1):
            self.add(
                social,
                name=f"高新区{INDUSTRIES[o % len(INDUSTRIES)]}行业协会联合党支部{o}",
                kind=OrganisationKind.JOINT_BRANCH,
                sector=Sector.SOCIAL_ORGANISATION,
                formation=Formation.INDUSTRY_WIDE,
            )
        for k in range(1, self.count(6) + 1):
            school = self.add(
                root,
                name=f"中共高新区第{k}学校总支部委员会",
                kind=OrganisationKind.GENERAL_BRANCH,
                sector=Sector.SCHOOL,
                unit_name=f"高新区第{k}学校",
            )
            self.branches_under(school, sector=Sector.SCHOOL, prefix=f"第{k}学校", n=rng.randint(2, 3), groups=True)


def _member_rows(rng, holders, total, today):
    """Yield member rows (the MEMBER_COLUMNS) for `total` members spread over holders by sector weight."""
    weights = [MEMBER_WEIGHT.get(node.fields.get("sector"), 10) for node in holders]
    weight_sum = sum(weights)
    adapt_date = connection.ops.adapt_datefield_value
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    used_ids = set()
    emitted = 0
    carry = 0.0
    year_ago = today - datetime.timedelta(days=365)
    random, randint, choice = rng.random, rng.randint, rng.choice
    # The demo's names are built from single characters: their readings are looked up once.
    char_pinyin = {c: name_pinyin(c)[0] for c in set(GIVEN)}
    char_pinyin.update({c: SURNAME_READINGS.get(c, name_pinyin(c)[0]) for c in set(SURNAMES)})
    for index, (node, weight) in enumerate(zip(holders, weights, strict=True)):
        share = total * weight / weight_sum + carry
        n = int(share) if index < len(holders) - 1 else total - emitted
        carry = share - n
        unit = node.fields.get("unit_name", "")
        for _ in range(n):
            male = random() < 0.62
            age_days = randint(20 * 365, 85 * 365)
            born = today - datetime.timedelta(days=age_days)
            while True:
                number = id_make(area=choice(AREA_CODES), born=born, sequence=randint(0, 499), male=male)
                if number not in used_ids:
                    used_ids.add(number)
                    break
            joined = born + datetime.timedelta(days=randint(18 * 365 + 5, max(18 * 365 + 6, age_days - 30)))
            chars = [choice(SURNAMES), choice(GIVEN)] + ([choice(GIVEN)] if random() < 0.5 else [])
            syllables = [char_pinyin[c] for c in chars]
            probationary = joined > year_ago
            yield (
                "".join(chars),
                "".join(syllables),
                "".join(p[0] for p in syllables),
                number,
                number[-6:][::-1],
                Gender.MALE if male else Gender.FEMALE,
                "01" if random() < 0.93 else choice(MINORITY_CODES),
                adapt_date(born),
                choice(EDUCATIONS),
                node.pk,
                MemberCategory.PROBATIONARY if probationary else MemberCategory.FULL,
                MemberStatus.ACTIVE,
                adapt_date(joined),
                # Full membership a year or a little more after joining, never after today (a roster
                # exported and imported again must pass the import's own checks; issue 17).
                None
                if probationary
                else adapt_date(min(joined + datetime.timedelta(days=365 + randint(0, 30)), today)),
                adapt_date(joined + datetime.timedelta(days=365)) if probationary else None,
                f"1{choice('3456789')}{randint(0, 999_999_999):09d}",
                LifeStatus.RETIRED if age_days > 60 * 365 else LifeStatus.IN_SERVICE,
                unit,
                "",
                "长沙市岳麓区",
                "长沙市岳麓区麓谷街道",
                random() < 0.01,
                random() < 0.001,
                random() < 0.02,
                stamp,
                stamp,
            )
        emitted += n


MEMBER_COLUMNS = [
    "name",
    "name_pinyin",
    "name_initials",
    "id_number",
    "id_tail_reversed",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "organisation_id",
    "category",
    "status",
    "joined_on",
    "full_member_on",
    "probation_ends_on",
    "phone",
    "life_status",
    "work_unit",
    "job_title",
    "household_registration",
    "residence",
    "has_district_honours",
    "disabled_or_killed_bravely",
    "in_hardship",
    "created_at",
    "updated_at",
]
MINORITY_CODES = [f"{n:02d}" for n in range(2, 57)]
EDUCATIONS = [e.value for e in Education]


def _memberships_open() -> None:
    """Each demo member belongs to their organisation "since before the records"; one INSERT … SELECT."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Membership._meta.db_table)} (member_id, organisation_id) "
            f"SELECT id, organisation_id FROM {quote(Member._meta.db_table)}"
        )


def _first_members_by_organisation(limit: int = 8) -> tuple[dict[int, list[int]], dict[int, datetime.date]]:
    """The first members of every organisation for the demo posts (those who joined before
    HOLDERS_JOINED_BEFORE first, then by id) and the day each joined; one windowed query."""
    later = Case(When(joined_on__lt=HOLDERS_JOINED_BEFORE, then=Value(0)), default=Value(1))
    ranked = Member.objects.annotate(
        rank=Window(RowNumber(), partition_by=[F("organisation_id")], order_by=[later.asc(), F("pk").asc()])
    ).filter(rank__lte=limit)
    first: dict[int, list[int]] = {}
    joined: dict[int, datetime.date] = {}
    rows = ranked.order_by("organisation_id", "rank").values_list("organisation_id", "pk", "joined_on")
    for organisation_id, pk, joined_on in rows:
        first.setdefault(organisation_id, []).append(pk)
        joined[pk] = joined_on
    return first, joined


def _posts(rng, layout, today, joined):
    """Posts: secretaries and committees, town leads and party-affairs staff, reserve cadres, political workers."""
    posts = []
    # The teams took office in the half year before 2015 began, so every year since has secretaries and
    # committees (and the generated activity of devtools/demo_activity.py people to check); the few
    # organisations whose members all joined later have them from the day after the holder joined.
    since = TEAMS_SINCE - datetime.timedelta(days=rng.randint(0, 180))
    day = datetime.timedelta(days=1)

    def post(node, member_pk, kind, full_time=False):
        if member_pk is not None:
            started = max(since, joined[member_pk] + day)
            posts.append(
                Post(
                    organisation_id=node.pk, member_id=member_pk, kind=kind, is_full_time=full_time, started_on=started
                )
            )
            if kind == PostKind.SECRETARY:
                successor = pick(node, 7)
                _handover(node, posts[-1], successor, successor and joined[successor], posts)

    def pick(node, i):
        pool = node.first_members or [m for h in node.holder_nodes for m in h.first_members]
        return pool[i] if len(pool) > i else None

    for node in layout.nodes:
        kind, sector = node.fields["kind"], node.fields.get("sector")
        if kind == OrganisationKind.WORK_COMMITTEE:
            # The work committee's leadership team (Q-RESEARCH-WORKCOMMITTEE, Q-INTEGRITY-PLEDGE); no draws, so
            # the rest of the zone is the same as before it had one.
            for i, leader in enumerate(
                (
                    PostKind.SECRETARY,
                    PostKind.DEPUTY_SECRETARY,
                    PostKind.COMMITTEE_MEMBER,
                    PostKind.COMMITTEE_MEMBER,
                    PostKind.DISCIPLINE_MEMBER,
                )
            ):
                post(node, pick(node, i), leader)
            continue
        if kind in (OrganisationKind.LIAISON_GROUP, OrganisationKind.PARTY_GROUP):
            continue
        post(node, pick(node, 0), PostKind.SECRETARY)
        organiser = rng.random() < 0.8
        if organiser:
            post(node, pick(node, 1), PostKind.ORGANISATION_MEMBER)
        if rng.random() < 0.5:
            post(node, pick(node, 2), PostKind.DEPUTY_SECRETARY)
        if sector in TOWN_SECTORS and kind == OrganisationKind.PARTY_COMMITTEE:
            if rng.random() < 0.85:
                # Q-TOWN-PARTY-LEAD: the lead is one of the committee's leadership team (班子成员).
                post(node, pick(node, 1 if organiser else 0), PostKind.PARTY_BUILDING_LEAD)
            for i in range(rng.randint(0, 2)):
                post(node, pick(node, 4 + i), PostKind.PARTY_AFFAIRS_STAFF, full_time=True)
        if sector in (Sector.VILLAGE, Sector.COMMUNITY) and node.depth == 3:
            for i in range(rng.choice((0, 1, 2, 2, 3))):
                post(node, pick(node, 3 + i), PostKind.RESERVE_CADRE)
        if sector == Sector.SOE and kind == OrganisationKind.PARTY_COMMITTEE:
            for i in range(rng.randint(1, 4)):
                post(node, pick(node, 3 + i), PostKind.POLITICAL_WORKER, full_time=True)
    _staff_posts(layout, post, pick)
    return posts


def _handover(node, secretary: Post, successor_pk, successor_joined, posts: list) -> None:
    """At the re-election (换届) of HANDOVER_YEARS, some secretaries hand over to a member who held no
    post: the old post ends the day before, the new one starts on the day. Drawn apart from the zone's
    generator, so everything else stays as the seed made it."""
    term = random.Random(f"term:{node.path}")
    if successor_pk is None or term.random() >= HANDOVER_RATE:
        return
    elected = datetime.date(term.choice(HANDOVER_YEARS), term.randint(3, 11), term.randint(1, 28))
    if not secretary.started_on < elected > successor_joined:
        return
    secretary.ended_on = elected - datetime.timedelta(days=1)
    posts.append(Post(organisation_id=node.pk, member_id=successor_pk, kind=PostKind.SECRETARY, started_on=elected))


def _staff_posts(layout, post, pick) -> None:
    """Party-affairs staff of most agencies and political workers of most state-owned enterprises up to
    the staff ratios (Q-AGENCY-STAFF-RATIO, Q-SOE-STAFF-RATIO), drawn apart from the zone's generator so
    everything else stays as the seed made it."""

    soe_rate = PARAMETERS["staff_ratio.soe"].default
    branches = defaultdict(list)  # an enterprise's committee (below the work committee) -> the branches under it
    for node in layout.nodes:
        if node.fields.get("sector") == Sector.SOE and node.first_members:
            branches[node.path[: 2 * Organisation.steplen]].append(node)
    for node in layout.nodes:
        kind, sector, fields = node.fields["kind"], node.fields.get("sector"), node.fields
        if sector not in (Sector.AGENCY, Sector.SOE):
            continue
        staffing = random.Random(f"staff:{node.path}")
        agency = sector == Sector.AGENCY and kind == OrganisationKind.BRANCH and fields.get("cadre_count")
        if agency and staffing.random() < 0.85:
            post(node, pick(node, 3), PostKind.PARTY_AFFAIRS_STAFF, full_time=staffing.random() < 0.5)
        if sector == Sector.SOE and kind == OrganisationKind.PARTY_COMMITTEE and staffing.random() < 0.75:
            # Political workers count anywhere in the enterprise: its branches' members beyond their committees.
            needed = math.ceil(soe_rate * fields.get("employee_count", 0))
            below = [(h, m) for h in branches.get(node.path, ()) for m in h.first_members[3:]]
            for holder, member in below[:needed]:
                post(holder, member, PostKind.POLITICAL_WORKER, full_time=True)


def demo_zone_exists() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def demo_zone_build(*, seed: int = 2015, members: int = DEFAULT_MEMBERS, progress=None) -> dict:
    """Build the demo zone into an empty database; returns counts and the demo logins."""
    if demo_zone_exists():
        raise RuntimeError("The database already holds organisations; use --reset to rebuild the demo zone.")
    rng = random.Random(seed)
    today = timezone.localdate()
    layout = _ZoneLayout(rng, max(1.0, members / MEMBERS_PER_SCALE))
    layout.build()
    say = progress or (lambda message: None)

    objects = [Organisation(path=n.path, depth=n.depth, numchild=n.numchild, **n.fields) for n in layout.nodes]
    for start in range(0, len(objects), BATCH):
        Organisation.objects.bulk_create(objects[start : start + BATCH])
    for node, obj in zip(layout.nodes, objects, strict=True):
        node.pk = obj.pk
    say(f"organisations: {len(objects)}")

    holders = [
        n
        for n in layout.nodes
        if n.fields["kind"] in (OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH, OrganisationKind.PARTY_GROUP)
    ]
    by_path = {n.path: n for n in layout.nodes}
    for holder in holders:
        # Committees pick their post holders from the member-holding organisations below them.
        for cut in range(Organisation.steplen, len(holder.path), Organisation.steplen):
            ancestor = by_path[holder.path[:cut]]
            if len(ancestor.holder_nodes) < 3:
                ancestor.holder_nodes.append(holder)

    written = rows_copy(
        table=Member._meta.db_table, columns=MEMBER_COLUMNS, rows=_member_rows(rng, holders, members, today)
    )
    member_counts_refresh()
    _memberships_open()
    say(f"members: {written}")
    first, joined = _first_members_by_organisation()
    for node in holders:
        node.first_members = first.get(node.pk, [])

    posts = _posts(rng, layout, today, joined)
    Post.objects.bulk_create(posts, batch_size=BATCH)
    logins = _demo_accounts(layout)
    village = Organisation.objects.get(pk=_village_branch(layout).pk)
    _demo_assessments(organisation=village, today=today)
    enterprise = Organisation.objects.get(pk=_enterprise_branch(layout).pk)
    skip = set(Organisation.objects.filter(subtree(village)).values_list("pk", flat=True))
    mobile_counts = mobile_demo(seed=seed, today=today, skip_organisation_ids=skip)
    mobile_demo_branch(organisation=village, receiving=enterprise, today=today)
    say(f"mobile members: {mobile_counts}")
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, as autovacuum would give a table of this size.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "organisations": len(objects),
        "members": written,
        "posts": len(posts),
        "logins": logins,
        "mobile": mobile_counts,
    }


def _enterprise_branch(layout):
    return next(
        n
        for n in layout.nodes
        if n.fields.get("sector") == Sector.NON_PUBLIC and n.fields["kind"] == OrganisationKind.BRANCH
    )


def _village_branch(layout):
    return next(
        n
        for n in layout.nodes
        if n.fields.get("sector") == Sector.VILLAGE and n.fields["kind"] == OrganisationKind.BRANCH
    )


def _demo_assessments(*, organisation: Organisation, today: datetime.date) -> None:
    """The demo village branch (login branch1) keeps its records: a year and a half of meetings with
    attendance (its party groups' members at the branch's meetings, the committee at its committee
    meetings), a training class, talks, last year's evaluation and a venue short of two standards,
    so every assessments page has something to show. Written through the services, as a secretary would."""

    secretary = Post.objects.filter(organisation=organisation, kind=PostKind.SECRETARY).first()
    for year in (today.year - 1, today.year):
        people = list(branch_members_on(organisation=organisation, day=datetime.date(year, 1, 1)))
        if not people:
            return
        last_month = 12 if year < today.year else today.month - 1
        for month in range(1, last_month + 1):
            plan = [(MeetingKind.COMMITTEE, 5), (MeetingKind.THEMED_DAY, 15)]
            if month % 3 == 1:
                plan += [(MeetingKind.GENERAL, 20), (MeetingKind.LECTURE, 25)]
            for kind, day in plan:
                listed = people
                if kind == MeetingKind.COMMITTEE:  # the committee in post that day, nobody sitting in
                    listed = [
                        member
                        for member, _post in selectors.committee_on(
                            organisation=organisation, day=datetime.date(year, month, day)
                        )
                    ]
                    if not listed:
                        continue
                attendance = {  # by place on the roster, not by key: the same seed gives the same sheet
                    m.pk: (AttendanceStatus.PRESENT, "") if (i + month) % 9 else (AttendanceStatus.EXCUSED, "外出务工")
                    for i, m in enumerate(listed)
                }
                assessments.meeting_record(
                    organisation=organisation,
                    attendance=attendance,
                    data={
                        "kind": kind,
                        "held_on": datetime.date(year, month, day),
                        "place": "村党员活动室",
                        "topic": f"{month}月{MeetingKind(kind).label}",
                        "chaired_by": secretary.member if secretary else None,
                        "lecturer": secretary.member if secretary else None,
                        "lecturer_name": "" if secretary else "镇党委书记",
                        "study_hours": 2,
                    },
                )
        if last_month >= 3:
            assessments.training_batch_record(
                organisation=organisation,
                kind="course",
                title="党员冬训班",
                held_on=datetime.date(year, 3, 8),
                hours=16,
                member_ids=[m.pk for m in people],
            )
            assessments.talks_record(
                organisation=organisation,
                held_on=datetime.date(year, 3, 9),
                topic="思想和工作情况",
                member_ids=[m.pk for m in people[::2]],
                talker=secretary.member if secretary else None,
                talker_name="" if secretary else "支部书记",
            )
    last = today.year - 1
    people = list(branch_members_on(organisation=organisation, day=datetime.date(last, 12, 20)))
    grades = {f: Grade.QUALIFIED for f in ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")}
    assessments.evaluation_record(
        organisation=organisation,
        year=last,
        held_on=datetime.date(last, 12, 20),
        results={
            m.pk: {**grades, "grade": Grade.EXCELLENT if i < 3 else Grade.QUALIFIED} for i, m in enumerate(people)
        },
    )
    venue = assessments.venue_create(
        organisation=organisation,
        data={"kind": VenueKind.ACTIVITY_VENUE, "name": "村党员活动室", "address": "村部二楼"},
    )
    evidence = {
        SixStandard.PLACE: "村部二楼，80平方米",
        SixStandard.SIGN: "门口挂牌",
        SixStandard.FLAG: "正面墙悬挂党旗",
        SixStandard.RULES: "三会一课制度上墙",
    }
    assessments.venue_checks_record(
        venue=venue,
        checked_on=datetime.date(last, 6, 1),
        checks={s: (True, note, None) for s, note in evidence.items()},
    )


def _demo_accounts(layout) -> list[dict]:
    first_town = layout.towns[0]
    village_branch = _village_branch(layout)
    enterprise_branch = _enterprise_branch(layout)
    # An organisation's login is its recorded secretary (issue 12: the name on the screen is the one
    # on the organisation's page); the zone-wide accounts belong to no organisation's roster.
    secretaries = _secretary_names([first_town, village_branch, enterprise_branch])
    plan = [
        ("bureau", "组织人事局 李明", Role.BUREAU, None),
        ("auditor", "审计员 王芳", Role.AUDITOR, None),
        ("sysadmin", "系统管理员 赵刚", Role.SYSADMIN, None),
        # A role grant is confirmed by a second system administrator (issue 13, 三员分立).
        ("sysadmin2", "系统管理员 孙丽", Role.SYSADMIN, None),
        ("town1", "街道党工委书记", Role.ORG_ADMIN, first_town),
        ("branch1", "村支部书记", Role.ORG_ADMIN, village_branch),
        ("enterprise1", "企业支部书记", Role.ORG_ADMIN, enterprise_branch),
    ]
    logins = []
    # One hash for the shared demo password: hashing is deliberately slow.
    encoded = make_password(DEMO_PASSWORD)
    for username, title, role, node in plan:
        full_name = f"{title} {secretaries[node.pk]}" if node and node.pk in secretaries else title
        User.objects.create(
            username=username,
            first_name=full_name,
            role=role,
            organisation_id=node.pk if node else None,
            is_staff=role == Role.BUREAU,
            password=encoded,
        )
        logins.append(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "name": full_name,
                "role": str(Role(role).label),
                "organisation": node.fields["name"] if node else "",
            }
        )
    return logins


def _secretary_names(nodes) -> dict[int, str]:
    """Organisation id -> the name of its secretary in post (one query)."""
    posts = Post.objects.filter(
        organisation_id__in=[n.pk for n in nodes], kind=PostKind.SECRETARY, ended_on__isnull=True
    ).order_by("started_on", "pk")
    return dict(posts.values_list("organisation_id", "member__name"))


def _records_tables() -> list[str]:
    """Every table holding records about organisations or members (and the compliance runs), in
    the order they can be emptied: found from the foreign keys, so a new app's records go too."""
    from django.apps import apps

    roots = {Organisation, Member, ComplianceRun}
    found, changed = [ComplianceRun], True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in roots or model is User or model._meta.proxy or not model._meta.managed:
                continue
            if any(f.is_relation and f.related_model in roots for f in model._meta.concrete_fields):
                roots.add(model)
                found.append(model)
                changed = True
    return [model._meta.db_table for model in reversed(found)]


@transaction.atomic
def demo_zone_reset() -> None:
    """Remove every organisation, member, post and account and every record kept on them: meetings,
    activity, funds, findings and runs (demo databases only). Plain statements (TRUNCATE on
    PostgreSQL): a million members' records are not loaded into memory to be deleted."""
    quote = connection.ops.quote_name
    tables = _records_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # key checks pending in the transaction run first
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
    User.objects.all().delete()
    with connection.cursor() as cursor:
        for model in (Member, Organisation):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
