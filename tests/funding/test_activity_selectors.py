"""The activity-fund rows and report (F-ACTIVITY-*): status of every unit, the minimum from the
organisation's figure when no budget exists, sums by sector and by town or system computed in SQL
(equal to the formulas' own rounding), scoping, and a fixed number of queries."""

import datetime
import random
import types
from decimal import Decimal

import pytest

from branches.enums import OrganisationKind as K
from branches.enums import Sector
from core.models import PolicyRevision, PolicyValue
from funding.selectors import activity as selectors
from funding.services.activity import ActivityStatus, activity_budget_record
from tests.factories import make_org

pytestmark = pytest.mark.django_db
D = Decimal


def build_units(zone):
    """Funded units across sectors and towns, with 2016 budgets at the formulas' boundaries.

    agencies committee (no unit) ── A1 agency (budget exactly 2%) ── A2 public institution (no budget)
    SOE committee (budget one fen over 1%) · T1 ── NP1 (one fen under 3‰ of its budget's wage bill), NP2 (no figure)
    T2 ── S1 school (within) · not funded: a community with a unit, a dissolved agency, the zone's own branches
    """
    agencies = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="AGC", name="中共高新区机关委员会")
    a1 = make_org(
        agencies,
        K.BRANCH,
        sector=Sector.AGENCY,
        code="A1",
        name="机关第1党支部",
        unit_name="管委会办公室",
        wage_bill=D("100000"),
    )
    a2 = make_org(
        agencies,
        K.BRANCH,
        sector=Sector.PUBLIC_INSTITUTION,
        code="A2",
        name="事业单位第1党支部",
        unit_name="政务服务中心",
        wage_bill=D("12345.25"),
    )
    soe = make_org(
        zone.wc,
        K.PARTY_COMMITTEE,
        sector=Sector.SOE,
        code="SOE",
        name="中共国投集团委员会",
        unit_name="国投集团",
        wage_bill=D("900000"),
        standard_wage_bill=D("100000"),
    )
    np1 = make_org(
        zone.t1,
        K.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="NP1",
        name="中共甲科技公司支部委员会",
        unit_name="甲科技有限公司",
        wage_bill=D("100000"),
    )
    np2 = make_org(
        zone.t1,
        K.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="NP2",
        name="中共乙科技公司支部委员会",
        unit_name="乙科技有限公司",
    )
    s1 = make_org(
        zone.t2,
        K.GENERAL_BRANCH,
        sector=Sector.SCHOOL,
        code="S1",
        name="中共第1学校总支部委员会",
        unit_name="高新区第1学校",
        wage_bill=D("200000"),
    )
    make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, code="C1", name="新城社区党支部", unit_name="新城社区")
    gone = make_org(
        agencies,
        K.BRANCH,
        sector=Sector.AGENCY,
        code="A9",
        name="机关第9党支部",
        unit_name="已撤销部门",
        wage_bill=D("100000"),
    )
    gone.dissolved_on = datetime.date(2015, 6, 30)
    gone.save()
    activity_budget_record(organisation=a1, year=2016, wage_bill=D("100000"), budget=D("2000"))
    activity_budget_record(organisation=soe, year=2016, wage_bill=D("100000"), budget=D("1000.01"))
    activity_budget_record(organisation=np1, year=2016, wage_bill=D("200000"), budget=D("599.99"))
    activity_budget_record(organisation=s1, year=2016, wage_bill=D("200000"), budget=D("5000"))
    return types.SimpleNamespace(agencies=agencies, a1=a1, a2=a2, soe=soe, np1=np1, np2=np2, s1=s1, gone=gone)


@pytest.fixture
def units(zone):
    return build_units(zone)


def shown(rows):
    return [(r.code, r.status, r.wage_bill, r.wage_from_budget, r.minimum, r.maximum, r.budget, r.gap) for r in rows]


