"""The welfare project fund (F-WELFARE-FUND): who receives it, the allocation a year, projects
proposed and decided, payments per project within the budget and the allocation."""

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from branches.enums import OrganisationKind, Sector
from branches.services import organisation_dissolve
from core.enums import Role
from core.models import PolicyRevision, PolicyValue
from funding.enums import ProjectState
from funding.models import WelfarePayment, WelfareProject
from funding.selectors import welfare as selectors
from funding.services import welfare as services
from tests.factories import UserFactory, make_org
from tests.uploads import pdf_bytes

pytestmark = pytest.mark.django_db
ALLOCATION = Decimal("200000.00")


def revision(effective_from, **values):
    rev = PolicyRevision.objects.create(name=f"修订{effective_from}", effective_from=effective_from, source="测试")
    PolicyValue.objects.bulk_create(PolicyValue(revision=rev, key=key, value=Decimal(v)) for key, v in values.items())
    return rev


def propose(village, budget, *, year=2016, name="村道硬化", user=None):
    return services.welfare_project_propose(organisation=village, year=year, name=name, budget=budget, user=user)


def approved(village, budget, bureau, *, year=2016, name="村道硬化"):
    project = propose(village, budget, year=year, name=name)
    return services.welfare_project_decide(
        project=project, approved=True, decided_on=datetime.date(year, 3, 1), user=bureau
    )


def pay(project, amount, bureau, *, paid_on=None, number="R1", receipt=None):
    return services.welfare_payment_record(
        project=project,
        paid_on=paid_on or datetime.date(project.year, 6, 1),
        amount=amount,
        payee="东村村民委员会",
        receipt_number=number,
        receipt=receipt,
        user=bureau,
    )


def refusal(call, **kwargs):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


# Who receives the fund.


def test_places_are_the_top_organisations_of_villages_and_communities(zone, users):
    group = make_org(zone.b1, OrganisationKind.PARTY_GROUP, sector=Sector.COMMUNITY, code="GC1")
    places = set(selectors.welfare_places())
    assert places == {zone.v1, zone.b3, group}
    assert selectors.is_welfare_place(organisation=zone.v1) is True
    assert selectors.is_welfare_place(organisation=zone.b1) is False  # a branch of the village, not the village
    assert selectors.is_welfare_place(organisation=zone.t1) is False
    assert set(selectors.welfare_places(user=users.town_admin)) == {zone.v1, group}
    assert set(selectors.welfare_places(user=users.other_admin)) == {zone.b3}


def test_a_dissolved_village_is_no_place(zone):
    village = make_org(zone.t2, OrganisationKind.GENERAL_BRANCH, sector=Sector.VILLAGE, code="VX")
    assert selectors.is_welfare_place(organisation=village) is True
    organisation_dissolve(organisation=village, on=datetime.date(2024, 1, 1), reason="撤村并居")
    assert selectors.is_welfare_place(organisation=village) is False


# The allocation a year.


@pytest.mark.parametrize(
    ("year", "expected"), [(2014, None), (2015, ALLOCATION), (2016, ALLOCATION), (2017, ALLOCATION), (2018, None)]
)
def test_allocation_in_the_fund_years_only(db, year, expected):
    assert selectors.welfare_allocation(year=year) == expected


def test_allocation_reads_the_revision_in_force_on_1_january(db):
    revision(datetime.date(2016, 7, 1), **{"welfare_fund.allocation": "250000", "welfare_fund.last_year": "2018"})
    assert selectors.welfare_allocation(year=2016) == ALLOCATION  # a mid-year revision applies from the next year
    assert selectors.welfare_allocation(year=2017) == Decimal("250000.00")
    assert selectors.welfare_allocation(year=2018) == Decimal("250000.00")
    assert selectors.welfare_allocation(year=2019) is None


# Projects.


def test_project_proposed_by_the_village(zone, users):
    project = propose(zone.v1, Decimal("50000.005"), user=users.town_admin)
    assert (project.state, project.budget, project.year, project.recorded_by) == (
        ProjectState.PROPOSED,
        Decimal("50000.01"),
        2016,
        users.town_admin,
    )


def test_project_of_another_organisation_is_refused(zone):
    assert refusal(propose, village=zone.b1, budget=100) == {
        "__all__": ["东村第1党支部不是村或社区的党组织；惠民项目专项资金只拨给村和社区。"]
    }
    assert WelfareProject.objects.count() == 0


@pytest.mark.parametrize("year", [2014, 2018])
def test_project_outside_the_fund_years_is_refused(zone, year):
    assert refusal(propose, village=zone.v1, budget=100, year=year) == {
        "year": [f"惠民项目专项资金在{year}年没有拨款：资金的年份为2015年至2017年。"]
    }


@pytest.mark.parametrize("budget", [0, Decimal("-1"), Decimal("0.004")])
def test_project_budget_is_more_than_zero(zone, budget):
    assert refusal(propose, village=zone.v1, budget=budget) == {"budget": ["项目预算须大于0元。"]}


