"""The bureau's compliance dashboard (issue 6): precomputed rates, drill-down links, trend, export."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from assessments.compliance import engine
from assessments.models import Finding, RuleTally
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


def test_only_whole_zone_roles_see_the_dashboard(users, client):
    client.force_login(users.town_admin)
    assert client.get(reverse("dashboard")).status_code == 403


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
