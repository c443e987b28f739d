"""Compliance rules of a branch's life with its members: Q-EVALUATION, Q-TALKS, Q-COMMUNITY-SERVICE."""

import datetime
from decimal import Decimal

import pytest

from assessments import services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.enums import Disposal, Grade
from assessments.models import EvaluationResult, Finding
from branches.enums import OrganisationKind as K
from branches.enums import Sector
from core.policy import PolicyValues, policy_for_year
from members import community
from members.enums import LifeStatus
from members.models import Member, Membership
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)
MID_2024 = datetime.date(2024, 7, 1)  # day 183 of 366: half the year
EVALUATED = datetime.date(2024, 6, 20)


def context(today=AFTER_2024, year=2024, **values):
    policy = policy_for_year(year)
    if values:
        policy = PolicyValues({**policy, **values}, on=policy.on)
    return RunContext(year=year, today=today, values=policy)


def checks(clause, organisation=None, **kwargs):
    found = list(RULES[clause].evaluate(context(**kwargs)))
    if organisation is None:
        return found
    return [(c.aspect, c.measured, c.required, c.passed) for c in found if c.organisation_id == organisation.pk]


def grades(final=Grade.QUALIFIED, disposal=""):
    q = Grade.QUALIFIED
    return {
        "self_grade": q,
        "peer_grade": q,
        "public_grade": q,
        "branch_grade": q,
        "grade": final,
        "disposal": disposal,
    }


def evaluate(zone, organisation=None, members=None, unqualified=()):
    organisation = organisation or zone.b1
    members = zone.b1_members if members is None else members
    results = {m.pk: grades(Grade.UNQUALIFIED, Disposal.CORRECTION) if m in unqualified else grades() for m in members}
    return services.evaluation_record(organisation=organisation, year=2024, held_on=EVALUATED, results=results)


def joined(organisation, started_on=None, n=1):
    members = MemberFactory.create_batch(n, organisation=organisation)
    Membership.objects.bulk_create(
        Membership(member=m, organisation=organisation, started_on=started_on) for m in members
    )
    return members


def talk(members, day=datetime.date(2024, 3, 1), organisation=None):
    organisation = organisation or Member.objects.get(pk=members[0].pk).organisation
    return services.talks_record(
        organisation=organisation, held_on=day, topic="谈心", member_ids=[m.pk for m in members], talker_name="支部书记"
    )


ONE, THREE = Decimal(1), Decimal(3)


# Q-EVALUATION


def test_evaluation_is_judged_only_once_the_year_is_over(zone):
    assert checks("Q-EVALUATION", today=datetime.date(2024, 12, 31)) == []


def test_a_complete_evaluation_passes_and_a_branch_without_one_fails(zone):
    evaluate(zone, unqualified=[zone.b1_members[2]])
    assert checks("Q-EVALUATION", zone.b1) == [
        ("held", ONE, ONE, True),
        ("graded", THREE, THREE, True),
        ("disposal", ONE, ONE, True),
    ]
    assert checks("Q-EVALUATION", zone.b3) == [("held", Decimal(0), ONE, False)]
    assert checks("Q-EVALUATION", zone.b2) == []  # no member to evaluate
    assert checks("Q-EVALUATION", zone.v1) == []  # a general branch does not evaluate


def test_every_member_on_the_evaluation_day_is_graded_one_less_fails(zone):
    evaluation = evaluate(zone)
    joined(zone.b1, started_on=datetime.date(2024, 9, 1))  # joined after the evaluation day: not due
    assert ("graded", THREE, THREE, True) in checks("Q-EVALUATION", zone.b1)
    EvaluationResult.objects.filter(evaluation=evaluation, member=zone.b1_members[2]).delete()
    assert ("graded", Decimal(2), THREE, False) in checks("Q-EVALUATION", zone.b1)


def test_an_unqualified_member_without_a_disposal_fails(zone):
    evaluation = evaluate(zone, unqualified=[zone.b1_members[2]])
    EvaluationResult.objects.filter(evaluation=evaluation, grade=Grade.UNQUALIFIED).update(disposal="")
    assert ("disposal", Decimal(0), ONE, False) in checks("Q-EVALUATION", zone.b1)


def test_evaluation_findings_cite_the_clause(zone):
    evaluate(zone)
    compliance_run(year=2024, today=AFTER_2024, rules=["Q-EVALUATION"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "period", "aspect")) == [
        ("Q-EVALUATION", "B3", "2024", "held")
    ]


# Q-TALKS


def test_talks_with_every_member_pass_and_one_less_fails(zone):
    a, b, c = zone.b1_members
    talk([a, b])
    assert checks("Q-TALKS", zone.b1) == [("", Decimal(2), THREE, False)]
    talk([c], day=datetime.date(2024, 12, 30))
    assert checks("Q-TALKS", zone.b1) == [("", THREE, THREE, True)]
    assert checks("Q-TALKS", zone.b3) == [("", Decimal(0), Decimal(2), False)]
    assert checks("Q-TALKS", zone.b2) == [("", Decimal(0), Decimal(0), True)]


def test_talks_of_another_year_do_not_count_and_a_party_groups_members_count_for_the_branch(zone):
    talk(zone.b1_members, day=datetime.date(2023, 12, 31))
    member = joined(zone.g1)[0]
    talk([member], organisation=zone.b1)
    assert checks("Q-TALKS", zone.b1) == [("", ONE, Decimal(4), False)]
    assert checks("Q-TALKS", zone.g1) == []


