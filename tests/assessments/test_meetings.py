"""The meeting log (Q-THREE-MEETINGS, Q-LECTURE-SECRETARY, N-MEETINGS): attendance, norms, lectures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import Attendance, Meeting, MeetingAttachment
from branches import services as branch_services
from branches.enums import PostKind
from members.mobile import mobile_outflow_record
from members.services import member_transfer
from tests.factories import MemberFactory
from tests.uploads import jpeg

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 15)
PRESENT, EXCUSED, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT


def record(zone, kind=MeetingKind.GENERAL, day=DAY, attendance=None, user=None, **data):
    members = zone.b1_members
    attendance = attendance if attendance is not None else {m.pk: (PRESENT, "") for m in members}
    return services.meeting_record(
        organisation=data.pop("organisation", zone.b1),
        data={"kind": kind, "held_on": day, "place": "党员活动室", "topic": "学习党章", **data},
        attendance=attendance,
        user=user,
    )


def test_meeting_with_attendance_in_one_step(zone, users):
    a, b, c = zone.b1_members
    meeting = record(
        zone,
        attendance={a.pk: (PRESENT, ""), b.pk: (EXCUSED, "出差"), c.pk: (ABSENT, "")},
        user=users.branch_admin,
        chaired_by=a,
    )
    got = {x.member_id: (x.status, x.reason) for x in Attendance.objects.filter(meeting=meeting)}
    assert got == {a.pk: (PRESENT, ""), b.pk: (EXCUSED, "出差"), c.pk: (ABSENT, "")}
    assert (meeting.recorded_by, meeting.chaired_by, meeting.study_hours) == (users.branch_admin, a, None)


def test_attendance_only_of_members_of_the_day_with_a_chinese_message(zone):
    outsider = zone.b3_members[1]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(zone, attendance={zone.b1_members[0].pk: (PRESENT, ""), outsider.pk: (PRESENT, "")})
    assert exc.value.message_dict["attendance"] == [f"2024年3月15日，{outsider.name}不是东村第1党支部的党员。"]
    assert Meeting.objects.count() == 0


def test_member_transferred_in_later_is_not_listed_for_an_earlier_meeting(zone):
    newcomer = zone.b3_members[1]
    member_transfer(
        member=newcomer, to_organisation=zone.b1, on=datetime.date(2024, 6, 1), letter_number="湘组转〔2024〕1号"
    )
    before = [e.member for e in selectors.attendance_roster(organisation=zone.b1, day=DAY)]
    after = [e.member for e in selectors.attendance_roster(organisation=zone.b1, day=datetime.date(2024, 7, 1))]
    assert newcomer not in before and newcomer in after
    with pytest.raises(ValidationError):
        record(zone, attendance={newcomer.pk: (PRESENT, "")})


def test_inflow_member_can_attend_the_receiving_branch(zone):
    visitor = zone.b3_members[1]
    mobile_outflow_record(member=visitor, since=datetime.date(2024, 1, 1), place="东村", receiving_organisation=zone.b1)
    roster = selectors.attendance_roster(organisation=zone.b1, day=DAY)
    assert [(e.member, e.is_inflow) for e in roster][-1] == (visitor, True)
    meeting = record(zone, attendance={visitor.pk: (PRESENT, ""), zone.b1_members[0].pk: (PRESENT, "")})
    assert Attendance.objects.get(meeting=meeting, member=visitor).is_inflow is True


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"day": datetime.date(2099, 1, 1)}, "held_on", "该日期不能晚于今天。"),
        ({"kind": MeetingKind.GROUP}, "kind", "党支部不开党小组会。"),
        ({"kind": MeetingKind.LECTURE}, "lecturer", "谁讲的党课？请选择讲课的党员，或填写区外讲课人的姓名。"),
        ({"kind": MeetingKind.THEMED_DAY, "study_hours": Decimal(25)}, "study_hours", "学时须大于0，且每天不超过24。"),
        ({"topic": " "}, "topic", "请填写会议主题。"),
    ],
)
def test_meeting_form_mistakes_are_caught_in_chinese(zone, change, field, message):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(zone, **change)
    assert exc.value.message_dict[field] == [message]


def test_excused_needs_a_reason(zone):
    a = zone.b1_members[0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(zone, attendance={a.pk: (EXCUSED, " ")})
    assert exc.value.message_dict["attendance"] == [f"请填写{a.name}请假的原因。"]


def test_secretary_records_only_inside_the_subtree(zone, users):
    with pytest.raises(ValidationError):
        record(zone, user=users.other_admin)


def test_attachments_checked_by_content_and_size(zone):
    photo = jpeg("签到表.jpg")
    fake = SimpleUploadedFile("病毒.jpg", b"MZ\x90\x00", content_type="image/jpeg")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.meeting_record(
            organisation=zone.b1,
            data={"kind": MeetingKind.GENERAL, "held_on": DAY, "place": "室", "topic": "题"},
            attendance={zone.b1_members[0].pk: (PRESENT, "")},
            attachments=[photo, fake],
        )
    assert exc.value.message_dict["attachments"] == ["病毒.jpg不是JPEG或PNG照片，也不是PDF扫描件。"]
    assert MeetingAttachment.objects.count() == 0
    photo.seek(0)
    meeting = services.meeting_record(
        organisation=zone.b1,
        data={"kind": MeetingKind.GENERAL, "held_on": DAY, "place": "室", "topic": "题"},
        attendance={zone.b1_members[0].pk: (PRESENT, "")},
        attachments=[photo],
    )
    assert list(meeting.attachments.values_list("file_name", "content_type")) == [("签到表.jpg", "image/jpeg")]


def test_correcting_a_meeting_replaces_its_attendance(zone):
    a, b, _c = zone.b1_members
    meeting = record(zone, attendance={a.pk: (PRESENT, ""), b.pk: (PRESENT, "")})
    services.meeting_record(
        organisation=zone.b1,
        meeting=meeting,
        attendance={a.pk: (ABSENT, ""), b.pk: (PRESENT, "")},
        data={"kind": MeetingKind.GENERAL, "held_on": DAY, "place": "室", "topic": "改"},
    )
    assert dict(meeting.attendances.values_list("member_id", "status")) == {a.pk: ABSENT, b.pk: PRESENT}
    assert Meeting.objects.get().topic == "改"


def test_norms_of_a_past_year_show_met_and_missed_periods(zone):
    for month in (1, 4, 7):  # general meetings in three quarters of four
        record(zone, day=datetime.date(2023, month, 10))
    for month in range(1, 13):  # the committee: the secretary
        record(
            zone,
            kind=MeetingKind.COMMITTEE,
            day=datetime.date(2023, month, 5),
            attendance={zone.b1_members[0].pk: (PRESENT, "")},
        )
    rows = {r.kind: r for r in selectors.meeting_norms(organisation=zone.b1, year=2023)}
    assert [state for _label, _n, state in rows[MeetingKind.GENERAL].cells] == ["met", "met", "met", "missed"]
    assert rows[MeetingKind.GENERAL].missed == 1
    assert rows[MeetingKind.COMMITTEE].missed == 0
    assert rows[MeetingKind.THEMED_DAY].missed == 12
    assert rows[MeetingKind.ORGANISATIONAL_LIFE].cells == [("全年", 0, "missed")]
    assert MeetingKind.GROUP not in rows  # the party group holds those


def test_norms_of_the_running_year_leave_the_current_period_due(zone):
    rows = {
        r.kind: r for r in selectors.meeting_norms(organisation=zone.b1, year=2024, today=datetime.date(2024, 5, 20))
    }
    assert [s for _l, _n, s in rows[MeetingKind.GENERAL].cells] == ["missed", "due", "future", "future"]
    assert [s for _l, _n, s in rows[MeetingKind.COMMITTEE].cells][3:7] == ["missed", "due", "future", "future"]
    group = selectors.meeting_norms(organisation=zone.g1, year=2024, today=datetime.date(2024, 5, 20))
    assert [r.kind for r in group] == [MeetingKind.GROUP]


def test_lecture_by_the_secretary_on_that_day_counts(zone):
    secretary, other = zone.b1_members[0], zone.b1_members[1]
    record(zone, kind=MeetingKind.LECTURE, lecturer=other)
    assert selectors.secretary_lectures(organisation=zone.b1, year=2024)["met"] is False
    record(zone, kind=MeetingKind.LECTURE, lecturer=secretary, day=datetime.date(2024, 4, 1))
    lectures = selectors.secretary_lectures(organisation=zone.b1, year=2024)
    assert (lectures["count"], lectures["met"]) == (1, True)
    # Once the post ends, a later lecture by the same person is no longer the secretary's.
    branch_services.post_end(post=zone.secretary, ended_on=datetime.date(2024, 5, 1))
    record(zone, kind=MeetingKind.LECTURE, lecturer=secretary, day=datetime.date(2024, 6, 1))
    assert selectors.secretary_lectures(organisation=zone.b1, year=2024)["count"] == 1


def test_secretary_is_the_default_chair(zone):
    assert selectors.secretary_on(organisation=zone.b1, day=DAY) == zone.b1_members[0]
    new = MemberFactory(organisation=zone.b2)
    branch_services.post_assign(organisation=zone.b2, member=new, kind=PostKind.SECRETARY, started_on=DAY)
    assert selectors.secretary_on(organisation=zone.b2, day=DAY - datetime.timedelta(days=1)) is None


# Issue 12: one activity, several duties.
AFTER_2024 = datetime.date(2025, 1, 10)


def test_themed_day_counted_as_a_lecture_meets_the_quarters_lecture_norm(zone):
    secretary = zone.b1_members[0]
    meeting = record(
        zone,
        kind=MeetingKind.THEMED_DAY,
        day=datetime.date(2024, 2, 6),
        also_counts_as=[MeetingKind.LECTURE],
        lecturer=secretary,
    )
    assert (meeting.counts_as_lecture, meeting.counts_as_general, meeting.lecturer) == (True, False, secretary)
    rows = {r.kind: r for r in selectors.meeting_norms(organisation=zone.b1, year=2024, today=AFTER_2024)}
    assert [(n, state) for _label, n, state in rows[MeetingKind.LECTURE].cells] == [
        (1, "met"),
        (0, "missed"),
        (0, "missed"),
        (0, "missed"),
    ]
    assert rows[MeetingKind.THEMED_DAY].cells[1][1:] == (1, "met")
    assert rows[MeetingKind.GENERAL].cells[0][1:] == (0, "missed")
    lectures = selectors.secretary_lectures(organisation=zone.b1, year=2024)
    assert (lectures["count"], lectures["met"]) == (1, True)


def test_themed_day_counted_as_a_lecture_and_general_meeting_satisfies_the_rules(zone):
    from assessments.compliance import engine
    from assessments.models import Finding

    record(
        zone,
        kind=MeetingKind.THEMED_DAY,
        day=datetime.date(2024, 8, 6),
        lecturer=zone.b1_members[0],
        also_counts_as=[MeetingKind.LECTURE, MeetingKind.GENERAL],
    )
    engine.compliance_run(
        year=2024, today=AFTER_2024, trigger="test", rules=("Q-THREE-MEETINGS", "N-MEETINGS", "Q-LECTURE-SECRETARY")
    )
    open_ = Finding.objects.filter(organisation=zone.b1, status="open")
    periods = {
        aspect: sorted(open_.filter(aspect=aspect).values_list("period", flat=True))
        for aspect in ("lecture", "general", "themed_day")
    }
    assert periods["lecture"] == periods["general"] == ["2024-Q1", "2024-Q2", "2024-Q4"]  # Q3: the themed day
    assert "2024-08" not in periods["themed_day"] and len(periods["themed_day"]) == 11
    assert not open_.filter(rule="Q-LECTURE-SECRETARY").exists()


def test_themed_day_counted_as_a_lecture_credits_its_hours_once(zone):
    a, b, c = zone.b1_members
    record(
        zone,
        kind=MeetingKind.THEMED_DAY,
        day=datetime.date(2024, 4, 9),
        lecturer_name="区委党校",
        study_hours=Decimal(3),
        also_counts_as=[MeetingKind.LECTURE, MeetingKind.GENERAL],
        attendance={a.pk: (PRESENT, ""), b.pk: (PRESENT, ""), c.pk: (ABSENT, "")},
    )
    rows = {r.kind: r for r in selectors.meeting_norms(organisation=zone.b1, year=2024, today=AFTER_2024)}
    assert [rows[kind].cells[1][1] for kind in (MeetingKind.LECTURE, MeetingKind.GENERAL)] == [1, 1]  # counted thrice
    hours = selectors.study_hours(member_ids=[a.pk, c.pk], year=2024)
    assert (hours[a.pk]["meetings"], hours[c.pk]["meetings"]) == (Decimal(3), Decimal(0))  # credited once
    assert [e["hours"] for e in selectors.member_study_entries(member=a, year=2024)] == [Decimal(3)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"kind": MeetingKind.THEMED_DAY, "also_counts_as": [MeetingKind.LECTURE]},
            "lecturer",
            "谁讲的党课？请选择讲课的党员，或填写区外讲课人的姓名。",
        ),
        (
            {"kind": MeetingKind.GENERAL, "also_counts_as": [MeetingKind.LECTURE], "lecturer_name": "区委党校"},
            "also_counts_as",
            "只有主题党日可以同时计为其他会议。",
        ),
        (
            {"kind": MeetingKind.THEMED_DAY, "also_counts_as": [MeetingKind.COMMITTEE]},
            "also_counts_as",
            "主题党日只能同时计为党课或支部党员大会。",
        ),
    ],
)
def test_what_a_themed_day_may_also_count_as(zone, change, field, message):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(zone, **change)
    assert exc.value.message_dict[field] == [message]


# Issue 14, item 7: each N-MEETINGS norm has its own revision and effective date (second edition).


def test_a_year_before_the_2018_rules_has_no_themed_party_day_duty(zone):
    """ "党支部应当每月相对固定1天开展主题党日" comes from the branch work rules in force from 28 October 2018:
    2016 is judged by the rules of 2016, the 三会一课 practice, with no monthly themed party day."""
    rows = {r.kind: r for r in selectors.meeting_norms(organisation=zone.b1, year=2016)}
    assert (rows[MeetingKind.THEMED_DAY].expected, rows[MeetingKind.THEMED_DAY].missed) == (0, 0)
    assert {state for _l, _n, state in rows[MeetingKind.THEMED_DAY].cells} == {"none"}
    assert rows[MeetingKind.GENERAL].missed == 4  # the general meeting a quarter was the practice already
    assert rows[MeetingKind.COMMITTEE].missed == 12


def test_2018_has_a_themed_party_day_duty_from_november(zone):
    """The branch work rules took effect on 28 October 2018: November is the first month judged."""
    rows = {r.kind: r for r in selectors.meeting_norms(organisation=zone.b1, year=2018)}
    states = [state for _l, _n, state in rows[MeetingKind.THEMED_DAY].cells]
    assert states == ["none"] * 10 + ["missed", "missed"]
    assert (rows[MeetingKind.THEMED_DAY].expected, rows[MeetingKind.THEMED_DAY].missed) == (1, 2)


def test_the_rule_checks_themed_party_days_only_under_the_2018_rules(zone):
    """N-MEETINGS yields no themed-day check for 2016 (no finding for a duty not yet in force); for 2018
    the months from November, for 2019 every month. The yearly organisational life meeting is
    Q-LIFE-MEETING's (the catalogue's second edition), in every year."""
    from assessments.compliance.base import RunContext
    from assessments.compliance.catalogue import RULES
    from core.policy import policy_for_year

    def periods(year, clause="N-MEETINGS"):
        run = RunContext(year=year, today=datetime.date(year + 1, 1, 10), values=policy_for_year(year))
        return sorted({(c.aspect, c.period) for c in RULES[clause].evaluate(run) if c.organisation_id == zone.b1.pk})

    assert periods(2016) == []
    assert periods(2018) == [("themed_day", "2018-11"), ("themed_day", "2018-12")]
    assert len(periods(2019)) == 12
    assert periods(2016, "Q-LIFE-MEETING") == [("organisational_life", "2016")]


def test_the_year_page_shows_no_norm_before_the_2018_rules(zone, users, client_for):
    with translation.override("zh-hans"):
        page = client_for(users.branch_admin).get(reverse("assessments:year", args=[zone.b1.pk, 2016]))
    assert page.status_code == 200
    row = next(r for r in page.context["norms"] if r.kind == MeetingKind.THEMED_DAY)
    assert row.expected == 0
    assert "当时无此规范" in page.content.decode()


def test_the_home_page_asks_for_no_themed_party_day_before_the_2018_rules(zone):
    from assessments.compliance.selectors import secretary_todo

    def kinds(today):
        return sorted(item.title for item in secretary_todo(organisation=zone.b1, today=today).due)

    assert "主题党日" not in kinds(datetime.date(2017, 5, 20))
    assert "主题党日" in kinds(datetime.date(2019, 5, 20))
