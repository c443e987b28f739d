"""The bureau's compliance dashboard (issue 6): read from what the nightly run precomputed.

Everything here comes from the latest finished run of the year: its `RuleTally` rows (checks
counted by rule, sector and town or system, a few thousand rows at most) and its summary (the
organisations with the most open findings). No dashboard query scans the findings or the
records, so the page costs the same at 1,000 members as at 1,000,000."""

import dataclasses
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.urls import reverse

from assessments.compliance.catalogue import RULES
from assessments.models import ComplianceRun, RuleTally
from branches.enums import Sector
from branches.models import Organisation

# A zone has hundreds of towns and systems and thousands of weak candidates: the page shows the
# lowest ones (the export has them all).
SHOWN = 30


def rate(passed: int, checked: int) -> Decimal | None:
    """Compliance rate in percent, one decimal, half up; None when nothing was checked."""
    if not checked:
        return None
    return (Decimal(100) * passed / checked).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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


def latest_run(*, year: int) -> ComplianceRun | None:
    return ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).order_by("-started_at").first()


def compliance_dashboard(*, year: int) -> dict:
    """Rates by rule, sector and town; the month-by-month trend; the organisations with most open findings."""
    run = latest_run(year=year)
    if run is None:
        return {"run": None, "year": year, "rules": [], "sectors": [], "towns": [], "top": [], "trend": [], "weak": []}
    findings = reverse("assessments:findings")
    by_rule, by_sector, by_town = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for rule, sector, town, checked, passed in RuleTally.objects.filter(run=run).values_list(
        "rule", "sector", "town_id", "checked", "passed"
    ):
        for table, key in ((by_rule, rule), (by_sector, sector), (by_town, town)):
            table[key][0] += checked
            table[key][1] += passed
    towns = dict(Organisation.objects.filter(pk__in=[t for t in by_town if t]).values_list("pk", "name"))
    sectors = dict(Sector.choices)
    rules = [
        Bar(c, str(RULES[c].title) if c in RULES else c, *by_rule[c],
            f"{findings}?year={year}&rule={c}&group=organisation", clause=c)
        for c in sorted(by_rule)
    ]  # fmt: skip
    sector_bars = [
        Bar(s, str(sectors.get(s, "—")), *by_sector[s], f"{findings}?year={year}&sector={s}&group=organisation")
        for s in sorted(by_sector, key=lambda s: str(sectors.get(s, "")))
        if s
    ]
    town_bars = sorted(
        (Bar(str(t), towns[t], *by_town[t], f"{findings}?year={year}&town={t}&group=organisation")
         for t in by_town if t in towns),
        key=lambda b: (b.rate if b.rate is not None else Decimal(101), b.label),
    )  # fmt: skip
    top_ids = [pk for pk, _n in run.summary.get("top", [])]
    names = dict(Organisation.objects.filter(pk__in=top_ids).values_list("pk", "name"))
    top = [
        {"organisation": pk, "name": names.get(pk, ""), "open": n,
         "url": reverse("assessments:org_findings", args=[pk])}
        for pk, n in run.summary.get("top", []) if pk in names
    ]  # fmt: skip
    checked = sum(v[0] for v in by_rule.values())
    passed = sum(v[1] for v in by_rule.values())
    return {
        "run": run, "year": year, "rate": rate(passed, checked), "checked": checked, "passed": passed,
        "open": run.open_total, "rules": rules, "sectors": sector_bars, "towns": town_bars, "top": top,
        "trend": compliance_trend(year=year), "weak": weak_rows(run),
    }  # fmt: skip


def weak_rows(run: ComplianceRun) -> list[dict]:
    """Q-WEAK-*: the candidates the run ranked at the bottom of their type, lowest score first, with
    their type's label."""
    sectors = dict(Sector.choices)
    rows = sorted(run.summary.get("weak", []), key=lambda row: (Decimal(row["score"]), row["name"]))
    return [
        {**row, "type_label": str(sectors.get(row["type"], row["type"])),
         "url": reverse("assessments:org_findings", args=[row["organisation"]])}
        for row in rows
    ]  # fmt: skip


def compliance_trend(*, year: int) -> list[dict]:
    """Month by month: the rate of the last finished run of each month (one grouped query)."""
    runs = {}
    for run in ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).order_by("started_at"):
        runs[run.as_of.strftime("%Y-%m")] = run.pk
    sums = {
        row["run"]: (row["checked"], row["passed"])
        for row in RuleTally.objects.filter(run__in=runs.values())
        .values("run")
        .annotate(checked=Sum("checked"), passed=Sum("passed"))
        .order_by()
    }
    trend = []
    for month, pk in sorted(runs.items()):
        checked, passed = sums.get(pk, (0, 0))
        trend.append({"month": month, "rate": rate(passed, checked)})
    return trend


def chart_data(dashboard: dict) -> dict:
    """What dashboard.js draws: labels, rates and the URL each bar drills down to (JSON-ready)."""

    def bars(items):
        return [{"label": b.label, "clause": b.clause, "rate": float(b.rate) if b.rate is not None else None,
                 "checked": b.checked, "failed": b.failed, "url": b.url} for b in items]  # fmt: skip

    return {
        "rules": bars(dashboard["rules"]),
        "sectors": bars(dashboard["sectors"]),
        "towns": bars(dashboard["towns"][:SHOWN]),
        "trend": [{"month": t["month"], "rate": float(t["rate"]) if t["rate"] is not None else None}
                  for t in dashboard["trend"]],
    }  # fmt: skip


def dashboard_xlsx(dashboard: dict, *, labels: dict) -> bytes:
    """The dashboard's tables as a workbook: by rule, by sector, by town, the organisations with most findings."""
    from .excel import xlsx_sheets

    header = [labels["name"], labels["checked"], labels["passed"], labels["rate"]]

    def rows(items):
        return [(f"{b.clause} {b.label}".strip(), b.checked, b.passed, float(b.rate) if b.rate is not None else None)
                for b in items]  # fmt: skip

    return xlsx_sheets(sheets=[
        (labels["by_rule"], header, rows(dashboard["rules"])),
        (labels["by_sector"], header, rows(dashboard["sectors"])),
        (labels["by_town"], header, rows(dashboard["towns"])),
        (labels["top"], [labels["name"], labels["open"]], [(t["name"], t["open"]) for t in dashboard["top"]]),
        (labels["weak"], [labels["name"], labels["type"], labels["score"]],
         [(w["name"], w["type_label"], float(w["score"])) for w in dashboard["weak"]]),
    ])  # fmt: skip
