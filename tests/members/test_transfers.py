import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members import selectors, services
from members.enums import MemberEventKind, MemberStatus, TransferKind
from members.models import Membership

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 5, 10)


def test_member_transfer_within_zone_answers_branch_on_any_date(zone, users):
    member = zone.b1_members[1]
    services.member_transfer(
        member=member, to_organisation=zone.b3, on=DAY, letter_number="湘高组转〔2024〕12号", user=users.town_admin
    )
    member.refresh_from_db()
    assert member.organisation_id == zone.b3.pk
    assert selectors.member_organisation_on(member=member, day=DAY - datetime.timedelta(days=1)) == zone.b1
    assert selectors.member_organisation_on(member=member, day=DAY) == zone.b3
    assert member.pk not in selectors.members_on(organisation=zone.b1, day=DAY).values_list("pk", flat=True)
    assert member.pk in selectors.members_on(organisation=zone.b1, day=datetime.date(2020, 1, 1)).values_list(
        "pk", flat=True
    )
    zone.b1.refresh_from_db()
    zone.b3.refresh_from_db()
    assert (zone.b1.member_count, zone.b3.member_count) == (2, 3)
    event = member.events.get(kind=MemberEventKind.TRANSFERRED)
    assert event.changes == {"organisation": ["东村第1党支部", "新康社区第1党支部"]}


def test_member_transfer_out_of_zone_keeps_record_transferred_out(zone):
    member = zone.b3_members[1]
    transfer = services.member_transfer(
        member=member, external_organisation="中共岳麓区某街道工委", on=DAY, letter_number="A-1"
    )
    member.refresh_from_db()
    assert (member.status, member.status_changed_on, transfer.kind) == (
        MemberStatus.TRANSFERRED_OUT,
        DAY,
        TransferKind.OUT_OF_ZONE,
    )
    assert selectors.member_organisation_on(member=member, day=DAY) is None
    assert Membership.objects.filter(member=member, ended_on__isnull=True).count() == 0


def test_member_transfer_twice_the_second_must_come_later(zone):
    member = zone.b1_members[1]
    services.member_transfer(member=member, to_organisation=zone.b2, on=DAY, letter_number="1")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_transfer(member=member, to_organisation=zone.b3, on=DAY, letter_number="2")
    assert list(exc.value.message_dict) == ["on"]


def test_member_transfer_needs_destination_and_letter(zone):
    with pytest.raises(ValidationError) as exc:
        services.member_transfer(member=zone.b1_members[1], on=DAY, letter_number=" ")
    assert sorted(exc.value.message_dict) == ["letter_number", "to_organisation"]


def test_member_transfer_to_committee_refused(zone):
    with pytest.raises(ValidationError):
        services.member_transfer(member=zone.b1_members[1], to_organisation=zone.t2, on=DAY, letter_number="1")


def test_member_transfer_of_member_outside_scope_refused(zone, users):
    with pytest.raises(ValidationError):
        services.member_transfer(
            member=zone.b3_members[1], to_organisation=zone.b1, on=DAY, letter_number="1", user=users.town_admin
        )


def test_status_change_closes_membership(zone):
    member = zone.b1_members[2]
    services.member_status_change(member=member, status=MemberStatus.DECEASED, on=DAY, reason="病故")
    assert list(member.memberships.values_list("ended_on", flat=True)) == [DAY]
    assert selectors.member_organisation_on(member=member, day=DAY + datetime.timedelta(days=1)) is None


def test_transfer_form_to_organisation_outside_own_scope(zone, users, client_for):
    member = zone.b1_members[1]
    data = {"to_code": "B3", "letter_number": "湘高组转12号", "on": "2024-05-10", "reason": "工作调动"}
    response = client_for(users.branch_admin).post(reverse("members:transfer", args=[member.pk]), data)
    # B3 is outside the secretary's scope: after the transfer, the member is no longer theirs to see.
    assert response.status_code == 302
    assert response["Location"] == reverse("members:list")
    member.refresh_from_db()
    assert member.organisation_id == zone.b3.pk


def test_transfer_form_unknown_code_shows_field_error(zone, users, client_for):
    data = {"to_code": "NOPE", "letter_number": "1", "on": "2024-05-10"}
    with translation.override("zh-hans"):
        response = client_for(users.bureau).post(reverse("members:transfer", args=[zone.b1_members[1].pk]), data)
    assert response.context["form"].errors["to_code"] == ["不存在组织代码为NOPE的有效组织。"]


def test_transfer_form_service_error_lands_on_code_field(zone, users, client_for):
    data = {"to_code": "B1", "letter_number": "1", "on": "2024-05-10"}
    response = client_for(users.bureau).post(reverse("members:transfer", args=[zone.b1_members[1].pk]), data)
    assert list(response.context["form"].errors) == ["to_code"]
