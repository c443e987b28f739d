"""Reads of the party activity funds (F-ACTIVITY-*): each funded unit's row for a year and the
zone report by sector and by town or system.

Set-based: the units are an ORM queryset (scoped with `core.scoping.for_user`, narrowed to a
subtree, a sector, a town), joined once to the year's budgets in SQL. The report computes every
minimum in the same statement (ROUND(…, 2) is half up for positive amounts, as `fen`), so it runs
a fixed handful of queries whatever the number of units. A unit without a budget row is measured
against the wage figure on its organisation.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.enums import Sector
from branches.models import Organisation
from core import excel, scoping
from core.policy import PolicyValues, fen, policy_for_year
from core.scoping import subtree
from funding.enums import FundFormula
from funding.models import ActivityFundBudget
from funding.services.activity import (
    CLAUSE_BY_FORMULA,
    CLAUSES,
    FLAGGED_STATUSES,
    FORMULA_BY_SECTOR,
    FUNDED_SECTORS,
    RATE_KEYS,
    ActivityStatus,
    activity_fund_range,
    activity_fund_status,
    wage_figure,
)

# The "town or system" of a unit is its ancestor at depth 2: the work committee's direct child
# (a town committee, the agencies' committee, a liaison group, an incubator, an SOE…).
TOWN_DEPTH = 2
TOWN_PATH_LENGTH = TOWN_DEPTH * Organisation.steplen


def activity_units(
    *, user=None, within: Organisation | None = None, sector: str = "", town: Organisation | None = None
) -> QuerySet:
    """F-ACTIVITY-*: the funded units the user may see, under `within`, of a sector, in a town or system."""
    units = Organisation.objects.active().exclude(unit_name="").filter(sector__in=FUNDED_SECTORS)
    if user is not None:
        units = scoping.for_user(units, user)
    if within is not None:
        units = units.filter(subtree(within))
    if sector:
        units = units.filter(sector=sector)
    if town is not None:
        units = units.filter(subtree(town))
    return units


def town_names() -> dict[str, tuple[int, str]]:
    """Path -> (pk, name) of every possible "town or system" (depth ≤ 2: at most a few thousand rows)."""
    rows = Organisation.objects.filter(depth__lte=TOWN_DEPTH).order_by().values_list("path", "pk", "name")
    return {path: (pk, name) for path, pk, name in rows}


def _joined(units: QuerySet, *, year: int, policy: PolicyValues) -> tuple[str, list]:
    """SQL of the units left-joined to the year's budgets: one row a unit, with its minimum computed
    on the budget row's wage bill, else the organisation's figure (what FLAGGED_SQL and the report
    read; the rows' own figures are computed again in Python by the services' formulas)."""
    inner, params = (
        units.order_by()
        .annotate(town_path=Substr("path", 1, TOWN_PATH_LENGTH))
        .values_list(
            "id", "path", "code", "name", "unit_name", "sector", "wage_bill", "standard_wage_bill", "town_path"
        )
        .query.sql_with_params()
    )
    budget_table = ActivityFundBudget._meta.db_table
    minimum = {formula: policy[keys[0]] for formula, keys in RATE_KEYS.items()}
    # The wage figure: the budget row's, else the organisation's (standard wage bill for an SOE); 0 is unknown.
    wage = "COALESCE(b.wage_bill, NULLIF(CASE WHEN u.sector = %s THEN u.standard_wage_bill ELSE u.wage_bill END, 0))"
    minimum_rate = "CASE u.sector WHEN %s THEN %s WHEN %s THEN %s ELSE %s END"
    sql = (
        f"SELECT u.id, u.path, u.code, u.name, u.unit_name, u.sector, u.town_path, u.wage_bill, "
        f"u.standard_wage_bill, b.id AS budget_id, b.wage_bill AS budget_wage, b.budget, "
        f"ROUND({wage} * {minimum_rate}, 2) AS minimum "
        f"FROM ({inner}) u LEFT JOIN {budget_table} b ON b.organisation_id = u.id AND b.year = %s"
    )
    soe, non_public = Sector.SOE.value, Sector.NON_PUBLIC.value
    # In the order of the placeholders: the minimum, the units' query, the join.
    sql_params = [
        soe,
        soe,
        minimum[FundFormula.SOE],
        non_public,
        minimum[FundFormula.NON_PUBLIC],
        minimum[FundFormula.AGENCY],
        *params,
        year,
    ]
    return sql, sql_params


FLAGGED_SQL = "(j.budget_id IS NULL OR j.budget < j.minimum)"


@dataclass
class ActivityRow:
    """One funded unit's year: the wage figure read (from its budget row or its organisation), the
    range, the budget and where it stands."""

    pk: int
    code: str
    name: str
    unit_name: str
    sector: str
    town_pk: int | None
    town_name: str
    formula: FundFormula
    wage_bill: Decimal | None
    wage_from_budget: bool
    minimum: Decimal | None
    maximum: Decimal | None
    budget: Decimal | None
    status: ActivityStatus
    gap: Decimal | None

    @property
    def clause(self) -> str:
        return CLAUSE_BY_FORMULA[self.formula]

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label)

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED_STATUSES


def _money(value) -> Decimal | None:
    """A database amount as a Decimal to the fen (SQLite hands back floats)."""
    if value is None:
        return None
    return fen(value if isinstance(value, Decimal) else Decimal(str(value)))


def _row(values: tuple, *, policy: PolicyValues, towns: dict) -> ActivityRow:
    (
        pk,
        _path,
        code,
        name,
        unit_name,
        sector,
        town_path,
        wage_bill,
        standard_wage_bill,
        budget_id,
        budget_wage,
        budget,
        _minimum,
    ) = values
    formula = FORMULA_BY_SECTOR[sector]
    if budget_id is not None:
        wage = _money(budget_wage)
    else:
        wage = wage_figure(sector=sector, wage_bill=_money(wage_bill), standard_wage_bill=_money(standard_wage_bill))
    minimum, maximum = (
        (None, None) if wage is None else activity_fund_range(formula=formula, wage_bill=wage, policy=policy)
    )
    budget = _money(budget)
    status, gap = activity_fund_status(minimum=minimum, maximum=maximum, budget=budget, wage_known=wage is not None)
    town_pk, town_name = towns.get(town_path, (None, ""))
    return ActivityRow(
        pk=pk,
        code=code,
        name=name,
        unit_name=unit_name,
        sector=sector,
        town_pk=town_pk,
        town_name=town_name,
        formula=formula,
        wage_bill=wage,
        wage_from_budget=budget_id is not None,
        minimum=minimum,
        maximum=maximum,
        budget=budget,
        status=status,
        gap=gap,
    )


class ActivityRows:
    """The rows of some units for a year, in tree order; sliced and counted in SQL so a Paginator
    reads one page (two queries), and iterated in chunks for an export."""

    def __init__(self, units: QuerySet, *, year: int, flagged: bool = False, policy: PolicyValues | None = None):
        self.year = year
        self.policy = policy if policy is not None else policy_for_year(year)
        self.flagged = flagged
        self._sql, self._params = _joined(units, year=year, policy=self.policy)
        self._towns = None
        self._count = None

    def _where(self) -> str:
        return f" WHERE {FLAGGED_SQL}" if self.flagged else ""

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({self._sql}) j{self._where()}", self._params)
                self._count = cursor.fetchone()[0]
        return self._count

    def _fetch(self, limit: int | None = None, offset: int = 0):
        sql = f"SELECT j.* FROM ({self._sql}) j{self._where()} ORDER BY j.path"
        params = list(self._params)
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        if self._towns is None:
            self._towns = town_names()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(2000):
                yield from (_row(values, policy=self.policy, towns=self._towns) for values in chunk)

    def __getitem__(self, item):
        if isinstance(item, slice):
            start = item.start or 0
            limit = None if item.stop is None else max(0, item.stop - start)
            return [] if limit == 0 else list(self._fetch(limit, start))
        return self[item : item + 1][0]

    def __iter__(self):
        return self._fetch()


def activity_rows(*, units: QuerySet, year: int, flagged: bool = False) -> ActivityRows:
    """F-ACTIVITY-*: the units' rows for a year (only the flagged ones: no budget or under the minimum)."""
    return ActivityRows(units, year=year, flagged=flagged)