def test_rows_of_the_zone_with_status_and_the_organisations_figure_when_no_budget(zone, units):
    rows = list(selectors.activity_rows(units=selectors.activity_units(within=zone.wc), year=2016))
    assert shown(rows) == [
        ("NP1", ActivityStatus.BELOW, D("200000.00"), True, D("600.00"), D("1000.00"), D("599.99"), D("0.01")),
        ("NP2", ActivityStatus.WAGE_UNKNOWN, None, False, None, None, None, None),
        ("S1", ActivityStatus.WITHIN, D("200000.00"), True, D("4000.00"), None, D("5000.00"), None),
        ("A1", ActivityStatus.WITHIN, D("100000.00"), True, D("2000.00"), None, D("2000.00"), None),
        ("A2", ActivityStatus.NO_BUDGET, D("12345.25"), False, D("246.91"), None, None, None),
        ("SOE", ActivityStatus.ABOVE, D("100000.00"), True, D("500.00"), D("1000.00"), D("1000.01"), D("0.01")),
    ]
    assert [(r.town_name, r.clause, r.flagged) for r in rows] == [
        ("中共麓谷街道工作委员会", "F-ACTIVITY-NONPUBLIC", True),
        ("中共麓谷街道工作委员会", "F-ACTIVITY-NONPUBLIC", True),
        ("中共东方红街道工作委员会", "F-ACTIVITY-AGENCY", False),
        ("中共高新区机关委员会", "F-ACTIVITY-AGENCY", False),
        ("中共高新区机关委员会", "F-ACTIVITY-AGENCY", True),
        ("中共国投集团委员会", "F-ACTIVITY-SOE", False),
    ]


def test_flagged_rows_are_those_without_a_budget_or_under_the_minimum(zone, units):
    rows = selectors.activity_rows(units=selectors.activity_units(within=zone.wc), year=2016, flagged=True)
    assert (rows.count(), [r.code for r in rows]) == (3, ["NP1", "NP2", "A2"])
    # A year without budgets: every unit is flagged, measured against its organisation's figure.
    rows = list(selectors.activity_rows(units=selectors.activity_units(within=zone.wc), year=2017, flagged=True))
    assert [(r.code, r.minimum, r.status) for r in rows] == [
        ("NP1", D("300.00"), ActivityStatus.NO_BUDGET),
        ("NP2", None, ActivityStatus.WAGE_UNKNOWN),
        ("S1", D("4000.00"), ActivityStatus.NO_BUDGET),
        ("A1", D("2000.00"), ActivityStatus.NO_BUDGET),
        ("A2", D("246.91"), ActivityStatus.NO_BUDGET),
        ("SOE", D("500.00"), ActivityStatus.NO_BUDGET),
    ]


def test_subtree_and_a_unit_itself(zone, units):
    assert [r.code for r in selectors.activity_rows(units=selectors.activity_units(within=zone.t1), year=2016)] == [
        "NP1",
        "NP2",
    ]
    row = selectors.activity_unit_row(organisation=units.soe, year=2016)
    assert (row.code, row.status, row.gap) == ("SOE", ActivityStatus.ABOVE, D("0.01"))
    assert selectors.activity_unit_row(organisation=zone.b1, year=2016) is None
    assert selectors.activity_unit_row(organisation=units.gone, year=2016) is None


def lines(report_lines):
    return [(x.label, x.units, x.budgets, x.flagged, x.minimum_sum, x.budget_sum) for x in report_lines]


def test_report_by_sector_and_by_town_or_system(zone, units):
    report = selectors.activity_report(units=selectors.activity_units(), year=2016)
    assert [(x.sector, *line) for x, line in zip(report.by_sector, lines(report.by_sector), strict=True)] == [
        ("agency", "机关", 1, 1, 0, D("2000.00"), D("2000.00")),
        ("public_institution", "事业单位", 1, 0, 1, D("246.91"), D("0.00")),
        ("school", "学校", 1, 1, 0, D("4000.00"), D("5000.00")),
        ("soe", "国有企业", 1, 1, 0, D("500.00"), D("1000.01")),
        ("non_public", "非公有制企业", 2, 1, 2, D("600.00"), D("599.99")),
    ]
    assert lines(report.by_town) == [
        ("中共麓谷街道工作委员会", 2, 1, 2, D("600.00"), D("599.99")),
        ("中共东方红街道工作委员会", 1, 1, 0, D("4000.00"), D("5000.00")),
        ("中共高新区机关委员会", 2, 1, 1, D("2246.91"), D("2000.00")),
        ("中共国投集团委员会", 1, 1, 0, D("500.00"), D("1000.01")),
    ]
    assert [line.town_pk for line in report.by_town] == [zone.t1.pk, zone.t2.pk, units.agencies.pk, units.soe.pk]
    assert lines([report.total]) == [("", 6, 4, 3, D("7346.91"), D("8600.00"))]


