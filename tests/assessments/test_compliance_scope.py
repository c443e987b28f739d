"""A recheck's rules read only its subtree (`RunContext.within`) and judge it as a full run does.

The zone: the `groups` fixture (two towns; B1 with party groups G1 and G2; a member moving from G2 to
B3 in the other town on 1 July 2024), with meetings held and missed, hours earned on both sides of
the move, a lecture by V1's secretary in B1 (counting for V1, above it), talks and an evaluation."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext
from assessments.compliance.services import EVALUATION_RULES, MEETING_RULES, STUDY_RULES, TALK_RULES
from assessments.enums import AttendanceStatus, Grade, MeetingKind, TrainingKind
from assessments.models import TrainingRecord
from branches import services as branch_services
from branches.enums import PostKind
from branches.models import Organisation
from core.policy import policy_for_year
from members.models import Membership
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
RECHECK_RULES = MEETING_RULES + STUDY_RULES + TALK_RULES + EVALUATION_RULES
AFTER_2024 = datetime.date(2025, 1, 10)
DURING_2024 = datetime.date(2024, 9, 15)


def present(members):
    return {m.pk: (AttendanceStatus.PRESENT, "") for m in members}


def meeting(organisation, kind, members, day, **data):
    return services.meeting_record(
        organisation=organisation,
        attendance=present(members),
        data={"kind": kind, "held_on": day, "place": "党员活动室", "topic": "学习党章", **data},
    )


def grades():
    return dict.fromkeys(("self_grade", "peer_grade", "public_grade", "branch_grade", "grade"), Grade.QUALIFIED) | {
        "disposal": ""
    }


@pytest.fixture
def year_of_records(zone, groups):
    """Records of 2024 on both sides of the towns' border."""
    b1_all = [*groups.b1_members, *groups.g1_members, *groups.g2_members]
    v1_secretary = groups.b1_members[2]
    branch_services.post_assign(
        organisation=zone.v1, member=v1_secretary, kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    meeting(zone.b1, MeetingKind.GENERAL, b1_all, datetime.date(2024, 3, 5))
    meeting(
        zone.b1, MeetingKind.LECTURE, b1_all, datetime.date(2024, 4, 9), lecturer=v1_secretary, study_hours=Decimal(20)
    )
    meeting(
        zone.b1,
        MeetingKind.THEMED_DAY,
        [m for m in b1_all if m != groups.g1_members[1]],
        datetime.date(2024, 5, 10),
        study_hours=Decimal(16),
    )
    meeting(groups.g1, MeetingKind.GROUP, groups.g1_members, datetime.date(2024, 2, 8))
    meeting(zone.b3, MeetingKind.GENERAL, [*zone.b3_members, groups.mover], datetime.date(2024, 8, 5))
    meeting(zone.b3, MeetingKind.LECTURE, zone.b3_members, datetime.date(2024, 8, 20), lecturer=zone.b3_members[0])
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            organisation=zone.b3,
            member=zone.b3_members[1],
            kind=TrainingKind.COURSE,
            title=title,
            held_on=datetime.date(2024, 9, 1),
            hours=Decimal(20),
        )
        for title in ("党校", "网校")
    )
    services.talks_record(
        organisation=zone.b1,
        held_on=datetime.date(2024, 3, 1),
        topic="谈心",
        member_ids=[m.pk for m in groups.g1_members + groups.g2_members],
        talker=groups.secretary,
    )
    services.talks_record(
        organisation=zone.b3,
        held_on=datetime.date(2024, 9, 2),
        topic="谈心",
        member_ids=[zone.b3_members[1].pk],
        talker=zone.b3_members[0],
    )
    on_the_day = [m for m in b1_all if m != groups.mover]
    services.evaluation_record(
        organisation=zone.b1,
        year=2024,
        held_on=datetime.date(2024, 11, 20),
        results={m.pk: grades() for m in on_the_day},
    )
    return zone


def checks(clause, context, inside=None):
    """The rule's checks as comparable rows, those of the organisations `inside` only when given."""
    return {
        (clause, c.period, c.aspect, c.organisation_id, c.member_id, c.passed, c.measured, c.required)
        for c in RULES[clause].evaluate(context)
        if inside is None or c.organisation_id in inside
    }


