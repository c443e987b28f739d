"""Party activity funds (F-ACTIVITY-AGENCY, F-ACTIVITY-SOE, F-ACTIVITY-NONPUBLIC): which units the
formulas apply to, the formulas themselves, and the budget each unit records for a year.

A funded unit is an active organisation with a unit (its `unit_name`) in a sector under a formula:
agencies and public institutions budget at least a share of the staff wage bill; schools are
public institutions (学校是事业单位), so they fall under the same formula; state-owned enterprises
budget a range of the standard wage bill, non-public enterprises a range of the total wage bill.
Rates come from the policy in force on 1 January of the year, amounts are rounded to the fen.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.enums import Sector
from branches.models import Organisation
from core import scoping
from core.audit import acting_user
from core.concurrency import row_lock, version_check
from core.dates import day_text
from core.policy import PolicyValues, fen
from core.years import FIRST_YEAR
from funding.enums import FundFormula
from funding.models import ActivityFundBudget

# The largest amount the budget table holds (14 digits, 2 after the point).
MAX_AMOUNT = Decimal("999999999999.99")

FORMULA_BY_SECTOR = {
    Sector.AGENCY: FundFormula.AGENCY,
    Sector.PUBLIC_INSTITUTION: FundFormula.AGENCY,
    Sector.SCHOOL: FundFormula.AGENCY,  # schools are public institutions
    Sector.SOE: FundFormula.SOE,
    Sector.NON_PUBLIC: FundFormula.NON_PUBLIC,
}
FUNDED_SECTORS = tuple(FORMULA_BY_SECTOR)

CLAUSE_BY_FORMULA = {
    FundFormula.AGENCY: "F-ACTIVITY-AGENCY",
    FundFormula.SOE: "F-ACTIVITY-SOE",
    FundFormula.NON_PUBLIC: "F-ACTIVITY-NONPUBLIC",
}
CLAUSES = tuple(CLAUSE_BY_FORMULA.values())

# (minimum rate key, maximum rate key or None) of each formula in portal/policy.py.
RATE_KEYS = {
    FundFormula.AGENCY: ("activity_fund.agency_min_rate", None),
    FundFormula.SOE: ("activity_fund.soe_min_rate", "activity_fund.soe_max_rate"),
    FundFormula.NON_PUBLIC: ("activity_fund.non_public_min_rate", "activity_fund.non_public_max_rate"),
}


class ActivityStatus(models.TextChoices):
    """Where a unit's budget of a year stands against its formula."""

    NO_BUDGET = "no_budget", gettext_lazy("No budget entered")
    WAGE_UNKNOWN = "wage_unknown", gettext_lazy("No budget, wage bill unknown")
    BELOW = "below", gettext_lazy("Below the minimum")
    WITHIN = "within", gettext_lazy("Meets the formula")
    ABOVE = "above", gettext_lazy("Above the range")


# Rows the report counts as needing attention: no budget, or a budget under the minimum.
FLAGGED_STATUSES = frozenset({ActivityStatus.NO_BUDGET, ActivityStatus.WAGE_UNKNOWN, ActivityStatus.BELOW})


def formula_for(sector: str) -> FundFormula | None:
    return FORMULA_BY_SECTOR.get(sector)


def is_funded_unit(organisation: Organisation) -> bool:
    """F-ACTIVITY-*: an active organisation with a unit, in a sector under a formula."""
    return (
        organisation.dissolved_on is None and bool(organisation.unit_name) and organisation.sector in FORMULA_BY_SECTOR
    )


def wage_figure(*, sector: str, wage_bill: Decimal | None, standard_wage_bill: Decimal | None) -> Decimal | None:
    """The organisation's wage figure a formula reads: the standard wage bill of a state-owned
    enterprise (F-ACTIVITY-SOE), else the total wage bill; a missing or zero figure is unknown."""
    figure = standard_wage_bill if sector == Sector.SOE else wage_bill
    return figure if figure else None


def organisation_wage_figure(organisation: Organisation) -> Decimal | None:
    """The figure collected once on the organisation, which prefills each year's budget form."""
    return wage_figure(
        sector=organisation.sector,
        wage_bill=organisation.wage_bill,
        standard_wage_bill=organisation.standard_wage_bill,
    )


