"""The activity-fund formulas (F-ACTIVITY-AGENCY, F-ACTIVITY-SOE, F-ACTIVITY-NONPUBLIC) at their
boundaries: exact minimums and maximums, one fen either side, half a fen, a later policy revision."""

import datetime
from decimal import Decimal

import pytest

from branches.enums import Sector
from core.models import PolicyRevision, PolicyValue
from core.policy import policy_for_year
from funding.enums import FundFormula
from funding.services.activity import (
    ActivityStatus,
    activity_fund_range,
    activity_fund_status,
    formula_for,
    wage_figure,
)

pytestmark = pytest.mark.django_db
D = Decimal


def status(formula, wage, budget, year=2016):
    minimum, maximum = activity_fund_range(formula=formula, wage_bill=D(wage), policy=policy_for_year(year))
    return activity_fund_status(minimum=minimum, maximum=maximum, budget=D(budget))


def test_sectors_and_formulas():
    assert [formula_for(s) for s in Sector] == [
        FundFormula.AGENCY,
        FundFormula.AGENCY,
        None,
        None,
        None,  # town
        None,  # street
        FundFormula.SOE,
        FundFormula.NON_PUBLIC,
        None,
        FundFormula.AGENCY,
        None,
    ]
    assert formula_for(Sector.SCHOOL) == FundFormula.AGENCY  # schools are public institutions


def test_agency_minimum_is_2_percent_with_no_maximum():
    policy = policy_for_year(2016)
    assert activity_fund_range(formula=FundFormula.AGENCY, wage_bill=D("1000000"), policy=policy) == (
        D("20000.00"),
        None,
    )


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        ("2000.00", (ActivityStatus.WITHIN, None)),
        ("1999.99", (ActivityStatus.BELOW, D("0.01"))),
        ("1000000.00", (ActivityStatus.WITHIN, None)),
        ("0", (ActivityStatus.BELOW, D("2000.00"))),
    ],
)
def test_agency_budget_exactly_2_percent_meets_one_fen_under_does_not(budget, expected):
    assert status(FundFormula.AGENCY, "100000.00", budget) == expected


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        ("299.99", (ActivityStatus.BELOW, D("0.01"))),
        ("300.00", (ActivityStatus.WITHIN, None)),
        ("500.00", (ActivityStatus.WITHIN, None)),
        ("500.01", (ActivityStatus.ABOVE, D("0.01"))),
    ],
)
def test_non_public_range_is_3_to_5_per_mille_inclusive(budget, expected):
    assert status(FundFormula.NON_PUBLIC, "100000.00", budget) == expected


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        ("499.99", (ActivityStatus.BELOW, D("0.01"))),
        ("500.00", (ActivityStatus.WITHIN, None)),
        ("1000.00", (ActivityStatus.WITHIN, None)),
        ("1000.01", (ActivityStatus.ABOVE, D("0.01"))),
    ],
)
def test_soe_range_is_half_to_one_percent_inclusive(budget, expected):
    assert status(FundFormula.SOE, "100000.00", budget) == expected


@pytest.mark.parametrize(
    ("formula", "wage", "expected"),
    [
        (FundFormula.AGENCY, "12345.25", (D("246.91"), None)),  # 246.905
        (FundFormula.AGENCY, "12345.20", (D("246.90"), None)),  # 246.904
        (FundFormula.NON_PUBLIC, "1835.00", (D("5.51"), D("9.18"))),  # 5.505 and 9.175
        (FundFormula.SOE, "101.00", (D("0.51"), D("1.01"))),
    ],  # 0.505 and 1.01
)
def test_half_a_fen_rounds_up(formula, wage, expected):
    assert activity_fund_range(formula=formula, wage_bill=D(wage), policy=policy_for_year(2016)) == expected


def test_a_later_revision_changes_its_years_not_earlier_ones():
    revision = PolicyRevision.objects.create(
        name="2018年调整", effective_from=datetime.date(2018, 1, 1), source="测试文件"
    )
    PolicyValue.objects.create(revision=revision, key="activity_fund.agency_min_rate", value=D("0.025"))
    ranges = {
        year: activity_fund_range(formula=FundFormula.AGENCY, wage_bill=D("100000"), policy=policy_for_year(year))
        for year in (2016, 2017, 2018, 2019)
    }
    assert ranges == {
        2016: (D("2000.00"), None),
        2017: (D("2000.00"), None),
        2018: (D("2500.00"), None),
        2019: (D("2500.00"), None),
    }
    # The other formulas keep their rates.
    assert activity_fund_range(formula=FundFormula.SOE, wage_bill=D("100000"), policy=policy_for_year(2018)) == (
        D("500.00"),
        D("1000.00"),
    )


def test_a_rate_left_empty_gives_no_bound():
    revision = PolicyRevision.objects.create(
        name="上限取消", effective_from=datetime.date(2020, 1, 1), source="测试文件"
    )
    PolicyValue.objects.create(revision=revision, key="activity_fund.soe_max_rate", value=None)
    assert activity_fund_range(formula=FundFormula.SOE, wage_bill=D("100000"), policy=policy_for_year(2020)) == (
        D("500.00"),
        None,
    )
    assert status(FundFormula.SOE, "100000", "99999", year=2020) == (ActivityStatus.WITHIN, None)


def test_status_without_a_budget_says_whether_the_wage_bill_is_known():
    assert activity_fund_status(minimum=D("10"), maximum=None, budget=None) == (ActivityStatus.NO_BUDGET, None)
    assert activity_fund_status(minimum=None, maximum=None, budget=None, wage_known=False) == (
        ActivityStatus.WAGE_UNKNOWN,
        None,
    )


def test_wage_figure_is_the_standard_wage_bill_for_soes():
    assert wage_figure(sector=Sector.SOE, wage_bill=D("900"), standard_wage_bill=D("700")) == D("700")
    assert wage_figure(sector=Sector.NON_PUBLIC, wage_bill=D("900"), standard_wage_bill=D("700")) == D("900")
    assert wage_figure(sector=Sector.SOE, wage_bill=D("900"), standard_wage_bill=None) is None
    assert wage_figure(sector=Sector.AGENCY, wage_bill=D("0"), standard_wage_bill=None) is None
