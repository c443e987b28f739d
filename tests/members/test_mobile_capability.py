"""Mobile members as a whole capability (issue 18): the refusals, the branch's pages, the bureau's view
and export, where dues are paid and the hours earned at the receiving branch."""

import datetime
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessments
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.selectors import training_table
from branches.services import organisation_move
from core import reauth
from core.idcard import id_make
from core.models import AuditEntry
from members import mobile
from members.models import MobileRecord
from members.services import member_transfer

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def today_is(monkeypatch):
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: TODAY if value is None else localdate(value, tz)
    )


def test_an_outflow_from_before_the_member_joined_the_branch_is_refused(zone):
    """S-MOBILE: the home branch records its own member; on the day named the member was elsewhere."""
    member = zone.b3_members[1]
    member_transfer(
        member=member, to_organisation=zone.b1, on=datetime.date(2025, 3, 1), letter_number="湘组转〔2025〕3号"
    )
    member.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 1, 5), place="深圳")
    assert exc.value.message_dict["since"] == [
        f"2025年1月5日{member.name}是新康社区第1党支部的党员，不是东村第1党支部的：请由该组织登记外出，或填写该党员转入东村第1党支部之后的日期。"
    ]
    mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 3, 5), place="深圳")


def test_an_inflow_of_a_member_of_the_zone_and_a_flow_to_the_own_branch_are_refused(zone):
    """S-MOBILE: a member of the zone is an out-flow of their branch, never an in-flow from outside."""
    member = zone.b1_members[1]
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_inflow_record(
            receiving_organisation=zone.b3,
            name=member.name,
            id_number=member.id_number,
            home_organisation_name="中共深圳市某支部",
            since=datetime.date(2025, 2, 1),
            place="",
        )
    assert exc.value.message_dict["id_number"] == [
        f"身份证号为此号码的{member.name}是本区东村第1党支部的党员：应由东村第1党支部登记其外出，以本支部为接收组织。"
    ]
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_outflow_record(
            member=member, since=datetime.date(2025, 2, 1), place="村里", receiving_organisation=zone.g1
        )
    assert list(exc.value.message_dict) == ["receiving_organisation"]


def test_two_open_outflows_are_refused_in_chinese(zone):
    """S-MOBILE: one open out-flow record a member."""
    member = zone.b1_members[1]
    mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 1, 5), place="长沙县")
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_outflow_record(member=member, since=datetime.date(2025, 2, 5), place="株洲")
    assert exc.value.messages == [f"{member.name}已登记为流动党员。"]


def test_the_branch_page_and_the_member_list_show_the_mobile_members_with_the_last_contact(zone, users, client):
    """S-MOBILE on the branch's own pages: who is away, where, and when they were last reached."""
    lost = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2024, 11, 1), place="广州")
    reached = mobile.mobile_outflow_record(
        member=zone.b1_members[2], since=datetime.date(2025, 1, 5), place="长沙", receiving_organisation=zone.b3
    )
    mobile.mobile_contact_record(record=reached, contacted_on=datetime.date(2025, 6, 1), means="phone")
    client.force_login(users.branch_admin)
    records = client.get(reverse("members:mobile_organisation", args=[zone.b1.pk])).context["records"]
    assert [(r.pk, r.last_contact_on, r.lost_contact) for r in records] == [
        (lost.pk, None, True),
        (reached.pk, datetime.date(2025, 6, 1), False),
    ]
    page = client.get(reverse("members:list"), {"org": "B1"}).context["page"]
    marked = {m.pk: (m.mobile.pk, m.mobile.reached_on, m.mobile.lost_contact) for m in page if m.mobile}
    assert marked == {
        zone.b1_members[1].pk: (lost.pk, datetime.date(2024, 11, 1), True),
        zone.b1_members[2].pk: (reached.pk, datetime.date(2025, 6, 1), False),
    }
    # The receiving branch sees the member it receives, not as its own lost contact.
    client.force_login(users.other_admin)
    records = client.get(reverse("members:mobile_organisation", args=[zone.b3.pk])).context["records"]
    assert [(r.pk, r.is_outflow_here) for r in records] == [(reached.pk, False)]


