"""Issue 12: a 党小组 is a subdivision of its branch, not a separate organisation. The branch's meetings,
evaluation, talks and study hours count its party groups' members (Q-THREE-MEETINGS, Q-EVALUATION,
Q-TALKS, Q-TRAINING-*); a 党小组会 lists its group; a 支委会 lists the committee in post, others sitting
in (列席) by choice. The zone: the `groups` fixture (B1 with G1 and G2, a committee from the posts, a
member transferring from G2 to B3 on 1 July 2024)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.enums import AttendanceStatus, Grade, MeetingKind
from assessments.models import Attendance, EvaluationResult, Finding, Meeting
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import Sector
from core.policy import policy_for_year
from members.models import Membership
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 15)
AFTER_2024 = datetime.date(2025, 1, 10)
PRESENT, EXCUSED, NONVOTING = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ATTENDING_NONVOTING


def pinyin_order(members):
    return sorted(members, key=lambda m: (m.name_pinyin, m.pk))


def everyone(groups):
    return [*groups.b1_members, *groups.g1_members, *groups.g2_members]


def record(organisation, kind, attendance, day=DAY, **data):
    return services.meeting_record(
        organisation=organisation,
        attendance=attendance,
        data={"kind": kind, "held_on": day, "place": "村党员活动室", "topic": "学习党章", **data},
    )


def present(members):
    return {m.pk: (PRESENT, "") for m in members}


# Who a meeting lists


def test_the_general_meeting_roster_includes_the_party_groups_members(groups):
    roster = selectors.attendance_roster(organisation=groups.b1, day=DAY, kind=MeetingKind.GENERAL)
    assert [e.member for e in roster] == pinyin_order(everyone(groups))
    assert not any(e.is_guest or e.is_inflow for e in roster)


def test_a_member_transferred_mid_year_leaves_the_branch_roster_on_the_day(groups):
    after = datetime.date(2024, 7, 15)
    roster = [
        e.member for e in selectors.attendance_roster(organisation=groups.b1, day=after, kind=MeetingKind.GENERAL)
    ]
    assert roster == pinyin_order(m for m in everyone(groups) if m != groups.mover)
    with pytest.raises(ValidationError):
        record(groups.b1, MeetingKind.GENERAL, present([groups.mover]), day=after)


def test_group_members_attend_the_branch_lecture_and_earn_its_hours(groups):
    g1a = groups.g1_members[1]
    record(groups.b1, MeetingKind.LECTURE, present(everyone(groups)), lecturer=groups.secretary, study_hours=Decimal(3))
    assert selectors.study_hours(member_ids=[g1a.pk], year=2024)[g1a.pk]["meetings"] == Decimal(3)
    assert Attendance.objects.count() == 7


def test_the_group_meeting_roster_lists_only_its_group(groups):
    roster = selectors.attendance_roster(organisation=groups.g1, day=DAY, kind=MeetingKind.GROUP)
    assert [e.member for e in roster] == pinyin_order(groups.g1_members)
    meeting = record(groups.g1, MeetingKind.GROUP, present(groups.g1_members))
    assert set(meeting.attendances.values_list("member_id", flat=True)) == {m.pk for m in groups.g1_members}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(groups.g1, MeetingKind.GROUP, present(groups.g2_members[:1]))
    assert exc.value.message_dict["attendance"] == [
        f"2024年3月15日，{groups.g2_members[0].name}不是东村第1党支部第1党小组的党员。"
    ]


def test_a_party_group_holds_group_meetings_the_branch_the_lectures_and_themed_days(groups):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(groups.g1, MeetingKind.LECTURE, present(groups.g1_members), lecturer_name="区委党校")
    assert exc.value.message_dict["kind"] == ["党小组不开党课。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(groups.g1, MeetingKind.THEMED_DAY, present(groups.g1_members))
    assert exc.value.message_dict["kind"] == ["党小组不开主题党日。"]


# The committee meeting (支委会)


def test_the_committee_meeting_lists_the_committee_on_that_day_and_the_others_as_guests(groups):
    roster = selectors.attendance_roster(organisation=groups.b1, day=DAY, kind=MeetingKind.COMMITTEE)
    with translation.override("zh-hans"):
        committee = [(e.member, str(e.post)) for e in roster if not e.is_guest]
    assert committee == [
        (groups.secretary, "书记"),
        (groups.deputy.member, "副书记"),
        (groups.organiser.member, "组织委员"),
    ]
    on_it = {m for m, _post in committee}
    assert [e.member for e in roster if e.is_guest] == pinyin_order(m for m in everyone(groups) if m not in on_it)
    # A post ended before the day: its holder is no longer on the committee, only a guest.
    branch_services.post_end(post=groups.organiser, ended_on=datetime.date(2024, 3, 1))
    later = selectors.attendance_roster(organisation=groups.b1, day=DAY, kind=MeetingKind.COMMITTEE)
    assert [e.member for e in later if not e.is_guest] == [groups.secretary, groups.deputy.member]
    assert groups.organiser.member in [e.member for e in later if e.is_guest]


def test_a_committee_meeting_takes_the_committee_and_guests_sitting_in(groups):
    guest = groups.g2_members[0]
    attendance = {
        groups.secretary.pk: (PRESENT, ""),
        groups.deputy.member_id: (EXCUSED, "出差"),
        groups.organiser.member_id: (PRESENT, ""),
        guest.pk: (NONVOTING, ""),
    }
    meeting = record(groups.b1, MeetingKind.COMMITTEE, attendance, chaired_by=groups.secretary)
    assert dict(meeting.attendances.values_list("member_id", "status")) == {
        groups.secretary.pk: PRESENT,
        groups.deputy.member_id: EXCUSED,
        groups.organiser.member_id: PRESENT,
        guest.pk: NONVOTING,
    }
    assert selectors.study_hours(member_ids=[guest.pk], year=2024)[guest.pk]["total"] == Decimal(0)


def test_a_committee_meeting_refuses_others_as_present_and_the_committee_as_sitting_in(groups):
    other = groups.b1_members[2]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(groups.b1, MeetingKind.COMMITTEE, {groups.secretary.pk: (NONVOTING, ""), other.pk: (PRESENT, "")})
    assert exc.value.message_dict["attendance"] == [
        f"请为{groups.secretary.name}选择出席、请假或缺席。",
        f"2024年3月15日，{other.name}不是支部委员会成员：可记为列席，或不予记录。",
    ]
    assert Meeting.objects.count() == 0


def test_a_committee_meeting_without_a_committee_in_post_is_refused(zone):
    branch = make_org(zone.v1, K.BRANCH, sector=Sector.VILLAGE, name="东村第3党支部", code="B9")
    members = MemberFactory.create_batch(2, organisation=branch)
    Membership.objects.bulk_create(Membership(member=m, organisation=branch) for m in members)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        record(branch, MeetingKind.COMMITTEE, {members[0].pk: (NONVOTING, "")})
    assert exc.value.message_dict["attendance"][0] == (
        "2024年3月15日，东村第3党支部没有在任的支部委员：请先登记书记和委员（职务）。"
    )


def test_the_committee_form_lists_the_committee_with_guests_to_tick(groups, users, client_for):
    client = client_for(users.branch_admin)
    url = reverse("assessments:meeting_create", args=[groups.b1.pk])
    page = client.get(url, {"date": "2024-03-15", "kind": "committee"})
    form = page.context["form"]
    committee = [groups.secretary, groups.deputy.member, groups.organiser.member]
    assert [e.member for e, _status, _reason in form.attendance_rows()] == committee
    guests = [e.member for e, _box in form.guest_rows()]
    assert guests == pinyin_order(m for m in everyone(groups) if m not in committee)
    assert all(form[f"nonvoting_{m.pk}"].value() is False for m in guests)
    content = page.content.decode()
    assert "列席人员（无表决权）" in content and 'hx-include="#id_held_on, #id_kind, #attendance"' in content
    # Any other kind lists the whole branch, its party groups included.
    general = client.get(url, {"date": "2024-03-15", "kind": "general"}).context["form"]
    assert [e.member for e, _s, _r in general.attendance_rows()] == pinyin_order(everyone(groups))
    assert general.guest_rows() == []

    guest = groups.g1_members[1]
    data = {
        "kind": "committee",
        "held_on": "2024-03-15",
        "place": "会议室",
        "topic": "研究发展党员",
        "chaired_by": groups.secretary.pk,
        f"nonvoting_{guest.pk}": "on",
    }
    data.update({f"attendance_{m.pk}": PRESENT for m in committee})
    assert client.post(url, data).status_code == 302
    meeting = Meeting.objects.get()
    assert dict(meeting.attendances.values_list("member_id", "status")) == {
        **{m.pk: PRESENT for m in committee},
        guest.pk: NONVOTING,
    }
    correct = client.get(reverse("assessments:meeting_update", args=[meeting.pk])).context["form"]
    assert correct[f"nonvoting_{guest.pk}"].value() is True


# The year page


def test_a_party_groups_year_page_has_no_secretary_lecture_line(groups, users, client_for):
    client = client_for(users.branch_admin)
    group = client.get(reverse("assessments:year", args=[groups.g1.pk, 2024]))
    assert group.context["lectures"] is None
    assert "书记讲党课" not in group.content.decode() and "尚未讲" not in group.content.decode()
    assert [row.kind for row in group.context["norms"]] == [MeetingKind.GROUP]
    branch = client.get(reverse("assessments:year", args=[groups.b1.pk, 2024]))
    assert "书记讲党课" in branch.content.decode()
    assert [row.member for row in branch.context["training"]] == pinyin_order(
        m for m in everyone(groups) if m != groups.mover
    )


# The democratic evaluation and the talks


def grades(final=Grade.QUALIFIED):
    return {
        "self_grade": Grade.QUALIFIED,
        "peer_grade": Grade.QUALIFIED,
        "public_grade": Grade.QUALIFIED,
        "branch_grade": Grade.QUALIFIED,
        "grade": final,
        "disposal": "",
    }


EVALUATED = datetime.date(2024, 6, 20)


def test_evaluation_rows_and_the_evaluation_include_the_party_groups_members(groups):
    rows = selectors.evaluation_rows(organisation=groups.b1, year=2024, day=EVALUATED)
    assert [r["member"] for r in rows] == pinyin_order(everyone(groups))
    december = selectors.evaluation_rows(organisation=groups.b1, year=2024, day=datetime.date(2024, 12, 20))
    assert groups.mover not in [r["member"] for r in december]
    missing = groups.g2_members[0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.evaluation_record(
            organisation=groups.b1,
            year=2024,
            held_on=EVALUATED,
            results={m.pk: grades() for m in everyone(groups) if m != missing},
        )
    assert exc.value.message_dict["results"] == [f"请为当天支部的每名党员评定等次；缺少：{missing.name}。"]
    services.evaluation_record(
        organisation=groups.b1, year=2024, held_on=EVALUATED, results={m.pk: grades() for m in everyone(groups)}
    )
    assert EvaluationResult.objects.count() == 7


def evaluation_checks(organisation):
    context = RunContext(year=2024, today=AFTER_2024, values=policy_for_year(2024))
    return [
        (c.aspect, c.measured, c.required, c.passed)
        for c in RULES["Q-EVALUATION"].evaluate(context)
        if c.organisation_id == organisation.pk
    ]


def test_the_evaluation_rule_counts_the_party_groups_members_for_the_branch(groups):
    evaluation = services.evaluation_record(
        organisation=groups.b1, year=2024, held_on=EVALUATED, results={m.pk: grades() for m in everyone(groups)}
    )
    seven, one, none = Decimal(7), Decimal(1), Decimal(0)
    assert evaluation_checks(groups.b1) == [
        ("held", one, one, True),
        ("graded", seven, seven, True),
        ("disposal", none, none, True),
    ]
    assert evaluation_checks(groups.g1) == evaluation_checks(groups.g2) == []
    EvaluationResult.objects.filter(evaluation=evaluation, member=groups.g1_members[1]).delete()
    assert ("graded", Decimal(6), seven, False) in evaluation_checks(groups.b1)


def test_talks_coverage_includes_the_party_groups_members(groups):
    today = datetime.date(2024, 12, 1)
    left = selectors.members_not_talked_to(organisation=groups.b1, year=2024, today=today)
    assert list(left) == pinyin_order(m for m in everyone(groups) if m != groups.mover)
    services.talks_record(
        organisation=groups.b1,
        held_on=datetime.date(2024, 3, 1),
        topic="谈心",
        member_ids=[m.pk for m in groups.g1_members + groups.g2_members[:1]],
        talker=groups.secretary,
    )
    left = selectors.members_not_talked_to(organisation=groups.b1, year=2024, today=today)
    assert list(left) == pinyin_order(groups.b1_members)


# The compliance rules over the whole zone


def test_the_training_rule_judges_group_members_and_files_their_findings_on_the_branch(groups):
    complete, short = groups.g1_members[1], groups.g2_members[0]
    for month in (4, 5):  # the branch's themed days: 16 h each
        attendance = present(m for m in everyone(groups) if m != groups.mover and (m != short or month == 4))
        record(
            groups.b1, MeetingKind.THEMED_DAY, attendance, day=datetime.date(2024, month, 10), study_hours=Decimal(16)
        )
    compliance_run(year=2024, today=AFTER_2024, rules=["Q-TRAINING-MEMBER"], trigger="test")
    found = Finding.objects.filter(rule="Q-TRAINING-MEMBER", member__in=[complete, short, groups.mover])
    assert sorted(found.values_list("member_id", "organisation__code", "measured")) == sorted(
        [(short.pk, "B1", Decimal(16)), (groups.mover.pk, "B3", Decimal(0))]
    )
    assert not Finding.objects.filter(organisation__in=[groups.g1, groups.g2]).exists()


def test_the_meeting_rules_hold_party_groups_to_their_group_meetings_only(groups):
    for month in range(1, 13):
        record(groups.g1, MeetingKind.GROUP, present(groups.g1_members), day=datetime.date(2024, month, 8))
    compliance_run(
        year=2024, today=AFTER_2024, rules=["Q-THREE-MEETINGS", "N-MEETINGS", "Q-LIFE-MEETING"], trigger="test"
    )
    aspects = set(Finding.objects.filter(organisation=groups.g2).values_list("rule", "aspect"))
    assert aspects == {("Q-THREE-MEETINGS", "group")}
    assert not Finding.objects.filter(organisation=groups.g1).exists()
    branch = set(Finding.objects.filter(organisation=groups.b1).values_list("aspect", flat=True))
    assert branch == {"general", "committee", "lecture", "themed_day", "organisational_life"}
