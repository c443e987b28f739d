"""N-DUES (中组发〔2008〕3号) bases and collection, F-DUES-REFUND refunds: every refusal in Chinese,
the scope, who recorded it, the arrears of a branch and of the zone."""

# ruff: noqa: RUF002 -- the source document is cited with its own brackets, as published

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from branches.enums import OrganisationKind, Sector
from funding.enums import DuesBasis
from funding.models import DuesBase, DuesPayment, DuesRefund
from funding.selectors import dues as selectors
from funding.services import dues as services
from members.enums import LifeStatus
from members.models import Membership
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
YEAR = 2024
JAN, FEB, MAR = (datetime.date(YEAR, m, 1) for m in (1, 2, 3))
PAID_ON = datetime.date(YEAR, 3, 31)


def member_in(org, *, started_on=None, ended_on=None, **fields):
    member = MemberFactory(organisation=org, **fields)
    Membership.objects.create(member=member, organisation=org, started_on=started_on, ended_on=ended_on)
    return member


def salary_bases(zone, incomes=("4000", "6000", "12000"), user=None):
    rows = {m.pk: {"monthly_income": Decimal(i)} for m, i in zip(zone.b1_members, incomes, strict=True)}
    return services.dues_bases_record(organisation=zone.b1, year=YEAR, rows=rows, user=user)


def refusal(call, **kwargs):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else exc.value.messages


# Bases


def test_bases_follow_the_life_status_and_keep_who_recorded_them(zone, users):
    retired = member_in(zone.b1, life_status=LifeStatus.RETIRED, name="退休甲")
    student = member_in(zone.b1, life_status=LifeStatus.STUDENT, name="学生乙")
    farmer = member_in(zone.b1, life_status=LifeStatus.FARMER, name="农民丙")
    on_relief = zone.b1_members[2]
    rows = {
        zone.b1_members[0].pk: {"basis": "", "monthly_income": Decimal("3000.01")},
        zone.b1_members[1].pk: {"monthly_income": Decimal("10000")},
        on_relief.pk: {"basis": DuesBasis.FLAT, "monthly_income": Decimal("2000")},
        retired.pk: {"monthly_income": Decimal("5000.01")},
        student.pk: {},
        farmer.pk: {"farmer_amount": Decimal("0.5")},
    }
    services.dues_bases_record(organisation=zone.b1, year=YEAR, rows=rows, user=users.branch_admin)
    got = {b.member_id: (b.basis, b.monthly_income, b.monthly_dues) for b in DuesBase.objects.filter(year=YEAR)}
    assert got == {
        zone.b1_members[0].pk: (DuesBasis.SALARY, Decimal("3000.01"), Decimal("30.00")),
        zone.b1_members[1].pk: (DuesBasis.SALARY, Decimal("10000.00"), Decimal("150.00")),
        on_relief.pk: (DuesBasis.FLAT, None, Decimal("0.20")),
        retired.pk: (DuesBasis.PENSION, Decimal("5000.01"), Decimal("50.00")),
        student.pk: (DuesBasis.FLAT, None, Decimal("0.20")),
        farmer.pk: (DuesBasis.FARMER, None, Decimal("0.50")),
    }
    assert set(DuesBase.objects.values_list("recorded_by", flat=True)) == {users.branch_admin.pk}
    # Collected once a year: recording again corrects the base, never a second one.
    services.dues_bases_record(organisation=zone.b1, year=YEAR, rows={farmer.pk: {}}, user=users.town_admin)
    base = DuesBase.objects.get(member=farmer, year=YEAR)
    assert (base.monthly_dues, base.recorded_by) == (Decimal("0.20"), users.town_admin)
    assert DuesBase.objects.count() == 6


