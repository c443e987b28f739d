import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.idcard import id_make
from members import mobile, selectors
from members.enums import LostContactDecision

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)


def test_outflow_to_zone_branch_is_seen_by_both_branches(zone, users):
    member = zone.b1_members[1]
    record = mobile.mobile_outflow_record(
        member=member,
        since=datetime.date(2025, 1, 5),
        place="深圳市南山区",
        receiving_organisation=zone.b3,
        user=users.branch_admin,
    )
    assert [r.pk for r in mobile.mobile_list(user=users.branch_admin)] == [record.pk]
    assert [r.pk for r in mobile.mobile_list(user=users.other_admin)] == [record.pk]
    assert [m.pk for m in selectors.member_list(user=users.branch_admin, mobile="yes")] == [member.pk]
    assert member.pk not in [m.pk for m in selectors.member_list(user=users.branch_admin, mobile="no")]


def test_inflow_from_outside_zone_is_seen_by_receiving_branch_only(zone, users):
    number = id_make(area="440305", born=datetime.date(1990, 2, 2), sequence=3, male=True)
    record = mobile.mobile_inflow_record(
        receiving_organisation=zone.b3,
        name="外来党员",
        id_number=number,
        home_organisation_name="中共深圳市某支部",
        since=datetime.date(2025, 2, 1),
        place="",
    )
    assert record.is_inflow is True
    assert [r.pk for r in mobile.mobile_list(user=users.other_admin)] == [record.pk]
    assert list(mobile.mobile_list(user=users.town_admin)) == []


def test_lost_contact_after_six_months_without_contact(zone, users):
    record = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2024, 11, 1), place="广州")
    assert mobile.is_lost_contact(mobile.mobile_list(user=users.bureau).get(pk=record.pk), today=TODAY) is True
    mobile.mobile_contact_record(record=record, contacted_on=datetime.date(2025, 3, 1), means="phone")
    reached = mobile.mobile_list(user=users.bureau).get(pk=record.pk)
    assert reached.last_contact == datetime.date(2025, 3, 1)
    assert mobile.is_lost_contact(reached, today=TODAY) is False
    assert mobile.is_lost_contact(reached, today=datetime.date(2025, 9, 1)) is True
    assert mobile.is_lost_contact(reached, today=datetime.date(2025, 8, 31)) is False


def test_a_decision_of_the_branch_ends_the_lost_contact_flag_on_every_page(zone, users, client_for):
    """N-MOBILE: the branch's decision ends the duty; the list, the roster and the rule agree."""
    record = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2024, 11, 1), place="广州")
    mobile.mobile_decision_record(
        record=record, decision=LostContactDecision.KEEP_LOOKING, decided_on=datetime.date(2025, 6, 1)
    )
    decided = mobile.mobile_list(user=users.bureau).get(pk=record.pk)
    assert mobile.is_lost_contact(decided, today=TODAY) is False
    assert [r.lost_contact for r in mobile.records_marked([decided], today=TODAY)] == [False]
    page = client_for(users.bureau).get(reverse("members:mobile_list"))
    assert [r.lost_contact for r in page.context["records"] if r.pk == record.pk] == [False]


def test_outflow_twice_refused_and_return_closes(zone):
    member = zone.b1_members[1]
    record = mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 1, 5), place="长沙县")
    with pytest.raises(ValidationError):
        mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 2, 5), place="长沙县")
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_return_record(record=record, on=datetime.date(2024, 12, 31))
    assert list(exc.value.message_dict) == ["on"]
    mobile.mobile_return_record(record=record, on=datetime.date(2025, 5, 1))
    mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 5, 20), place="株洲")


def test_contact_before_departure_refused(zone):
    record = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2025, 1, 5), place="长沙县")
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_contact_record(record=record, contacted_on=datetime.date(2025, 1, 1), means="phone")
    assert list(exc.value.message_dict) == ["contacted_on"]


def test_outflow_form_and_contact_form(zone, users, client_for):
    client = client_for(users.branch_admin)
    data = {"since": "2025-01-05", "place": "深圳", "receiving_code": "B3", "phone": "13800138000"}
    response = client.post(reverse("members:mobile_outflow", args=[zone.b1_members[1].pk]), data)
    assert response.status_code == 302
    record = zone.b1_members[1].mobile_records.get()
    assert (record.receiving_organisation_id, record.phone) == (zone.b3.pk, "13800138000")
    response = client.post(
        reverse("members:mobile_detail", args=[record.pk]),
        {"contacted_on": "2025-02-01", "means": "phone", "notes": "在深圳工作"},
    )
    assert response.status_code == 302
    assert list(record.contacts.values_list("notes", flat=True)) == ["在深圳工作"]


def test_auditor_cannot_add_contact(zone, users, client_for):
    record = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2025, 1, 5), place="长沙县")
    client = client_for(users.auditor)
    assert client.get(reverse("members:mobile_detail", args=[record.pk])).status_code == 200
    assert (
        client.post(
            reverse("members:mobile_detail", args=[record.pk]), {"contacted_on": "2025-02-01", "means": "phone"}
        ).status_code
        == 403
    )
    assert record.contacts.count() == 0
