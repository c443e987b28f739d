"""Compliance rules of leadership teams: days at the grassroots (Q-RESEARCH-WORKCOMMITTEE, Q-RESEARCH-DEPT,
Q-CONTACT-TOWN) and the integrity pledge (Q-INTEGRITY-PLEDGE)."""

import datetime
from decimal import Decimal

import pytest

from assessments import selectors, services
from assessments.compliance import engine
from assessments.compliance.catalogue import RULES
from assessments.enums import LeadershipDayKind
from assessments.models import Finding
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from core.policy import PolicyValues, policy_for_year
from members.services import member_status_change
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
DAYS_RULES = ("Q-RESEARCH-WORKCOMMITTEE", "Q-RESEARCH-DEPT", "Q-CONTACT-TOWN")
FINAL = datetime.date(2025, 1, 10)
SINCE = datetime.date(2023, 1, 1)
D = datetime.date


def evaluate(clause, today=FINAL, year=2024, values=None):
    context = engine.RunContext(year=year, today=today, values=values or policy_for_year(year))
    return list(RULES[clause].evaluate(context))


def by_subject(checks):
    return {(c.organisation_id, c.member_id, c.aspect): (c.measured, c.required, c.passed) for c in checks}


def leader(organisation, kind=PostKind.DEPUTY_SECRETARY, since=SINCE, home=None):
    member = MemberFactory(organisation=home or organisation)
    branch_services.post_assign(organisation=organisation, member=member, kind=kind, started_on=since)
    return member


def days(team, member, start, end, kind=LeadershipDayKind.CONTACT):
    return services.leadership_days_record(
        organisation=team, member=member, kind=kind, started_on=start, ended_on=end, place="东村", purpose="走访群众"
    )


def days_from(team, member, start, count, kind=LeadershipDayKind.CONTACT):
    """`count` consecutive days from `start`, recorded in entries of at most 31 days."""
    while count > 0:
        n = min(count, 31)
        days(team, member, start, start + datetime.timedelta(days=n - 1), kind=kind)
        start, count = start + datetime.timedelta(days=n), count - n


def pledge(team, day, member=None, year=None):
    return services.integrity_pledge_record(
        organisation=team,
        year=year or day.year,
        pledged_on=day,
        published_on=day,
        published_where="公示栏",
        member=member,
    )


# Days at the grassroots


def test_town_leader_with_the_yearly_days_passes_and_one_day_less_fails(zone):
    met, short = leader(zone.t1, home=zone.b1), leader(zone.t1, kind=PostKind.COMMITTEE_MEMBER, home=zone.b1)
    days_from(zone.t1, met, D(2024, 1, 1), 120)
    days_from(zone.t1, short, D(2024, 1, 1), 119)
    checks = by_subject(evaluate("Q-CONTACT-TOWN"))
    assert checks == {
        (zone.t1.pk, met.pk, ""): (Decimal(120), Decimal("120.0"), True),
        (zone.t1.pk, short.pk, ""): (Decimal(119), Decimal("120.0"), False),
    }


def test_days_are_due_pro_rata_and_counted_up_to_the_day(zone):
    member = leader(zone.t1, home=zone.b1)
    days(zone.t1, member, D(2023, 12, 30), D(2024, 1, 29))  # 29 days of 2024
    days(zone.t1, member, D(2024, 1, 30), D(2024, 2, 28))  # 30
    days(zone.t1, member, D(2024, 2, 10), D(2024, 2, 20), kind=LeadershipDayKind.RESEARCH)  # overlap: nothing new
    days(zone.t1, member, D(2024, 6, 30), D(2024, 7, 10))  # 30 June and 1 July count on 1 July
    # 1 July 2024 is day 183 of 366: 120 days * 183/366 = 60.0 due; 29 + 30 + 2 = 61 counted.
    assert by_subject(evaluate("Q-CONTACT-TOWN", today=D(2024, 7, 1))) == {
        (zone.t1.pk, member.pk, ""): (Decimal(61), Decimal("60.0"), True)
    }
    # On 30 June: 59.7 due, 60 counted; on 29 June 59.3 due, 59 counted.
    assert by_subject(evaluate("Q-CONTACT-TOWN", today=D(2024, 6, 30)))[(zone.t1.pk, member.pk, "")] == (
        Decimal(60),
        Decimal("59.7"),
        True,
    )
    assert by_subject(evaluate("Q-CONTACT-TOWN", today=D(2024, 6, 29)))[(zone.t1.pk, member.pk, "")] == (
        Decimal(59),
        Decimal("59.3"),
        False,
    )
    # The whole year: the July entry counts in full.
    assert by_subject(evaluate("Q-CONTACT-TOWN"))[(zone.t1.pk, member.pk, "")] == (Decimal(70), Decimal(120), False)


