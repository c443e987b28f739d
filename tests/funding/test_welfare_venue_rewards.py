"""Venue rewards paid once (F-VENUE-REWARD): exactly the entitlement of an inspection, a re-grade's
difference on its own inspection, never twice."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from assessments import services as assessment_services
from assessments.enums import SixStandard, VenueGrade, VenueKind
from core.models import PolicyRevision, PolicyValue
from funding.models import VenueRewardPayment
from funding.selectors import welfare as selectors
from funding.services import welfare as services

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 5, 6)


def venue(organisation, name="东村党员活动室"):
    v = assessment_services.venue_create(
        organisation=organisation, data={"kind": VenueKind.ACTIVITY_VENUE, "name": name, "address": "村部"}
    )
    assessment_services.venue_checks_record(
        venue=v, checked_on=DAY, checks={s: (True, "已具备", None) for s in SixStandard}
    )
    return v


def inspect(v, grade, bureau, day=DAY):
    return assessment_services.venue_inspect(venue=v, inspected_on=day, grade=grade, user=bureau)


def reward_pay(inspection, user, paid_on=DAY, voucher="PZ-1"):
    return services.venue_reward_pay(inspection=inspection, paid_on=paid_on, voucher_number=voucher, user=user)


def refusal(call, **kwargs):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


def test_regrade_pays_the_difference_never_the_sum(zone, users):
    v = venue(zone.v1)
    third = inspect(v, VenueGrade.CLASS_3, users.bureau)
    first = inspect(v, VenueGrade.CLASS_1, users.bureau, day=DAY + datetime.timedelta(days=30))
    assert [third.reward, first.reward] == [Decimal("4000.00"), Decimal("4000.00")]
    a = reward_pay(third, users.bureau, voucher="PZ-1")
    b = reward_pay(first, users.bureau, paid_on=DAY + datetime.timedelta(days=31), voucher="PZ-2")
    assert (a.amount, b.amount, a.paid_by) == (Decimal("4000.00"), Decimal("4000.00"), users.bureau)
    assert VenueRewardPayment.objects.aggregate(total=Sum("amount"))["total"] == Decimal("8000.00")  # never 12,000


def test_reward_is_paid_once(zone, users):
    inspection = inspect(venue(zone.v1), VenueGrade.CLASS_2, users.bureau)
    reward_pay(inspection, users.bureau)
    assert refusal(reward_pay, inspection=inspection, user=users.bureau, voucher="PZ-9") == {
        "__all__": ["东村党员活动室2024年5月6日验收的奖励已于2024年5月6日支付（6,000.00元）。"]
    }
    assert VenueRewardPayment.objects.count() == 1


def test_failed_or_repeated_grade_has_nothing_to_pay(zone, users):
    v = venue(zone.v1)
    failed = inspect(v, VenueGrade.FAILED, users.bureau)
    assert refusal(reward_pay, inspection=failed, user=users.bureau) == {
        "__all__": ["东村党员活动室2024年5月6日的验收（失败）没有奖励：无需支付。"]
    }
    inspect(v, VenueGrade.CLASS_2, users.bureau)
    same = inspect(v, VenueGrade.CLASS_2, users.bureau)
    assert refusal(reward_pay, inspection=same, user=users.bureau) == {
        "__all__": ["东村党员活动室2024年5月6日的验收（二类）没有奖励：无需支付。"]
    }


def test_payment_date_from_the_inspection_to_today(zone, users):
    inspection = inspect(venue(zone.v1), VenueGrade.CLASS_3, users.bureau)
    assert refusal(reward_pay, inspection=inspection, user=users.bureau, paid_on=DAY - datetime.timedelta(days=1)) == {
        "paid_on": ["奖励在验收（2024年5月6日）当天或之后支付。"]
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert refusal(reward_pay, inspection=inspection, user=users.bureau, paid_on=tomorrow) == {
        "paid_on": ["该日期不能晚于今天。"]
    }
    assert refusal(reward_pay, inspection=inspection, user=users.bureau, voucher=" ") == {
        "voucher_number": ["请填写付款凭证编号。"]
    }
    assert refusal(reward_pay, inspection=inspection, user=users.town_admin) == {
        "__all__": ["场所奖励由组织人事局支付。"]
    }
    assert VenueRewardPayment.objects.count() == 0


def test_amount_from_the_revision_in_force_on_the_inspection_day(zone, users):
    rev = PolicyRevision.objects.create(name="2024修订", effective_from=datetime.date(2024, 6, 1), source="测试")
    PolicyValue.objects.create(revision=rev, key="venue_reward.class_3", value=Decimal("5000"))
    before = inspect(venue(zone.v1, "甲"), VenueGrade.CLASS_3, users.bureau, day=datetime.date(2024, 5, 31))
    after = inspect(venue(zone.v1, "乙"), VenueGrade.CLASS_3, users.bureau, day=datetime.date(2024, 6, 1))
    paid = [reward_pay(i, users.bureau, paid_on=datetime.date(2024, 6, 2)).amount for i in (before, after)]
    assert paid == [Decimal("4000.00"), Decimal("5000.00")]


def test_entitlements_in_scope_unpaid_first(zone, users):
    paid = inspect(venue(zone.v1, "甲"), VenueGrade.CLASS_3, users.bureau, day=datetime.date(2024, 5, 1))
    reward_pay(paid, users.bureau)
    unpaid = inspect(venue(zone.v1, "乙"), VenueGrade.CLASS_2, users.bureau, day=datetime.date(2024, 4, 1))
    outside = inspect(venue(zone.b3, "丙"), VenueGrade.CLASS_1, users.bureau)
    inspect(venue(zone.v1, "丁"), VenueGrade.FAILED, users.bureau)
    assert list(selectors.venue_reward_entitlements(user=users.bureau)) == [outside, unpaid, paid]
    assert list(selectors.venue_reward_entitlements(user=users.town_admin)) == [unpaid, paid]
