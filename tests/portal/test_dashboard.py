"""The bureau's compliance dashboard (issue 6): precomputed rates, drill-down links, trend, export."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from assessments.compliance import engine
from assessments.models import ComplianceRun, Finding, RuleTally
from portal import dashboards
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
RULES = ("Q-THREE-MEETINGS", "Q-TRAINING-MEMBER")


def run(today=datetime.date(2025, 1, 10)):
    return engine.compliance_run(year=2024, today=today, rules=RULES, trigger="test")


def test_without_a_run_the_dashboard_says_so(users, client):
    client.force_login(users.bureau)
    with translation.override("zh-hans"):
        page = client.get(reverse("dashboard"), {"year": 2024})
    assert page.status_code == 200
    assert page.context["dashboard"]["run"] is None
    assert "2024年度的合规检查尚未完成。" in page.content.decode()


def test_rates_come_from_the_run_and_each_bar_drills_down(users, client, zone):
    result = run()
    client.force_login(users.auditor)
    page = client.get(reverse("dashboard"), {"year": 2024})
    dashboard = page.context["dashboard"]
    tallies = RuleTally.objects.filter(run=result)
    checked = sum(t.checked for t in tallies)
    passed = sum(t.passed for t in tallies)
    assert (dashboard["checked"], dashboard["passed"]) == (checked, passed)
    assert dashboard["rate"] == dashboards.rate(passed, checked)
    bar = next(b for b in dashboard["rules"] if b.key == "Q-THREE-MEETINGS")
    three = tallies.filter(rule="Q-THREE-MEETINGS")
    assert (bar.checked, bar.passed) == (sum(t.checked for t in three), sum(t.passed for t in three))
    assert bar.url == f"{reverse('assessments:findings')}?year=2024&rule=Q-THREE-MEETINGS&group=organisation"
    town = next(b for b in dashboard["towns"] if b.key == str(zone.t1.pk))
    assert town.label == zone.t1.name
    # chart → organisations → organisation → finding
    organisations = client.get(town.url).context["page"]
    codes = {row["organisation__code"] for row in organisations}
    assert "B1" in codes
    assert {row["n"] for row in organisations if row["organisation__code"] == "B1"} == {
        Finding.objects.filter(organisation=zone.b1, year=2024, status="open").count()
    }
    data = page.context["chart_data"]
    assert [r["label"] for r in data["rules"]] == [b.label for b in dashboard["rules"]]


def test_a_rules_bar_is_labelled_with_the_duty_and_its_clause_is_small_print(users, client, zone):
    run()
    client.force_login(users.bureau)
    with translation.override("zh-hans"):
        page = client.get(reverse("dashboard"), {"year": 2024})
    rules = page.context["chart_data"]["rules"]
    assert [(r["label"], r["clause"]) for r in rules] == [
        ("三会一课", "Q-THREE-MEETINGS"),
        ("党员学习培训学时", "Q-TRAINING-MEMBER"),
    ]
    url = f"{reverse('assessments:findings')}?year=2024&amp;rule=Q-THREE-MEETINGS&amp;group=organisation"
    assert f'<a href="{url}">三会一课</a> <small class="text-muted">Q-THREE-MEETINGS</small>' in page.content.decode()
    assert {row["clause"] for row in page.context["chart_data"]["towns"]} == {""}


def test_the_trend_shows_the_last_run_of_each_month(users, client, zone):
    run(today=datetime.date(2024, 4, 2))
    run(today=datetime.date(2024, 4, 20))
    run(today=datetime.date(2024, 7, 1))
    trend = dashboards.compliance_trend(year=2024)
    assert [t["month"] for t in trend] == ["2024-04", "2024-07"]
    assert all(t["rate"] is not None for t in trend)


def test_the_organisations_with_most_open_findings(users, client, zone):
    run()
    client.force_login(users.bureau)
    top = client.get(reverse("dashboard"), {"year": 2024}).context["dashboard"]["top"]
    counts = [row["open"] for row in top]
    assert counts == sorted(counts, reverse=True)
    first = top[0]
    assert first["open"] == Finding.objects.filter(organisation_id=first["organisation"], status="open").count()


def test_the_dashboard_exports_to_xlsx(users, client, zone):
    run()
    client.force_login(users.bureau)
    with translation.override("zh-hans"):
        response = client.get(reverse("dashboard_export"), {"year": 2024})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "按规则",
        "按单位类别",
        "按街道（镇）或系统",
        "未整改发现最多的组织",
        "软弱涣散党组织候选",
    ]
    rows = list(book["按规则"].values)
    assert rows[0] == ("规则、单位类别或组织", "检查项数", "达标", "达标率（%）")
    assert {r[0].split()[0] for r in rows[1:]} == set(RULES)


def test_the_system_administrator_gets_no_dashboard(users, client):
    client.force_login(users.sysadmin)
    assert client.get(reverse("dashboard")).status_code == 403


def test_a_town_administrator_gets_their_subtrees_dashboard(users, client, zone):
    result = run()
    client.force_login(users.town_admin)
    with translation.override("zh-hans"):
        page = client.get(reverse("dashboard"), {"year": 2024})
    assert page.status_code == 200
    dashboard = page.context["dashboard"]
    inside = RuleTally.objects.filter(run=result, town=zone.t1)
    assert (dashboard["checked"], dashboard["passed"]) == (
        sum(t.checked for t in inside),
        sum(t.passed for t in inside),
    )
    assert [b.key for b in dashboard["towns"]] == [str(zone.t1.pk)]
    open_inside = Finding.objects.filter(year=2024, status="open", organisation__path__startswith=zone.t1.path)
    assert dashboard["open"] == open_inside.count()
    # B3 (in T2) has open findings, and none of them is counted or listed.
    assert Finding.objects.filter(year=2024, status="open", organisation=zone.b3).exists()
    assert dashboard["open"] < result.open_total
    assert {row["organisation"] for row in dashboard["top"]} == set(open_inside.values_list("organisation", flat=True))
    assert all(row["organisation"] != zone.b3.pk for row in dashboard["weak"])
    assert "weak_year_url" not in page.context
    assert f"{zone.t1.name}及其下属组织的数据。" in page.content.decode()
    # Every drill-down stays inside the subtree.
    organisations = client.get(dashboard["rules"][0].url).context["page"]
    assert {row["organisation__code"] for row in organisations} <= {"T1", "V1", "B1", "G1", "B2"}
    assert client.get(reverse("assessments:org_findings", args=[zone.b3.pk])).status_code == 404


def test_a_town_administrators_export_has_their_town_only(users, client, zone):
    run()
    client.force_login(users.town_admin)
    with translation.override("zh-hans"):
        response = client.get(reverse("dashboard_export"), {"year": 2024})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content))["按街道（镇）或系统"].values)
    assert [row[0] for row in rows[1:]] == [zone.t1.name]


def test_below_a_town_the_dashboard_shows_the_findings_and_says_why_no_rate(users, client, zone):
    run()
    client.force_login(users.branch_admin)
    with translation.override("zh-hans"):
        page = client.get(reverse("dashboard"), {"year": 2024})
    dashboard = page.context["dashboard"]
    assert (page.status_code, dashboard["checked"], dashboard["rules"]) == (200, 0, [])
    assert (
        dashboard["open"]
        == Finding.objects.filter(year=2024, status="open", organisation__path__startswith=zone.b1.path).count()
    )
    assert 'id="dashboard-below-town"' in page.content.decode()


def tallied_run(*, as_of, rows):
    """A finished run with the tallies given as (rule, sector, town, checked, passed)."""
    result = ComplianceRun.objects.create(year=2024, as_of=as_of, state=ComplianceRun.State.DONE, trigger="test")
    RuleTally.objects.bulk_create(
        RuleTally(run=result, rule=rule, sector=sector, town=town, checked=checked, passed=passed)
        for rule, sector, town, checked, passed in rows
    )
    return result


def test_the_bars_come_worst_first_coloured_by_status_with_the_target(users, client, zone):
    tallied_run(
        as_of=datetime.date(2024, 12, 31),
        rows=[
            ("Q-THREE-MEETINGS", "village", zone.t1, 100, 96),
            ("Q-TRAINING-MEMBER", "village", zone.t1, 100, 50),
            ("Q-LECTURE-SECRETARY", "community", zone.t2, 100, 90),
            ("Q-LECTURE-SECRETARY", "community", zone.t2, 0, 0),
        ],
    )
    client.force_login(users.bureau)
    data = client.get(reverse("dashboard"), {"year": 2024}).context["chart_data"]
    assert [(r["clause"], r["rate"], r["status"]) for r in data["rules"]] == [
        ("Q-TRAINING-MEMBER", 50.0, "danger"),
        ("Q-LECTURE-SECRETARY", 90.0, "warning"),
        ("Q-THREE-MEETINGS", 96.0, "success"),
    ]
    assert [(r["rate"], r["status"]) for r in data["sectors"]] == [(73.0, "danger"), (90.0, "warning")]
    assert [(r["label"], r["rate"]) for r in data["towns"]] == [(zone.t1.name, 73.0), (zone.t2.name, 90.0)]
    assert data["target"]["rate"] == dashboards.TARGET_RATE == 100
    assert set(data["colours"]) == {"danger", "warning", "success", "none"}


def test_the_trend_axis_is_fitted_to_the_rates(users, client, zone):
    tallied_run(as_of=datetime.date(2024, 3, 31), rows=[("Q-THREE-MEETINGS", "village", zone.t1, 100, 93)])
    tallied_run(as_of=datetime.date(2024, 6, 30), rows=[("Q-THREE-MEETINGS", "village", zone.t1, 100, 95)])
    client.force_login(users.bureau)
    data = client.get(reverse("dashboard"), {"year": 2024}).context["chart_data"]
    assert [(t["month"], t["rate"]) for t in data["trend"]] == [("2024-03", 93.0), ("2024-06", 95.0)]
    assert data["trend_axis"] == {"min": 91, "max": 97}


@pytest.mark.parametrize(
    ("rates", "axis"),
    [
        ([], {"min": 0, "max": 100}),
        ([None, 40.0], {"min": 38, "max": 42}),
        ([10.0, 90.0], {"min": 0, "max": 100}),
        ([99.5], {"min": 97, "max": 100}),
    ],
)
def test_the_trend_axis_stays_within_0_and_100(rates, axis):
    assert dashboards.trend_axis(rates) == axis


@pytest.mark.parametrize(
    ("value", "status"),
    [(None, "none"), ("79.9", "danger"), ("80", "warning"), ("94.9", "warning"), ("95", "success"), ("100", "success")],
)
def test_rate_status_thresholds(value, status):
    assert dashboards.rate_status(None if value is None else Decimal(value)) == status


@pytest.mark.parametrize("extra_towns", [1, 6])
def test_the_dashboard_costs_the_same_queries_at_any_size(users, client, zone, extra_towns, django_assert_num_queries):
    for n in range(extra_towns):
        town = make_org(zone.wc, "party_committee", sector="town", code=f"XT{n}")
        branch = make_org(town, "branch", sector="community", code=f"XB{n}")
        MemberFactory.create_batch(2, organisation=branch)
    run()
    client.force_login(users.bureau)
    client.get(reverse("dashboard"), {"year": 2024})
    with django_assert_num_queries(9):
        client.get(reverse("dashboard"), {"year": 2024})


@pytest.mark.parametrize("extra_branches", [1, 6])
def test_a_town_administrators_dashboard_costs_the_same_queries_at_any_size(
    users, client, zone, extra_branches, django_assert_num_queries
):
    for n in range(extra_branches):
        branch = make_org(zone.v1, "branch", sector="village", code=f"XB{n}")
        MemberFactory.create_batch(2, organisation=branch)
    run()
    client.force_login(users.town_admin)
    client.get(reverse("dashboard"), {"year": 2024})
    with django_assert_num_queries(10):
        client.get(reverse("dashboard"), {"year": 2024})


def test_weak_organisation_candidates_come_from_the_run(users, client, zone):
    from assessments.weak import weak_candidates

    result = run()
    client.force_login(users.bureau)
    page = client.get(reverse("dashboard"), {"year": 2024})
    rows = page.context["dashboard"]["weak"]
    expected = weak_candidates(year=2024, today=result.as_of)
    assert sorted((r["organisation"], r["type"]) for r in rows) == sorted(
        (e["organisation"], e["type"]) for e in expected
    )
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), key=float)
    assert rows  # the zone's village and community are ranked, so each type names at least one
    assert page.context["weak_year_url"] == reverse("assessments:weak_year", args=[zone.wc.pk, 2024])