def test_days_of_another_team_do_not_count(zone):
    member = leader(zone.t1, home=zone.b1)
    branch_services.post_assign(
        organisation=zone.t2, member=member, kind=PostKind.COMMITTEE_MEMBER, started_on=D(2023, 1, 1)
    )
    days_from(zone.t2, member, D(2024, 1, 1), 120)
    checks = by_subject(evaluate("Q-CONTACT-TOWN"))
    assert checks[(zone.t1.pk, member.pk, "")] == (Decimal(0), Decimal(120), False)
    assert checks[(zone.t2.pk, member.pk, "")] == (Decimal(120), Decimal(120), True)


def test_the_teams_are_those_of_leadership_target(zone):
    agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A1")
    institute = make_org(zone.wc, K.GENERAL_BRANCH, sector=Sector.PUBLIC_INSTITUTION, code="P1")
    street = make_org(zone.t1, K.GENERAL_BRANCH, sector=Sector.STREET, code="S1")
    company = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="N1")
    organisations = [zone.wc, zone.t1, zone.v1, zone.b1, agency, institute, street, company]
    for organisation in organisations:
        leader(organisation, kind=PostKind.COMMITTEE_MEMBER, home=zone.b1)
    checked = {c.organisation_id: clause for clause in DAYS_RULES for c in evaluate(clause)}
    expected = {}
    for organisation in organisations:
        target = services.leadership_target(organisation=organisation, year=2024)
        if target is not None:
            expected[organisation.pk] = target[1]
    assert checked == expected
    assert expected == {
        zone.wc.pk: "Q-RESEARCH-WORKCOMMITTEE",
        zone.t1.pk: "Q-CONTACT-TOWN",
        agency.pk: "Q-RESEARCH-DEPT",
        institute.pk: "Q-RESEARCH-DEPT",
        street.pk: "Q-CONTACT-TOWN",
    }


def test_work_committee_and_department_targets(zone):
    agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A1")
    chair, head = leader(zone.wc, home=zone.b1), leader(agency, home=zone.b1)
    days_from(zone.wc, chair, D(2024, 1, 1), 60, kind=LeadershipDayKind.RESEARCH)
    days_from(agency, head, D(2024, 1, 1), 89, kind=LeadershipDayKind.RESEARCH)
    assert by_subject(evaluate("Q-RESEARCH-WORKCOMMITTEE")) == {
        (zone.wc.pk, chair.pk, ""): (Decimal(60), Decimal(60), True)
    }
    assert by_subject(evaluate("Q-RESEARCH-DEPT")) == {(agency.pk, head.pk, ""): (Decimal(89), Decimal(90), False)}