def activity_fund_range(
    *, formula: FundFormula, wage_bill: Decimal, policy: PolicyValues
) -> tuple[Decimal | None, Decimal | None]:
    """F-ACTIVITY-*: (minimum, maximum) of a year's activity funds for a wage bill, each rounded to
    the fen half up; an agency's funds have no maximum (None), nor a rate the policy leaves empty."""
    min_key, max_key = RATE_KEYS[FundFormula(formula)]
    wage_bill = Decimal(wage_bill)
    minimum_rate = policy[min_key]
    maximum_rate = policy[max_key] if max_key else None
    minimum = None if minimum_rate is None else fen(wage_bill * minimum_rate)
    maximum = None if maximum_rate is None else fen(wage_bill * maximum_rate)
    return minimum, maximum


def activity_fund_status(
    *, minimum: Decimal | None, maximum: Decimal | None, budget: Decimal | None, wage_known: bool = True
) -> tuple[ActivityStatus, Decimal | None]:
    """Where a budget stands against its range, with the gap: how much under the minimum (below)
    or over the maximum (above); None otherwise. Both bounds are inclusive."""
    if budget is None:
        return (ActivityStatus.NO_BUDGET if wage_known else ActivityStatus.WAGE_UNKNOWN), None
    if minimum is not None and budget < minimum:
        return ActivityStatus.BELOW, minimum - budget
    if maximum is not None and budget > maximum:
        return ActivityStatus.ABOVE, budget - maximum
    return ActivityStatus.WITHIN, None


def last_year() -> int:
    """Budgets are drawn up ahead: next year's may already be recorded."""
    return timezone.localdate().year + 1


def _unit_check(organisation: Organisation) -> None:
    if organisation.dissolved_on is not None:
        raise ValidationError(
            _("%(org)s was dissolved on %(date)s: it has no activity funds to budget.")
            % {"org": organisation.name, "date": day_text(organisation.dissolved_on)}
        )
    if not organisation.unit_name:
        raise ValidationError(
            _("%(org)s has no unit on record: activity funds are budgeted by the unit (enter the unit's name first).")
            % {"org": organisation.name}
        )
    if organisation.sector not in FORMULA_BY_SECTOR:
        sector = organisation.get_sector_display() if organisation.sector else _("no sector")
        raise ValidationError(
            _(
                "%(org)s (%(sector)s) is under none of the activity-fund formulas: they apply to agencies, "
                "public institutions, schools, state-owned enterprises and non-public enterprises."
            )
            % {"org": organisation.name, "sector": sector}
        )


def _amount(value, field: str, message: str, *, positive: bool) -> Decimal:
    if value is None:
        raise ValidationError({field: message})
    value = fen(value)
    if value < 0 or (positive and value == 0):
        raise ValidationError({field: message})
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large: at most 999,999,999,999.99 元.")})
    return value


@transaction.atomic
def activity_budget_record(
    *, organisation: Organisation, year: int, wage_bill, budget, user=None, version: str | None = None
) -> ActivityFundBudget:
    """F-ACTIVITY-*: a funded unit's activity funds in its budget for a year, beside the wage bill
    the formula reads (the standard wage bill of a state-owned enterprise); one row per unit and
    year, corrected in place, keeping who recorded it last. Refused if the year's row was recorded
    after the form was opened (`version`, issue 7)."""
    scoping.scope_check(user=user, organisation=organisation)
    _unit_check(organisation)
    # The unit's row is the lock: the year's budget may have no row yet.
    row_lock(Organisation, organisation.pk)
    if version is not None:
        recorded = ActivityFundBudget.objects.filter(organisation=organisation, year=year)
        last = recorded.select_related("recorded_by").first()
        version_check(opened=version, stamp=last and last.recorded_at, changed_by=last and last.recorded_by)
    errors = {}
    if not FIRST_YEAR <= year <= last_year():
        errors["year"] = _("Activity fund budgets are recorded for %(first)s to %(last)s, not for %(year)s.") % {
            "first": FIRST_YEAR,
            "last": last_year(),
            "year": year,
        }
    figure = _("standard wage bill") if organisation.sector == Sector.SOE else _("total wage bill")
    try:
        wage_bill = _amount(
            wage_bill,
            "wage_bill",
            _("Give the %(figure)s of %(org)s for %(year)s in 元, more than 0.")
            % {"figure": figure, "org": organisation.name, "year": year},
            positive=True,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        budget = _amount(
            budget,
            "budget",
            _("Give the activity funds in the budget of %(org)s for %(year)s in 元, 0 or more.")
            % {"org": organisation.name, "year": year},
            positive=False,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    row, _created = ActivityFundBudget.objects.update_or_create(
        organisation=organisation,
        year=year,
        defaults={"wage_bill": wage_bill, "budget": budget, "recorded_by": acting_user(user)},
    )
    return row
