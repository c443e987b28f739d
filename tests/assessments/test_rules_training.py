"""Compliance rules of study hours: who is a grassroots leader for Q-TRAINING-LEADER."""

import datetime
from decimal import Decimal

import pytest

from assessments import selectors, services
from assessments.compliance import engine
from assessments.compliance.catalogue import RULES
from assessments.enums import TrainingKind
from branches import services as branch_services
from branches.enums import PostKind
from core.policy import policy_for_year

pytestmark = pytest.mark.django_db
FINAL = datetime.date(2025, 1, 10)
SINCE = datetime.date(2023, 1, 1)


def evaluate(clause):
    context = engine.RunContext(year=2024, today=FINAL, values=policy_for_year(2024))
    return {c.member_id: (c.measured, c.required, c.passed) for c in RULES[clause].evaluate(context)}


def study(organisation, members, days):
    """Eight study hours a day for `days` days of March."""
    for day in range(1, days + 1):
        services.training_batch_record(
            organisation=organisation,
            kind=TrainingKind.COURSE,
            title=f"党的二十大精神专题培训第{day}天",
            held_on=datetime.date(2024, 3, day),
            hours=Decimal(8),
            member_ids=[m.pk for m in members],
        )


def test_the_work_committees_own_members_are_not_grassroots_leaders(zone):
    """基层党组织书记和班子成员学习培训不少于56个学时: the work committee (党工委) is not a grassroots organisation,
    so its own team is held to the members' 32 hours (全体党员每年参加学习培训不少于32个学时); one who also sits
    on a grassroots committee is a leader."""
    secretary, chair, both = zone.b1_members
    branch_services.post_assign(organisation=zone.wc, member=chair, kind=PostKind.SECRETARY, started_on=SINCE)
    branch_services.post_assign(organisation=zone.wc, member=both, kind=PostKind.COMMITTEE_MEMBER, started_on=SINCE)
    branch_services.post_assign(organisation=zone.b1, member=both, kind=PostKind.COMMITTEE_MEMBER, started_on=SINCE)
    study(zone.b1, [secretary, chair, both], 5)  # 40 hours
    leaders = evaluate("Q-TRAINING-LEADER")
    members = evaluate("Q-TRAINING-MEMBER")
    assert {m: v for m, v in leaders.items() if m in {secretary.pk, chair.pk, both.pk}} == {
        secretary.pk: (Decimal(40), Decimal(56), False),
        both.pk: (Decimal(40), Decimal(56), False),
    }
    assert members[chair.pk] == (Decimal(40), Decimal(32), True)
    day = datetime.date(2024, 12, 31)
    assert selectors.leaders_on(member_ids=[secretary.pk, chair.pk, both.pk], day=day) == {secretary.pk, both.pk}