def test_hours_at_the_receiving_branch_count_once_and_both_branches_see_them(zone, users, client):
    """Q-TRAINING-MEMBER with S-MOBILE: a lecture at the receiving branch is the member's study hours,
    collected once, shown on the home branch's year page."""
    member = zone.b1_members[1]
    record = mobile.mobile_outflow_record(
        member=member, since=datetime.date(2025, 1, 5), place="长沙", receiving_organisation=zone.b3
    )
    assessments.meeting_record(
        organisation=zone.b3,
        attendance={
            **{m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b3_members},
            member.pk: (AttendanceStatus.PRESENT, ""),
        },
        data={
            "kind": MeetingKind.LECTURE,
            "held_on": datetime.date(2025, 3, 20),
            "place": "社区活动室",
            "topic": "党课",
            "lecturer_name": "党校教师",
            "study_hours": Decimal(3),
        },
    )
    [row] = [r for r in training_table(organisation=zone.b1, year=2025, today=TODAY) if r.member == member]
    assert (row.meetings, row.total) == (Decimal(3), Decimal(3))
    client.force_login(users.branch_admin)
    [shown] = client.get(reverse("assessments:year", args=[zone.b1.pk, 2025])).context["mobile"]
    assert (shown.pk, shown.hours_there) == (record.pk, Decimal(3))
    client.force_login(users.other_admin)
    [shown] = client.get(reverse("assessments:year", args=[zone.b3.pk, 2025])).context["mobile"]
    assert (shown.pk, shown.hours_there) == (record.pk, Decimal(3))


def test_dues_go_to_the_receiving_branch_only_by_a_recorded_agreement(zone, users):
    """N-DUES with S-MOBILE: the home branch, or the receiving one in the zone where both agreed."""
    outside = mobile.mobile_outflow_record(member=zone.b1_members[1], since=datetime.date(2025, 1, 5), place="深圳")
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_dues_arrangement_record(record=outside, to_receiving=True, agreement="协议")
    assert list(exc.value.message_dict) == ["to_receiving"]
    inside = mobile.mobile_outflow_record(
        member=zone.b1_members[2], since=datetime.date(2025, 1, 5), place="长沙", receiving_organisation=zone.b3
    )
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_dues_arrangement_record(record=inside, to_receiving=True, agreement="")
    assert exc.value.message_dict == {"agreement": ["请填写两个支部之间的协议（编号或日期）。"]}
    with pytest.raises(ValidationError):
        mobile.mobile_dues_arrangement_record(
            record=inside, to_receiving=True, agreement="协议1号", user=users.other_admin
        )
    mobile.mobile_dues_arrangement_record(
        record=inside, to_receiving=True, agreement="协议1号", user=users.branch_admin
    )
    inside.refresh_from_db()
    assert (inside.dues_to_receiving, inside.dues_agreement) == (True, "协议1号")
    assert AuditEntry.objects.filter(model="members.mobilerecord", object_pk=str(inside.pk)).count() == 2


def zone_mobile(zone):
    """Two members of T1 away (one lost, one reached in T2's B3), one of T2's away and reached, one from outside in B3."""
    mobile.mobile_outflow_record(
        member=zone.b1_members[1], since=datetime.date(2024, 11, 1), place="广东省深圳市南山区"
    )
    reached = mobile.mobile_outflow_record(
        member=zone.b1_members[2], since=datetime.date(2025, 1, 5), place="长沙", receiving_organisation=zone.b3
    )
    mobile.mobile_contact_record(record=reached, contacted_on=datetime.date(2025, 6, 1), means="phone")
    t2 = mobile.mobile_outflow_record(member=zone.b3_members[1], since=datetime.date(2025, 3, 1), place="浙江省杭州市")
    mobile.mobile_contact_record(record=t2, contacted_on=datetime.date(2025, 5, 1), means="visit")
    mobile.mobile_inflow_record(
        receiving_organisation=zone.b3,
        name="外来党员",
        id_number="440305199002020031",
        home_organisation_name="中共深圳市某支部",
        since=datetime.date(2025, 2, 1),
        place="",
        phone="13912345678",
    )


def test_the_bureau_sees_the_zone_by_town_destination_and_home(zone, users, client):
    """S-MOBILE and N-MOBILE for the bureau: where the zone's members went, whose they are, who is lost."""
    zone_mobile(zone)
    client.force_login(users.bureau)
    view = client.get(reverse("members:mobile_zone")).context["zone"]
    assert [(r.town.code, r.outflow, r.inflow, r.lost) for r in view.towns] == [("T1", 2, 0, 1), ("T2", 1, 2, 0)]
    assert view.destinations == [("区内", 1), ("广东省", 1), ("浙江省", 1)]
    assert [(o.code, n, lost) for o, n, lost in view.homes] == [("B1", 2, 1), ("B3", 1, 0)]
    assert view.totals == {"outflow": 3, "inflow": 1, "lost": 1, "decided": 0}
    # A town's administrator sees their own town's part.
    client.force_login(users.other_admin)
    view = client.get(reverse("members:mobile_zone")).context["zone"]
    assert [(r.town.code, r.outflow, r.inflow, r.lost) for r in view.towns] == [("T1", 1, 0, 0), ("T2", 1, 2, 0)]