def test_bases_refusals_name_the_member(zone):
    retired = member_in(zone.b1, life_status=LifeStatus.RETIRED, name="退休甲")
    farmer = member_in(zone.b1, life_status=LifeStatus.FARMER, name="农民丙")
    first, second, third = zone.b1_members
    outsider = zone.b3_members[0]
    rows = {
        first.pk: {"monthly_income": None},
        second.pk: {"monthly_income": Decimal(0)},
        third.pk: {"basis": DuesBasis.PENSION, "monthly_income": Decimal(3000)},
        retired.pk: {"monthly_income": Decimal("-1")},
        farmer.pk: {"farmer_amount": Decimal("1.01")},
        outsider.pk: {"monthly_income": Decimal(3000)},
    }
    errors = refusal(services.dues_bases_record, organisation=zone.b1, year=YEAR, rows=rows)
    assert errors == {
        "rows": [
            f"{first.name}：请填写税后月收入（须大于0元）。",
            f"{second.name}：请填写税后月收入（须大于0元）。",
            f"{third.name}：党费交纳依据由人员类别（在岗职工）决定，只可改为固定金额（享受低保）。",
            "退休甲：请填写税后月收入（须大于0元）。",
            "农民丙：农民党员每月党费须在0.20元至1.00元之间。",
            f"{outsider.name}在{YEAR}年12月31日不是东村第1党支部的党员。",
        ]
    }
    assert DuesBase.objects.count() == 0
    errors = refusal(
        services.dues_bases_record,
        organisation=zone.b1,
        year=YEAR,
        rows={farmer.pk: {"farmer_amount": Decimal("0.19")}},
    )
    assert errors == {"rows": ["农民丙：农民党员每月党费须在0.20元至1.00元之间。"]}


def test_bases_refused_outside_the_scope_and_out_of_range_years(zone, users):
    rows = {zone.b1_members[0].pk: {"monthly_income": Decimal(3000)}}
    assert refusal(services.dues_bases_record, organisation=zone.b1, year=YEAR, rows=rows, user=users.other_admin) == [
        "该组织不在您的管辖范围内。"
    ]
    assert refusal(services.dues_bases_record, organisation=zone.b1, year=2014, rows=rows) == [
        f"党费只能记录2015年至{timezone.localdate().year}年的。"
    ]
    assert DuesBase.objects.count() == 0


# Collection


def test_collect_a_quarter_at_each_members_dues(zone, users):
    salary_bases(zone)
    first, second, third = zone.b1_members
    payments = services.dues_collect(
        organisation=zone.b1,
        months=[JAN, FEB, MAR],
        member_ids=[first.pk, second.pk, third.pk],
        paid_on=PAID_ON,
        user=users.branch_admin,
        amounts={second.pk: Decimal("100")},
    )
    assert len(payments) == 9
    got = sorted((p.member_id, p.month.month, p.amount) for p in DuesPayment.objects.all())
    assert got == sorted(
        [(first.pk, m, Decimal("40.00")) for m in (1, 2, 3)]
        + [(second.pk, m, Decimal("100.00")) for m in (1, 2, 3)]
        + [(third.pk, m, Decimal("240.00")) for m in (1, 2, 3)]
    )
    assert set(DuesPayment.objects.values_list("recorded_by", "organisation", "paid_on")) == {
        (users.branch_admin.pk, zone.b1.pk, PAID_ON)
    }


def test_collect_refusals_name_member_and_month(zone):
    salary_bases(zone)
    first, second, _third = zone.b1_members
    services.dues_collect(organisation=zone.b1, months=[FEB], member_ids=[first.pk], paid_on=PAID_ON)
    newcomer = member_in(zone.b1, started_on=datetime.date(YEAR, 3, 10), name="新转入")
    services.dues_bases_record(organisation=zone.b1, year=YEAR, rows={newcomer.pk: {"monthly_income": Decimal(2000)}})
    no_base = member_in(zone.b1, name="无基数")
    errors = refusal(
        services.dues_collect,
        organisation=zone.b1,
        months=[datetime.date(YEAR, 2, 15)],
        paid_on=PAID_ON,
        member_ids=[first.pk, second.pk, newcomer.pk, no_base.pk],
        amounts={second.pk: Decimal("59.99")},
    )
    assert errors == {
        "members": [
            f"{first.name}已交纳2024年2月的党费。",
            f"{second.name}：59.99元少于2024年2月应交党费（90.00元）。",
            "新转入在2024年2月不是东村第1党支部的党员。",
            "无基数没有2024年的党费基数，请先核定基数。",
        ]
    }
    assert DuesPayment.objects.count() == 1
    # The newcomer pays from the month of joining.
    services.dues_collect(organisation=zone.b1, months=[MAR], member_ids=[newcomer.pk], paid_on=PAID_ON)
    assert DuesPayment.objects.get(member=newcomer).amount == Decimal("10.00")


