"""N-DUES (中组发〔2008〕3号): the monthly dues formula at every bracket edge, the half fen, and a
revision of the parameters taking effect from its month only."""

# ruff: noqa: RUF002 -- the source document is cited with its own brackets, as published

import datetime
from decimal import Decimal

import pytest

from core.policy import policy_for_year
from core.services import policy_revision_save
from funding.enums import DuesBasis
from funding.models import DuesBase
from funding.selectors.dues import dues_basis_for, dues_for_base, dues_monthly, dues_values_by_month
from members.enums import LifeStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(db):
    return policy_for_year(2024)


@pytest.mark.parametrize(
    ("income", "dues"),
    [
        ("0.01", "0.00"),
        ("1000", "5.00"),
        ("3000.00", "15.00"),
        ("3000.01", "30.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),
        ("25000", "500.00"),
    ],
)
def test_salary_dues_at_each_band_edge(values, income, dues):
    assert dues_monthly(basis=DuesBasis.SALARY, values=values, monthly_income=Decimal(income)) == Decimal(dues)


@pytest.mark.parametrize(("income", "dues"), [("2000", "10.00"), ("5000", "25.00"), ("5000.01", "50.00")])
def test_pension_dues_at_the_band_edge(values, income, dues):
    assert dues_monthly(basis=DuesBasis.PENSION, values=values, monthly_income=Decimal(income)) == Decimal(dues)


@pytest.mark.parametrize(
    ("basis", "income", "dues"),
    [
        (DuesBasis.SALARY, "2999.00", "15.00"),  # 14.995 → 15.00
        (DuesBasis.SALARY, "1001.00", "5.01"),  # 5.005 → 5.01
        (DuesBasis.SALARY, "1000.90", "5.00"),  # 5.0045 → 5.00
        (DuesBasis.SALARY, "3000.50", "30.01"),  # 30.005 → 30.01
        (DuesBasis.SALARY, "5000.30", "75.00"),  # 75.0045 → 75.00
        (DuesBasis.PENSION, "4999.00", "25.00"),  # 24.995 → 25.00
    ],
)
def test_half_a_fen_rounds_up(values, basis, income, dues):
    assert dues_monthly(basis=basis, values=values, monthly_income=Decimal(income)) == Decimal(dues)


def test_flat_and_farmer_dues(values):
    assert dues_monthly(basis=DuesBasis.FLAT, values=values) == Decimal("0.20")
    assert dues_monthly(basis=DuesBasis.FARMER, values=values) == Decimal("0.20")
    assert dues_monthly(basis=DuesBasis.FARMER, values=values, farmer_amount=Decimal("0.5")) == Decimal("0.50")
    assert dues_monthly(basis=DuesBasis.FARMER, values=values, farmer_amount=Decimal("1")) == Decimal("1.00")


@pytest.mark.parametrize(
    ("life_status", "basis"),
    [
        (LifeStatus.IN_SERVICE, DuesBasis.SALARY),
        (LifeStatus.SELF_EMPLOYED, DuesBasis.SALARY),
        (LifeStatus.RETIRED, DuesBasis.PENSION),
        (LifeStatus.STUDENT, DuesBasis.FLAT),
        (LifeStatus.UNEMPLOYED, DuesBasis.FLAT),
        (LifeStatus.FARMER, DuesBasis.FARMER),
        (LifeStatus.OTHER, DuesBasis.SALARY),
    ],
)
def test_basis_follows_the_life_status(life_status, basis):
    assert dues_basis_for(life_status) == basis


def test_a_revision_applies_from_its_month_only(db):
    policy_revision_save(
        name="2024年7月调整",
        effective_from=datetime.date(2024, 7, 1),
        source="测试文件",
        values={"dues.salary_rate_2": Decimal("0.012")},
        today=datetime.date(2024, 1, 1),
    )
    policy_revision_save(
        name="2024年8月中调整",
        effective_from=datetime.date(2024, 8, 15),
        source="测试文件",
        values={"dues.farmer_min": Decimal("0.3")},
        today=datetime.date(2024, 1, 1),
    )
    by_month = dues_values_by_month(year=2024)
    income = Decimal(4000)
    dues = [dues_monthly(basis=DuesBasis.SALARY, values=by_month[m], monthly_income=income) for m in range(1, 13)]
    assert dues == [Decimal("40.00")] * 6 + [Decimal("48.00")] * 6
    # A revision of 15 August applies from September, the first month whose first day it covers.
    assert [by_month[m]["dues.farmer_min"] for m in (8, 9)] == [Decimal("0.2"), Decimal("0.3")]
    farmer = DuesBase(basis=DuesBasis.FARMER, monthly_dues=Decimal("0.20"))
    assert [dues_for_base(base=farmer, values=by_month[m]) for m in (8, 9)] == [Decimal("0.20"), Decimal("0.30")]
    # Earlier years are untouched.
    assert dues_values_by_month(year=2023)[12]["dues.salary_rate_2"] == Decimal("0.01")
    assert dues_values_by_month(year=2025)[1]["dues.salary_rate_2"] == Decimal("0.012")
