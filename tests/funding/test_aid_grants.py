"""The member aid fund (F-AID-FUND): who is eligible (from the member records), the bureau's grants
and the page of a subtree's eligible members with their grants of the year.

The opinion (三.5(2)): "党员慰问帮扶资金主要用于建国前老党员、曾获得区级以上表彰、见义勇为牺牲或致残,目前生活
困难的党员及家庭": hardship now together with one of the three groups; the member or the family; the
family of a member killed acting bravely (issue 14, item 4)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from funding.enums import AidGroup, AidRecipient
from funding.models import AidGrant
from funding.selectors.aid import aid_table, member_aid_groups
from funding.services.aid import aid_grant_record
from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 5, 6)


def flag(member, **fields):
    Member.objects.filter(pk=member.pk).update(**fields)
    member.refresh_from_db()
    return member


def grant(member, user, **changes):
    data = {
        "member": member,
        "group": AidGroup.HONOURS,
        "amount": Decimal("800"),
        "granted_on": DAY,
        "reason": "因病致困",
        "user": user,
    }
    return aid_grant_record(**{**data, **changes})


def refusal(**kwargs):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        grant(**kwargs)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else exc.value.messages


@pytest.mark.parametrize(
    ("joined_on", "groups"),
    [(datetime.date(1949, 9, 30), [AidGroup.PRE_1949]), (datetime.date(1949, 10, 1), []), (None, [])],
)
def test_joined_before_the_prc_boundary(zone, joined_on, groups):
    member = flag(zone.b1_members[0], joined_on=joined_on, in_hardship=True)
    assert member_aid_groups(member=member) == groups


def test_a_member_may_be_in_several_groups(zone):
    member = flag(
        zone.b1_members[0],
        joined_on=datetime.date(1945, 5, 1),
        has_district_honours=True,
        disabled_or_killed_bravely=True,
        in_hardship=True,
    )
    assert member_aid_groups(member=member) == [AidGroup.PRE_1949, AidGroup.HONOURS, AidGroup.BRAVERY]
    assert member_aid_groups(member=zone.b1_members[1]) == []


def test_hardship_is_required_together_with_a_group_not_instead_of_one(zone, users):
    """ "……见义勇为牺牲或致残,目前生活困难的党员及家庭": being in hardship now is a condition that goes with one of
    the groups; hardship alone, or a group without hardship, is not eligible."""
    hardship_only, honours_only, both = zone.b1_members
    flag(hardship_only, in_hardship=True)
    flag(honours_only, has_district_honours=True)
    flag(both, has_district_honours=True, in_hardship=True)
    assert [member_aid_groups(member=m) for m in (hardship_only, honours_only, both)] == [
        [],
        [],
        [AidGroup.HONOURS],
    ]
    assert [r.member for r in aid_table(organisation=zone.b1, year=2024)["rows"]] == [both]
    name = honours_only.name
    assert refusal(member=honours_only, user=users.bureau) == {
        "group": [f"{name}的党员档案未记录目前生活困难：慰问帮扶资金帮扶目前生活困难、且属于帮扶类别的党员及家庭。"]
    }
    assert refusal(member=hardship_only, user=users.bureau, group=AidGroup.HARDSHIP) == {
        "group": [f"请选择{hardship_only.name}的帮扶类别：建国前老党员、区级以上表彰或见义勇为牺牲或致残。"]
    }
    assert AidGrant.objects.count() == 0
    assert grant(both, users.bureau).group == AidGroup.HONOURS


def test_the_family_of_a_member_killed_acting_bravely_is_granted_aid(zone, users):
    """ "见义勇为牺牲……目前生活困难的党员及家庭": a member killed acting bravely (牺牲) is helped through the family,
    which was refused before as "aid goes to active members"."""
    killed = flag(zone.b1_members[0], disabled_or_killed_bravely=True, in_hardship=True, status="deceased")
    assert member_aid_groups(member=killed) == [AidGroup.BRAVERY]
    assert refusal(member=killed, user=users.bureau, group=AidGroup.BRAVERY) == {
        "recipient": [f"{killed.name}因见义勇为牺牲：慰问帮扶资金发给其家庭。"]
    }
    made = grant(killed, users.bureau, group=AidGroup.BRAVERY, recipient=AidRecipient.FAMILY, reason="烈士家属慰问")
    assert (made.member, made.group, made.recipient) == (killed, "bravery", "family")
    assert [(r.member, r.groups) for r in aid_table(organisation=zone.b1, year=2024)["rows"]] == [
        (killed, [AidGroup.BRAVERY])
    ]


def test_the_family_of_an_active_member_is_granted_aid(zone, users):
    """ "……目前生活困难的党员及家庭": the family of an eligible member can be granted aid, as the member can."""
    member = flag(zone.b1_members[0], joined_on=datetime.date(1948, 3, 1), in_hardship=True)
    made = grant(member, users.bureau, group=AidGroup.PRE_1949, recipient=AidRecipient.FAMILY)
    assert (made.recipient, made.group) == ("family", "pre_1949")


def test_a_deceased_member_not_killed_acting_bravely_is_refused(zone, users):
    member = flag(zone.b1_members[0], has_district_honours=True, in_hardship=True, status="deceased")
    assert member_aid_groups(member=member) == []
    assert refusal(member=member, user=users.bureau, recipient=AidRecipient.FAMILY) == [
        f"{member.name}不是在册党员（去世）：慰问帮扶资金发给在册党员及其家庭，以及见义勇为牺牲党员的家庭。"
    ]


def test_aid_table_lists_eligible_members_of_the_subtree_with_the_year_grants(zone, users):
    old, honoured, inactive = zone.b1_members
    flag(old, joined_on=datetime.date(1948, 3, 1), in_hardship=True)
    flag(honoured, has_district_honours=True)  # not in hardship: not listed
    grant(old, users.bureau, group=AidGroup.PRE_1949, amount=Decimal("500"))
    grant(old, users.bureau, group=AidGroup.PRE_1949, amount=Decimal("1000.5"), recipient=AidRecipient.FAMILY)
    grant(old, users.bureau, group=AidGroup.PRE_1949, granted_on=datetime.date(2023, 12, 31))  # another year
    grant(flag(inactive, in_hardship=True, has_district_honours=True), users.bureau)
    flag(inactive, status="left")  # granted aid this year, no longer a member: listed, no group
    group_member = flag(MemberFactory(organisation=zone.g1), disabled_or_killed_bravely=True, in_hardship=True)
    flag(zone.b3_members[0], in_hardship=True, has_district_honours=True)  # under T2
    table = aid_table(organisation=zone.t1, year=2024)
    assert [(r.member, r.groups, [g.amount for g in r.grants], r.total) for r in table["rows"]] == sorted(
        [
            (old, [AidGroup.PRE_1949], [Decimal("500.00"), Decimal("1000.50")], Decimal("1500.50")),
            (inactive, [], [Decimal("800.00")], Decimal("800.00")),
            (group_member, [AidGroup.BRAVERY], [], Decimal(0)),
        ],
        key=lambda row: (row[0].name_pinyin, row[0].pk),
    )
    assert [(t.group, t.members, t.grants, t.amount) for t in table["totals"]] == [
        (AidGroup.PRE_1949, 1, 2, Decimal("1500.50")),
        (AidGroup.HONOURS, 0, 1, Decimal("800.00")),
        (AidGroup.BRAVERY, 1, 0, Decimal(0)),
    ]
    assert (table["grants"], table["amount"]) == (3, Decimal("2300.50"))
    assert [r.member for r in aid_table(organisation=zone.t2, year=2024)["rows"]] == [zone.b3_members[0]]


@pytest.mark.parametrize("extra", [0, 20])
def test_aid_table_is_two_queries(zone, users, django_assert_num_queries, extra):
    for member in MemberFactory.create_batch(extra, organisation=zone.b2, in_hardship=True, has_district_honours=True):
        grant(member, users.bureau)
    with django_assert_num_queries(2):
        table = aid_table(organisation=zone.t1, year=2024)
    assert len(table["rows"]) == extra


def test_grant_is_the_bureaus_and_records_who_approved(zone, users):
    member = flag(zone.b1_members[0], in_hardship=True, has_district_honours=True)
    assert refusal(member=member, user=users.town_admin) == ["党员慰问帮扶资金由组织人事局审批发放。"]
    assert refusal(member=member, user=None) == ["党员慰问帮扶资金由组织人事局审批发放。"]
    made = grant(member, users.bureau, amount=Decimal("0.005"))
    assert (made.approved_by, made.amount, made.group, made.recipient) == (
        users.bureau,
        Decimal("0.01"),
        "honours",
        "member",
    )


def test_grant_refusals_name_the_member_and_the_group(zone, users):
    member = flag(zone.b1_members[0], in_hardship=True)
    name = member.name
    assert refusal(member=member, user=users.bureau) == {
        "group": [f"{name}不属于“曾获区级以上表彰”：党员档案中没有此项记录。"]
    }
    flag(member, has_district_honours=True)
    assert refusal(member=member, user=users.bureau, group="other") == {
        "group": [f"请选择{name}的帮扶类别：建国前老党员、区级以上表彰或见义勇为牺牲或致残。"]
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = refusal(
        member=member,
        user=users.bureau,
        group=AidGroup.HONOURS,
        amount=Decimal("0.004"),
        granted_on=tomorrow,
        reason="  ",
    )
    assert refused == {
        "amount": ["金额须大于0元。"],
        "granted_on": [f"{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日晚于今天，不能登记。"],
        "reason": [f"请填写给予{name}慰问帮扶的事由。"],
    }
    assert refusal(member=member, user=users.bureau, group=AidGroup.HONOURS, amount=Decimal(0)) == {
        "amount": ["金额须大于0元。"]
    }
    assert AidGrant.objects.count() == 0
    today = grant(member, users.bureau, group=AidGroup.HONOURS, granted_on=timezone.localdate())
    assert today.granted_on == timezone.localdate()


def test_aid_page_shows_groups_grants_and_totals(zone, users, client_for):
    member = flag(zone.b1_members[0], in_hardship=True, has_district_honours=True)
    grant(member, users.bureau, amount=Decimal("1234.5"))
    client = client_for(users.town_admin)
    response = client.get(reverse("funding:aid", args=[zone.t1.pk]), {"year": 2024})
    assert response.status_code == 200
    assert (response.context["year"], response.context["amount"], response.context["grants"]) == (
        2024,
        Decimal("1234.50"),
        1,
    )
    assert [(r.member, r.groups) for r in response.context["rows"]] == [(member, [AidGroup.HONOURS])]
    content = response.content.decode()
    assert content.count("¥1,234.50") == 4  # the member's grant and total, the group's total, the grand total
    assert "F-AID-FUND · 建国前老党员、曾获得区级以上表彰、见义勇为牺牲或致残，目前生活困难的党员及家庭" in content
    assert reverse("funding:aid_grant", args=[member.pk]) not in content  # an org admin does not grant
    assert (
        reverse("funding:aid_grant", args=[member.pk])
        in client_for(users.bureau).get(reverse("funding:aid", args=[zone.t1.pk])).content.decode()
    )
    assert client_for(users.other_admin).get(reverse("funding:aid", args=[zone.t1.pk])).status_code == 404


@pytest.mark.parametrize("year", ["2014", "abc", "2999"])
def test_aid_page_year_out_of_range_is_this_year(zone, users, client_for, year):
    response = client_for(users.auditor).get(reverse("funding:aid", args=[zone.wc.pk]), {"year": year})
    assert response.context["year"] == timezone.localdate().year


@pytest.mark.parametrize("extra", [0, 15])
def test_aid_page_query_count_constant(zone, users, client_for, django_assert_num_queries, extra):
    for member in MemberFactory.create_batch(extra, organisation=zone.b2, in_hardship=True, has_district_honours=True):
        grant(member, users.bureau)
    client = client_for(users.bureau)
    # session, user, organisation, ancestors, grants, members.
    with django_assert_num_queries(6):
        response = client.get(reverse("funding:aid", args=[zone.t1.pk]), {"year": 2024})
    assert len(response.context["rows"]) == extra


def test_grant_form_offers_the_members_groups_and_recipients_and_records(zone, users, client_for):
    member = flag(zone.b1_members[0], joined_on=datetime.date(1947, 1, 1), in_hardship=True)
    client = client_for(users.bureau)
    url = reverse("funding:aid_grant", args=[member.pk])
    with translation.override("zh-hans"):
        page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["group"].choices) == [("pre_1949", "建国前老党员")]
    assert list(page.context["form"].fields["recipient"].choices) == [("member", "党员本人"), ("family", "党员家庭")]
    response = client.post(
        url,
        {
            "group": "pre_1949",
            "recipient": "family",
            "amount": "2000",
            "granted_on": "2024-09-30",
            "reason": "重阳节慰问",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:aid", args=[zone.b1.pk]) + "?year=2024"
    made = AidGrant.objects.get()
    assert (made.member, made.group, made.recipient, made.amount, made.approved_by) == (
        member,
        "pre_1949",
        "family",
        Decimal("2000.00"),
        users.bureau,
    )


def test_grant_form_of_a_member_killed_acting_bravely_offers_the_family_only(zone, users, client_for):
    killed = flag(zone.b1_members[0], disabled_or_killed_bravely=True, in_hardship=True, status="deceased")
    with translation.override("zh-hans"):
        page = client_for(users.bureau).get(reverse("funding:aid_grant", args=[killed.pk]))
    assert list(page.context["form"].fields["recipient"].choices) == [("family", "党员家庭")]


def test_grant_form_shows_the_services_refusal(zone, users, client_for):
    member = flag(zone.b1_members[0], in_hardship=True, has_district_honours=True)
    with translation.override("zh-hans"):
        response = client_for(users.bureau).post(
            reverse("funding:aid_grant", args=[member.pk]),
            {"group": "honours", "recipient": "member", "amount": "0", "granted_on": "2024-09-30", "reason": "慰问"},
        )
        hardship = client_for(users.bureau).post(
            reverse("funding:aid_grant", args=[member.pk]),
            {"group": "hardship", "recipient": "member", "amount": "10", "granted_on": "2024-09-30", "reason": "慰问"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == ["金额须大于0元。"]
    assert list(hardship.context["form"].errors) == ["group"]  # hardship is no group of its own: not offered
    assert AidGrant.objects.count() == 0


def test_grant_form_is_the_bureaus_and_scoped(zone, users, client_for):
    member = flag(zone.b1_members[0], in_hardship=True, has_district_honours=True)
    url = reverse("funding:aid_grant", args=[member.pk])
    data = {"group": "honours", "recipient": "member", "amount": "10", "granted_on": "2024-09-30", "reason": "慰问"}
    assert client_for(users.town_admin).post(url, data).status_code == 403
    assert client_for(users.other_admin).post(url, data).status_code == 404
    assert AidGrant.objects.count() == 0
