"""Posts an organisation must have filled (三.2(2), 三.2(3)): reserve cadres of villages and communities
(Q-RESERVE-CADRES), the deputy secretary of a large non-public enterprise (Q-DEPUTY-SECRETARY), the town
committee's party-building lead and full-time cadres (Q-TOWN-PARTY-LEAD), and the staff ratios of agencies
(Q-AGENCY-STAFF-RATIO) and state-owned enterprises (Q-SOE-STAFF-RATIO).

Each is a state on the day counted, so it is checked any time of the year (period: the year, due on
the day counted). A post counts when it is held that day by an active member in an active organisation,
and a person counts once however many such posts they hold. Where a unit is checked with its subtree,
posts anywhere under its organisation count (one query of the posts, matched to units by path prefix).
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from branches.enums import COMMITTEE_POSTS, TOWN_SECTORS, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from members.enums import MemberStatus

STEP = Organisation.steplen


def _held(context: RunContext, kind: str, **filters):
    """Posts of a kind held on the day counted by active members in active organisations."""
    return (
        Post.objects.active_on(context.as_of)
        .filter(kind=kind, member__status=MemberStatus.ACTIVE, organisation__in=active_organisations(context))
        .filter(**filters)
    )


def _holders_by_organisation(context: RunContext, kind: str, **filters) -> dict[int, set[int]]:
    """Holders of a kind of post on the day, per organisation (one query)."""
    holders = defaultdict(set)
    for organisation_id, member_id in _held(context, kind, **filters).values_list("organisation_id", "member_id"):
        holders[organisation_id].add(member_id)
    return holders


def _holders_in_subtrees(context: RunContext, kind: str, units: dict[str, int]) -> dict[int, set[int]]:
    """Holders of a kind of post on the day anywhere under each unit ({path: organisation id}), the
    unit's own organisation included (one query); a post under two nested units counts for both."""
    holders = defaultdict(set)
    for path, member_id in _held(context, kind).values_list("organisation__path", "member_id"):
        for end in range(STEP, len(path) + 1, STEP):
            unit = units.get(path[:end])
            if unit is not None:
                holders[unit].add(member_id)
    return holders


