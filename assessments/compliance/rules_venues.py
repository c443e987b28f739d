"""Venues: Q-VENUE-SIXHAVE (六有 venues of villages and communities), Q-VENUE-NONPUBLIC (a venue of
their own for non-public and social organisations with a party committee or general branch), and from
the catalogue's second edition Q-SERVICE-STATION (a 便民服务站 in every village and community) and
Q-DEPUTY-STUDIO (a 党代表工作室 in every town and street, a 党员中心户 in every village and community).

Both are states on the day counted, checked any time with the year as the period. A venue counts
as the page counts it (`venues_below_standard`): a party members' activity venue recorded for the
organisation or anything below it, in use by the day counted; it meets the six standards when
each of them is checked as met."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from assessments.enums import SixStandard, VenueKind
from assessments.models import Venue, VenueCheck
from assessments.norms import venue_deadline
from branches.enums import TOWN_SECTORS, OrganisationKind, Sector
from branches.models import Organisation

PLACE_SECTORS = (Sector.VILLAGE, Sector.COMMUNITY)
NON_PUBLIC_SECTORS = (Sector.NON_PUBLIC, Sector.SOCIAL_ORGANISATION)
NON_PUBLIC_KINDS = (OrganisationKind.PARTY_COMMITTEE, OrganisationKind.GENERAL_BRANCH)


def parent_path(path: str) -> str:
    return path[: -Organisation.steplen]


def ancestor_paths(path: str):
    """The path and every path above it."""
    step = Organisation.steplen
    return (path[:n] for n in range(len(path), 0, -step))


def place_tops(context: RunContext, sectors=PLACE_SECTORS) -> dict[str, int]:
    """The top organisation of each village and community (or town, with `sectors`): active, of that
    sector, and not under an active organisation of the same sector (path -> pk; one query)."""
    rows = active_organisations(context, sector__in=sectors).order_by().values_list("pk", "path", "sector")
    sector_of = {path: sector for _pk, path, sector in rows}
    return {path: pk for pk, path, sector in rows if sector_of.get(parent_path(path)) != sector}


def venues_held(context: RunContext, kind: str, tops: dict[str, int]) -> dict[str, int]:
    """Venues of a kind in use on the day counted, by the top (path) they stand in: its own or below it."""
    venues = (
        Venue.objects.filter(_in_use(context), kind=kind)
        .values_list("organisation__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = defaultdict(int)
    for path, n in venues:
        for above in ancestor_paths(path):
            if above in tops:
                counts[above] += n
    return counts


def _held_checks(context: RunContext, kind: str, tops: dict[str, int], aspect: str = "") -> list[Check]:
    counts, period = venues_held(context, kind, tops), str(context.year)
    return [
        Check(pk, None, period, Decimal(counts[path]), Decimal(1), counts[path] >= 1, context.last_day, aspect)
        for path, pk in sorted(tops.items())
    ]


def _in_use(context: RunContext, prefix: str = "") -> Q:
    """Venues in use on the day counted (a venue without an opening day has always been)."""
    return Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": context.as_of})


@rule(
    clause="Q-VENUE-SIXHAVE",
    title=_("Six-standard venues of villages and communities"),
    sentence="按照有场所、有设施、有标志、有党旗、有书报、有制度的“六有”标准,继续推进基层组织办公活动场所建设。"
    "通过三年左右的努力,实现村(社区)组织未达标的活动服务场所动态“清零”。",
    parameters=("venue.six_standard_deadline",),
    applies_to=_("The top party organisation of each village and community"),
    measures=_(
        "The most of the six standards met by one activity venue of its own (its own or below it) on the day "
        "counted; until the deadline (the end of its year) passes, a sub-standard venue is progress toward it, "
        "not a finding; after it, a finding at the end of each year"
    ),
    evidence_url="assessments:venues",
    fix_url="assessments:venue_create",
)
def venue_six_standards(context: RunContext):
    """Q-VENUE-SIXHAVE: "通过三年左右的努力……动态清零": the opinion gives the villages and communities
    until the deadline (a parameter, the end of 2017) to clear their sub-standard venues. Before it
    has passed, a village without a standard venue is on its way (passed here, so no finding and no
    points off the weak-organisation score; the venues page shows it as progress); a year whose day
    counted is after the deadline judges the state: below standard is a finding, due at the year's end."""
    tops = place_tops(context)
    met = (
        VenueCheck.objects.filter(_in_use(context, "venue__"), is_met=True, venue__kind=VenueKind.ACTIVITY_VENUE)
        .values_list("venue_id", "venue__organisation__path")
        .annotate(n=Count("standard", distinct=True))
        .order_by()
    )
    best = defaultdict(int)
    for _venue, path, n in met:
        for above in ancestor_paths(path):
            if above in tops:  # every village or community the venue stands in (the page's rule)
                best[above] = max(best[above], n)
    deadline = venue_deadline(context.values)
    # Only once the deadline has passed (the year of the deadline itself: once it is over) is below standard late.
    late = context.today > deadline and context.as_of >= deadline
    due = max(deadline, context.last_day) if late else deadline
    required, period = len(SixStandard), str(context.year)
    return [
        Check(pk, None, period, Decimal(best[path]), Decimal(required), best[path] >= required or not late, due)
        for path, pk in sorted(tops.items())
    ]


