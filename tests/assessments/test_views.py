"""The pages a secretary uses most: one form for a meeting with its attendance, one for a class."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import Attendance, Meeting, TrainingRecord
from members.models import Membership
from tests.factories import MemberFactory
from tests.uploads import png

pytestmark = pytest.mark.django_db
DAY = "2024-03-15"


def meeting_post(zone, **changes):
    data = {
        "kind": MeetingKind.LECTURE,
        "held_on": DAY,
        "place": "党员活动室",
        "topic": "学习新党章",
        "chaired_by": zone.b1_members[0].pk,
        "lecturer": zone.b1_members[0].pk,
        "study_hours": "2.5",
    }
    for member in zone.b1_members:
        data[f"attendance_{member.pk}"] = AttendanceStatus.PRESENT
    data.update(changes)
    return data


def test_meeting_form_lists_the_members_of_the_day_with_the_secretary_chosen(zone, users, client_for):
    page = client_for(users.branch_admin).get(reverse("assessments:meeting_create", args=[zone.b1.pk]), {"date": DAY})
    form = page.context["form"]
    assert [e.member for e in form.roster] == sorted(zone.b1_members, key=lambda m: (m.name_pinyin, m.pk))
    assert form.fields["chaired_by"].initial == zone.b1_members[0].pk
    # A party committee's democratic life meeting (Q-LIFE-MEETING) is not a branch's.
    assert dict(form.fields["kind"].choices).keys() == {
        k for k in MeetingKind if k not in (MeetingKind.GROUP, MeetingKind.DEMOCRATIC_LIFE)
    }


def test_one_post_records_meeting_attendance_and_study_hours(zone, users, client_for):
    a, b, c = zone.b1_members
    data = meeting_post(zone, **{f"attendance_{b.pk}": AttendanceStatus.EXCUSED, f"reason_{b.pk}": "出差"})
    response = client_for(users.branch_admin).post(reverse("assessments:meeting_create", args=[zone.b1.pk]), data)
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("assessments:meeting", args=[meeting.pk])
    assert dict(Attendance.objects.values_list("member_id", "status")) == {
        a.pk: "present",
        b.pk: "excused",
        c.pk: "present",
    }
    year = client_for(users.branch_admin).get(reverse("assessments:year", args=[zone.b1.pk, 2024]))
    rows = {r.member: r for r in year.context["training"]}
    assert (rows[a].meetings, rows[b].meetings) == (Decimal("2.5"), Decimal(0))
    assert year.context["lectures"]["met"] is True


def test_meeting_form_errors_stay_on_the_page_in_chinese(zone, users, client_for):
    b = zone.b1_members[1]
    data = meeting_post(
        zone, **{f"attendance_{b.pk}": AttendanceStatus.EXCUSED, "lecturer": "", "held_on": "2099-01-01"}
    )
    with translation.override("zh-hans"):
        response = client_for(users.branch_admin).post(reverse("assessments:meeting_create", args=[zone.b1.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["held_on"] == ["该日期不能晚于今天。"]
    assert Meeting.objects.count() == 0


def test_attachment_served_only_in_scope(zone, users, client_for):
    data = meeting_post(zone, attachments=png("签到表.png"))
    client_for(users.branch_admin).post(reverse("assessments:meeting_create", args=[zone.b1.pk]), data)
    attachment = Meeting.objects.get().attachments.get()
    url = reverse("assessments:attachment", args=[attachment.pk])
    response = client_for(users.town_admin).get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # read to the end: the file is closed
    assert client_for(users.other_admin).get(url).status_code == 404


def test_correcting_a_meeting_keeps_its_members_and_statuses(zone, users, client_for):
    client = client_for(users.branch_admin)
    client.post(reverse("assessments:meeting_create", args=[zone.b1.pk]), meeting_post(zone))
    meeting = Meeting.objects.get()
    form = client.get(reverse("assessments:meeting_update", args=[meeting.pk])).context["form"]
    assert form.initial[f"attendance_{zone.b1_members[0].pk}"] == "present"
    assert form.initial["held_on"] == datetime.date(2024, 3, 15)


def test_training_batch_for_forty_people_is_one_form(zone, users, client_for):
    extra = MemberFactory.create_batch(37, organisation=zone.b1)
    Membership.objects.bulk_create(Membership(member=m, organisation=zone.b1) for m in extra)
    people = zone.b1_members + extra
    client = client_for(users.branch_admin)
    page = client.get(reverse("assessments:training_batch", args=[zone.b1.pk]), {"date": DAY})
    assert len(page.context["form"].fields["members"].choices) == 40
    response = client.post(
        reverse("assessments:training_batch", args=[zone.b1.pk]),
        {"kind": "course", "title": "专题培训班", "held_on": DAY, "hours": "6", "members": [m.pk for m in people]},
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(title="专题培训班").count() == 40


def test_member_study_page_shows_both_sources(zone, users, client_for):
    client = client_for(users.branch_admin)
    client.post(reverse("assessments:meeting_create", args=[zone.b1.pk]), meeting_post(zone))
    member = zone.b1_members[1]
    page = client.get(reverse("assessments:member_study", args=[member.pk, 2024]))
    assert page.context["hours"]["total"] == Decimal("2.5")
    assert page.context["target"] == Decimal(32)
    assert [e["title"] for e in page.context["entries"]] == ["学习新党章"]


# Issue 12: the secretary's forms.
def test_meeting_form_records_a_themed_day_that_also_counts_as_a_lecture(zone, users, client_for):
    client = client_for(users.branch_admin)
    page = client.get(reverse("assessments:meeting_create", args=[zone.b1.pk]), {"date": DAY})
    assert dict(page.context["form"].fields["also_counts_as"].choices) == {"general": "支部党员大会", "lecture": "党课"}
    assert "同时计为" in page.content.decode()
    data = meeting_post(zone, kind=MeetingKind.THEMED_DAY, also_counts_as=[MeetingKind.LECTURE])
    response = client.post(reverse("assessments:meeting_create", args=[zone.b1.pk]), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.counts_as_lecture, meeting.lecturer) == ("themed_day", True, zone.b1_members[0])
    form = client.get(reverse("assessments:meeting_update", args=[meeting.pk])).context["form"]
    assert form.initial["also_counts_as"] == [MeetingKind.LECTURE]


def pending_files(settings):
    pending = Path(settings.MEDIA_ROOT) / "pending"
    return sorted(p.name for p in pending.iterdir()) if pending.exists() else []


def test_meeting_post_with_an_error_keeps_the_upload_for_the_next_post(zone, users, client_for, settings):
    b = zone.b1_members[1]
    client, url = client_for(users.branch_admin), reverse("assessments:meeting_create", args=[zone.b1.pk])
    data = meeting_post(zone, **{f"attendance_{b.pk}": AttendanceStatus.EXCUSED}, attachments=png("签到表.png"))
    with translation.override("zh-hans"):
        response = client.post(url, data)
    assert (response.status_code, Meeting.objects.count()) == (200, 0)
    [kept] = response.context["kept_attachments"]
    assert kept.name == "签到表.png" and len(pending_files(settings)) == 1
    content = response.content.decode()
    assert f'value="{kept.token}" checked> 签到表.png' in content
    assert f'<tr id="attendance-{b.pk}" class="table-danger" data-error-row>' in content  # the row in error
    assert response.context["form"].rows_in_error() == {b.pk}
    # The reason given, the file not chosen again: the meeting is saved with it.
    data = meeting_post(
        zone,
        **{f"attendance_{b.pk}": AttendanceStatus.EXCUSED, f"reason_{b.pk}": "出差"},
        kept_attachments=[kept.token],
    )
    response = client.post(url, data)
    assert response.status_code == 302
    attachment = Meeting.objects.get().attachments.get()
    assert (attachment.file_name, attachment.content_type) == ("签到表.png", "image/png")
    assert pending_files(settings) == []  # stored with the meeting now


def test_kept_upload_is_only_its_uploaders(zone, users, client_for):
    b = zone.b1_members[1]
    url = reverse("assessments:meeting_create", args=[zone.b1.pk])
    data = meeting_post(zone, **{f"attendance_{b.pk}": AttendanceStatus.EXCUSED}, attachments=png("签到表.png"))
    [kept] = client_for(users.branch_admin).post(url, data).context["kept_attachments"]
    with translation.override("zh-hans"):
        response = client_for(users.town_admin).post(url, meeting_post(zone, kept_attachments=[kept.token]))
    assert response.context["form"].errors["attachments"] == ["上次提交时保留的文件已不可用，请重新选择。"]
    assert Meeting.objects.count() == 0


def test_attendance_list_reloaded_keeps_the_choices_already_made(zone, users, client_for):
    a, b, c = zone.b1_members
    page = client_for(users.branch_admin).get(
        reverse("assessments:meeting_create", args=[zone.b1.pk]),
        {
            "kind": "lecture",
            "held_on": "2024-05-10",
            f"attendance_{b.pk}": "excused",
            f"reason_{b.pk}": "出差",
            f"attendance_{c.pk}": "absent",
        },
        headers={"HX-Request": "true"},
    )
    form = page.context["form"]
    assert [form[f"attendance_{m.pk}"].value() for m in (a, b, c)] == ["present", "excused", "absent"]
    assert form[f"reason_{b.pk}"].value() == "出差"
    assert 'data-held-on="2024-05-10" data-kind="lecture"' in page.content.decode()