def _tops(rows: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    """Of (pk, path, group) rows, those whose parent is not in the same group: {path: pk}."""
    rows = list(rows)
    group_of = {path: group for _pk, path, group in rows}
    return {path: pk for pk, path, group in rows if group_of.get(path[:-STEP]) != group}


def _state(context: RunContext, organisation_id: int, measured: int, required: int, aspect: str = "") -> Check:
    return Check(
        organisation_id,
        None,
        str(context.year),
        Decimal(measured),
        Decimal(required),
        measured >= required,
        context.as_of,
        aspect,
    )


@rule(
    clause="Q-RESERVE-CADRES",
    title=_("Reserve cadres of villages and communities"),
    sentence="加强村(社区)后备干部队伍建设,每个村(社区)要有2名左右的后备干部",
    parameters=("reserve_cadres.minimum",),
    applies_to=_("Each village and community: its top organisation (one whose parent is not of the same sector)"),
    measures=_("Reserve cadres in post on the day anywhere in the village's or community's organisations"),
    evidence_url="branches:detail",
    fix_url="branches:post_create",
)
def reserve_cadres(context: RunContext):
    """Q-RESERVE-CADRES: "about 2" read as at least `reserve_cadres.minimum` people; a state, checked any time."""
    minimum = context.values.whole("reserve_cadres.minimum")
    tops = _tops(
        active_organisations(context, sector__in=(Sector.VILLAGE, Sector.COMMUNITY)).values_list("pk", "path", "sector")
    )
    holders = _holders_in_subtrees(context, PostKind.RESERVE_CADRE, tops)
    return [_state(context, pk, len(holders[pk]), minimum) for pk in tops.values()]


@rule(
    clause="Q-DEPUTY-SECRETARY",
    title=_("A deputy secretary where the main investor is the secretary"),
    sentence="对规模较大、党员人数较多的企业由主要出资人担任党组织书记的,应配备副书记",
    parameters=(),
    applies_to=_("Non-public organisations marked as a large enterprise whose main investor is the party secretary"),
    measures=_("Deputy secretaries of the organisation in post on the day"),
    evidence_url="branches:detail",
    fix_url="branches:post_create",
)
def deputy_secretary(context: RunContext):
    """Q-DEPUTY-SECRETARY: a deputy secretary in the organisation's own committee; a state, checked any time."""
    organisations = active_organisations(
        context, sector=Sector.NON_PUBLIC, is_large_enterprise=True, main_investor_is_secretary=True
    )
    holders = _holders_by_organisation(context, PostKind.DEPUTY_SECRETARY, organisation__in=organisations)
    return [_state(context, pk, len(holders[pk]), 1) for pk in organisations.values_list("pk", flat=True)]


@rule(
    clause="Q-TOWN-PARTY-LEAD",
    title=_("Party-building lead and full-time cadres of town committees"),
    sentence="乡镇(街道)党委(党工委)要明确1名班子成员重点抓党建,并配备不少于1名专职党务干部",
    parameters=("town.full_time_cadres",),
    applies_to=_("Each town (镇) or street (街道) party committee (the top one, below the work committee)"),
    measures=_(
        "On the day: a member of the committee's leadership team (a committee post there that day) named to lead "
        "party building (aspect lead), and the full-time party-affairs staff of the committee (aspect staff)"
    ),
    evidence_url="branches:detail",
    fix_url="branches:post_create",
)
def town_party_lead(context: RunContext):
    """Q-TOWN-PARTY-LEAD: two aspects of the town or street committee's own posts, "lead" (≥ 1 party-building
    lead who is a 班子成员: holds a committee post of the same committee on the day) and "staff"
    (≥ `town.full_time_cadres` full-time party-affairs staff); a state, checked any time."""
    minimum = context.values.whole("town.full_time_cadres")
    committees = active_organisations(context, sector__in=TOWN_SECTORS, kind=OrganisationKind.PARTY_COMMITTEE)
    tops = _tops((pk, path, "") for pk, path in committees.values_list("pk", "path"))
    named = _holders_by_organisation(context, PostKind.PARTY_BUILDING_LEAD, organisation__in=committees)
    team = defaultdict(set)
    for organisation_id, member_id in (
        Post.objects.active_on(context.as_of)
        .filter(kind__in=COMMITTEE_POSTS, member__status=MemberStatus.ACTIVE, organisation__in=committees)
        .values_list("organisation_id", "member_id")
    ):
        team[organisation_id].add(member_id)
    leads = {pk: members & team[pk] for pk, members in named.items()}
    staff = _holders_by_organisation(
        context, PostKind.PARTY_AFFAIRS_STAFF, organisation__in=committees, is_full_time=True
    )
    checks = []
    for pk in tops.values():
        checks.append(_state(context, pk, len(leads.get(pk, ())), 1, "lead"))
        checks.append(_state(context, pk, len(staff[pk]), minimum, "staff"))
    return checks


def _ratio_checks(context: RunContext, *, sector: str, size_field: str, key: str, kind: str, at_least: int):
    """Each unit of a sector with its size on record: holders of the post in its subtree ≥ the share of
    its size, rounded up (and at least `at_least`)."""
    rate = context.values[key]
    units = {}
    sizes = {}
    filters = {"sector": sector, f"{size_field}__isnull": False}
    for pk, path, size in active_organisations(context, **filters).values_list("pk", "path", size_field):
        units[path] = pk
        sizes[pk] = size
    holders = _holders_in_subtrees(context, kind, units)
    return [_state(context, pk, len(holders[pk]), max(at_least, math.ceil(rate * size))) for pk, size in sizes.items()]


def _units_without_size(context: RunContext, *, sector: str, size_field: str) -> dict[str, int]:
    """The units of a sector whose size is not on record ({path: pk}): each top organisation of a unit (its
    parent not of the same sector and unit) with no size, neither inside nor above an organisation that has
    one (an umbrella committee whose units carry their own sizes is no unit of its own)."""
    rows = list(
        active_organisations(context, sector=sector)
        .exclude(kind=OrganisationKind.PARTY_GROUP)
        .values_list("pk", "path", "unit_name", size_field)
    )
    units = {path: unit for _pk, path, unit, _size in rows}
    sized = [path for _pk, path, _unit, size in rows if size is not None]
    return {
        path: pk
        for pk, path, unit, size in rows
        if size is None
        and units.get(path[:-STEP]) != unit
        and not any(path.startswith(other) or other.startswith(path) for other in sized)
    }


@rule(
    clause="Q-AGENCY-STAFF-RATIO",
    title=_("Party-affairs staff of agencies"),
    sentence="机关要按照机关干部总数的1%配备党务工作人员",
    parameters=("staff_ratio.agency",),
    applies_to=_(
        "Agency organisations with a cadre count on record; an agency with none (neither it nor an organisation "
        "above or below it) is reported as unknown (aspect unknown) until its cadre count is recorded"
    ),
    measures=_(
        "Party-affairs staff in post on the day in the agency's organisations, against the share of its cadres, "
        "rounded up, at least 1"
    ),
    evidence_url="branches:detail",
    fix_url="branches:post_create",
)
def agency_staff_ratio(context: RunContext):
    """Q-AGENCY-STAFF-RATIO: ≥ ceil(staff_ratio.agency * cadres), at least 1; a state, checked any time.
    An agency unit without its cadre count cannot be judged: it is not skipped but reported with the aspect
    "unknown" (the staff in post against the floor of 1, never passed), so the count gets recorded."""
    checks = _ratio_checks(
        context,
        sector=Sector.AGENCY,
        size_field="cadre_count",
        key="staff_ratio.agency",
        kind=PostKind.PARTY_AFFAIRS_STAFF,
        at_least=1,
    )
    unknown = _units_without_size(context, sector=Sector.AGENCY, size_field="cadre_count")
    if unknown:
        holders = _holders_in_subtrees(context, PostKind.PARTY_AFFAIRS_STAFF, unknown)
        for pk in unknown.values():
            staff = Decimal(len(holders[pk]))
            checks.append(Check(pk, None, str(context.year), staff, Decimal(1), False, context.as_of, "unknown"))
    return checks


@rule(
    clause="Q-SOE-STAFF-RATIO",
    title=_("Political workers of state-owned enterprises"),
    sentence="国有企业要按照职工总数1%的比例配备政工人员",
    parameters=("staff_ratio.soe",),
    applies_to=_("State-owned enterprise organisations with an employee count on record"),
    measures=_(
        "Political workers in post on the day in the enterprise's organisations, against the share of its "
        "employees, rounded up"
    ),
    evidence_url="branches:detail",
    fix_url="branches:post_create",
)
def soe_staff_ratio(context: RunContext):
    """Q-SOE-STAFF-RATIO: ≥ ceil(staff_ratio.soe * employees); a state, checked any time."""
    return _ratio_checks(
        context,
        sector=Sector.SOE,
        size_field="employee_count",
        key="staff_ratio.soe",
        kind=PostKind.POLITICAL_WORKER,
        at_least=0,
    )
