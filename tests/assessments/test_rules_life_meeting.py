"""Q-LIFE-MEETING: a party committee's leadership team holds its democratic life meeting (民主生活会) and
every branch its organisational life meeting (组织生活会) once a year; the record is the meeting log."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import Finding
from branches import services as branch_services
from branches.enums import PostKind
from core.policy import policy_for_year
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
SENTENCE = "规范、落实基层党组织民主生活会和组织生活会,提高党内组织生活质量。"
AFTER_2024 = datetime.date(2025, 1, 10)
DAY = datetime.date(2024, 12, 20)
END_2024 = datetime.date(2024, 12, 31)


def checks(today=AFTER_2024):
    found = RULES["Q-LIFE-MEETING"].evaluate(RunContext(year=2024, today=today, values=policy_for_year(2024)))
    return {(c.organisation_id, c.aspect): (c.measured, c.required, c.passed, c.due_on) for c in found}


@pytest.fixture
def team(zone):
    """T1's leadership team: a secretary and a committee member (members of B1 and B3)."""
    secretary = MemberFactory(organisation=zone.b3)
    member = MemberFactory(organisation=zone.b1)
    since = datetime.date(2020, 1, 1)
    branch_services.post_assign(organisation=zone.t1, member=secretary, kind=PostKind.SECRETARY, started_on=since)
    branch_services.post_assign(organisation=zone.t1, member=member, kind=PostKind.COMMITTEE_MEMBER, started_on=since)
    return [secretary, member]


def democratic_life(zone, people, day=DAY, user=None):
    return services.meeting_record(
        organisation=zone.t1,
        data={"kind": MeetingKind.DEMOCRATIC_LIFE, "held_on": day, "place": "党委会议室", "topic": "年度民主生活会"},
        attendance={m.pk: (AttendanceStatus.PRESENT, "") for m in people},
        user=user,
    )


def test_rule_is_registered_with_its_clause_and_sentence():
    r = RULES["Q-LIFE-MEETING"]
    assert (r.sentence, r.parameters) == (
        SENTENCE,
        ("meetings.democratic_life_a_year", "meetings.organisational_life_a_year"),
    )
    with translation.override("zh-hans"):
        assert str(r.title) == "民主生活会和组织生活会"


def test_the_party_committee_holds_its_democratic_life_meeting_and_each_branch_its_organisational_life(zone, team):
    """规范、落实基层党组织民主生活会和组织生活会: one of each a year (the parameters' 2015 value)."""
    democratic_life(zone, team)
    found = checks()
    one, none = Decimal(1), Decimal(0)
    assert found[(zone.t1.pk, "democratic_life")] == (one, one, True, END_2024)
    assert found[(zone.t2.pk, "democratic_life")] == (none, one, False, END_2024)
    assert found[(zone.b1.pk, "organisational_life")] == (none, one, False, END_2024)
    # Nobody else holds them: the village general branch, the party group and the work committee are not checked.
    assert {org for org, _aspect in found} == {zone.t1.pk, zone.t2.pk, zone.b1.pk, zone.b2.pk, zone.b3.pk}
    assert {aspect for (org, aspect) in found if org in (zone.b1.pk, zone.b2.pk, zone.b3.pk)} == {"organisational_life"}


def test_life_meetings_are_judged_once_the_year_is_over(zone, team):
    """一年一次: the year's meeting is due by its last day, not before."""
    assert checks(today=datetime.date(2024, 11, 30)) == {}


def test_the_organisational_life_meeting_is_found_once_under_this_clause(zone):
    """The opinion names the 组织生活会 itself: its finding is Q-LIFE-MEETING's, not also N-MEETINGS's."""
    compliance_run(year=2024, today=AFTER_2024, rules=["N-MEETINGS", "Q-LIFE-MEETING"], trigger="test")
    life = Finding.objects.filter(organisation=zone.b1, aspect="organisational_life")
    assert list(life.values_list("rule", flat=True)) == ["Q-LIFE-MEETING"]
    assert set(Finding.objects.filter(rule="N-MEETINGS").values_list("aspect", flat=True)) == {"themed_day"}


def test_the_democratic_life_meeting_lists_the_leadership_team_only(zone, team):
    outsider = zone.b1_members[1]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        democratic_life(zone, [*team, outsider])
    assert exc.value.message_dict["attendance"] == [f"2024年12月20日，{outsider.name}不是{zone.t1.name}的党员。"]
    roster = selectors.attendance_roster(organisation=zone.t1, day=DAY, kind=MeetingKind.DEMOCRATIC_LIFE)
    assert [(e.member, e.post, e.is_guest) for e in roster] == [(team[0], "书记", False), (team[1], "委员", False)]


def test_a_party_committee_without_a_team_is_told_to_record_the_posts_first(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.meeting_record(
            organisation=zone.t2,
            data={"kind": MeetingKind.DEMOCRATIC_LIFE, "held_on": DAY, "place": "会议室", "topic": "民主生活会"},
            attendance={},
        )
    assert exc.value.message_dict["attendance"] == [
        f"{zone.t2.name}在2024年12月20日没有在任的领导班子成员：请先登记书记和委员（职务）。"
    ]


def test_a_branch_holds_no_democratic_life_meeting_and_a_committee_no_branch_meeting(zone, team):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.meeting_record(
            organisation=zone.b1,
            data={"kind": MeetingKind.DEMOCRATIC_LIFE, "held_on": DAY, "place": "会议室", "topic": "民主生活会"},
            attendance={zone.b1_members[0].pk: (AttendanceStatus.PRESENT, "")},
        )
    assert exc.value.message_dict["kind"] == ["党支部不开民主生活会。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.meeting_record(
            organisation=zone.t1,
            data={"kind": MeetingKind.GENERAL, "held_on": DAY, "place": "会议室", "topic": "党员大会"},
            attendance={team[0].pk: (AttendanceStatus.PRESENT, "")},
        )
    assert exc.value.message_dict["kind"] == ["党委不开支部党员大会。"]


def test_the_town_records_it_on_its_meeting_page_and_other_towns_cannot(zone, users, team, client_for):
    url = reverse("assessments:meeting_create", args=[zone.t1.pk])
    page = client_for(users.town_admin).get(url, {"kind": MeetingKind.DEMOCRATIC_LIFE, "held_on": DAY})
    assert page.status_code == 200
    assert list(dict(page.context["form"].fields["kind"].choices)) == [MeetingKind.DEMOCRATIC_LIFE]
    assert [e.member for e in page.context["form"].roster] == team
    response = client_for(users.town_admin).post(
        url,
        {
            "kind": MeetingKind.DEMOCRATIC_LIFE,
            "held_on": DAY.isoformat(),
            "place": "党委会议室",
            "topic": "年度民主生活会",
            **{f"attendance_{m.pk}": AttendanceStatus.PRESENT for m in team},
        },
    )
    assert response.status_code == 302
    assert checks()[(zone.t1.pk, "democratic_life")][2] is True
    assert client_for(users.other_admin).get(url).status_code == 404


def test_the_year_page_of_a_party_committee_shows_its_democratic_life_meeting(zone, team):
    democratic_life(zone, team)
    rows = selectors.meeting_norms(organisation=zone.t1, year=2024, today=AFTER_2024)
    assert [(r.kind, r.clause, r.cells) for r in rows] == [("democratic_life", "Q-LIFE-MEETING", [("全年", 1, "met")])]
