"""The dues pages (N-DUES, 中组发〔2008〕3号; F-DUES-REFUND): what they show, their forms, a 40-member
branch collected in one POST, query counts at two sizes, and the permission matrix of their URLs."""

# ruff: noqa: RUF002 -- the source document is cited with its own brackets, as published

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from branches.enums import OrganisationKind, Sector
from funding.models import DuesBase, DuesPayment, DuesRefund
from funding.services import dues as services
from members.models import Membership
from tests.concurrency import opened
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
YEAR = 2024


def branch_of(zone, n, code="D40"):
    branch = make_org(zone.v1, OrganisationKind.BRANCH, sector=Sector.VILLAGE, code=code, name=f"{code}党支部")
    members = MemberFactory.create_batch(n, organisation=branch)
    Membership.objects.bulk_create(Membership(member=m, organisation=branch) for m in members)
    return branch, members


def bases_for(branch, members, income="4000"):
    rows = {m.pk: {"monthly_income": Decimal(income)} for m in members}
    services.dues_bases_record(organisation=branch, year=YEAR, rows=rows)


def collect_data(members, months=(1, 2, 3)):
    return {"months": [str(m) for m in months], "paid_on": f"{YEAR}-03-31", "members": [str(m.pk) for m in members]}


def test_grid_shows_bases_states_and_arrears(zone, users, client_for):
    bases_for(zone.b1, zone.b1_members[:2])
    services.dues_collect(
        organisation=zone.b1,
        months=[datetime.date(YEAR, 1, 1)],
        member_ids=[zone.b1_members[0].pk],
        paid_on=datetime.date(YEAR, 1, 31),
    )
    with translation.override("zh-hans"):
        response = client_for(users.auditor).get(reverse("funding:dues", args=[zone.b1.pk, YEAR]))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.member, r.months_owed, r.owed) for r in rows] == [
        (zone.b1_members[0], 11, Decimal("440.00")),
        (zone.b1_members[1], 12, Decimal("480.00")),
        (zone.b1_members[2], 12, None),
    ]
    assert (response.context["paid_total"], response.context["owed_total"], response.context["without_base"]) == (
        Decimal("40.00"),
        Decimal("920.00"),
        1,
    )
    page = response.content.decode()
    for text in ("N-DUES", "中组发〔2008〕3号", "¥40.00", "¥920.00", "未核定基数的党员：1名", "本年度未核定党费基数"):
        assert text in page
    assert "收缴党费" not in page  # the auditor reads only


def test_bases_form_records_every_member(zone, users, client_for):
    client = client_for(users.branch_admin)
    url = reverse("funding:dues_bases", args=[zone.b1.pk, YEAR])
    first, second, third = zone.b1_members
    response = client.get(url)
    assert response.status_code == 200 and "中组发〔2008〕3号" in response.content.decode()
    data = {
        f"basis_{first.pk}": "salary",
        f"income_{first.pk}": "5000",
        f"basis_{second.pk}": "salary",
        f"income_{second.pk}": "5000.01",
        f"basis_{third.pk}": "flat",
    }
    response = client.post(url, opened(client, url, data))
    assert response.status_code == 302 and response["Location"] == reverse("funding:dues", args=[zone.b1.pk, YEAR])
    assert dict(DuesBase.objects.values_list("member_id", "monthly_dues")) == {
        first.pk: Decimal("50.00"),
        second.pk: Decimal("75.00"),
        third.pk: Decimal("0.20"),
    }
    assert set(DuesBase.objects.values_list("recorded_by", flat=True)) == {users.branch_admin.pk}


def test_bases_form_shows_the_refusal(zone, users, client_for):
    first, second, third = zone.b1_members
    data = {f"basis_{m.pk}": "salary" for m in zone.b1_members} | {
        f"income_{second.pk}": "3000",
        f"income_{third.pk}": "3000",
    }
    client, url = client_for(users.town_admin), reverse("funding:dues_bases", args=[zone.b1.pk, YEAR])
    with translation.override("zh-hans"):
        response = client.post(url, opened(client, url, data))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [f"{first.name}：请填写税后月收入（须大于0元）。"]
    assert f"{first.name}：请填写税后月收入（须大于0元）。" in response.content.decode()
    assert DuesBase.objects.count() == 0


