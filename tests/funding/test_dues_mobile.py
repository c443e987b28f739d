"""N-DUES with S-MOBILE (issue 18): a mobile member pays dues to the home branch, or to the receiving
branch where both agreed (recorded); the arrears show on both branches' pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding.selectors import dues as selectors
from funding.services import dues as services
from members import mobile

pytestmark = pytest.mark.django_db
YEAR = 2024
JAN, FEB, MAR, APR = (datetime.date(YEAR, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture
def away(zone):
    """B1's second member works in T2 from 10 March 2024, received by B3, paying dues there by agreement."""
    services.dues_bases_record(
        organisation=zone.b1,
        year=YEAR,
        rows={m.pk: {"monthly_income": Decimal("4000")} for m in zone.b1_members},
    )
    member = zone.b1_members[1]
    record = mobile.mobile_outflow_record(
        member=member, since=datetime.date(YEAR, 3, 10), place="长沙高新区", receiving_organisation=zone.b3
    )
    mobile.mobile_dues_arrangement_record(record=record, to_receiving=True, agreement="党费协议 2024-03")
    return member


def test_the_receiving_branch_collects_by_agreement_and_the_home_branch_is_refused(zone, away):
    """N-DUES: dues are paid to one's own branch; by agreement the receiving branch collects them."""
    payments = services.dues_collect(organisation=zone.b3, months=[MAR, APR], member_ids=[away.pk], paid_on=APR)
    assert [(p.organisation_id, p.month, p.amount) for p in payments] == [
        (zone.b3.pk, MAR, Decimal("40.00")),
        (zone.b3.pk, APR, Decimal("40.00")),
    ]
    with pytest.raises(ValidationError) as exc:
        services.dues_collect(
            organisation=zone.b1,
            months=[datetime.date(YEAR, 5, 1)],
            member_ids=[away.pk],
            paid_on=datetime.date(YEAR, 5, 30),
        )
    assert exc.value.message_dict["members"] == [
        f"{away.name}的2024年5月党费经协商交给新康社区第1党支部：由该支部收缴。"
    ]
    with pytest.raises(ValidationError):
        services.dues_collect(organisation=zone.b3, months=[FEB], member_ids=[away.pk], paid_on=APR)
    # January and February are still the home branch's.
    assert len(services.dues_collect(organisation=zone.b1, months=[JAN, FEB], member_ids=[away.pk], paid_on=APR)) == 2


def test_the_arrears_show_on_both_branches_pages(zone, away, users, client):
    """N-DUES: the home branch sees what its member owes the receiving branch, and the receiving branch
    what the member owes it."""
    services.dues_collect(organisation=zone.b1, months=[JAN, FEB], member_ids=[away.pk], paid_on=APR)
    home = {r.member.pk: r for r in selectors.dues_grid(organisation=zone.b1, year=YEAR)}[away.pk]
    there = {r.member.pk: r for r in selectors.dues_grid(organisation=zone.b3, year=YEAR)}[away.pk]
    assert [state for _m, state, _a in home.cells] == ["paid", "paid"] + ["due"] * 10
    assert [state for _m, state, _a in there.cells] == ["paid", "paid"] + ["due"] * 10  # paid wherever collected
    assert (home.months_owed, home.owed) == (there.months_owed, there.owed) == (10, Decimal("400.00"))
    assert home.mobile == "流动党员，经协商向新康社区第1党支部交纳党费（党费协议 2024-03）"
    assert there.mobile == "东村第1党支部的流动党员，经协商在本支部交纳党费（党费协议 2024-03）"
    client.force_login(users.other_admin)
    response = client.get(reverse("funding:dues", args=[zone.b3.pk, YEAR]))
    assert there.mobile in response.content.decode()