def test_departments_whose_organisation_is_a_branch_are_checked(zone):
    """各部门、直属单位班子成员下基层调研不少于90天: every department and directly affiliated unit, also one whose
    party organisation is a branch; the branches inside a department's own committee are that department's."""
    agencies = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="AGC", name="中共高新区机关委员会")
    finance = make_org(agencies, K.BRANCH, sector=Sector.AGENCY, code="AG1", unit_name="财政局", name="财政局党支部")
    centre = make_org(
        zone.wc,
        K.BRANCH,
        sector=Sector.PUBLIC_INSTITUTION,
        code="PI1",
        unit_name="政务服务中心",
        name="政务服务中心党支部",
    )
    education = make_org(agencies, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="AG2", unit_name="教育局")
    office = make_org(education, K.BRANCH, sector=Sector.AGENCY, code="AG2B", unit_name="教育局")  # the same unit
    head, director, deputy = leader(finance), leader(centre), leader(office, home=office)
    days_from(finance, head, D(2024, 1, 1), 90, kind=LeadershipDayKind.RESEARCH)
    days_from(centre, director, D(2024, 1, 1), 30, kind=LeadershipDayKind.RESEARCH)
    checks = by_subject(evaluate("Q-RESEARCH-DEPT"))
    assert checks == {
        (finance.pk, head.pk, ""): (Decimal(90), Decimal(90), True),
        (centre.pk, director.pk, ""): (Decimal(30), Decimal(90), False),
    }
    assert services.leadership_target(organisation=finance, year=2024) == (90, "Q-RESEARCH-DEPT")
    assert services.leadership_target(organisation=centre, year=2024) == (90, "Q-RESEARCH-DEPT")
    assert services.leadership_target(organisation=office, year=2024) is None
    assert deputy.pk not in {member for _org, member, _aspect in checks}


def test_research_and_contact_days_are_counted_apart(zone):
    """党工委班子成员每年下基层调研不少于60天 … 镇、街班子成员直接联系群众不少于120天: 下基层调研 and 直接联系群众 are two
    duties; a town leader with 119 contact days and 1 research day has 119 of the 120, a work committee member
    with 60 contact days has no research day."""
    town_leader, chair = leader(zone.t1, home=zone.b1), leader(zone.wc, home=zone.b1)
    days_from(zone.t1, town_leader, D(2024, 1, 1), 119)
    days(zone.t1, town_leader, D(2024, 6, 1), D(2024, 6, 1), kind=LeadershipDayKind.RESEARCH)
    days_from(zone.wc, chair, D(2024, 1, 1), 60)
    days(zone.wc, chair, D(2024, 7, 1), D(2024, 7, 10), kind=LeadershipDayKind.RESEARCH)
    assert by_subject(evaluate("Q-CONTACT-TOWN")) == {
        (zone.t1.pk, town_leader.pk, ""): (Decimal(119), Decimal(120), False)
    }
    assert by_subject(evaluate("Q-RESEARCH-WORKCOMMITTEE")) == {
        (zone.wc.pk, chair.pk, ""): (Decimal(10), Decimal(60), False)
    }
    row = next(r for r in selectors.leadership_table(organisation=zone.t1, year=2024, target=120, kind="contact"))
    assert (row.days, row.other_days) == (119, 1)


def test_only_members_in_post_on_the_day_active_and_in_active_teams(zone):
    former = leader(zone.t1, home=zone.b1)
    post = former.posts.get()
    branch_services.post_end(post=post, ended_on=D(2024, 5, 31))
    later = leader(zone.t1, since=D(2024, 9, 1), home=zone.b1)
    gone = leader(zone.t1, home=zone.b1)
    member_status_change(member=gone, status="deceased", on=D(2024, 8, 1), reason="病故")
    # A member's status is today's: one who has since died is not checked for earlier days either.
    assert [c.member_id for c in evaluate("Q-CONTACT-TOWN", today=D(2024, 5, 15))] == [former.pk]
    assert [c.member_id for c in evaluate("Q-CONTACT-TOWN")] == [later.pk]
    zone.t1.dissolved_on = D(2024, 12, 1)
    zone.t1.save()
    assert evaluate("Q-CONTACT-TOWN") == []


def test_a_days_finding_cites_its_clause(zone):
    member = leader(zone.t1, home=zone.b1)
    days_from(zone.t1, member, D(2024, 3, 1), 10)
    engine.compliance_run(year=2024, today=FINAL, rules=DAYS_RULES, trigger="test")
    finding = Finding.objects.get()
    assert (finding.rule, finding.organisation_id, finding.member_id, finding.period) == (
        "Q-CONTACT-TOWN",
        zone.t1.pk,
        member.pk,
        "2024",
    )
    assert (finding.measured, finding.required, finding.due_on) == (Decimal(10), Decimal(120), D(2024, 12, 31))


# Integrity pledge