def test_collect_refuses_months_ahead_empty_choices_and_outside_the_scope(zone, users):
    salary_bases(zone)
    today = timezone.localdate()
    ahead = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    member = zone.b1_members[0]
    errors = refusal(services.dues_collect, organisation=zone.b1, months=[ahead], member_ids=[member.pk], paid_on=today)
    assert errors == {"months": [f"{ahead.year}年{ahead.month}月尚未到来：党费只收缴到本月。"]}
    errors = refusal(
        services.dues_collect,
        organisation=zone.b1,
        months=[],
        member_ids=[],
        paid_on=today + datetime.timedelta(days=1),
    )
    assert errors == {
        "months": ["请至少选择一个月份。"],
        "members": ["请至少选择一名党员。"],
        "paid_on": ["该日期不能晚于今天。"],
    }
    assert refusal(
        services.dues_collect,
        organisation=zone.b1,
        months=[JAN],
        member_ids=[member.pk],
        paid_on=PAID_ON,
        user=users.other_admin,
    ) == ["该组织不在您的管辖范围内。"]
    assert DuesPayment.objects.count() == 0


def test_a_revision_changes_the_dues_from_its_month(zone):
    from core.services import policy_revision_save

    salary_bases(zone)
    policy_revision_save(
        name="调整",
        effective_from=datetime.date(YEAR, 3, 1),
        source="测试",
        values={"dues.salary_rate_2": Decimal("0.012")},
        today=datetime.date(YEAR, 1, 1),
    )
    member = zone.b1_members[0]  # 4000 a month
    services.dues_collect(organisation=zone.b1, months=[FEB, MAR], member_ids=[member.pk], paid_on=PAID_ON)
    assert list(DuesPayment.objects.order_by("month").values_list("amount", flat=True)) == [
        Decimal("40.00"),
        Decimal("48.00"),
    ]
    # The base keeps the dues of 1 January; the grid owes each month at its own rate.
    assert DuesBase.objects.get(member=member).monthly_dues == Decimal("40.00")
    row = selectors.dues_grid(organisation=zone.b1, year=YEAR)[0]
    assert row.member == member and (row.months_owed, row.owed) == (
        10,
        Decimal("472.00"),
    )  # January at 40, April to December at 48


# Arrears


def test_grid_shows_paid_due_and_not_due(zone):
    salary_bases(zone, incomes=("4000", "6000", "12000"))
    first, _second, third = zone.b1_members
    services.dues_collect(organisation=zone.b1, months=[JAN, FEB], member_ids=[first.pk], paid_on=PAID_ON)
    joined = member_in(zone.b1, started_on=datetime.date(YEAR, 11, 20), name="年底转入")
    left = member_in(zone.b1, started_on=None, ended_on=datetime.date(YEAR, 2, 10), name="二月转出")
    rows = {row.member.pk: row for row in selectors.dues_grid(organisation=zone.b1, year=YEAR)}
    assert [state for _month, state, _amount in rows[first.pk].cells][:3] == ["paid", "paid", "due"]
    assert (rows[first.pk].months_owed, rows[first.pk].owed, rows[first.pk].paid) == (
        10,
        Decimal("400.00"),
        Decimal("80.00"),
    )
    assert (rows[third.pk].months_owed, rows[third.pk].owed) == (12, Decimal("2880.00"))
    assert [state for _m, state, _a in rows[joined.pk].cells] == ["not_due"] * 10 + ["due", "due"]
    assert (rows[joined.pk].months_owed, rows[joined.pk].owed, rows[joined.pk].basis) == (2, None, DuesBasis.SALARY)
    assert rows[left.pk].months_owed == 2
    # The current year is due through the last month whose collection day (the 25th) has passed: on
    # 6 May, March and April.
    today = datetime.date(YEAR, 5, 6)
    rows = {r.member.pk: r for r in selectors.dues_grid(organisation=zone.b1, year=YEAR, today=today)}
    assert rows[first.pk].months_owed == 2 and rows[joined.pk].months_owed == 0


def test_zone_arrears_in_the_users_scope(zone, users):
    salary_bases(zone)
    first, second, third = zone.b1_members
    services.dues_collect(
        organisation=zone.b1,
        months=[datetime.date(YEAR, m, 1) for m in range(1, 13)],
        member_ids=[first.pk, second.pk],
        paid_on=datetime.date(YEAR, 12, 31),
    )
    got = [
        (r.organisation, r.members, r.months, r.owed, r.without_base)
        for r in selectors.dues_arrears(user=users.bureau, year=YEAR)
    ]
    assert got == [(zone.b1, 1, 12, Decimal("2880.00"), 0), (zone.b3, 2, 24, Decimal(0), 2)]
    got = [(r.organisation, r.members) for r in selectors.dues_arrears(user=users.town_admin, year=YEAR)]
    assert got == [(zone.b1, 1)]
    assert [r.organisation for r in selectors.dues_arrears(user=users.other_admin, year=YEAR)] == [zone.b3]
    services.dues_collect(
        organisation=zone.b1,
        months=[datetime.date(YEAR, m, 1) for m in range(1, 13)],
        member_ids=[third.pk],
        paid_on=datetime.date(YEAR, 12, 31),
    )
    assert selectors.dues_arrears(user=users.town_admin, year=YEAR) == []


