"""Recording a unit's activity-fund budget (F-ACTIVITY-*): who may, for which units and years, with
which amounts; one row per unit and year, corrected in place, keeping who recorded it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from branches.enums import OrganisationKind, Sector
from funding.models import ActivityFundBudget
from funding.services.activity import activity_budget_record, is_funded_unit, organisation_wage_figure
from tests.factories import make_org

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def unit(zone):
    return make_org(
        zone.t1,
        OrganisationKind.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="NP1",
        name="中共长沙甲科技有限公司支部委员会",
        unit_name="长沙甲科技有限公司",
        wage_bill=D("1000000"),
    )


def refusal(**kwargs) -> dict:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        activity_budget_record(**kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


def test_record_keeps_who_and_corrects_in_place(unit, users):
    first = activity_budget_record(
        organisation=unit, year=2016, wage_bill=D("1000000"), budget=D("3000"), user=users.town_admin
    )
    again = activity_budget_record(
        organisation=unit, year=2016, wage_bill=D("1100000"), budget=D("3300.005"), user=users.bureau
    )
    assert again.pk == first.pk
    assert ActivityFundBudget.objects.count() == 1
    row = ActivityFundBudget.objects.get()
    assert (row.organisation_id, row.year, row.wage_bill, row.budget, row.recorded_by) == (
        unit.pk,
        2016,
        D("1100000.00"),
        D("3300.01"),
        users.bureau,
    )
    other_year = activity_budget_record(organisation=unit, year=2017, wage_bill=D("1"), budget=D("0"))
    assert (other_year.recorded_by, ActivityFundBudget.objects.count()) == (None, 2)


def test_next_year_may_be_budgeted_but_not_the_one_after(unit):
    next_year = timezone.localdate().year + 1
    assert activity_budget_record(organisation=unit, year=next_year, wage_bill=D("1"), budget=D("1")).year == next_year
    assert refusal(organisation=unit, year=next_year + 1, wage_bill=D("1"), budget=D("1")) == {
        "year": [f"党建活动经费预算可录入2015年至{next_year}年，不能录入{next_year + 1}年。"]
    }
    assert refusal(organisation=unit, year=2014, wage_bill=D("1"), budget=D("1")) == {
        "year": [f"党建活动经费预算可录入2015年至{next_year}年，不能录入2014年。"]
    }


def test_amounts_wage_bill_above_zero_budget_zero_or_more(unit, zone):
    assert refusal(organisation=unit, year=2016, wage_bill=D("0"), budget=D("-0.01")) == {
        "wage_bill": ["请填写中共长沙甲科技有限公司支部委员会2016年的工资总额（元），须大于0。"],
        "budget": ["请填写中共长沙甲科技有限公司支部委员会2016年预算安排的党建活动经费（元），须为0或以上。"],
    }
    soe = make_org(
        zone.wc,
        OrganisationKind.PARTY_COMMITTEE,
        sector=Sector.SOE,
        code="SOE1",
        name="中共国投集团委员会",
        unit_name="国投集团",
    )
    assert refusal(organisation=soe, year=2016, wage_bill=None, budget=D("1")) == {
        "wage_bill": ["请填写中共国投集团委员会2016年的标准工资总额（元），须大于0。"]
    }
    assert refusal(organisation=unit, year=2016, wage_bill=D("1000000000000"), budget=D("1")) == {
        "wage_bill": ["金额过大：最多为999,999,999,999.99元。"]
    }
    assert activity_budget_record(organisation=unit, year=2016, wage_bill=D("0.01"), budget=D("0")).budget == D("0.00")


def test_only_funded_units(zone):
    community = make_org(
        zone.t2,
        OrganisationKind.BRANCH,
        sector=Sector.COMMUNITY,
        code="C9",
        name="新城社区党支部",
        unit_name="新城社区",
    )
    nameless = make_org(zone.wc, OrganisationKind.BRANCH, sector=Sector.AGENCY, code="A9", name="机关第9党支部")
    gone = make_org(
        zone.wc,
        OrganisationKind.BRANCH,
        sector=Sector.AGENCY,
        code="A8",
        name="机关第8党支部",
        unit_name="管委会第8部门",
    )
    gone.dissolved_on = datetime.date(2016, 6, 30)
    gone.save()
    args = {"year": 2016, "wage_bill": D("100"), "budget": D("2")}
    assert refusal(organisation=community, **args) == {
        "__all__": [
            "新城社区党支部（社区）不适用任何党建活动经费标准：标准适用于机关、事业单位、学校、国有企业和非公有制企业。"
        ]
    }
    assert refusal(organisation=zone.wc, **args) == {
        "__all__": ["中共测试高新区工作委员会未登记所在单位：党建活动经费按单位列入预算（请先填写单位名称）。"]
    }
    assert refusal(organisation=nameless, **args) == {
        "__all__": ["机关第9党支部未登记所在单位：党建活动经费按单位列入预算（请先填写单位名称）。"]
    }
    assert refusal(organisation=gone, **args) == {
        "__all__": ["机关第8党支部已于2016年6月30日撤销，没有党建活动经费可列入预算。"]
    }
    assert [is_funded_unit(o) for o in (community, nameless, gone)] == [False, False, False]
    assert ActivityFundBudget.objects.count() == 0


def test_school_is_funded_as_a_public_institution(zone):
    school = make_org(
        zone.t2,
        OrganisationKind.GENERAL_BRANCH,
        sector=Sector.SCHOOL,
        code="S1",
        name="中共第1学校总支部委员会",
        unit_name="高新区第1学校",
        wage_bill=D("5000000"),
    )
    assert is_funded_unit(school) is True
    assert activity_budget_record(organisation=school, year=2016, wage_bill=D("5000000"), budget=D("100000")).pk


def test_outside_the_users_subtree_is_refused(unit, users):
    args = {"organisation": unit, "year": 2016, "wage_bill": D("100"), "budget": D("2")}
    assert refusal(user=users.other_admin, **args) == {"__all__": ["该组织不在您的管辖范围内。"]}
    assert refusal(user=users.branch_admin, **args) == {"__all__": ["该组织不在您的管辖范围内。"]}
    assert activity_budget_record(user=users.town_admin, **args).recorded_by == users.town_admin
    assert ActivityFundBudget.objects.count() == 1


def test_the_form_prefills_the_organisations_figure(zone, unit):
    soe = make_org(
        zone.wc,
        OrganisationKind.PARTY_COMMITTEE,
        sector=Sector.SOE,
        code="SOE2",
        unit_name="国投集团",
        wage_bill=D("9000000"),
        standard_wage_bill=D("7000000"),
    )
    assert (organisation_wage_figure(unit), organisation_wage_figure(soe)) == (D("1000000"), D("7000000"))
