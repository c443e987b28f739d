"""S-ASSESSMENT: the party-building item of the performance assessment, read from findings and reports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments import performance, services
from assessments.compliance import engine
from assessments.enums import ReportResult
from branches.enums import OrganisationKind, PostKind, Sector
from branches.services import post_assign
from tests.factories import make_org

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 4, 10)


def report(organisation, result):
    return services.annual_report_record(
        organisation=organisation,
        year=2024,
        reported_on=datetime.date(2025, 1, 15),
        result=result,
        published_on=datetime.date(2025, 1, 20),
        published_where="公开栏",
        text="述职报告",
    )


def test_the_item_weighs_daily_work_and_the_report(zone):
    engine.compliance_run(year=2024, today=AFTER_2024, rules=("Q-THREE-MEETINGS", "N-MEETINGS"), trigger="test")
    post_assign(
        organisation=zone.v1, member=zone.b1_members[1], kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    report(zone.v1, ReportResult.GOOD)
    rows = {r.organisation.code: r for r in performance.party_building_assessment(year=2024, today=AFTER_2024)}
    village = rows["V1"]
    # Two clauses with open findings below the village: 100 - 2 x 10 = 80; report good: 100.
    assert (village.open_clauses, village.daily_work, village.report_points) == (
        ["N-MEETINGS", "Q-THREE-MEETINGS"],
        Decimal(80),
        Decimal(100),
    )
    assert village.total == Decimal("88.0")  # 80 x 0.6 + 100 x 0.4
    assert village.review == "三级联述联评联考"
    # The town sees the village's misses too, and has no report: 80 x 0.6 + 0.
    assert (rows["T1"].daily_work, rows["T1"].report, rows["T1"].total) == (Decimal(80), None, Decimal("48.0"))
    ranked = performance.party_building_assessment(year=2024, today=AFTER_2024)
    assert [r.total for r in ranked] == sorted((r.total for r in ranked), reverse=True)


def test_agencies_go_through_the_double_joint_review(zone):
    agency = make_org(zone.wc, OrganisationKind.PARTY_COMMITTEE, sector=Sector.AGENCY, code="AG1", unit_name="某局")
    rows = {r.organisation.code: r for r in performance.party_building_assessment(year=2024, today=AFTER_2024)}
    assert rows[agency.code].review == "双联双评"
    assert rows[agency.code].daily_work == Decimal(100)


def test_the_page_lists_the_units_under_an_organisation(zone, users, client):
    client.force_login(users.town_admin)
    page = client.get(reverse("assessments:performance", args=[zone.t1.pk, 2024]))
    assert sorted(r.organisation.code for r in page.context["rows"]) == ["T1", "V1"]
    assert client.get(reverse("assessments:performance", args=[zone.t2.pk, 2024])).status_code == 404