def test_a_month_is_owed_once_its_collection_day_has_passed(zone):
    """On 7 December nobody owes December yet: the month is owed from the day after the 25th."""
    salary_bases(zone)
    first = zone.b1_members[0]
    services.dues_collect(
        organisation=zone.b1,
        months=[datetime.date(YEAR, m, 1) for m in range(1, 12)],
        member_ids=[first.pk],
        paid_on=datetime.date(YEAR, 11, 30),
    )

    def owed(day):
        rows = {r.member.pk: r for r in selectors.dues_grid(organisation=zone.b1, year=YEAR, today=day)}
        return rows[first.pk].months_owed, rows[first.pk].cells[11][1]

    assert owed(datetime.date(YEAR, 12, 7)) == (0, "not_due")
    assert owed(datetime.date(YEAR, 12, 25)) == (0, "not_due")
    assert owed(datetime.date(YEAR, 12, 26)) == (1, "due")


def test_the_zone_arrears_wait_for_the_collection_day(zone, users):
    salary_bases(zone)
    months = [datetime.date(YEAR, m, 1) for m in range(1, 12)]
    services.dues_collect(
        organisation=zone.b1,
        months=months,
        member_ids=[m.pk for m in zone.b1_members],
        paid_on=datetime.date(YEAR, 11, 30),
    )
    before = selectors.dues_arrears(user=users.town_admin, year=YEAR, today=datetime.date(YEAR, 12, 7))
    after = selectors.dues_arrears(user=users.town_admin, year=YEAR, today=datetime.date(YEAR, 12, 26))
    assert before == []
    assert [(r.organisation, r.members, r.months) for r in after] == [(zone.b1, 3, 3)]


def test_a_revision_moves_the_collection_day(zone):
    from core.services import policy_revision_save

    policy_revision_save(
        name="调整",
        effective_from=datetime.date(YEAR, 12, 1),
        source="测试",
        values={"dues.collection_day": Decimal(5)},
        today=datetime.date(YEAR, 1, 1),
    )
    salary_bases(zone)
    first = zone.b1_members[0]
    services.dues_collect(
        organisation=zone.b1,
        months=[datetime.date(YEAR, m, 1) for m in range(1, 12)],
        member_ids=[first.pk],
        paid_on=datetime.date(YEAR, 11, 30),
    )
    row = next(
        r
        for r in selectors.dues_grid(organisation=zone.b1, year=YEAR, today=datetime.date(YEAR, 12, 7))
        if r.member == first
    )
    assert (row.months_owed, row.cells[11][1]) == (1, "due")


def test_a_month_not_yet_owed_may_be_paid_early(zone):
    today = timezone.localdate()
    first = zone.b1_members[0]
    services.dues_bases_record(
        organisation=zone.b1, year=today.year, rows={first.pk: {"monthly_income": Decimal(4000)}}
    )
    month = today.replace(day=1)
    paid = services.dues_collect(organisation=zone.b1, months=[month], member_ids=[first.pk], paid_on=today)
    assert [p.month for p in paid] == [month]


# Collect-then-refund (F-DUES-REFUND)


@pytest.fixture
def enterprise(zone):
    """A non-public enterprise's party committee under T1 with a branch of two members paying 100 a month."""
    committee = make_org(
        zone.t1, OrganisationKind.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, name="中共某科技公司委员会", code="NP1"
    )
    branch = make_org(
        committee, OrganisationKind.BRANCH, sector=Sector.NON_PUBLIC, name="某科技公司第1党支部", code="NPB1"
    )
    members = [member_in(branch) for _ in range(2)]
    services.dues_bases_record(
        organisation=branch, year=YEAR, rows={m.pk: {"monthly_income": Decimal(7000)} for m in members}
    )
    services.dues_collect(organisation=branch, months=[JAN, FEB], member_ids=[m.pk for m in members], paid_on=PAID_ON)
    committee.refresh_from_db()
    return committee, branch


