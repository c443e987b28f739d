"""The bureau's compliance dashboard (issue 6): read from what the nightly run precomputed.

Everything here comes from the latest finished run of the year: its `RuleTally` rows (checks
counted by rule, sector and town or system, a few thousand rows at most) and its summary (the
organisations with the most open findings). No dashboard query scans the findings or the
records, so the page costs the same at 1,000 members as at 1,000,000.

A town's administrator (issue 12) gets the same page for their subtree: the tallies of their town
(`core.scoping.for_user`, the one scoping function), and the open findings counted from the
findings of their subtree (one town's, an indexed prefix query), since the run's summary is the zone's."""

import dataclasses
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.compliance.selectors import rule_title
from assessments.models import ComplianceRun, Finding, RuleTally
from branches.enums import Sector
from branches.models import Organisation
from core.excel import xlsx_sheets
from core.reversing import reverse_fast
from core.scoping import for_user, sees_whole_zone
from members.models import RosterUpload

# A zone has hundreds of towns and systems and thousands of weak candidates: the page shows the
# lowest ones (the export has them all).
SHOWN = 30

# The charts' target and colours. Every checked duty is a requirement of the opinion, and no policy
# parameter sets a lower goal, so the target is full compliance; a bar is red below 80 %, amber
# below 95 %, green from 95 % (the status keys are what the page hands to dashboard.js).
TARGET_RATE = 100
STATUS_BELOW = (("danger", Decimal(80)), ("warning", Decimal(95)))
STATUS_COLOURS = {"danger": "#c8102e", "warning": "#e6a23c", "success": "#2e7d32", "none": "#adb5bd"}
# The trend's axis: the rates' range widened by a quarter of it on each side, by at least this much.
TREND_PADDING = 2

# The bureau's home page: a few key duties from the latest run, and short lists.
KEY_RULES = ("Q-THREE-MEETINGS", "Q-LECTURE-SECRETARY", "Q-TRAINING-MEMBER", "Q-TRAINING-LEADER")
GLANCE_ROWS = 5


def rate(passed: int, checked: int) -> Decimal | None:
    """Compliance rate in percent, one decimal, half up; None when nothing was checked."""
    if not checked:
        return None
    return (Decimal(100) * passed / checked).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate_status(value: Decimal | None) -> str:
    """The bar's colour key: danger below 80 %, warning below 95 %, success otherwise; none unchecked."""
    if value is None:
        return "none"
    for status, below in STATUS_BELOW:
        if value < below:
            return status
    return "success"


def worst_first(bar) -> tuple:
    """Bars by rate ascending (unchecked ones last), then by label: the worst is read first."""
    return (bar.rate if bar.rate is not None else Decimal(101), bar.label)


@dataclasses.dataclass
class Bar:
    key: str
    label: str
    checked: int
    passed: int
    url: str
    clause: str = ""  # a rule's bar: its clause ID, small print beside the title (the label)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.passed, self.checked)

    @property
    def failed(self) -> int:
        return self.checked - self.passed

    @property
    def status(self) -> str:
        return rate_status(self.rate)


def latest_run(*, year: int) -> ComplianceRun | None:
    return ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).order_by("-started_at").first()