def test_project_budget_up_to_the_allocation(zone):
    assert propose(zone.v1, ALLOCATION).budget == ALLOCATION
    assert refusal(propose, village=zone.v1, budget=ALLOCATION + Decimal("0.01")) == {
        "budget": ["村道硬化的预算（200,000.01元）超过2016年的拨款（200,000.00元）。"]
    }


def test_project_needs_a_name(zone):
    assert refusal(propose, village=zone.v1, budget=100, name="  ") == {"name": ["请填写项目名称。"]}


def test_project_outside_the_scope_or_by_an_auditor_is_refused(zone, users):
    assert refusal(propose, village=zone.v1, budget=100, user=users.other_admin) == {
        "__all__": ["该组织不在您的管辖范围内。"]
    }
    assert refusal(propose, village=zone.v1, budget=100, user=users.auditor) == {
        "__all__": ["惠民项目由村或社区的党组织申报。"]
    }


def test_approval_within_the_allocation(zone, users):
    first = approved(zone.v1, Decimal("150000"), users.bureau, name="文化广场")
    assert (first.state, first.decided_on, first.decided_by) == (
        ProjectState.APPROVED,
        datetime.date(2016, 3, 1),
        users.bureau,
    )
    exact = approved(zone.v1, Decimal("50000"), users.bureau, name="路灯")  # exactly the allocation: allowed
    assert exact.state == ProjectState.APPROVED
    over = propose(zone.v1, Decimal("0.01"), name="垃圾桶")
    decide = services.welfare_project_decide
    assert refusal(decide, project=over, approved=True, decided_on=datetime.date(2016, 4, 1), user=users.bureau) == {
        "__all__": [
            "批准垃圾桶（0.01元）将使中共东村总支部委员会2016年已批准的预算超过拨款200,000.00元：尚可批准0.00元。"
        ]
    }
    other_year = approved(zone.v1, Decimal("0.01"), users.bureau, year=2017, name="垃圾桶")
    assert other_year.state == ProjectState.APPROVED


def test_rejection_needs_a_note_and_decides_once(zone, users):
    project = propose(zone.v1, 1000)
    decide = services.welfare_project_decide
    day = datetime.date(2016, 3, 1)
    assert refusal(decide, project=project, approved=False, decided_on=day, user=users.bureau) == {
        "note": ["请说明不批准村道硬化的理由。"]
    }
    services.welfare_project_decide(project=project, approved=False, decided_on=day, note="重复申报", user=users.bureau)
    project.refresh_from_db()
    assert (project.state, project.decision_note) == (ProjectState.REJECTED, "重复申报")
    assert refusal(decide, project=project, approved=True, decided_on=day, user=users.bureau) == {
        "__all__": ["村道硬化已于2016年3月1日作出决定（拒绝）。"]
    }


def test_decision_is_the_bureaus_and_not_in_the_future(zone, users):
    project = propose(zone.v1, 1000)
    decide = services.welfare_project_decide
    assert refusal(
        decide, project=project, approved=True, decided_on=datetime.date(2016, 3, 1), user=users.town_admin
    ) == {"__all__": ["惠民项目由组织人事局审批。"]}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert refusal(decide, project=project, approved=True, decided_on=tomorrow, user=users.bureau) == {
        "decided_on": ["该日期不能晚于今天。"]
    }


# Payments.


def test_payment_recorded_with_who_and_the_balance(zone, users):
    project = approved(zone.v1, Decimal("80000"), users.bureau)
    payment = pay(project, Decimal("30000.50"), users.bureau)
    assert (payment.amount, payment.recorded_by, payment.payee) == (Decimal("30000.50"), users.bureau, "东村村民委员会")
    balance = selectors.welfare_balance(organisation=zone.v1, year=2016)
    assert (balance.allocation, balance.approved, balance.paid, balance.remaining) == (
        ALLOCATION,
        Decimal("80000.00"),
        Decimal("30000.50"),
        Decimal("169999.50"),
    )


def test_payment_up_to_the_budget(zone, users):
    project = approved(zone.v1, Decimal("10000"), users.bureau)
    pay(project, Decimal("9999.99"), users.bureau, number="R1")
    assert refusal(pay, project=project, amount=Decimal("0.02"), bureau=users.bureau, number="R2") == {
        "amount": ["支付0.02元将使村道硬化超出其预算10,000.00元（2016年，拨款200,000.00元）：预算尚余0.01元。"]
    }
    pay(project, Decimal("0.01"), users.bureau, number="R3")
    assert selectors.project_paid(project=project) == Decimal("10000.00")