def test_a_40_member_branch_collected_in_one_post(zone, users, client_for):
    branch, members = branch_of(zone, 40)
    bases_for(branch, members[:39])
    bases_for(branch, members[39:], income="12000")
    client = client_for(users.town_admin)
    url = reverse("funding:dues_collect", args=[branch.pk, YEAR])
    form = client.get(url).context["form"]
    assert form["members"].value() == [m.pk for m in members]  # everyone ticked by default
    assert [(row.member, picked) for row, picked, _amount in form.table()][:2] == [
        (members[0], True),
        (members[1], True),
    ]
    response = client.post(url, collect_data(members) | {f"amount_{members[0].pk}": "50"})
    assert response.status_code == 302
    assert DuesPayment.objects.count() == 120
    amounts = {}
    for member_id, amount in DuesPayment.objects.values_list("member_id", "amount"):
        amounts.setdefault(member_id, set()).add(amount)
    assert amounts[members[0].pk] == {Decimal("50.00")}
    assert amounts[members[1].pk] == {Decimal("40.00")}
    assert amounts[members[39].pk] == {Decimal("240.00")}
    page = client.get(reverse("funding:dues", args=[branch.pk, YEAR]))
    assert page.context["paid_total"] == Decimal(50 * 3 + 38 * 40 * 3 + 240 * 3)


def test_collect_form_shows_the_refusal_naming_member_and_month(zone, users, client_for):
    bases_for(zone.b1, zone.b1_members)
    first = zone.b1_members[0]
    services.dues_collect(
        organisation=zone.b1,
        months=[datetime.date(YEAR, 2, 1)],
        member_ids=[first.pk],
        paid_on=datetime.date(YEAR, 2, 2),
    )
    with translation.override("zh-hans"):
        response = client_for(users.branch_admin).post(
            reverse("funding:dues_collect", args=[zone.b1.pk, YEAR]), collect_data(zone.b1_members)
        )
    assert response.status_code == 200
    assert response.context["form"].errors["members"] == [f"{first.name}已交纳2024年2月的党费。"]
    assert f"{first.name}已交纳2024年2月的党费。" in response.content.decode()
    assert DuesPayment.objects.count() == 1


@pytest.mark.parametrize("size", [5, 40])
def test_collect_post_and_grid_queries_do_not_grow(zone, users, client_for, django_assert_num_queries, size):
    branch, members = branch_of(zone, size)
    bases_for(branch, members)
    client = client_for(users.town_admin)
    url = reverse("funding:dues_collect", args=[branch.pk, YEAR])
    # with the collection's one audit entry (issue 13); issue 18: the mobile members paying by agreement,
    # read by the collection and by the grid it shows again
    with django_assert_num_queries(23):
        assert client.post(url, collect_data(members)).status_code == 302
    with django_assert_num_queries(12):  # issue 18: the mobile members paying by agreement, the last month due
        assert client.get(reverse("funding:dues", args=[branch.pk, YEAR])).status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_zone_arrears_list_is_set_based(zone, users, client_for, django_assert_num_queries, size):
    for i in range(size):
        branch, members = branch_of(zone, 3, code=f"A{i}")
        bases_for(branch, members)
    client = client_for(users.town_admin)
    with django_assert_num_queries(8):
        response = client.get(reverse("funding:dues_arrears", args=[YEAR]))
    assert response.status_code == 200
    rows = response.context["rows"]
    # B1 (no base: months only) and the new branches, never B3 (under T2).
    assert [r.organisation.code for r in rows] == ["B1", *(f"A{i}" for i in range(size))]
    assert [(r.members, r.months, r.owed, r.without_base) for r in rows[:2]] == [
        (3, 36, Decimal(0), 3),
        (3, 36, Decimal("1440.00"), 0),
    ]
    assert response.context["owed_total"] == Decimal(1440 * size)
    assert "N-DUES" in response.content.decode()


def test_the_arrears_list_pages_with_its_count_and_a_jump(zone, users, client_for, monkeypatch):
    """Issue 12: 716 branches in arrears were one page; the totals stay those of the whole list."""
    from funding.views import dues

    monkeypatch.setattr(dues, "ARREARS_PAGE_SIZE", 2)
    for i in range(3):
        branch_of(zone, 1, code=f"P{i}")
    client = client_for(users.town_admin)
    url = reverse("funding:dues_arrears", args=[YEAR])
    first, last = client.get(url), client.get(url, {"page": 2})
    assert [r.organisation.code for r in first.context["page"]] == ["B1", "P0"]
    assert [r.organisation.code for r in last.context["page"]] == ["P1", "P2"]
    assert first.context["members_total"] == last.context["members_total"] == 6
    text = first.content.decode()
    for shown in (
        "第1页，共2页",
        "有欠缴党费的组织共4个",
        'name="page" min="1" max="2" value="1"',
        "全部合计",
        'href="?page=2"',
    ):
        assert shown in text, shown


def enterprise(zone):
    committee = make_org(
        zone.t1, OrganisationKind.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="NPC", name="某公司党委"
    )
    branch = make_org(committee, OrganisationKind.BRANCH, sector=Sector.NON_PUBLIC, code="NPCB", name="某公司党支部")
    members = MemberFactory.create_batch(2, organisation=branch)
    Membership.objects.bulk_create(Membership(member=m, organisation=branch) for m in members)
    bases_for(branch, members, income="6000")
    services.dues_collect(
        organisation=branch,
        months=[datetime.date(YEAR, 1, 1)],
        member_ids=[m.pk for m in members],
        paid_on=datetime.date(YEAR, 1, 31),
    )
    committee.refresh_from_db()
    return committee, branch