def compliance_dashboard(*, year: int, user) -> dict:
    """Rates by rule, sector and town; the month-by-month trend; the organisations with most open
    findings: the whole zone's for the bureau and the auditor, a town administrator's subtree's for them."""
    run = latest_run(year=year)
    whole = sees_whole_zone(user)
    if run is None:
        return {
            "run": None,
            "year": year,
            "whole_zone": whole,
            "rules": [],
            "sectors": [],
            "towns": [],
            "top": [],
            "trend": [],
            "weak": [],
        }
    tallies = for_user(RuleTally.objects.all(), user)
    findings = reverse("assessments:findings")
    by_rule, by_sector, by_town = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for rule, sector, town, checked, passed in tallies.filter(run=run).values_list(
        "rule", "sector", "town_id", "checked", "passed"
    ):
        for table, key in ((by_rule, rule), (by_sector, sector), (by_town, town)):
            table[key][0] += checked
            table[key][1] += passed
    towns = dict(Organisation.objects.filter(pk__in=[t for t in by_town if t]).values_list("pk", "name"))
    sectors = dict(Sector.choices)
    rules = sorted(
        (
            Bar(
                c,
                rule_title(c),
                *by_rule[c],
                f"{findings}?year={year}&rule={c}&group=organisation",
                clause=c,
            )
            for c in by_rule
        ),
        key=worst_first,
    )
    sector_bars = sorted(
        (
            Bar(s, str(sectors.get(s, "—")), *by_sector[s], f"{findings}?year={year}&sector={s}&group=organisation")
            for s in by_sector
            if s
        ),
        key=worst_first,
    )
    town_bars = sorted(
        (
            Bar(str(t), towns[t], *by_town[t], f"{findings}?year={year}&town={t}&group=organisation")
            for t in by_town
            if t in towns
        ),
        key=worst_first,
    )
    if whole:
        top, open_total, weak = _top_of_run(run), run.open_total, weak_rows(run)
    else:
        top, open_total = _top_in_scope(year=year, user=user)
        weak = weak_rows(run, user=user)
    checked = sum(v[0] for v in by_rule.values())
    passed = sum(v[1] for v in by_rule.values())
    return {
        "run": run,
        "year": year,
        "whole_zone": whole,
        "rate": rate(passed, checked),
        "checked": checked,
        "passed": passed,
        "open": open_total,
        "rules": rules,
        "sectors": sector_bars,
        "towns": town_bars,
        "top": top,
        "trend": compliance_trend(year=year, tallies=tallies),
        "weak": weak,
    }


def _top_of_run(run: ComplianceRun) -> list[dict]:
    """The zone's organisations with most open findings, as the run counted them."""
    top_ids = [pk for pk, _n in run.summary.get("top", [])]
    names = dict(Organisation.objects.filter(pk__in=top_ids).values_list("pk", "name"))
    return [
        {
            "organisation": pk,
            "name": names.get(pk, ""),
            "open": n,
            "url": reverse_fast("assessments:org_findings", [pk]),
        }
        for pk, n in run.summary.get("top", [])
        if pk in names
    ]


def _top_in_scope(*, year: int, user) -> tuple[list[dict], int]:
    """The subtree's organisations with most open findings of the year, and its open findings (two queries)."""
    open_findings = for_user(Finding.objects.filter(year=year, status=Finding.Status.OPEN), user)
    rows = (
        open_findings.values("organisation", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")[:20]
    )
    top = [
        {
            "organisation": row["organisation"],
            "name": row["organisation__name"],
            "open": row["n"],
            "url": reverse_fast("assessments:org_findings", [row["organisation"]]),
        }
        for row in rows
    ]
    return top, open_findings.count()


def weak_rows(run: ComplianceRun, *, user=None) -> list[dict]:
    """Q-WEAK-*: the candidates the run ranked at the bottom of their type, lowest score first, with
    their type's label; given a user, those in the user's scope only."""
    sectors = dict(Sector.choices)
    rows = run.summary.get("weak", [])
    if user is not None:
        seen = {row["organisation"] for row in rows}
        inside = set(for_user(Organisation.objects.filter(pk__in=seen), user).values_list("pk", flat=True))
        rows = [row for row in rows if row["organisation"] in inside]
    rows = sorted(rows, key=lambda row: (Decimal(row["score"]), row["name"]))
    return [
        {
            **row,
            "type_label": str(sectors.get(row["type"], row["type"])),
            "url": reverse_fast("assessments:org_findings", [row["organisation"]]),
        }
        for row in rows
    ]


def compliance_trend(*, year: int, tallies=None) -> list[dict]:
    """Month by month: the rate of the last finished run of each month (one grouped query), from the
    tallies given (a user's scope) or the zone's."""
    tallies = RuleTally.objects.all() if tallies is None else tallies
    runs = {}
    for run in ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).order_by("started_at"):
        runs[run.as_of.strftime("%Y-%m")] = run.pk
    sums = {
        row["run"]: (row["checked"], row["passed"])
        for row in tallies.filter(run__in=runs.values())
        .values("run")
        .annotate(checked=Sum("checked"), passed=Sum("passed"))
        .order_by()
    }
    trend = []
    for month, pk in sorted(runs.items()):
        checked, passed = sums.get(pk, (0, 0))
        trend.append({"month": month, "rate": rate(passed, checked)})
    return trend


