"""Once-a-year reports: Q-TOWN-CONGRESS (乡镇党代会年会) and Q-ANNUAL-REPORT (专项述职).

Who gives the special report (`reports_annually`: towns, villages, communities, agencies, public
institutions and non-public liaison groups) is decided per unit, once, at its top organisation:

- a town or street: its party committee (sector town or street, kind party committee);
- a village or community: its top organisation (of that sector, not under an active organisation of
  the same sector), as for its venue (Q-VENUE-SIXHAVE) and its reserve cadres (Q-RESERVE-CADRES);
- an agency or public institution: each organisation with a unit (`unit_name`, as the activity
  funds count units), unless its parent is of the same sector and unit (the unit's branches report
  through its committee); one without a unit on record is not a unit;
- a non-public liaison group: the group itself.

The window (why not the calendar year): "每年" is a calendar year, and it is the year *reported on*,
one report for each calendar year's work. A 述职 reports on a year's work, so it follows the year's
end: the report on a year may be given that year or early the next (`annual_report_record`), and the
year is judged only after 31 March of the next year, never before. The rule's own words on the
rules page say the same (`measures`).

Q-TOWN-CONGRESS is the towns' only ("在乡镇推行党代会年会制", second edition: not streets): a session
counts for the calendar year it is held in (`congress_session_record` files it under that year), so
one held early the next year is the next year's, as the rule's words say."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from assessments.compliance.rules_venues import PLACE_SECTORS, parent_path
from assessments.models import AnnualReport, CongressSession
from branches.enums import TOWN_SECTORS, OrganisationKind, Sector

UNIT_SECTORS = (Sector.AGENCY, Sector.PUBLIC_INSTITUTION)
# The report on a year may still be given until this day of the next year.
REPORT_BY = (3, 31)


def town_committees(context: RunContext):
    """Q-TOWN-CONGRESS: the party committees of towns (乡镇), not of streets (街道)."""
    return active_organisations(context, sector=Sector.TOWN, kind=OrganisationKind.PARTY_COMMITTEE)


def reporting_organisations(context: RunContext) -> list[int]:
    """Q-ANNUAL-REPORT: the top organisation of each reporting unit (see the module docstring); one query."""
    rows = list(
        active_organisations(context)
        .filter(
            Q(sector__in=TOWN_SECTORS, kind=OrganisationKind.PARTY_COMMITTEE)
            | Q(sector__in=PLACE_SECTORS)
            | (Q(sector__in=UNIT_SECTORS) & ~Q(unit_name=""))
            | Q(kind=OrganisationKind.LIAISON_GROUP)
        )
        .order_by("path")
        .values_list("pk", "path", "sector", "kind", "unit_name")
    )
    units = {path: (sector, unit) for _pk, path, sector, _kind, unit in rows}
    chosen = []
    for pk, path, sector, kind, unit in rows:
        parent_sector, parent_unit = units.get(parent_path(path), ("", ""))
        if kind == OrganisationKind.LIAISON_GROUP or sector in TOWN_SECTORS:
            chosen.append(pk)
        elif sector in PLACE_SECTORS:
            if parent_sector != sector:
                chosen.append(pk)
        elif not (parent_sector == sector and parent_unit == unit):
            chosen.append(pk)
    return chosen


@rule(
    clause="Q-TOWN-CONGRESS",
    title=_("The town's annual party-congress session"),
    sentence="在乡镇推行党代会年会制。",
    parameters=(),
    applies_to=_("Every town (乡镇) party committee; streets (街道) hold no party congress and are not checked"),
    measures=_(
        "Once the year is over: a session held within the calendar year (1 January to 31 December); a session "
        "early the next year is the next year's"
    ),
    evidence_url="assessments:reports",
    fix_url="assessments:congress_create",
    with_year=True,
)
def town_congress(context: RunContext):
    """Q-TOWN-CONGRESS (second edition): each town (not street) holds one session within the calendar
    year, judged once the year is over."""
    if not context.final:
        return []
    held = dict(
        CongressSession.objects.filter(year=context.year, held_on__year=context.year)
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    period = str(context.year)
    return [
        Check(pk, None, period, Decimal(held.get(pk, 0)), Decimal(1), held.get(pk, 0) >= 1, context.last_day)
        for pk in town_committees(context).order_by("path").values_list("pk", flat=True)
    ]


@rule(
    clause="Q-ANNUAL-REPORT",
    title=_("The secretary's special report on party building"),
    sentence="乡镇、村(社区)以及机关、事业单位每年必须组织开展1次专项述职,并纳入领导班子和领导干部实绩考核,通报考核结果,强化考核结果运用。",
    parameters=(),
    applies_to=_(
        "The top organisation of each town or street, village, community, agency and public institution, and "
        "each non-public liaison group"
    ),
    measures=_(
        "The special report on the calendar year (每年: the year reported on) with its evaluation published, given "
        "in the year or early the next, as a report on a year's work follows the year: judged only after 31 March "
        "of the next year"
    ),
    evidence_url="assessments:reports",
    fix_url="assessments:report_create",
    with_year=True,
)
def annual_report(context: RunContext):
    """Q-ANNUAL-REPORT: one report a year, judged once its time is over (31 March of the next year)."""
    due = datetime.date(context.year + 1, *REPORT_BY)
    if context.today <= due:
        return []
    reported = set(
        AnnualReport.objects.filter(year=context.year, published_on__isnull=False)
        .exclude(published_where="")
        .values_list("organisation_id", flat=True)
    )
    period = str(context.year)
    return [
        Check(pk, None, period, Decimal(pk in reported), Decimal(1), pk in reported, due)
        for pk in reporting_organisations(context)
    ]
