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
    data = {
        "organisation": zone.b1,
        "year": 2023,
        "reported_on": datetime.date(2024, 1, 15),
        "reporter": reporter,
        "result": ReportResult.GOOD,
        "published_on": datetime.date(2024, 1, 20),
        "published_where": "村务公开栏",
        "text": "一年来，支部抓党建促发展……",
    }
    return services.annual_report_record(**{**data, **changes})


def test_report_by_the_secretary_of_the_day_published_after(zone):
    secretary, other, _ = zone.b1_members
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        report(zone, other)
    assert exc.value.message_dict["reporter"] == [f"2024年1月15日，{other.name}不是东村第1党支部的书记。"]
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
    response = client.post(
        reverse("assessments:report_create", args=[zone.b1.pk, 2023]),
        {
            "reported_on": "2024-01-15",
            "result": "good",
            "published_on": "2024-01-16",
            "published_where": "公开栏",
            "text": "述职报告",
        },
    )
    assert response.status_code == 302
    assert AnnualReport.objects.get().reporter == zone.b1_members[0]  # the secretary, from the posts
    page = client.get(reverse("assessments:reports", args=[zone.b1.pk, 2023]))
    assert page.context["report"].get_result_display() == "好"


def test_congress_session_once_a_year_for_towns(zone, town):
    services.congress_session_record(
        organisation=town.committee,
        held_on=datetime.date(2024, 2, 1),
        deputies=80,
        deputies_present=76,
        agenda="审议党委工作报告",
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.congress_session_record(
            organisation=town.committee,
            held_on=datetime.date(2024, 9, 1),
            deputies=80,
            deputies_present=70,
            agenda="增补",
        )
    assert exc.value.messages == ["2024年的年会已有记录。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.congress_session_record(
            organisation=town.committee,
            held_on=datetime.date(2025, 2, 1),
            deputies=80,
            deputies_present=81,
            agenda="x",
        )
    assert exc.value.message_dict["deputies_present"] == ["出席代表不能多于代表总数。"]
    with pytest.raises(ValidationError):
        services.congress_session_record(
            organisation=zone.b1, held_on=datetime.date(2024, 2, 1), deputies=10, deputies_present=9, agenda="x"
        )
    assert CongressSession.objects.count() == 1


def test_a_street_holds_no_congress_session(zone):
    """在乡镇推行党代会年会制: towns (乡镇) only; a street (街道) is refused, in Chinese, saying which and why."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.congress_session_record(
            organisation=zone.t1, held_on=datetime.date(2024, 2, 1), deputies=80, deputies_present=76, agenda="x"
        )
    assert exc.value.messages == [
        "党代会年会由乡镇党委召开（在乡镇推行党代会年会制）；中共麓谷街道工作委员会不是乡镇党委（所属领域：街道）。"
    ]
    assert CongressSession.objects.count() == 0


def test_report_of_an_organisation_without_a_secretary_says_so(zone, users, client_for):
    with translation.override("zh-hans"):
        response = client_for(users.town_admin).post(
            reverse("assessments:report_create", args=[zone.b2.pk, 2023]),
            {"reported_on": "2024-01-15", "result": "good", "published_on": "2024-01-16", "published_where": "公开栏"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["reported_on"] == ["2024年1月15日，东村第2党支部没有书记。"]
    assert AnnualReport.objects.count() == 0


# Issue 12: the report itself, as text or a file.


def test_the_report_text_is_saved_and_shown(zone, users, client_for):
    client = client_for(users.branch_admin)
    url = reverse("assessments:report_create", args=[zone.b1.pk, 2023])
    assert 'name="text"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "reported_on": "2024-01-15",
            "result": "good",
            "published_on": "2024-01-16",
            "published_where": "公开栏",
            "text": "一、基本情况\n二、存在问题",
        },
    )
    assert response.status_code == 302
    assert AnnualReport.objects.get().text == "一、基本情况\n二、存在问题"
    page = client.get(reverse("assessments:reports", args=[zone.b1.pk, 2023])).content.decode()
    assert "述职报告全文" in page and "一、基本情况\n二、存在问题" in page


def test_a_report_without_text_or_file_is_refused(zone, users, client_for):
    with translation.override("zh-hans"):
        response = client_for(users.branch_admin).post(
            reverse("assessments:report_create", args=[zone.b1.pk, 2023]),
            {"reported_on": "2024-01-15", "result": "good", "published_on": "2024-01-16", "published_where": "公开栏"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["请填写述职报告全文，或上传报告的扫描件。"]
    assert AnnualReport.objects.count() == 0


def test_the_report_file_is_checked_stored_and_served_in_scope(zone, users, client_for):
    from tests.uploads import pdf, pdf_bytes

    client = client_for(users.branch_admin)
    url = reverse("assessments:report_create", args=[zone.b1.pk, 2023])
    response = client.post(
        url,
        {
            "reported_on": "2024-01-15",
            "result": "good",
            "published_on": "2024-01-16",
            "published_where": "公开栏",
            "attachment": pdf("述职报告.pdf"),
        },
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (report.text, report.attachment_name, report.attachment.name.endswith(".pdf")) == ("", "述职报告.pdf", True)
    page = client.get(reverse("assessments:reports", args=[zone.b1.pk, 2023])).content.decode()
    assert reverse("assessments:report_file", args=[report.pk]) in page
    served = client.get(reverse("assessments:report_file", args=[report.pk]))
    assert (served.status_code, served["Content-Type"], served["X-Content-Type-Options"]) == (
        200,
        "application/pdf",
        "nosniff",
    )
    assert b"".join(served.streaming_content) == pdf_bytes()
    assert client_for(users.other_admin).get(reverse("assessments:report_file", args=[report.pk])).status_code == 404


def test_a_report_file_that_is_not_a_scan_is_refused(zone, users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("报告.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with translation.override("zh-hans"):
        response = client_for(users.branch_admin).post(
            reverse("assessments:report_create", args=[zone.b1.pk, 2023]),
            {
                "reported_on": "2024-01-15",
                "result": "good",
                "published_on": "2024-01-16",
                "published_where": "公开栏",
                "attachment": fake,
            },
        )
    assert response.status_code == 200
    assert response.context["form"].errors["attachment"]
    assert AnnualReport.objects.count() == 0