def trend_axis(rates: list) -> dict:
    """The trend's y-axis fitted to its rates, padded, within 0-100: 93-95 % reads as a change, not a flat line."""
    values = [float(r) for r in rates if r is not None]
    if not values:
        return {"min": 0, "max": 100}
    low, high = min(values), max(values)
    padding = max(TREND_PADDING, (high - low) / 4)
    return {"min": max(0, math.floor(low - padding)), "max": min(100, math.ceil(high + padding))}


def chart_data(dashboard: dict) -> dict:
    """What dashboard.js draws: labels, rates, the status colour and the URL each bar drills down to, the
    target line and the trend's axis (JSON-ready; the bars come worst first)."""

    def bars(items):
        return [
            {
                "label": b.label,
                "clause": b.clause,
                "rate": float(b.rate) if b.rate is not None else None,
                "checked": b.checked,
                "failed": b.failed,
                "url": b.url,
                "status": b.status,
            }
            for b in items
        ]

    trend = [
        {"month": t["month"], "rate": float(t["rate"]) if t["rate"] is not None else None} for t in dashboard["trend"]
    ]
    return {
        "rules": bars(dashboard["rules"]),
        "sectors": bars(dashboard["sectors"]),
        "towns": bars(dashboard["towns"][:SHOWN]),
        "trend": trend,
        "trend_axis": trend_axis([t["rate"] for t in trend]),
        "target": {"rate": TARGET_RATE, "label": _("Target %(rate)s%%") % {"rate": TARGET_RATE}},
        "colours": STATUS_COLOURS,
    }


def zone_glance(*, year: int) -> dict:
    """The bureau's home page: this year's rate overall and for a few key duties from the latest run, the
    organisations with most open findings, the latest runs and roster imports (five queries)."""
    run = latest_run(year=year)
    glance = {"year": year, "run": run, "rate": None, "duties": [], "worst": []}
    if run is not None:
        sums = {
            row["rule"]: (row["checked"], row["passed"])
            for row in RuleTally.objects.filter(run=run)
            .values("rule")
            .annotate(checked=Sum("checked"), passed=Sum("passed"))
            .order_by()
        }
        findings = reverse("assessments:findings")
        glance["rate"] = rate(sum(p for _c, p in sums.values()), sum(c for c, _p in sums.values()))
        glance["duties"] = [
            Bar(c, rule_title(c), *sums[c], f"{findings}?year={year}&rule={c}&group=organisation", clause=c)
            for c in KEY_RULES
            if c in sums
        ]
        glance["worst"] = _top_of_run(run)[:GLANCE_ROWS]
    glance["runs"] = list(ComplianceRun.objects.order_by("-started_at", "-pk")[:GLANCE_ROWS])
    glance["imports"] = list(
        RosterUpload.objects.select_related("organisation").order_by("-uploaded_at", "-pk")[:GLANCE_ROWS]
    )
    return glance


def dashboard_xlsx(dashboard: dict, *, labels: dict) -> bytes:
    """The dashboard's tables as a workbook: by rule, by sector, by town, the organisations with most findings."""

    header = [labels["name"], labels["checked"], labels["passed"], labels["rate"]]

    def rows(items):
        return [
            (f"{b.clause} {b.label}".strip(), b.checked, b.passed, float(b.rate) if b.rate is not None else None)
            for b in items
        ]

    return xlsx_sheets(
        sheets=[
            (labels["by_rule"], header, rows(dashboard["rules"])),
            (labels["by_sector"], header, rows(dashboard["sectors"])),
            (labels["by_town"], header, rows(dashboard["towns"])),
            (labels["top"], [labels["name"], labels["open"]], [(t["name"], t["open"]) for t in dashboard["top"]]),
            (
                labels["weak"],
                [labels["name"], labels["type"], labels["score"]],
                [(w["name"], w["type_label"], float(w["score"])) for w in dashboard["weak"]],
            ),
        ]
    )