def subtree(organisation):
    return set(Organisation.objects.filter(path__startswith=organisation.path).values_list("pk", flat=True))


@pytest.mark.parametrize("today", [AFTER_2024, DURING_2024])
@pytest.mark.parametrize("root", ["b1", "v1", "t1", "b3", "t2", "wc"])
@pytest.mark.parametrize("clause", RECHECK_RULES)
def test_a_rule_narrowed_to_a_subtree_gives_the_full_runs_checks_of_it(year_of_records, clause, root, today):
    organisation = getattr(year_of_records, root)
    values = policy_for_year(2024)
    full = RunContext(year=2024, today=today, values=values)
    narrowed = RunContext(year=2024, today=today, values=values, within=organisation.path)
    inside = subtree(organisation)
    expected = checks(clause, full, inside)
    assert checks(clause, narrowed) == expected  # nothing read outside yields a check, nothing inside changes
    if root in ("b1", "b3") and clause in ("Q-TRAINING-MEMBER", "Q-THREE-MEETINGS", "Q-TALKS"):
        assert expected  # the comparison is not between two empty sets


def test_the_moved_members_hours_earned_in_the_other_town_count_in_its_new_branchs_recheck(year_of_records, groups):
    context = RunContext(year=2024, today=AFTER_2024, values=policy_for_year(2024), within=year_of_records.b3.path)
    mover = {
        (c.organisation_id, c.measured)
        for c in RULES["Q-TRAINING-MEMBER"].evaluate(context)
        if c.member_id == groups.mover.pk
    }
    assert mover == {(year_of_records.b3.pk, Decimal(36))}  # B1's lecture (20 h) and themed day (16 h)


def recheck_reads(context):
    """Every recheck rule evaluated on `context`: the checks yielded (before any subtree filter) and the
    statements run."""
    with CaptureQueriesContext(connection) as queries:
        yielded = sum(len(list(RULES[clause].evaluate(context))) for clause in RECHECK_RULES)
    return yielded, len(queries), [q["sql"] for q in queries]


def test_a_recheck_reads_the_same_whatever_the_size_of_the_other_town(year_of_records):
    zone = year_of_records
    values = policy_for_year(2024)
    b1_path = zone.b1.path

    def narrowed():
        return RunContext(year=2024, today=AFTER_2024, values=values, within=b1_path)

    before, statements, sql = recheck_reads(narrowed())
    assert before == sum(len(checks(clause, narrowed(), subtree(zone.b1))) for clause in RECHECK_RULES)
    assert any(f"{b1_path}%" in s for s in sql)
    crowd = MemberFactory.create_batch(200, organisation=zone.b3)
    Membership.objects.bulk_create(Membership(member=m, organisation=zone.b3) for m in crowd)
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            organisation=zone.b3,
            member=m,
            kind=TrainingKind.COURSE,
            title="党校",
            held_on=datetime.date(2024, 6, 1),
            hours=Decimal(8),
        )
        for m in crowd
    )
    meeting(zone.b3, MeetingKind.THEMED_DAY, crowd, datetime.date(2024, 6, 15), study_hours=Decimal(4))

    after, statements_after, _sql = recheck_reads(narrowed())
    assert (after, statements_after) == (before, statements)
    full = RunContext(year=2024, today=AFTER_2024, values=values)
    assert len(checks("Q-TRAINING-MEMBER", full)) >= 200  # the zone's run does see them


def test_a_narrowed_context_keeps_its_own_meetings_and_hours_apart_from_the_zones(year_of_records):
    zone = year_of_records
    context = RunContext(year=2024, today=AFTER_2024, values=policy_for_year(2024))
    whole = checks("Q-THREE-MEETINGS", context) | checks("Q-TRAINING-MEMBER", context)
    context.within = zone.b3.path
    narrowed = checks("Q-THREE-MEETINGS", context) | checks("Q-TRAINING-MEMBER", context)
    inside = subtree(zone.b3)
    assert narrowed == {row for row in whole if row[3] in inside}
    context.within = ""
    assert checks("Q-THREE-MEETINGS", context) | checks("Q-TRAINING-MEMBER", context) == whole
