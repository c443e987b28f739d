"""Pages of the welfare project fund (F-WELFARE-FUND) and of the venue rewards (F-VENUE-REWARD): what
they show, what they write, who may open them."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments import services as assessment_services
from assessments.enums import SixStandard, VenueGrade, VenueKind
from branches.enums import OrganisationKind, Sector
from funding.enums import ProjectState
from funding.models import VenueRewardPayment, WelfarePayment, WelfareProject
from funding.services import welfare as services
from tests.factories import make_org
from tests.uploads import pdf, pdf_bytes, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def approved(village, budget, bureau, *, year=2016, name="村道硬化"):
    project = services.welfare_project_propose(organisation=village, year=year, name=name, budget=budget)
    return services.welfare_project_decide(
        project=project, approved=True, decided_on=datetime.date(year, 3, 1), user=bureau
    )


def pay(project, amount, bureau, number="R1", receipt=None):
    return services.welfare_payment_record(
        project=project,
        paid_on=datetime.date(project.year, 6, 1),
        amount=amount,
        payee="施工队",
        receipt_number=number,
        receipt=receipt,
        user=bureau,
    )


def inspection(organisation, grade, bureau, name="活动室", day=datetime.date(2024, 5, 6)):
    venue = assessment_services.venue_create(
        organisation=organisation, data={"kind": VenueKind.ACTIVITY_VENUE, "name": name, "address": "村部"}
    )
    assessment_services.venue_checks_record(
        venue=venue, checked_on=day, checks={s: (True, "有", None) for s in SixStandard}
    )
    return assessment_services.venue_inspect(venue=venue, inspected_on=day, grade=grade, user=bureau)


def errors(response) -> list[str]:
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


# The village's year.


def test_village_page_shows_the_balance(zone, users, client_for):
    project = approved(zone.v1, Decimal("80000"), users.bureau)
    pay(project, Decimal("30000.50"), users.bureau, receipt=pdf("收据.pdf"))
    response = client_for(users.town_admin).get(reverse("funding:welfare", args=[zone.v1.pk, 2016]))
    assert response.status_code == 200
    balance = response.context["balance"]
    assert (balance.allocation, balance.approved, balance.paid, balance.remaining) == (
        Decimal("200000.00"),
        Decimal("80000.00"),
        Decimal("30000.50"),
        Decimal("169999.50"),
    )
    text = response.content.decode()
    assert "¥200,000.00" in text and "¥169,999.50" in text and "¥30,000.50" in text
    assert reverse("funding:welfare_receipt", args=[WelfarePayment.objects.get().pk]) in text
    assert reverse("funding:welfare_project_create", args=[zone.v1.pk, 2016]) in text


def test_village_page_outside_the_fund_or_of_another_organisation(zone, users, client_for):
    client = client_for(users.bureau)
    text = client.get(reverse("funding:welfare", args=[zone.v1.pk, 2018])).content.decode()
    assert "惠民项目专项资金在2018年没有拨款：资金的年份为2015年至2017年。" in text
    text = client.get(reverse("funding:welfare", args=[zone.b1.pk, 2016])).content.decode()
    assert "东村第1党支部不是村或社区的党组织；惠民项目专项资金只拨给村和社区。" in text


@pytest.mark.parametrize("size", [1, 6])
def test_village_page_queries_do_not_grow(zone, users, client_for, django_assert_num_queries, size):
    for n in range(size):
        pay(approved(zone.v1, Decimal("1000"), users.bureau, name=f"项目{n}"), 100, users.bureau, number=f"R{n}")
    client = client_for(users.town_admin)
    url = reverse("funding:welfare", args=[zone.v1.pk, 2016])
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


# Projects.


def test_propose_a_project(zone, users, client_for):
    url = reverse("funding:welfare_project_create", args=[zone.v1.pk, 2016])
    response = client_for(users.town_admin).post(url, {"name": "村道硬化", "description": "三公里", "budget": "50000"})
    project = WelfareProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:welfare_project", args=[project.pk])
    assert (project.organisation, project.year, project.budget, project.recorded_by) == (
        zone.v1,
        2016,
        Decimal("50000.00"),
        users.town_admin,
    )


def test_propose_refusals_show_on_the_form(zone, users, client_for):
    client = client_for(users.town_admin)
    response = client.post(
        reverse("funding:welfare_project_create", args=[zone.v1.pk, 2016]), {"name": "村道硬化", "budget": "0"}
    )
    assert (response.status_code, errors(response)) == (200, ["项目预算须大于0元。"])
    response = client.post(
        reverse("funding:welfare_project_create", args=[zone.b1.pk, 2016]), {"name": "村道硬化", "budget": "10"}
    )
    assert errors(response) == ["东村第1党支部不是村或社区的党组织；惠民项目专项资金只拨给村和社区。"]
    response = client.post(
        reverse("funding:welfare_project_create", args=[zone.v1.pk, 2018]), {"name": "村道硬化", "budget": "10"}
    )
    assert errors(response) == ["惠民项目专项资金在2018年没有拨款：资金的年份为2015年至2017年。"]
    assert WelfareProject.objects.count() == 0


def test_decide_a_project(zone, users, client_for):
    project = services.welfare_project_propose(organisation=zone.v1, year=2016, name="村道硬化", budget=150000)
    client = client_for(users.bureau)
    page = client.get(reverse("funding:welfare_project", args=[project.pk]))
    assert reverse("funding:welfare_decide", args=[project.pk]) in page.content.decode()
    url = reverse("funding:welfare_decide", args=[project.pk])
    response = client.post(url, {"approved": "yes", "decided_on": "2016-03-01", "note": "同意"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.state, project.decided_by, project.decision_note) == (ProjectState.APPROVED, users.bureau, "同意")
    other = services.welfare_project_propose(organisation=zone.v1, year=2016, name="路灯", budget=60000)
    response = client.post(
        reverse("funding:welfare_decide", args=[other.pk]), {"approved": "yes", "decided_on": "2016-03-02"}
    )
    assert errors(response) == [
        "批准路灯（60,000.00元）将使中共东村总支部委员会2016年已批准的预算超过拨款200,000.00元：尚可批准50,000.00元。"
    ]


# Payments.


def test_pay_a_project_with_a_receipt(zone, users, client_for):
    project = approved(zone.v1, Decimal("10000"), users.bureau)
    client = client_for(users.bureau)
    url = reverse("funding:welfare_pay", args=[project.pk])
    page = client.get(url)
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert page.context["unpaid"] == Decimal("10000.00")
    data = {
        "paid_on": "2016-06-01",
        "amount": "2500.50",
        "payee": "施工队",
        "receipt_number": "SJ-001",
        "receipt": pdf("收据.pdf"),
    }
    response = client.post(url, data)
    assert (response.status_code, response["Location"]) == (302, reverse("funding:welfare_project", args=[project.pk]))
    payment = WelfarePayment.objects.get()
    assert (payment.amount, payment.recorded_by, payment.receipt_number) == (Decimal("2500.50"), users.bureau, "SJ-001")
    scan = client.get(reverse("funding:welfare_receipt", args=[payment.pk]))
    assert (scan.status_code, b"".join(scan.streaming_content)) == (200, pdf_bytes())
    assert (scan["Content-Type"], scan["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    assert scan["Content-Disposition"].startswith("attachment;")
    detail = client.get(reverse("funding:welfare_project", args=[project.pk]))
    assert (detail.context["paid"], detail.context["unpaid"]) == (Decimal("2500.50"), Decimal("7499.50"))


def test_pay_refusals_show_on_the_form(zone, users, client_for):
    project = approved(zone.v1, Decimal("10000"), users.bureau)
    url = reverse("funding:welfare_pay", args=[project.pk])
    data = {"paid_on": "2016-06-01", "amount": "10000.01", "payee": "施工队", "receipt_number": "SJ-001"}
    response = client_for(users.bureau).post(url, data)
    assert errors(response) == [
        "支付10,000.01元将使村道硬化超出其预算10,000.00元（2016年，拨款200,000.00元）：预算尚余10,000.00元。"
    ]
    data.update(amount="10", receipt=SimpleUploadedFile("收据.pdf", b"not a scan"))
    assert errors(client_for(users.bureau).post(url, data)) == ["收据.pdf不是JPEG或PNG照片，也不是PDF扫描件。"]
    assert WelfarePayment.objects.count() == 0


def test_receipt_of_another_town_is_not_found(zone, users, client_for):
    project = approved(zone.b3, Decimal("1000"), users.bureau)
    payment = pay(project, 10, users.bureau, receipt=png("收据.png"))
    response = client_for(users.town_admin).get(reverse("funding:welfare_receipt", args=[payment.pk]))
    assert response.status_code == 404


# The overview.


def test_overview_shows_every_place_in_scope(zone, users, client_for):
    group = make_org(zone.b1, OrganisationKind.PARTY_GROUP, sector=Sector.COMMUNITY, code="GC1", name="新居社区党小组")
    pay(approved(zone.v1, Decimal("50000"), users.bureau), Decimal("12345.67"), users.bureau)
    pay(approved(zone.b3, Decimal("50000"), users.bureau), Decimal("100"), users.bureau)
    response = client_for(users.town_admin).get(reverse("funding:welfare_overview", args=[2016]))
    rows = [(r.organisation, r.allocation, r.approved, r.paid, r.remaining) for r in response.context["rows"]]
    assert rows == [
        (zone.v1, Decimal("200000.00"), Decimal("50000.00"), Decimal("12345.67"), Decimal("187654.33")),
        (group, Decimal("200000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("200000.00")),
    ]
    assert (response.context["total_paid"], response.context["total_remaining"]) == (
        Decimal("12345.67"),
        Decimal("387654.33"),
    )
    assert "¥187,654.33" in response.content.decode()
    bureau_rows = client_for(users.bureau).get(reverse("funding:welfare_overview", args=[2016])).context["rows"]
    assert [r.organisation for r in bureau_rows] == [zone.v1, group, zone.b3]


@pytest.mark.parametrize("size", [2, 12])
def test_overview_queries_do_not_grow(zone, users, client_for, django_assert_num_queries, size):
    for n in range(size):
        village = make_org(zone.t1, OrganisationKind.GENERAL_BRANCH, sector=Sector.VILLAGE, code=f"VQ{n}")
        make_org(village, OrganisationKind.BRANCH, sector=Sector.VILLAGE, code=f"BQ{n}")
        pay(approved(village, Decimal("1000"), users.bureau), 10, users.bureau)
    client = client_for(users.town_admin)
    with django_assert_num_queries(4):  # session, user with organisation, policy, places with their sums
        response = client.get(reverse("funding:welfare_overview", args=[2016]))
    assert len(response.context["rows"]) == size + 1


# Venue rewards.


def test_venue_rewards_unpaid_first_and_paid_once(zone, users, client_for):
    third = inspection(zone.v1, VenueGrade.CLASS_3, users.bureau)
    client = client_for(users.bureau)
    url = reverse("funding:venue_reward_pay", args=[third.pk])
    response = client.post(url, {"paid_on": "2024-05-07", "voucher_number": "PZ-1"})
    assert (response.status_code, response["Location"]) == (302, reverse("funding:venue_rewards"))
    payment = VenueRewardPayment.objects.get()
    assert (payment.amount, payment.paid_by, payment.voucher_number) == (Decimal("4000.00"), users.bureau, "PZ-1")
    response = client.post(url, {"paid_on": "2024-05-07", "voucher_number": "PZ-2"})
    assert errors(response) == ["活动室2024年5月6日验收的奖励已于2024年5月7日支付（4,000.00元）。"]
    later = inspection(zone.v1, VenueGrade.CLASS_1, users.bureau, name="党员之家")
    page = client.get(reverse("funding:venue_rewards"))
    assert list(page.context["page"]) == [later, third]
    text = page.content.decode()
    assert "¥8,000.00" in text and "PZ-1" in text
    assert reverse("funding:venue_reward_pay", args=[later.pk]) in text


def test_venue_reward_pay_form_shows_the_entitlement(zone, users, client_for):
    third = inspection(zone.v1, VenueGrade.CLASS_2, users.bureau)
    response = client_for(users.bureau).get(reverse("funding:venue_reward_pay", args=[third.pk]))
    assert response.status_code == 200
    assert "¥6,000.00" in response.content.decode()


@pytest.mark.parametrize("size", [1, 5])
def test_venue_rewards_queries_do_not_grow(zone, users, client_for, django_assert_num_queries, size):
    for n in range(size):
        done = inspection(zone.v1, VenueGrade.CLASS_3, users.bureau, name=f"场所{n}")
        services.venue_reward_pay(
            inspection=done, paid_on=datetime.date(2024, 5, 7), voucher_number=f"PZ{n}", user=users.bureau
        )
        inspection(zone.b3, VenueGrade.CLASS_2, users.bureau, name=f"社区场所{n}")
    client = client_for(users.bureau)
    with django_assert_num_queries(4):  # session, user, count, the page
        response = client.get(reverse("funding:venue_rewards"))
    assert len(response.context["page"]) == 2 * size