def test_refunds_up_to_what_was_collected(zone, users, enterprise):
    committee, branch = enterprise
    figures = selectors.dues_reconciliation(organisation=committee, year=YEAR)
    assert (figures.collected, figures.refunded, figures.outstanding, figures.reconciled) == (
        Decimal("420.00"),
        Decimal(0),
        Decimal("420.00"),
        False,
    )
    services.dues_refund_record(
        organisation=branch,
        year=YEAR,
        amount=Decimal("400"),
        refunded_on=datetime.date(YEAR, 4, 1),
        voucher_number=" 记-012 ",
        user=users.bureau,
    )
    refund = DuesRefund.objects.get()
    assert (refund.voucher_number, refund.recorded_by, refund.amount) == ("记-012", users.bureau, Decimal("400.00"))
    errors = refusal(
        services.dues_refund_record,
        organisation=committee,
        year=YEAR,
        amount=Decimal("20.01"),
        refunded_on=datetime.date(YEAR, 4, 2),
        voucher_number="记-013",
        user=users.bureau,
    )
    assert errors == {"amount": ["中共某科技公司委员会的2024年党费返还合计将达420.01元，超过已收缴的420.00元。"]}
    services.dues_refund_record(
        organisation=committee,
        year=YEAR,
        amount=Decimal("20"),
        refunded_on=datetime.date(YEAR, 4, 2),
        voucher_number="记-013",
        user=users.bureau,
    )
    figures = selectors.dues_reconciliation(organisation=committee, year=YEAR)
    assert (figures.refunded, figures.outstanding, figures.reconciled) == (Decimal("420.00"), Decimal(0), True)
    # The branch has 20 left of its own, but the committee above it has nothing left.
    errors = refusal(
        services.dues_refund_record,
        organisation=branch,
        year=YEAR,
        amount=Decimal("1"),
        refunded_on=datetime.date(YEAR, 4, 3),
        voucher_number="记-014",
        user=users.bureau,
    )
    assert errors == {"amount": ["中共某科技公司委员会的2024年党费返还合计将达421.00元，超过已收缴的420.00元。"]}


def test_refund_refusals(zone, users, enterprise):
    committee, _branch = enterprise
    kwargs = dict(year=YEAR, amount=Decimal(10), refunded_on=datetime.date(YEAR, 4, 1), voucher_number="记-1")
    assert refusal(services.dues_refund_record, organisation=zone.b1, user=users.bureau, **kwargs) == [
        "只有非公有制企业党组织的党费实行先收缴后返还；东村第1党支部属于“村”领域。"
    ]
    assert refusal(services.dues_refund_record, organisation=committee, user=users.town_admin, **kwargs) == [
        "党费返还只能由组织人事局登记。"
    ]
    errors = refusal(
        services.dues_refund_record,
        organisation=committee,
        user=users.bureau,
        year=YEAR,
        amount=Decimal(0),
        refunded_on=datetime.date(YEAR - 1, 12, 31),
        voucher_number=" ",
    )
    assert errors == {
        "amount": ["返还金额须大于0元。"],
        "refunded_on": ["2024年的党费须在2024年或以后返还。"],
        "voucher_number": ["请填写凭证号。"],
    }
    assert DuesRefund.objects.count() == 0


def test_reconciliations_list_each_enterprise_once(zone, users, enterprise):
    committee, branch = enterprise
    other = make_org(zone.t2, OrganisationKind.BRANCH, sector=Sector.NON_PUBLIC, code="NP3", name="另一公司党支部")
    services.dues_refund_record(
        organisation=committee,
        year=YEAR,
        amount=Decimal("420"),
        refunded_on=datetime.date(YEAR, 5, 1),
        voucher_number="记-2",
        user=users.bureau,
    )
    tops = selectors.non_public_tops(organisation=zone.wc)
    assert tops == [committee, other]
    got = [
        (r.organisation, r.collected, r.refunded, r.reconciled)
        for r in selectors.dues_reconciliations(organisations=tops, year=YEAR)
    ]
    assert got == [(committee, Decimal("420.00"), Decimal("420.00"), True), (other, Decimal(0), Decimal(0), True)]
    assert selectors.non_public_tops(organisation=zone.t1) == [committee]
    assert selectors.non_public_tops(organisation=branch) == [branch]
