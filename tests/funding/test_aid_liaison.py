"""Liaison funds (F-LIAISON-FUND): a liaison group's work fund and head's allowance, paid by reward
after its special report, and instructors' allowances for months of their posts (S-INSTRUCTOR)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services as assessment_services
from assessments.enums import ReportResult
from branches import services as branch_services
from branches.enums import OrganisationKind, PostKind
from core.services import policy_revision_save
from funding.enums import LiaisonPayment
from funding.models import InstructorAllowance, LiaisonFundPayment
from funding.selectors.aid import instructors_in_year, months_between
from funding.services.aid import instructor_allowance_cap, instructor_allowance_pay, liaison_fund_pay
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
WORK, HEAD = LiaisonPayment.WORK_FUND, LiaisonPayment.HEAD_ALLOWANCE
REPORTED = datetime.date(2025, 1, 15)


def month(year, m):
    return datetime.date(year, m, 1)


def liaison_group(zone, town=None, name="麓谷非公党建联组"):
    group = make_org(town or zone.t1, OrganisationKind.LIAISON_GROUP, name=name)
    secretary = zone.b1_members[1] if town in (None, zone.t1) else zone.b3_members[1]
    branch_services.post_assign(
        organisation=group, member=secretary, kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    return group


def report(group, year=2024, reported_on=REPORTED):
    return assessment_services.annual_report_record(
        organisation=group,
        year=year,
        reported_on=reported_on,
        result=ReportResult.GOOD,
        published_on=reported_on,
        published_where="联组公开栏",
        text="述职报告",
    )


def caps(values, year=2024):
    return policy_revision_save(
        name=f"{year}年联组经费标准",
        effective_from=month(year, 1),
        source="组织人事局通知",
        values=values,
        today=datetime.date(year - 1, 12, 31),
    )


def pay(group, user, **changes):
    data = {
        "organisation": group,
        "year": 2024,
        "kind": WORK,
        "amount": Decimal("5000"),
        "paid_on": REPORTED,
        "user": user,
    }
    return liaison_fund_pay(**{**data, **changes})


def instructor(zone, started_on=datetime.date(2024, 3, 15), ended_on=None, organisation=None, member=None):
    post = branch_services.post_assign(
        organisation=organisation or zone.b1,
        member=member or zone.b1_members[2],
        kind=PostKind.INSTRUCTOR,
        started_on=started_on,
    )
    if ended_on:
        post = branch_services.post_end(post=post, ended_on=ended_on)
    return post


MARCH, MAY = datetime.date(2024, 3, 1), datetime.date(2024, 5, 1)


def allowance(post, user, first=MARCH, last=MAY, **changes):
    data = {
        "post": post,
        "first_month": first,
        "last_month": last,
        "amount": Decimal("1500"),
        "paid_on": datetime.date(2024, 9, 1),
        "user": user,
    }
    return instructor_allowance_pay(**{**data, **changes})


def messages_of(call, *args, **kwargs):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else exc.value.messages


# ---- liaison group funds ----------------------------------------------------------------------


def test_liaison_funds_are_paid_after_the_report_and_link_it(zone, users):
    group = liaison_group(zone)
    assert messages_of(pay, group, users.bureau) == [
        "麓谷非公党建联组没有2024年度的专项述职记录：请先登记述职，经费在述职后以奖代补发放。"
    ]
    the_report = report(group)
    assert messages_of(pay, group, users.bureau, paid_on=REPORTED - datetime.timedelta(days=1)) == {
        "paid_on": ["经费在述职后发放：麓谷非公党建联组于2025年1月15日述职。"]
    }
    paid = pay(group, users.bureau, amount=Decimal("4999.995"))
    assert (paid.report, paid.amount, paid.recorded_by, paid.paid_on) == (
        the_report,
        Decimal("5000.00"),
        users.bureau,
        REPORTED,
    )
    assert messages_of(pay, group, users.bureau) == {
        "kind": ["麓谷非公党建联组 2024年度的联组工作经费已于2025年1月15日发放。"]
    }
    assert pay(group, users.bureau, kind=HEAD, amount=Decimal("3000")).kind == HEAD  # the other kind, once too


def test_liaison_fund_refusals(zone, users):
    group = liaison_group(zone)
    report(group)
    assert messages_of(pay, group, users.town_admin) == ["联组经费和补贴由组织人事局发放。"]
    assert messages_of(pay, zone.b1, users.bureau) == ["东村第1党支部不是非公党建联组：此项经费只发给非公党建联组。"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert messages_of(pay, group, users.bureau, amount=Decimal("0.004"), paid_on=tomorrow) == {
        "amount": ["金额须大于0元。"],
        "paid_on": [f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日晚于今天，不能登记。"],
    }
    assert messages_of(pay, group, users.bureau, kind="other") == {"kind": ["请选择联组工作经费或联组长工作津贴。"]}
    assert LiaisonFundPayment.objects.count() == 0


def test_liaison_cap_applies_only_when_set_for_the_year(zone, users):
    group = liaison_group(zone)
    report(group, year=2023, reported_on=datetime.date(2024, 1, 10))
    report(group)
    caps({"liaison_fund.work_fund_cap": Decimal("5000")})
    assert messages_of(pay, group, users.bureau, amount=Decimal("5000.01")) == {
        "amount": ["2024年度的联组工作经费最多5000.00元。"]
    }
    assert pay(group, users.bureau, amount=Decimal("5000")).amount == Decimal("5000.00")  # at the cap
    # No cap on the head's allowance, nor on 2023 (the revision is in force from 2024).
    assert pay(group, users.bureau, kind=HEAD, amount=Decimal("80000")).amount == Decimal("80000.00")
    assert pay(group, users.bureau, year=2023, amount=Decimal("9000"), paid_on=datetime.date(2024, 2, 1)).amount == (
        Decimal("9000.00")
    )


# ---- instructors' allowances ------------------------------------------------------------------


def test_months_between_crosses_the_year():
    assert months_between(datetime.date(2024, 11, 20), month(2025, 2)) == [
        month(2024, 11),
        month(2024, 12),
        month(2025, 1),
        month(2025, 2),
    ]
    assert months_between(month(2024, 3), month(2024, 3)) == [month(2024, 3)]


def test_allowance_for_months_of_the_tenure(zone, users):
    post = instructor(zone, ended_on=datetime.date(2024, 8, 10))
    name = post.member.name
    tenure = "东村第1党支部党建指导员的任期内（2024年3月15日至2024年8月10日）。"
    assert messages_of(allowance, post, users.bureau, first=month(2024, 2)) == {
        "first_month": [f"2024-02不在{name}担任{tenure}"]
    }
    assert messages_of(allowance, post, users.bureau, first=month(2024, 7), last=month(2024, 10)) == {
        "first_month": [f"2024-09、2024-10不在{name}担任{tenure}"]
    }
    assert messages_of(allowance, post, users.bureau, first=month(2024, 5), last=month(2024, 4)) == {
        "last_month": ["截止月份不能早于起始月份（2024-05）。"]
    }
    # The first and the last month of the tenure count, though held only part of them.
    made = allowance(post, users.bureau, first=datetime.date(2024, 3, 20), last=datetime.date(2024, 4, 30))
    assert (made.first_month, made.last_month, made.amount, made.recorded_by) == (
        month(2024, 3),
        month(2024, 4),
        Decimal("1500.00"),
        users.bureau,
    )
    assert allowance(post, users.bureau, first=month(2024, 5), last=month(2024, 8)).last_month == month(2024, 8)


def test_allowance_months_are_paid_once(zone, users):
    post = instructor(zone)
    allowance(post, users.bureau, first=month(2024, 3), last=month(2024, 5))
    name = post.member.name
    assert messages_of(allowance, post, users.bureau, first=month(2024, 5), last=month(2024, 7)) == {
        "first_month": [f"2024-05：{name}这些月份的补贴已发放过。"]
    }
    assert messages_of(allowance, post, users.bureau, first=month(2024, 1 + 2), last=month(2024, 9)) == {
        "first_month": [f"2024-03、2024-04、2024-05：{name}这些月份的补贴已发放过。"]
    }
    assert allowance(post, users.bureau, first=month(2024, 6), last=month(2024, 6)).first_month == month(2024, 6)
    # Another post of the same kind is its own ledger.
    other = instructor(zone, organisation=zone.b2, member=zone.b1_members[2])
    assert allowance(other, users.bureau).post == other


def test_allowance_refusals(zone, users):
    post = instructor(zone)
    assert messages_of(allowance, post, users.branch_admin) == ["党建指导员补贴由组织人事局发放。"]
    assert messages_of(allowance, zone.secretary, users.bureau, first=month(2024, 1)) == [
        f"{zone.secretary.member.name}在东村第1党支部的职务不是党建指导员。"
    ]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert messages_of(allowance, post, users.bureau, amount=Decimal(0), paid_on=tomorrow) == {
        "amount": ["金额须大于0元。"],
        "paid_on": [f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日晚于今天，不能登记。"],
    }
    assert InstructorAllowance.objects.count() == 0


def test_allowance_cap_is_the_monthly_cap_of_each_year_times_its_months(zone, users):
    post = instructor(zone, started_on=datetime.date(2023, 6, 1))
    caps({"liaison_fund.instructor_monthly_cap": Decimal("500")}, year=2024)
    caps({"liaison_fund.instructor_monthly_cap": Decimal("600")}, year=2025)
    months = [month(2024, 11), month(2024, 12), month(2025, 1)]
    assert instructor_allowance_cap(months=months) == Decimal("1600.00")
    assert instructor_allowance_cap(months=[month(2023, 12), month(2024, 1)]) is None  # 2023 has no cap
    assert messages_of(
        allowance,
        post,
        users.bureau,
        first=months[0],
        last=months[-1],
        amount=Decimal("1600.01"),
        paid_on=datetime.date(2025, 2, 1),
    ) == {"amount": ["3个月的补贴最多1600.00元。"]}
    assert allowance(
        post, users.bureau, first=months[0], last=months[-1], amount=Decimal("1600"), paid_on=datetime.date(2025, 2, 1)
    ).amount == Decimal("1600.00")
    assert allowance(
        post, users.bureau, first=month(2023, 6), last=month(2023, 12), amount=Decimal("99999")
    ).amount == Decimal("99999.00")


def test_instructors_in_year_are_those_posted_in_the_subtree_during_it(zone, users):
    during = instructor(zone, started_on=datetime.date(2023, 5, 1), ended_on=datetime.date(2024, 1, 1))
    before = instructor(
        zone, started_on=datetime.date(2022, 1, 1), ended_on=datetime.date(2023, 12, 31), organisation=zone.b2
    )
    later = instructor(zone, started_on=datetime.date(2025, 1, 1), organisation=zone.g1)
    elsewhere = instructor(zone, started_on=datetime.date(2024, 1, 1), organisation=zone.b3, member=zone.b3_members[1])
    allowance(during, users.bureau, first=month(2023, 12), last=month(2024, 1))
    allowance(during, users.bureau, first=month(2023, 5), last=month(2023, 6))  # not touching 2024
    rows = instructors_in_year(organisation=zone.t1, year=2024)
    assert [(r.post, [(a.first_month, a.last_month) for a in r.allowances], r.total) for r in rows] == [
        (during, [(month(2023, 12), month(2024, 1))], Decimal("1500.00"))
    ]
    assert [r.post for r in instructors_in_year(organisation=zone.wc, year=2025)] == [later, elsewhere]
    assert [r.post for r in instructors_in_year(organisation=zone.v1, year=2023)] == [during, before]


# ---- pages ------------------------------------------------------------------------------------


def test_liaison_page_of_a_group_shows_the_report_payments_and_caps(zone, users, client_for):
    group = liaison_group(zone)
    report(group)
    pay(group, users.bureau, amount=Decimal("4321"))
    url = reverse("funding:liaison", args=[group.pk, 2024])
    with translation.override("zh-hans"):
        response = client_for(users.town_admin).get(url)
    assert response.status_code == 200
    assert response.context["report"].reported_on == REPORTED
    assert [(p["kind"], p["cap"], getattr(p["payment"], "amount", None)) for p in response.context["payments"]] == [
        (WORK, None, Decimal("4321.00")),
        (HEAD, None, None),
    ]
    content = response.content.decode()
    assert reverse("assessments:reports", args=[group.pk, 2024]) in content
    assert "¥4,321.00" in content
    assert content.count("《意见》未规定具体金额，由组织人事局确定。") == 3  # two payments and the instructors' month
    assert reverse("funding:liaison_pay", args=[group.pk, 2024]) not in content  # only the bureau pays
    caps({"liaison_fund.head_allowance_cap": Decimal("2000")}, year=2024)
    content = client_for(users.bureau).get(url).content.decode()
    assert ("¥2,000.00" in content, reverse("funding:liaison_pay", args=[group.pk, 2024]) in content) == (True, True)
    assert client_for(users.other_admin).get(url).status_code == 404


def test_liaison_page_of_any_organisation_lists_its_instructors(zone, users, client_for):
    post = instructor(zone)
    allowance(post, users.bureau)
    instructor(zone, started_on=datetime.date(2024, 1, 1), organisation=zone.b3, member=zone.b3_members[1])
    response = client_for(users.auditor).get(reverse("funding:liaison", args=[zone.t1.pk, 2024]))
    assert response.status_code == 200
    assert response.context["is_liaison_group"] is False
    assert [(r.post, r.total) for r in response.context["instructors"]] == [(post, Decimal("1500.00"))]
    assert "¥1,500.00" in response.content.decode()


@pytest.mark.parametrize("extra", [1, 12])
def test_liaison_page_query_count_constant(zone, users, client_for, django_assert_num_queries, extra):
    for member in MemberFactory.create_batch(extra, organisation=zone.b2):
        allowance(instructor(zone, organisation=zone.b2, member=member), users.bureau)
    client = client_for(users.bureau)
    # session, user, organisation, ancestors, policy, posts, allowances, the ledgers that apply.
    with django_assert_num_queries(8):
        response = client.get(reverse("funding:liaison", args=[zone.t1.pk, 2024]))
    assert len(response.context["instructors"]) == extra


def test_liaison_pay_form_records_and_redirects(zone, users, client_for):
    group = liaison_group(zone)
    report(group)
    client = client_for(users.bureau)
    url = reverse("funding:liaison_pay", args=[group.pk, 2024])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "head_allowance", "amount": "2400", "paid_on": "2025-02-01"})
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:liaison", args=[group.pk, 2024])
    paid = LiaisonFundPayment.objects.get()
    assert (paid.kind, paid.amount, paid.recorded_by, paid.report.year) == (
        "head_allowance",
        Decimal("2400.00"),
        users.bureau,
        2024,
    )


def test_liaison_pay_form_without_report_says_record_it_first(zone, users, client_for):
    group = liaison_group(zone)
    with translation.override("zh-hans"):
        response = client_for(users.bureau).post(
            reverse("funding:liaison_pay", args=[group.pk, 2024]),
            {"kind": "work_fund", "amount": "2400", "paid_on": "2025-02-01"},
        )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "麓谷非公党建联组没有2024年度的专项述职记录：请先登记述职，经费在述职后以奖代补发放。"
    ]
    assert LiaisonFundPayment.objects.count() == 0


def test_liaison_pay_form_is_for_liaison_groups_and_the_bureau(zone, users, client_for):
    group = liaison_group(zone)
    report(group)
    data = {"kind": "work_fund", "amount": "2400", "paid_on": "2025-02-01"}
    assert client_for(users.bureau).get(reverse("funding:liaison_pay", args=[zone.b1.pk, 2024])).status_code == 404
    assert (
        client_for(users.town_admin).post(reverse("funding:liaison_pay", args=[group.pk, 2024]), data).status_code
        == 403
    )
    assert (
        client_for(users.other_admin).post(reverse("funding:liaison_pay", args=[group.pk, 2024]), data).status_code
        == 404
    )
    assert LiaisonFundPayment.objects.count() == 0


def test_allowance_form_takes_months_and_shows_refusals(zone, users, client_for):
    post = instructor(zone)
    client = client_for(users.bureau)
    url = reverse("funding:instructor_allowance", args=[post.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="month"' in page.content.decode()
    response = client.post(
        url, {"first_month": "2024-03", "last_month": "2024-05", "amount": "1500", "paid_on": "2024-06-01"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:liaison", args=[zone.b1.pk, 2024])
    made = InstructorAllowance.objects.get()
    assert (made.first_month, made.last_month, made.recorded_by) == (month(2024, 3), month(2024, 5), users.bureau)
    with translation.override("zh-hans"):
        again = client.post(
            url, {"first_month": "2024-05", "last_month": "2024-06", "amount": "1000", "paid_on": "2024-07-01"}
        )
    assert again.status_code == 200
    assert again.context["form"].errors["first_month"] == [f"2024-05：{post.member.name}这些月份的补贴已发放过。"]
    assert InstructorAllowance.objects.count() == 1


def test_allowance_form_is_for_instructors_posts_and_the_bureau(zone, users, client_for):
    post = instructor(zone)
    data = {"first_month": "2024-03", "last_month": "2024-05", "amount": "1500", "paid_on": "2024-06-01"}
    url = reverse("funding:instructor_allowance", args=[post.pk])
    assert (
        client_for(users.bureau).get(reverse("funding:instructor_allowance", args=[zone.secretary.pk])).status_code
        == 404
    )
    assert client_for(users.branch_admin).post(url, data).status_code == 403
    assert client_for(users.other_admin).post(url, data).status_code == 404
    assert InstructorAllowance.objects.count() == 0