def test_pledges_are_not_asked_before_july(zone):
    leader(zone.t1, home=zone.b1)
    assert evaluate("Q-INTEGRITY-PLEDGE", today=D(2024, 6, 30)) == []
    assert len(evaluate("Q-INTEGRITY-PLEDGE", today=D(2024, 7, 1))) == 4  # three teams, one member


def test_the_pledge_due_month_is_a_parameter(zone):
    """领导班子及成员要公开作出廉政承诺: the opinion fixes no date; the month by whose end the pledge is asked is the
    parameter `pledge.due_month` (June in 2015), read for the year."""
    leader(zone.t1, home=zone.b1)
    assert policy_for_year(2024)["pledge.due_month"] == Decimal(6)
    march = PolicyValues({**policy_for_year(2024), "pledge.due_month": Decimal(3)}, on=D(2024, 1, 1))
    assert evaluate("Q-INTEGRITY-PLEDGE", today=D(2024, 3, 31), values=march) == []
    asked = evaluate("Q-INTEGRITY-PLEDGE", today=D(2024, 4, 1), values=march)
    assert len(asked) == 4
    assert {c.due_on for c in asked} == {D(2024, 3, 31)}
    assert evaluate("Q-INTEGRITY-PLEDGE", today=D(2024, 4, 1)) == []


def test_team_and_member_pledges_are_checked_apart(zone):
    pledged, unpledged = leader(zone.t1, home=zone.b1), leader(zone.t1, kind=PostKind.SECRETARY, home=zone.b1)
    pledge(zone.t1, D(2024, 2, 1))
    pledge(zone.t1, D(2024, 2, 1), member=pledged)
    pledge(zone.t2, D(2023, 3, 1))  # last year's pledge
    pledge(zone.wc, D(2024, 8, 1))  # made after the day counted in July
    one, none = Decimal(1), Decimal(0)
    expected = {
        (zone.wc.pk, None, "team"): (none, one, False),
        (zone.t1.pk, None, "team"): (one, one, True),
        (zone.t2.pk, None, "team"): (none, one, False),
        (zone.t1.pk, pledged.pk, "member"): (one, one, True),
        (zone.t1.pk, unpledged.pk, "member"): (none, one, False),
    }
    assert by_subject(evaluate("Q-INTEGRITY-PLEDGE", today=D(2024, 7, 15))) == expected
    final = by_subject(evaluate("Q-INTEGRITY-PLEDGE"))
    assert final == {**expected, (zone.wc.pk, None, "team"): (one, one, True)}


def test_a_pledge_finding_cites_its_clause(zone):
    member = leader(zone.t1, home=zone.b1)
    pledge(zone.t1, D(2024, 2, 1))
    pledge(zone.wc, D(2024, 2, 1))
    pledge(zone.t2, D(2024, 2, 1))
    engine.compliance_run(year=2024, today=FINAL, rules=("Q-INTEGRITY-PLEDGE",), trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation_id", "member_id", "aspect", "period", "due_on")) == [
        ("Q-INTEGRITY-PLEDGE", zone.t1.pk, member.pk, "member", "2024", D(2024, 6, 30))
    ]


# Queries


def grow(zone, n):
    """n more towns, departments and their leaders, with days and pledges."""
    leader(zone.wc, home=zone.b1)
    for i in range(n):
        town = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, code=f"GT{i}")
        agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code=f"GA{i}")
        for team in (town, agency):
            member = leader(team, home=zone.b1)
            leader(team, kind=PostKind.SECRETARY, home=zone.b1)
            days(team, member, D(2024, 3, 1), D(2024, 3, 5))
            pledge(team, D(2024, 2, 1))
            pledge(team, D(2024, 2, 1), member=member)


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize(
    ("clause", "queries"),
    [("Q-RESEARCH-WORKCOMMITTEE", 3), ("Q-RESEARCH-DEPT", 3), ("Q-CONTACT-TOWN", 3), ("Q-INTEGRITY-PLEDGE", 3)],
)
def test_queries_do_not_grow_with_the_zone(zone, django_assert_num_queries, size, clause, queries):
    grow(zone, size)
    context = engine.RunContext(year=2024, today=FINAL, values=policy_for_year(2024))
    with django_assert_num_queries(queries):
        checks = list(RULES[clause].evaluate(context))
    assert checks