def test_the_export_is_masked_for_the_auditor_and_audited(zone, users, client):
    """S-MOBILE: the list leaves the portal as every list does, masked where the reader sees no personal data."""
    zone_mobile(zone)
    client.force_login(users.auditor)
    response = client.get(reverse("members:mobile_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "身份证号码", "流向")
    inflow = next(r for r in rows if r[0] == "外来党员")
    assert (inflow[1], inflow[2], inflow[-1]) == ("440305********0031", "流入", "139****5678")
    entry = AuditEntry.objects.get(action="export", model="members.mobilerecord")
    assert entry.extra["rows"] == 4 == len(rows) - 1
    # The bureau sees the numbers in full, after confirming its password.
    client.force_login(users.bureau)
    assert client.get(reverse("members:mobile_export")).status_code == 302
    session = client.session
    session[reauth.CONFIRMED_AT] = time.time()
    session.save()
    rows = list(
        openpyxl.load_workbook(io.BytesIO(client.get(reverse("members:mobile_export")).content)).active.iter_rows(
            values_only=True
        )
    )
    assert next(r for r in rows if r[0] == "外来党员")[1] == "440305199002020031"


@pytest.mark.parametrize("extra", [0, 20])
def test_the_bureau_view_reads_the_same_whatever_the_number_of_records(
    zone, users, client, django_assert_num_queries, extra
):
    """The bureau's view groups in the database: a fixed number of queries."""
    zone_mobile(zone)
    for i in range(extra):
        mobile.mobile_inflow_record(
            receiving_organisation=zone.b3,
            name=f"外来{i}",
            id_number=_id(i),
            home_organisation_name="中共深圳市某支部",
            since=datetime.date(2025, 2, 1),
            place="",
        )
    client.force_login(users.bureau)
    # session, user, policy, out-flow by town, in-flow by town, towns, destinations, homes, their
    # organisations, the in-flow total.
    with django_assert_num_queries(11):
        client.get(reverse("members:mobile_zone"))


def _id(i):
    return id_make(area="440305", born=datetime.date(1990, 1, 1) + datetime.timedelta(days=i), sequence=5, male=True)


def _towns(record):
    record.refresh_from_db()
    return (
        record.home_town.code if record.home_town else None,
        record.receiving_town.code if record.receiving_town else None,
    )


def test_each_record_keeps_the_towns_it_is_counted_in(zone):
    """S-MOBILE (issue 18): the bureau's view counts out-flow in the home's town and in-flow in the
    receiving town; each record keeps both towns, set by the services that write it."""
    zone_mobile(zone)
    assert _towns(MobileRecord.objects.get(member=zone.b1_members[1])) == ("T1", None)
    assert _towns(MobileRecord.objects.get(member=zone.b1_members[2])) == ("T1", "T2")
    assert _towns(MobileRecord.objects.get(member=zone.b3_members[1])) == ("T2", None)
    assert _towns(MobileRecord.objects.get(member__isnull=True)) == (None, "T2")


def test_a_move_of_the_tree_carries_the_records_to_their_new_town(zone, users, client):
    """S-MOBILE, S-HIERARCHY: a village moved to another street counts its members away in that street
    from then on, on the record and in the bureau's view."""
    zone_mobile(zone)
    organisation_move(organisation=zone.v1, new_parent=zone.t2)
    away = MobileRecord.objects.get(member=zone.b1_members[1])
    assert _towns(away) == ("T2", None)
    assert _towns(MobileRecord.objects.get(member=zone.b1_members[2])) == ("T2", "T2")
    client.force_login(users.bureau)
    view = client.get(reverse("members:mobile_zone")).context["zone"]
    assert [(r.town.code, r.outflow, r.inflow, r.lost) for r in view.towns] == [("T2", 3, 2, 1)]


def test_the_towns_are_filled_again_from_the_tree(zone):
    """S-MOBILE: records loaded in bulk (the demo, a migration) get their towns from the tree in one UPDATE."""
    zone_mobile(zone)
    MobileRecord.objects.update(home_town=None, receiving_town=None)
    assert mobile.mobile_towns_fill() == 4
    assert sorted((_towns(r) for r in MobileRecord.objects.all()), key=str) == sorted(
        [("T1", None), ("T1", "T2"), ("T2", None), (None, "T2")], key=str
    )
