"""Special reports on party building (Q-ANNUAL-REPORT) and the town's congress session (Q-TOWN-CONGRESS)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.enums import ReportResult
from assessments.models import AnnualReport, CongressSession

pytestmark = pytest.mark.django_db


def report(zone, reporter, **changes):
    data = {"organisation": zone.b1, "year": 2023, "reported_on": datetime.date(2024, 1, 15), "reporter": reporter,
            "result": ReportResult.GOOD, "published_on": datetime.date(2024, 1, 20), "published_where": "村务公开栏"}  # fmt: skip
    return services.annual_report_record(**{**data, **changes})


def test_report_by_the_secretary_of_the_day_published_after(zone):
    secretary, other, _ = zone.b1_members
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        report(zone, other)
    assert exc.value.message_dict["reporter"] == [f"2024-01-15，{other.name}不是东村第1党支部的书记。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        report(zone, secretary, published_on=datetime.date(2024, 1, 10))
    assert exc.value.message_dict["published_on"] == ["评议结果须在述职当天或之后公开。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        report(zone, secretary, reported_on=datetime.date(2022, 12, 1))
    assert exc.value.message_dict["reported_on"] == ["2023年度的述职在2023年或2024年初进行。"]
    report(zone, secretary)
    with pytest.raises(ValidationError):
        report(zone, secretary)  # once a year
    with pytest.raises(ValidationError):
        report(zone, secretary, organisation=zone.b3)  # B3's secretary is someone else


def test_report_page_asks_no_reporter(zone, users, client_for):
    client = client_for(users.branch_admin)
    response = client.post(reverse("assessments:report_create", args=[zone.b1.pk, 2023]), {
        "reported_on": "2024-01-15", "result": "good", "published_on": "2024-01-16", "published_where": "公开栏"})  # fmt: skip
    assert response.status_code == 302
    assert AnnualReport.objects.get().reporter == zone.b1_members[0]  # the secretary, from the posts
    page = client.get(reverse("assessments:reports", args=[zone.b1.pk, 2023]))
    assert page.context["report"].get_result_display() == "好"


def test_congress_session_once_a_year_for_towns(zone):
    services.congress_session_record(organisation=zone.t1, held_on=datetime.date(2024, 2, 1), deputies=80,
                                     deputies_present=76, agenda="审议党委工作报告")  # fmt: skip
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.congress_session_record(organisation=zone.t1, held_on=datetime.date(2024, 9, 1), deputies=80,
                                         deputies_present=70, agenda="增补")  # fmt: skip
    assert exc.value.messages == ["2024年的年会已有记录。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.congress_session_record(organisation=zone.t1, held_on=datetime.date(2025, 2, 1), deputies=80,
                                         deputies_present=81, agenda="x")  # fmt: skip
    assert exc.value.message_dict["deputies_present"] == ["出席代表不能多于代表总数。"]
    with pytest.raises(ValidationError):
        services.congress_session_record(organisation=zone.b1, held_on=datetime.date(2024, 2, 1), deputies=10,
                                         deputies_present=9, agenda="x")  # fmt: skip
    assert CongressSession.objects.count() == 1


def test_report_of_an_organisation_without_a_secretary_says_so(zone, users, client_for):
    with translation.override("zh-hans"):
        response = client_for(users.town_admin).post(reverse("assessments:report_create", args=[zone.b2.pk, 2023]), {
            "reported_on": "2024-01-15", "result": "good", "published_on": "2024-01-16", "published_where": "公开栏"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["reported_on"] == ["2024-01-15，东村第2党支部没有书记。"]
    assert AnnualReport.objects.count() == 0