@rule(
    clause="Q-VENUE-NONPUBLIC",
    title=_("A venue of their own for non-public and social organisations"),
    sentence="推动设党委和总支部的非公有制经济组织、社会组织全部建立单独的活动阵地",
    parameters=(),
    applies_to=_("Party committees and general branches of non-public enterprises and social organisations"),
    measures=_("Activity venues on record for the organisation or below it, in use on the day counted: at least one"),
    evidence_url="assessments:venues",
    fix_url="assessments:venue_create",
)
def venue_non_public(context: RunContext):
    """Q-VENUE-NONPUBLIC: a state checked any time."""
    held = dict(
        active_organisations(context, sector__in=NON_PUBLIC_SECTORS, kind__in=NON_PUBLIC_KINDS)
        .order_by()
        .values_list("path", "pk")
    )
    venues = (
        Venue.objects.filter(_in_use(context), kind=VenueKind.ACTIVITY_VENUE)
        .values_list("organisation__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = defaultdict(int)
    for path, n in venues:
        for above in ancestor_paths(path):
            if above in held:
                counts[above] += n
    period = str(context.year)
    return [
        Check(pk, None, period, Decimal(counts[path]), Decimal(1), counts[path] >= 1, context.last_day)
        for path, pk in sorted(held.items())
    ]


@rule(
    clause="Q-SERVICE-STATION",
    title=_("A convenience service station in every village and community"),
    sentence="村(社区)普遍建立便民服务站(点),为群众提供综合性、一站式服务",
    parameters=(),
    applies_to=_("The top party organisation of each village and community"),
    measures=_(
        "Convenience service stations on record for the village or community (its own or below it), in use on the "
        "day counted: at least one"
    ),
    evidence_url="assessments:venues",
    fix_url="assessments:venue_create",
)
def service_station(context: RunContext):
    """Q-SERVICE-STATION: a state checked any time, read from the venue record (kind 便民服务站)."""
    return _held_checks(context, VenueKind.CONVENIENCE_STATION, place_tops(context))


@rule(
    clause="Q-DEPUTY-STUDIO",
    title=_("Congress-deputy offices and member household posts"),
    sentence="在乡镇(街道)推动建立党代表工作室,在村(社区)建立党员中心户,为党代表和先进党员联系服务群众提供长期固定的场所和载体。",
    parameters=(),
    applies_to=_(
        "The top party organisation of each town and street (congress-deputy office); of each village and "
        "community (member household post)"
    ),
    measures=_(
        "Congress-deputy offices (towns and streets) or member household posts (villages and communities) on record "
        "for the organisation or below it, in use on the day counted: at least one"
    ),
    evidence_url="assessments:venues",
    fix_url="assessments:venue_create",
)
def deputy_studio(context: RunContext):
    """Q-DEPUTY-STUDIO: states checked any time, read from the venue record; the kind is the aspect."""
    towns = place_tops(context, TOWN_SECTORS)
    return _held_checks(context, VenueKind.DEPUTY_OFFICE, towns, VenueKind.DEPUTY_OFFICE) + _held_checks(
        context, VenueKind.MEMBER_HOUSEHOLD, place_tops(context), VenueKind.MEMBER_HOUSEHOLD
    )