def test_refund_pages(zone, users, client_for):
    committee, _branch = enterprise(zone)
    client = client_for(users.bureau)
    url = reverse("funding:dues_refund_create", args=[committee.pk, YEAR])
    assert client.get(url).context["reconciliation"].outstanding == Decimal("180.00")
    with translation.override("zh-hans"):
        response = client.post(url, {"amount": "180.01", "refunded_on": f"{YEAR}-06-01", "voucher_number": "记-7"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "某公司党委的2024年党费返还合计将达180.01元，超过已收缴的180.00元。"
    ]
    response = client.post(url, {"amount": "180", "refunded_on": f"{YEAR}-06-01", "voucher_number": "记-7"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:dues_refunds", args=[committee.pk, YEAR]
    )
    assert DuesRefund.objects.get().recorded_by == users.bureau
    with translation.override("zh-hans"):
        page = client_for(users.town_admin).get(reverse("funding:dues_refunds", args=[committee.pk, YEAR]))
    figures = page.context["reconciliation"]
    assert (figures.collected, figures.refunded, figures.outstanding, figures.reconciled) == (
        Decimal("180.00"),
        Decimal("180.00"),
        Decimal(0),
        True,
    )
    text = page.content.decode()
    assert "F-DUES-REFUND" in text and "记-7" in text and "已对账" in text
    assert "返还党费" not in text  # only the bureau refunds
    listing = client_for(users.bureau).get(reverse("funding:dues_refunds", args=[zone.wc.pk, YEAR]))
    assert [(r.organisation, r.collected, r.reconciled) for r in listing.context["rows"]] == [
        (committee, Decimal("180.00"), True)
    ]


def test_a_refund_short_of_the_full_amount_is_flagged(zone, users, client_for):
    """对非公有制企业党组织上交的党费实行全额返还: a refund of less than what was collected is flagged at once (a
    warning naming what is still due) and on the pages (refunded in part, not in full); the full amount clears it."""
    committee, _branch = enterprise(zone)
    client = client_for(users.bureau)
    url = reverse("funding:dues_refund_create", args=[committee.pk, YEAR])
    with translation.override("zh-hans"):
        response = client.post(
            url, {"amount": "100", "refunded_on": f"{YEAR}-06-01", "voucher_number": "记-8"}, follow=True
        )
    assert [str(m) for m in response.context["messages"]] == [
        "本次返还不是收缴的全额：2024年收缴的180.00元党费中，尚有80.00元未返还（F-DUES-REFUND：全额返还）。",
        "党费返还已登记。",
    ]
    figures = response.context["reconciliation"]
    assert (figures.refunded, figures.outstanding, figures.partial, figures.reconciled) == (
        Decimal("100.00"),
        Decimal("80.00"),
        True,
        False,
    )
    assert "仅部分返还，未全额返还" in response.content.decode()
    with translation.override("zh-hans"):
        listing = client.get(reverse("funding:dues_refunds", args=[zone.wc.pk, YEAR]))
    assert [(r.organisation, r.partial) for r in listing.context["rows"]] == [(committee, True)]
    assert "仅部分返还，未全额返还" in listing.content.decode()
    with translation.override("zh-hans"):
        response = client.post(
            url, {"amount": "80", "refunded_on": f"{YEAR}-06-02", "voucher_number": "记-9"}, follow=True
        )
    assert [str(m) for m in response.context["messages"]] == ["党费返还已登记。"]
    assert (response.context["reconciliation"].partial, response.context["reconciliation"].reconciled) == (False, True)
    assert "仅部分返还" not in response.content.decode()


@pytest.mark.parametrize("size", [1, 5])
def test_refund_listing_queries_do_not_grow(zone, users, client_for, django_assert_num_queries, size):
    for i in range(size):
        branch = make_org(zone.t1, OrganisationKind.BRANCH, sector=Sector.NON_PUBLIC, code=f"NP{i}")
        members = MemberFactory.create_batch(2, organisation=branch)
        Membership.objects.bulk_create(Membership(member=m, organisation=branch) for m in members)
        bases_for(branch, members)
        services.dues_collect(
            organisation=branch,
            months=[datetime.date(YEAR, 1, 1)],
            member_ids=[m.pk for m in members],
            paid_on=datetime.date(YEAR, 1, 31),
        )
    client = client_for(users.town_admin)
    with django_assert_num_queries(7):
        response = client.get(reverse("funding:dues_refunds", args=[zone.t1.pk, YEAR]))
    assert [r.collected for r in response.context["rows"]] == [Decimal("80.00")] * size
