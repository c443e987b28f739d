"""S-ASSESSMENT: the "party-building work" item of the zone's performance assessment (四.2).

The opinion makes it of two parts, the daily work and the secretary's report and its evaluation,
and names how the reports are reviewed: 三级联述联评联考 for towns, villages and communities (led
by the bureau), 双联双评 for agencies and public institutions (led by the agencies' committee),
and the liaison groups' open reports. The portal computes both parts from what it already holds:

- daily work: 100 less `assessment.points_open_clause` for each clause with an open finding of the
  year anywhere in the unit (the compliance check; Q-WEAK-* left out), never below 0;
- report: the evaluation of the year's special report (Q-ANNUAL-REPORT): good 100, fairly good 80,
  average 60, poor 40; no report on record, 0;
- the item: daily work times `assessment.daily_work_share` plus report times the rest, to one decimal.

Nothing is typed for it: it is read from the findings and the reports."""

import dataclasses
import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import RunContext
from assessments.compliance.rules_reports import reporting_organisations
from assessments.enums import ReportResult
from assessments.models import AnnualReport, Finding
from branches.enums import OrganisationKind, Sector
from branches.models import Organisation
from core.policy import policy_for_year
from core.scoping import subtree

REPORT_POINTS = {
    ReportResult.GOOD: Decimal(100),
    ReportResult.FAIRLY_GOOD: Decimal(80),
    ReportResult.AVERAGE: Decimal(60),
    ReportResult.POOR: Decimal(40),
}
THREE_LEVEL = _("Three-level joint review")  # 三级联述联评联考
DOUBLE_JOINT = _("Double joint review")  # 双联双评
LIAISON_REPORT = _("Liaison group's open report")


def review_of(organisation: Organisation) -> str:
    """Which review the unit's report goes through."""
    if organisation.kind == OrganisationKind.LIAISON_GROUP:
        return str(LIAISON_REPORT)
    if organisation.sector in (Sector.TOWN, Sector.STREET, Sector.VILLAGE, Sector.COMMUNITY):
        return str(THREE_LEVEL)
    return str(DOUBLE_JOINT)


@dataclasses.dataclass
class AssessmentRow:
    organisation: Organisation
    review: str
    open_clauses: list[str]
    daily_work: Decimal
    report: AnnualReport | None
    report_points: Decimal
    total: Decimal


def party_building_assessment(
    *, year: int, within: Organisation | None = None, today: datetime.date | None = None
) -> list[AssessmentRow]:
    """S-ASSESSMENT: every reporting unit (in `within`'s subtree) with its two parts and the item, best
    first. Four queries whatever the number of units."""
    values = policy_for_year(year)
    context = RunContext(year=year, today=today or timezone.localdate(), values=values)
    units = Organisation.objects.filter(pk__in=reporting_organisations(context)).order_by("path")
    if within is not None:
        units = units.filter(subtree(within))
    units = list(units)
    if not units:
        return []
    paths = sorted((u.path, u.pk) for u in units)
    clauses = defaultdict(set)
    findings = (
        Finding.objects.filter(year=year, status=Finding.Status.OPEN)
        .exclude(rule__startswith="Q-WEAK-")
        .filter(subtree(within.path if within else "", via="organisation"))
        .values_list("organisation__path", "rule")
        .distinct()
        .order_by()
    )
    unit_paths = {path: pk for path, pk in paths}
    for path, clause in findings:
        # The finding counts for every unit above it (a town's and its village's both see a village miss).
        for depth in range(len(path) // Organisation.steplen, 0, -1):
            pk = unit_paths.get(path[: depth * Organisation.steplen])
            if pk is not None:
                clauses[pk].add(clause)
    reports = {r.organisation_id: r for r in AnnualReport.objects.filter(year=year, organisation__in=units)}
    share = values["assessment.daily_work_share"]
    points = values["assessment.points_open_clause"]
    rows = []
    for unit in units:
        daily = max(Decimal(0), Decimal(100) - points * len(clauses[unit.pk]))
        report = reports.get(unit.pk)
        report_points = REPORT_POINTS.get(report.result, Decimal(0)) if report else Decimal(0)
        total = (daily * share + report_points * (1 - share)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        rows.append(AssessmentRow(unit, review_of(unit), sorted(clauses[unit.pk]), daily, report, report_points, total))
    rows.sort(key=lambda r: (-r.total, r.organisation.path))
    return rows