def test_report_is_scoped_to_the_users_subtree(zone, units, users):
    town = selectors.activity_report(units=selectors.activity_units(user=users.town_admin), year=2016)
    assert lines([town.total]) == [("", 2, 1, 2, D("600.00"), D("599.99"))]
    assert [line.label for line in town.by_town] == ["中共麓谷街道工作委员会"]
    branch = selectors.activity_report(units=selectors.activity_units(user=users.branch_admin), year=2016)
    assert (branch.by_sector, branch.by_town, branch.total.units) == ([], [], 0)


def test_report_minimums_in_sql_equal_the_formulas_rounding(zone):
    """ROUND(numeric, 2) in the report and `fen` in the rows agree, half fens included."""
    rng = random.Random(2015)
    sectors = [Sector.AGENCY, Sector.SOE, Sector.NON_PUBLIC]
    for n in range(60):
        sector = sectors[n % 3]
        wage = D(rng.randint(1, 10**7)) / 100 if n % 4 else D("1835.00") + D(n * 1000)  # x835: 3‰ ends in half a fen
        make_org(zone.t2, K.BRANCH, sector=sector, unit_name=f"单位{n}", wage_bill=wage, standard_wage_bill=wage)
    for year in (2016, 2017):
        rows = list(selectors.activity_rows(units=selectors.activity_units(), year=year))
        report = selectors.activity_report(units=selectors.activity_units(), year=year)
        assert report.total.minimum_sum == sum(r.minimum for r in rows)


def test_a_later_revision_moves_its_years_minimum_not_earlier_ones(zone, units):
    revision = PolicyRevision.objects.create(
        name="2018年调整", effective_from=datetime.date(2018, 1, 1), source="测试文件"
    )
    PolicyValue.objects.create(revision=revision, key="activity_fund.agency_min_rate", value=D("0.025"))
    activity_budget_record(organisation=units.a1, year=2018, wage_bill=D("100000"), budget=D("2000"))
    row_2016 = selectors.activity_unit_row(organisation=units.a1, year=2016)
    row_2018 = selectors.activity_unit_row(organisation=units.a1, year=2018)
    assert (row_2016.minimum, row_2016.status) == (D("2000.00"), ActivityStatus.WITHIN)
    assert (row_2018.minimum, row_2018.status, row_2018.gap) == (D("2500.00"), ActivityStatus.BELOW, D("500.00"))
    agency_2018 = selectors.activity_report(units=selectors.activity_units(sector=Sector.AGENCY), year=2018).total
    assert (agency_2018.flagged, agency_2018.minimum_sum) == (1, D("2500.00"))


@pytest.mark.parametrize("extra", [0, 25])
def test_report_and_rows_take_the_same_queries_whatever_the_number_of_units(
    zone, units, extra, django_assert_num_queries
):
    for n in range(extra):
        unit = make_org(zone.t2, K.BRANCH, sector=Sector.NON_PUBLIC, unit_name=f"企业{n}", wage_bill=D(100000 + n))
        if n % 2:
            activity_budget_record(organisation=unit, year=2016, wage_bill=D(100000 + n), budget=D("400"))
    # The policy, the aggregate, the town names.
    with django_assert_num_queries(3):
        report = selectors.activity_report(units=selectors.activity_units(), year=2016)
    assert report.total.units == 6 + extra
    # The policy, then the town names and the rows.
    with django_assert_num_queries(3):
        rows = list(selectors.activity_rows(units=selectors.activity_units(), year=2016))
    assert len(rows) == 6 + extra