def test_talks_are_due_pro_rata_rounded_down_during_the_year(zone):
    # 1 July 2024: 183/366 of the year; half of 3 members is 1.5, so 1 is due; half of 2 is 1.
    talk(zone.b1_members[:1], day=datetime.date(2024, 6, 1))
    assert checks("Q-TALKS", zone.b1, today=MID_2024) == [("", ONE, ONE, True)]
    assert checks("Q-TALKS", zone.b3, today=MID_2024) == [("", Decimal(0), ONE, False)]
    assert checks("Q-TALKS", zone.b3, today=datetime.date(2024, 1, 5)) == [("", Decimal(0), Decimal(0), True)]


def test_talks_a_member_needs_come_from_the_policy(zone):
    talk(zone.b1_members)
    assert checks("Q-TALKS", zone.b1, **{"talks.per_member_a_year": Decimal(2)}) == [("", Decimal(0), THREE, False)]
    talk(zone.b1_members, day=datetime.date(2024, 10, 1))
    assert checks("Q-TALKS", zone.b1, **{"talks.per_member_a_year": Decimal(2)}) == [("", THREE, THREE, True)]


def test_talk_findings_cite_the_clause(zone):
    talk(zone.b1_members)
    compliance_run(year=2024, today=AFTER_2024, rules=["Q-TALKS"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "measured", "required")) == [
        ("Q-TALKS", "B3", Decimal(0), Decimal(2))
    ]


# Q-COMMUNITY-SERVICE


def register(members, on=datetime.date(2024, 3, 1), community_org=None):
    return [community.community_register(member=m, community=community_org, on=on) for m in members]


def test_in_service_members_registered_pass_and_one_less_fails(zone):
    a, b, c = zone.b1_members
    register([a, b], community_org=zone.b3)
    assert checks("Q-COMMUNITY-SERVICE", zone.b1, today=MID_2024) == [("", Decimal(2), THREE, False)]
    Member.objects.filter(pk=c.pk).update(life_status=LifeStatus.RETIRED)  # not held to register
    assert checks("Q-COMMUNITY-SERVICE", zone.b1, today=MID_2024) == [("", Decimal(2), Decimal(2), True)]
    assert checks("Q-COMMUNITY-SERVICE", zone.b3, today=MID_2024) == [("", Decimal(0), Decimal(2), False)]
    assert checks("Q-COMMUNITY-SERVICE", zone.b2, today=MID_2024) == []  # no in-service member


def test_a_registration_ended_before_the_day_counted_does_not_count(zone):
    (registration,) = register(zone.b3_members[:1], community_org=zone.b3)
    registration.ended_on = datetime.date(2024, 5, 1)
    registration.save()
    assert checks("Q-COMMUNITY-SERVICE", zone.b3, today=MID_2024) == [("", Decimal(0), Decimal(2), False)]
    assert checks("Q-COMMUNITY-SERVICE", zone.b3, today=datetime.date(2024, 4, 1)) == [("", ONE, Decimal(2), False)]


def test_once_the_year_is_over_service_must_be_on_record(zone):
    registrations = register(zone.b1_members, community_org=zone.b3)
    assert checks("Q-COMMUNITY-SERVICE", zone.b1, today=MID_2024) == [("", THREE, THREE, True)]
    assert checks("Q-COMMUNITY-SERVICE", zone.b1) == [("", Decimal(0), THREE, False)]
    for registration in registrations[:2]:
        community.community_service_record(
            registration=registration, served_on=datetime.date(2024, 5, 1), hours=Decimal(2), activity="环境整治"
        )
    community.community_service_record(
        registration=registrations[2], served_on=datetime.date(2025, 1, 2), hours=Decimal(2), activity="走访"
    )
    assert checks("Q-COMMUNITY-SERVICE", zone.b1) == [("", Decimal(2), THREE, False)]
    community.community_service_record(
        registration=registrations[2], served_on=datetime.date(2024, 12, 31), hours=Decimal(1), activity="走访"
    )
    assert checks("Q-COMMUNITY-SERVICE", zone.b1) == [("", THREE, THREE, True)]


def test_community_service_findings_cite_the_clause(zone):
    register(zone.b1_members, community_org=zone.b3)
    compliance_run(year=2024, today=MID_2024, rules=["Q-COMMUNITY-SERVICE"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "measured", "required")) == [
        ("Q-COMMUNITY-SERVICE", "B3", Decimal(0), Decimal(2))
    ]


# Set-based: the same number of queries whatever the size of the zone.


def grow(zone, n):
    for i in range(n):
        branch = make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, code=f"X{i}")
        members = joined(branch, n=2)
        group_members = joined(make_org(branch, K.PARTY_GROUP, sector=Sector.COMMUNITY, code=f"XG{i}"))
        talk(members[:1], organisation=branch)
        services.evaluation_record(
            organisation=branch, year=2024, held_on=EVALUATED, results={m.pk: grades() for m in members + group_members}
        )
        register(members[:1], community_org=zone.b3)


@pytest.mark.parametrize("size", [0, 3])
@pytest.mark.parametrize(("clause", "queries"), [("Q-EVALUATION", 6), ("Q-TALKS", 3), ("Q-COMMUNITY-SERVICE", 2)])
def test_queries_do_not_grow_with_the_zone(zone, django_assert_num_queries, size, clause, queries):
    grow(zone, size)
    evaluate(zone)
    run = context()
    with django_assert_num_queries(queries):
        found = list(RULES[clause].evaluate(run))
    assert len(found) > 0
