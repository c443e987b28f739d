"""The activity-fund pages (F-ACTIVITY-*): the units under an organisation, a unit's budget form,
the report with its drill-down and the export; scoping, permissions and query counts."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from branches.enums import OrganisationKind as K
from branches.enums import Sector
from funding.models import ActivityFundBudget
from funding.services.activity import activity_budget_record
from tests.concurrency import opened
from tests.factories import make_org
from tests.funding.test_activity_selectors import build_units

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def units(zone):
    return build_units(zone)


def text(response) -> str:
    return response.content.decode()


def test_units_page_lists_the_subtrees_units_with_their_figures(zone, units, users, client_for):
    response = client_for(users.bureau).get(reverse("funding:activity", args=[zone.wc.pk, 2016]))
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.paginator.count, [r.code for r in page]) == (6, ["NP1", "NP2", "S1", "A1", "A2", "SOE"])
    body = text(response)
    for shown in (
        "F-ACTIVITY-AGENCY",
        "F-ACTIVITY-SOE",
        "F-ACTIVITY-NONPUBLIC",
        "¥200,000.00",
        "¥600.00",
        "¥599.99",
        "差¥0.01",
        "超¥0.01",
        "¥246.91",
        "未录入预算，工资总额不详",
        "（组织登记数）",
        "适用单位：6个",
        reverse("funding:activity_budget", args=[units.a2.pk, 2016]),
    ):
        assert shown in body, shown
    flagged = client_for(users.bureau).get(reverse("funding:activity", args=[zone.wc.pk, 2016]), {"flagged": "1"})
    assert [r.code for r in flagged.context["page"]] == ["NP1", "NP2", "A2"]
    schools = client_for(users.bureau).get(reverse("funding:activity", args=[zone.wc.pk, 2016]), {"sector": "school"})
    assert [r.code for r in schools.context["page"]] == ["S1"]


def test_units_page_of_a_unit_shows_itself_and_no_edit_link_for_the_auditor(zone, units, users, client_for):
    response = client_for(users.auditor).get(reverse("funding:activity", args=[units.soe.pk, 2016]))
    assert [r.code for r in response.context["page"]] == ["SOE"]
    assert reverse("funding:activity_budget", args=[units.soe.pk, 2016]) not in text(response)


def test_units_page_paginates_at_100(zone, users, client_for):
    for n in range(101):
        make_org(zone.t2, K.BRANCH, sector=Sector.NON_PUBLIC, unit_name=f"企业{n}", wage_bill=D(100000))
    response = client_for(users.bureau).get(reverse("funding:activity", args=[zone.wc.pk, 2016]), {"page": 2})
    assert (response.context["page"].paginator.count, len(response.context["page"])) == (101, 1)


@pytest.mark.parametrize("extra", [0, 20])
def test_units_page_query_count_constant(zone, units, users, client_for, extra, django_assert_num_queries):
    for n in range(extra):
        unit = make_org(zone.t2, K.BRANCH, sector=Sector.NON_PUBLIC, unit_name=f"企业{n}", wage_bill=D(100000))
        activity_budget_record(organisation=unit, year=2016, wage_bill=D(100000), budget=D(n))
    client = client_for(users.bureau)
    # session, user, organisation, the ledgers that apply, policy, count, town names, rows (the work
    # committee has no breadcrumb).
    with django_assert_num_queries(8):
        client.get(reverse("funding:activity", args=[zone.wc.pk, 2016]))


def test_budget_form_prefills_the_organisations_figure_and_records(zone, units, users, client_for):
    client = client_for(users.bureau)
    url = reverse("funding:activity_budget", args=[units.soe.pk, 2017])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial == {"wage_bill": D("100000")}  # the standard wage bill, not 900,000
    assert response.context["form"].fields["wage_bill"].label == "标准工资总额（元）"
    assert response.context["form"].fields["wage_bill"].help_text == "已按组织登记的数额预填；如本年度不同，请更正。"
    assert "F-ACTIVITY-SOE" in text(response)
    response = client.post(url, opened(client, url, {"wage_bill": "120000", "budget": "600"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:activity", args=[units.soe.pk, 2017])
    row = ActivityFundBudget.objects.get(organisation=units.soe, year=2017)
    assert (row.wage_bill, row.budget, row.recorded_by) == (D("120000.00"), D("600.00"), users.bureau)
    again = client.get(url)
    assert again.context["form"].initial == {"wage_bill": D("120000.00"), "budget": D("600.00")}
    assert again.context["form"].fields["wage_bill"].help_text == ""
    assert users.bureau.display_name in text(again)


def test_budget_form_shows_the_services_refusal(zone, units, users, client_for):
    client, url = client_for(users.town_admin), reverse("funding:activity_budget", args=[units.np1.pk, 2016])
    with translation.override("zh-hans"):
        response = client.post(url, opened(client, url, {"wage_bill": "0", "budget": "-1"}))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "wage_bill": ["请填写中共甲科技公司支部委员会2016年的工资总额（元），须大于0。"],
        "budget": ["请填写中共甲科技公司支部委员会2016年预算安排的党建活动经费（元），须为0或以上。"],
    }
    assert "须为0或以上" in text(response)
    assert ActivityFundBudget.objects.get(organisation=units.np1).budget == D("599.99")


def test_budget_form_of_an_organisation_that_is_no_unit(zone, units, users, client_for):
    client = client_for(users.town_admin)
    url = reverse("funding:activity_budget", args=[zone.v1.pk, 2016])
    response = client.get(url)
    assert (response.status_code, response.context["funded"]) == (200, False)
    assert "不适用党建活动经费标准" in text(response)
    response = client.post(url, opened(client, url, {"wage_bill": "100000", "budget": "3000"}))
    assert response.context["form"].non_field_errors() == [
        "中共东村总支部委员会未登记所在单位：党建活动经费按单位列入预算（请先填写单位名称）。"
    ]
    assert ActivityFundBudget.objects.filter(organisation=zone.v1).exists() is False


def test_budget_form_outside_the_scope_is_404(zone, units, users, client_for):
    client = client_for(users.other_admin)
    url = reverse("funding:activity_budget", args=[units.np1.pk, 2016])
    assert client.get(url).status_code == 404
    assert client.post(url, {"wage_bill": "100000", "budget": "3000"}).status_code == 404
    assert ActivityFundBudget.objects.get(organisation=units.np1).budget == D("599.99")


def test_report_tables_and_drill_down(zone, units, users, client_for):
    client = client_for(users.bureau)
    url = reverse("funding:activity_report", args=[2016])
    response = client.get(url)
    assert response.status_code == 200
    assert "page" not in response.context
    body = text(response)
    for shown in (
        "F-ACTIVITY-AGENCY",
        "全区",
        "¥7,346.91",
        "¥8,600.00",
        "¥2,246.91",
        "中共高新区机关委员会",
        f'href="?town={units.agencies.pk}&amp;flagged=1"',
        'href="?sector=non_public"',
    ):
        assert shown in body, shown
    by_sector = client.get(url, {"sector": "non_public"})
    assert [r.code for r in by_sector.context["page"]] == ["NP1", "NP2"]
    by_town = client.get(url, {"town": units.agencies.pk, "flagged": "1"})
    assert [r.code for r in by_town.context["page"]] == ["A2"]
    assert reverse("funding:activity", args=[units.a2.pk, 2016]) in text(by_town)
    assert reverse("funding:activity_budget", args=[units.a2.pk, 2016]) in text(by_town)


def test_report_pages_the_towns_and_systems_at_100(zone, users, client_for):
    for n in range(99):  # with T1 and T2 (their units below), 101 towns or systems
        make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, unit_name=f"国投{n}", standard_wage_bill=D(100000))
    make_org(zone.t1, K.BRANCH, sector=Sector.AGENCY, unit_name="街道办", wage_bill=D(100000))
    make_org(zone.t2, K.BRANCH, sector=Sector.AGENCY, unit_name="街道办", wage_bill=D(100000))
    client = client_for(users.bureau)
    url = reverse("funding:activity_report", args=[2016])
    first = client.get(url, {"sector": "soe"})
    assert (len(first.context["towns"]), first.context["report"].total.units) == (100, 101)
    assert 'href="?sector=soe&amp;towns=2"' in text(first)
    last = client.get(url, {"sector": "soe", "towns": 2})
    assert [line.label for line in last.context["towns"]] == [last.context["report"].by_town[-1].label]


def test_report_is_scoped_and_a_town_outside_is_404(zone, units, users, client_for):
    client = client_for(users.town_admin)
    url = reverse("funding:activity_report", args=[2016])
    response = client.get(url)
    assert (response.context["report"].total.units, response.context["scope_root"]) == (2, zone.t1)
    assert client.get(url, {"town": zone.t1.pk}).context["page"].paginator.count == 2
    assert client.get(url, {"town": zone.t2.pk}).status_code == 404
    # The branch admin's town contains their scope: the filter is allowed; their village branch has no
    # funded unit, and the page says the funds do not apply (issue 12).
    branch = client_for(users.branch_admin).get(url, {"town": zone.t1.pk})
    assert (branch.status_code, branch.context["not_applicable"], "page" in branch.context) == (200, True, False)


@pytest.mark.parametrize("extra", [0, 20])
def test_report_query_count_constant(zone, units, users, client_for, extra, django_assert_num_queries):
    for n in range(extra):
        unit = make_org(zone.t2, K.BRANCH, sector=Sector.NON_PUBLIC, unit_name=f"企业{n}", wage_bill=D(100000))
        activity_budget_record(organisation=unit, year=2016, wage_bill=D(100000), budget=D(n))
    client = client_for(users.bureau)
    url = reverse("funding:activity_report", args=[2016])
    # session, user, policy, aggregate, town names.
    with django_assert_num_queries(5):
        client.get(url)
    # ... and the drill-down's count, town names and rows.
    with django_assert_num_queries(8):
        client.get(url, {"sector": "non_public"})


def test_export_respects_filters_and_neutralises_formulas(zone, units, users, client_for):
    make_org(
        zone.t1,
        K.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="EVIL",
        name='=HYPERLINK("http://x")',
        unit_name="+cmd",
        wage_bill=D("1000"),
    )
    response = client_for(users.town_admin).get(reverse("funding:activity_export", args=[2016]), {"flagged": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E5%85%9A%E5%BB%BA%E6%B4%BB%E5%8A%A8%E7%BB%8F%E8%B4%B92016.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["2016年党建活动经费（F-ACTIVITY-AGENCY, F-ACTIVITY-SOE, F-ACTIVITY-NONPUBLIC）"] + [None] * 11
    assert values[1][:4] == ["组织代码", "所属组织", "所在单位", "单位类别"]
    assert [row[0] for row in values[2:]] == ["NP1", "NP2", "EVIL"]
    assert values[2][6:] == [200000, 600, 1000, 599.99, "低于下限", 0.01]
    assert values[4][1:3] == ['\'=HYPERLINK("http://x")', "'+cmd"]
