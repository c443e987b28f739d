"""Issue 12: the branch collects its party groups' members' dues (N-DUES): its dues pages list them and
the zone's arrears count them for the branch. The zone: the `groups` fixture (B1 with G1 and G2, a
member transferring from G2 to B3 on 1 July 2024)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.enums import Role
from funding.models import DuesPayment
from funding.selectors import dues as selectors
from funding.selectors.dues import DUE, NOT_DUE
from funding.services import dues as services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
YEAR = 2024


def pinyin_order(members):
    return sorted(members, key=lambda m: (m.name_pinyin, m.pk))


def everyone(groups):
    return [*groups.b1_members, *groups.g1_members, *groups.g2_members]


def test_the_dues_grid_lists_the_party_groups_members_for_their_months(groups):
    rows = {r.member: r for r in selectors.dues_grid(organisation=groups.b1, year=YEAR)}
    assert list(rows) == pinyin_order(everyone(groups))
    assert [state for _month, state, _amount in rows[groups.mover].cells] == [DUE] * 6 + [NOT_DUE] * 6
    assert rows[groups.g1_members[0]].months_owed == 12
    assert [r.member for r in selectors.dues_grid(organisation=groups.g1, year=YEAR)] == pinyin_order(groups.g1_members)


def test_the_branch_records_a_group_members_base_and_collects_the_dues(groups):
    member = groups.g1_members[1]
    rows = selectors.dues_base_rows(organisation=groups.b1, year=YEAR, day=datetime.date(YEAR, 12, 31))
    assert [r.member for r in rows] == pinyin_order(m for m in everyone(groups) if m != groups.mover)
    services.dues_bases_record(organisation=groups.b1, year=YEAR, rows={member.pk: {"monthly_income": Decimal(4000)}})
    services.dues_collect(
        organisation=groups.b1,
        months=[datetime.date(YEAR, 1, 1)],
        member_ids=[member.pk],
        paid_on=datetime.date(YEAR, 1, 31),
    )
    assert list(DuesPayment.objects.values_list("member_id", "organisation__code", "amount")) == [
        (member.pk, "B1", Decimal("40.00"))
    ]


def test_the_arrears_count_the_party_groups_members_for_their_branch(groups, users):
    rows = [
        (r.organisation.code, r.members, r.months) for r in selectors.dues_arrears(user=users.town_admin, year=YEAR)
    ]
    assert rows == [("B1", 7, 6 * 12 + 6)]
    group_admin = UserFactory(role=Role.ORG_ADMIN, organisation=groups.g1)
    rows = [(r.organisation.code, r.members) for r in selectors.dues_arrears(user=group_admin, year=YEAR)]
    assert rows == [("G1", 2)]  # who sees only the group sees it on its own


def test_the_dues_page_of_the_branch_shows_the_group_members(groups, users, client_for):
    page = client_for(users.branch_admin).get(reverse("funding:dues", args=[groups.b1.pk, YEAR]))
    assert [r.member for r in page.context["rows"]] == pinyin_order(everyone(groups))
    content = page.content.decode()
    assert all(m.name in content for m in groups.g1_members + groups.g2_members)