def activity_unit_row(*, organisation: Organisation, year: int) -> ActivityRow | None:
    """One unit's row for a year (None if it is not a funded unit)."""
    rows = ActivityRows(activity_units().filter(pk=organisation.pk), year=year)
    found = rows[0:1]
    return found[0] if found else None


@dataclass
class ReportLine:
    """One group of the report: a sector, a town or system, or the total."""

    label: str
    sector: str = ""
    town_pk: int | None = None
    units: int = 0
    budgets: int = 0
    flagged: int = 0
    minimum_sum: Decimal = Decimal("0.00")
    budget_sum: Decimal = Decimal("0.00")

    def add(self, units, budgets, flagged, minimum_sum, budget_sum) -> None:
        self.units += units
        self.budgets += budgets
        self.flagged += flagged
        self.minimum_sum += minimum_sum
        self.budget_sum += budget_sum

    @property
    def missing(self) -> int:
        return self.units - self.budgets


@dataclass
class ActivityReport:
    year: int
    by_sector: list[ReportLine] = field(default_factory=list)
    by_town: list[ReportLine] = field(default_factory=list)
    total: ReportLine | None = None


def activity_report(*, units: QuerySet, year: int, policy: PolicyValues | None = None) -> ActivityReport:
    """F-ACTIVITY-*: units, budgets entered, units flagged, the sum of minimums and of budgets, by
    sector and by town or system: one aggregate query (grouped by both) and one for the names."""
    policy = policy if policy is not None else policy_for_year(year)
    sql, params = _joined(units, year=year, policy=policy)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT j.sector, j.town_path, COUNT(*), COUNT(j.budget_id), "
            f"SUM(CASE WHEN {FLAGGED_SQL} THEN 1 ELSE 0 END), SUM(j.minimum), SUM(j.budget) "
            f"FROM ({sql}) j GROUP BY j.sector, j.town_path",
            params,
        )
        groups = cursor.fetchall()
    towns = town_names()
    report = ActivityReport(year=year, total=ReportLine(label=""))
    by_sector = {s: ReportLine(label=Sector(s).label, sector=s) for s in FUNDED_SECTORS}
    by_town: dict[str, ReportLine] = defaultdict(lambda: ReportLine(label=""))
    for sector, town_path, n, budgets, flagged, minimum_sum, budget_sum in groups:
        figures = (
            n,
            budgets,
            int(flagged or 0),
            _money(minimum_sum) or Decimal("0.00"),
            _money(budget_sum) or Decimal("0.00"),
        )
        by_sector[sector].add(*figures)
        line = by_town[town_path]
        line.town_pk, line.label = towns.get(town_path, (None, town_path))
        line.add(*figures)
        report.total.add(*figures)
    report.by_sector = [line for line in by_sector.values() if line.units]
    report.by_town = [by_town[path] for path in sorted(by_town)]
    return report


EXPORT_HEADER = (
    _("Organisation code"),
    _("Organisation"),
    _("Unit"),
    _("Sector"),
    _("Town or system"),
    _("Clause"),
    _("Wage bill the formula reads (yuan)"),
    _("Minimum (yuan)"),
    _("Maximum (yuan)"),
    _("Activity funds in the budget (yuan)"),
    _("Status"),
    _("Gap (yuan)"),
)


def activity_export_xlsx(*, rows, year: int) -> bytes:
    """The report's unit rows as a workbook (every cell made safe by core.excel)."""
    return excel.xlsx_bytes(
        title=gettext("Activity funds %(year)s") % {"year": year},
        note=gettext("Party activity funds %(year)s (%(clauses)s)") % {"year": year, "clauses": ", ".join(CLAUSES)},
        header=[str(h) for h in EXPORT_HEADER],
        rows=(
            [
                r.code,
                r.name,
                r.unit_name,
                r.sector_label,
                r.town_name,
                r.clause,
                r.wage_bill,
                r.minimum,
                r.maximum,
                r.budget,
                str(r.status.label),
                r.gap,
            ]
            for r in rows
        ),
    )