def test_payment_up_to_the_allocation_even_if_it_was_lowered(zone, users):
    """The approvals keep within the allocation; should a revision lower it later, payments still stop at it."""
    first = approved(zone.v1, Decimal("150000"), users.bureau, name="文化广场")
    second = approved(zone.v1, Decimal("50000"), users.bureau, name="路灯")
    pay(first, Decimal("150000"), users.bureau, number="R1")
    revision(datetime.date(2016, 1, 1), **{"welfare_fund.allocation": "160000"})
    pay(second, Decimal("10000"), users.bureau, number="R2")  # exactly the new allocation
    assert refusal(pay, project=second, amount=Decimal("0.01"), bureau=users.bureau, number="R3") == {
        "amount": ["向路灯支付0.01元将使中共东村总支部委员会超出其2016年的拨款160,000.00元：尚余0.00元。"]
    }
    assert selectors.welfare_balance(organisation=zone.v1, year=2016).remaining == Decimal("0.00")


def test_payment_only_of_an_approved_project(zone, users):
    project = propose(zone.v1, 1000)
    assert refusal(pay, project=project, amount=100, bureau=users.bureau) == {
        "__all__": ["村道硬化未获批准（已申报）：只向已批准的项目拨付。"]
    }


def test_payment_date_in_or_after_the_project_year_and_not_in_the_future(zone, users):
    project = approved(zone.v1, Decimal("1000"), users.bureau)
    assert refusal(pay, project=project, amount=100, bureau=users.bureau, paid_on=datetime.date(2015, 12, 31)) == {
        "paid_on": ["村道硬化由2016年的拨款支付：支付应在2016年或以后。"]
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert refusal(pay, project=project, amount=100, bureau=users.bureau, paid_on=tomorrow) == {
        "paid_on": ["该日期不能晚于今天。"]
    }
    pay(project, 100, users.bureau, paid_on=datetime.date(2016, 1, 1), number="R1")
    pay(project, 100, users.bureau, paid_on=datetime.date(2018, 2, 1), number="R2")  # later years are fine
    assert WelfarePayment.objects.count() == 2


def test_payment_fields_are_checked(zone, users):
    project = approved(zone.v1, Decimal("1000"), users.bureau)
    assert refusal(pay, project=project, amount=0, bureau=users.bureau) == {"amount": ["支付金额须大于0元。"]}
    record = services.welfare_payment_record
    common = {"project": project, "paid_on": datetime.date(2016, 6, 1), "amount": 10, "user": users.bureau}
    assert refusal(record, payee=" ", receipt_number="R1", **common) == {"payee": ["收款人是谁？"]}
    assert refusal(record, payee="张三", receipt_number="", **common) == {"receipt_number": ["请填写收据编号。"]}
    pay(project, 10, users.bureau, number="R1")
    assert refusal(pay, project=project, amount=10, bureau=users.bureau, number="R1") == {
        "receipt_number": ["收据R1已登记在村道硬化名下。"]
    }


def test_payment_is_the_bureaus(zone, users):
    project = approved(zone.v1, Decimal("1000"), users.bureau)
    assert refusal(pay, project=project, amount=10, bureau=users.town_admin) == {
        "__all__": ["惠民项目拨款由组织人事局登记。"]
    }


def test_receipt_checked_like_a_meeting_attachment(zone, users):
    project = approved(zone.v1, Decimal("1000"), users.bureau)
    fake = SimpleUploadedFile("收据.pdf", b"MZ\x90\x00 not a scan")
    assert refusal(pay, project=project, amount=10, bureau=users.bureau, receipt=fake) == {
        "receipt": ["收据.pdf不是JPEG或PNG照片，也不是PDF扫描件。"]
    }
    big = SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert refusal(pay, project=project, amount=10, bureau=users.bureau, receipt=big) == {
        "receipt": ["大.pdf超过10 MB。"]
    }
    assert WelfarePayment.objects.count() == 0
    # Stored under a name the server chose, with the extension of what it is, whatever it was called.
    payment = pay(project, 10, users.bureau, receipt=SimpleUploadedFile("扫描.jpg", pdf_bytes()))
    assert re.fullmatch(r"welfare/\d{4}/[0-9a-f]{32}\.pdf", payment.receipt.name)
    with payment.receipt.open("rb") as handle:
        assert handle.read() == pdf_bytes()


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_cannot_overdraw(zone):
    """Each payment alone fits the budget, both together do not: the organisation row's lock lets one
    through. Five races, so that a missing lock shows."""
    bureau = UserFactory(role=Role.BUREAU)

    def race(project):
        barrier = threading.Barrier(2)
        results = []

        def run(number):
            try:
                with translation.override("zh-hans"):  # the language is per thread
                    barrier.wait()
                    pay(project, Decimal("6000"), bureau, number=number)
                results.append("paid")
            except ValidationError as exc:
                results.append(exc.message_dict["amount"][0])
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(f"R{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(results)

    for n in range(5):
        project = approved(zone.v1, Decimal("10000"), bureau, name=f"项目{n}")
        assert race(project) == [
            "paid",
            f"支付6,000.00元将使项目{n}超出其预算10,000.00元（2016年，拨款200,000.00元）：预算尚余4,000.00元。",
        ]
        assert selectors.project_paid(project=project) == Decimal("6000.00")
