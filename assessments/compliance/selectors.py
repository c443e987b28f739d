"""Reads of the compliance check: rules with their parameters, findings in a user's scope, runs."""

import dataclasses
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from branches.enums import Sector
from branches.scoping import for_user
from portal.policy import PARAMETERS, policy_for_year, value_display

from ..enums import MeetingKind
from ..models import ComplianceRun, Finding
from .catalogue import RULES
from .engine import Rule


@dataclasses.dataclass
class RuleRow:
    rule: Rule
    parameters: list[tuple[str, str, str]]  # (key, label, value in force)
    last: dict  # the latest done run's counts: checked, failed, open


def rules_with_parameters(*, year: int) -> list[RuleRow]:
    """Every rule, its clause text and the parameters in force for the year; the last run's counts."""
    values = policy_for_year(year)
    last = ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).order_by("-started_at").first()
    counts = last.summary.get("rules", {}) if last else {}
    return [
        RuleRow(
            r, [(k, PARAMETERS[k].label, value_display(k, values[k])) for k in r.parameters], counts.get(clause, {})
        )
        for clause, r in sorted(RULES.items())
    ]


def findings_for_user(*, user, year: int | None = None, rule: str = "", status: str = "",
                      organisation=None, sector: str = "", town=None) -> QuerySet:  # fmt: skip
    """Findings the user may see, narrowed by the drill-down filters (each one indexed)."""
    findings = for_user(Finding.objects.all(), user)
    if year:
        findings = findings.filter(year=year)
    if rule:
        findings = findings.filter(rule=rule)
    if status:
        findings = findings.filter(status=status)
    if organisation is not None:
        findings = findings.filter(organisation__path__startswith=organisation.path)
    if town is not None:
        findings = findings.filter(organisation__path__startswith=town.path)
    if sector:
        findings = findings.filter(organisation__sector=sector)
    return findings.select_related("organisation", "member")


def aspect_label(finding: Finding) -> str:
    """The aspect in words: a kind of meeting, or as the rule names it."""
    if finding.aspect in MeetingKind.values:
        return str(MeetingKind(finding.aspect).label)
    if finding.aspect in Sector.values:
        return str(Sector(finding.aspect).label)
    return finding.aspect


def number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def finding_links(finding: Finding) -> dict:
    """The page with the records that prove the finding and the form that fixes it."""
    r = RULES.get(finding.rule)
    links = {"evidence": "", "fix": ""}
    if r is None:
        return links
    for name, url_name in (("evidence", r.evidence_url), ("fix", r.fix_url)):
        if not url_name:
            continue
        args = [finding.organisation_id] + ([finding.year] if r.with_year else [])
        try:
            links[name] = reverse(url_name, args=args)
        except NoReverseMatch:
            links[name] = reverse(url_name, args=[finding.organisation_id])
    return links


def findings_xlsx(*, findings: QuerySet) -> tuple[bytes, int]:
    """A list of findings as a one-sheet workbook (cells made safe) and how many rows it holds."""
    from django.utils.translation import gettext as _

    from portal.excel import xlsx_bytes

    statuses = dict(Finding.Status.choices)
    rows = [
        (f.rule, str(RULES[f.rule].title) if f.rule in RULES else "", f.organisation.name, f.organisation.code,
         f.member.name if f.member else "", f.period, aspect_label(f), f.measured, f.required, f.due_on,
         str(statuses[f.status]))
        for f in findings.iterator(chunk_size=2000)
    ]  # fmt: skip
    header = [_("Clause"), _("Rule"), _("Organisation"), _("Organisation code"), _("Member"), _("Period"),
              _("Aspect"), _("Measured"), _("Required"), _("Due on"), _("Status")]  # fmt: skip
    return xlsx_bytes(title=_("Findings"), header=header, rows=rows), len(rows)
