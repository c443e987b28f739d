"""Compliance rules of posts: Q-RESERVE-CADRES, Q-DEPUTY-SECRETARY, Q-TOWN-PARTY-LEAD, Q-AGENCY-STAFF-RATIO and
Q-SOE-STAFF-RATIO, each a state on the day counted."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from assessments.compliance import engine
from assessments.compliance.catalogue import RULES
from assessments.compliance.selectors import aspect_label
from assessments.models import Finding
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from core.policy import PolicyValues, policy_for_year
from members.services import member_status_change
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
FINAL = datetime.date(2025, 1, 10)
SINCE = datetime.date(2023, 1, 1)
D = datetime.date
POST_RULES = (
    "Q-RESERVE-CADRES",
    "Q-DEPUTY-SECRETARY",
    "Q-TOWN-PARTY-LEAD",
    "Q-AGENCY-STAFF-RATIO",
    "Q-SOE-STAFF-RATIO",
)


def evaluate(clause, today=FINAL, year=2024, **values):
    policy = policy_for_year(year)
    context = engine.RunContext(year=year, today=today, values=PolicyValues({**policy, **values}, on=policy.on))
    return list(RULES[clause].evaluate(context))


def by_subject(checks):
    return {(c.organisation_id, c.aspect): (c.measured, c.required, c.passed) for c in checks}


def post(organisation, kind, member=None, since=SINCE, full_time=False, home=None):
    member = member or MemberFactory(organisation=home or organisation)
    return branch_services.post_assign(
        organisation=organisation, member=member, kind=kind, started_on=since, is_full_time=full_time
    )


def result(measured, required):
    return Decimal(measured), Decimal(required), measured >= required


# Q-RESERVE-CADRES


def test_reserve_cadres_anywhere_in_the_village_count(zone):
    post(zone.b1, PostKind.RESERVE_CADRE)
    post(zone.g1, PostKind.RESERVE_CADRE, home=zone.b1)
    post(zone.b3, PostKind.RESERVE_CADRE)
    # V1 is the village (B1, B2 and G1 lie under it); B3 is the community.
    assert by_subject(evaluate("Q-RESERVE-CADRES")) == {(zone.v1.pk, ""): result(2, 2), (zone.b3.pk, ""): result(1, 2)}


def test_reserve_cadres_are_people_in_post_on_the_day(zone):
    twice = MemberFactory(organisation=zone.b1)
    post(zone.b1, PostKind.RESERVE_CADRE, member=twice)
    post(zone.b2, PostKind.RESERVE_CADRE, member=twice)
    ended = post(zone.b2, PostKind.RESERVE_CADRE, home=zone.b2)
    branch_services.post_end(post=ended, ended_on=D(2024, 3, 31))
    post(zone.b2, PostKind.RESERVE_CADRE, since=D(2024, 6, 1), home=zone.b2)
    gone = post(zone.b1, PostKind.RESERVE_CADRE, home=zone.b1).member
    member_status_change(member=gone, status="left", on=D(2024, 2, 1), reason="退党")
    checks = evaluate("Q-RESERVE-CADRES", today=D(2024, 3, 1))
    assert by_subject(checks)[(zone.v1.pk, "")] == result(2, 2)  # the member with two posts, the one ending
    assert {(c.period, c.due_on) for c in checks} == {("2024", D(2024, 3, 1))}
    assert by_subject(evaluate("Q-RESERVE-CADRES", today=D(2024, 5, 1)))[(zone.v1.pk, "")] == result(1, 2)
    assert by_subject(evaluate("Q-RESERVE-CADRES"))[(zone.v1.pk, "")] == result(2, 2)


def test_every_village_top_is_checked_and_the_minimum_is_the_policys(zone):
    village = make_org(zone.t2, K.BRANCH, sector=Sector.VILLAGE, code="V2")
    post(village, PostKind.RESERVE_CADRE)
    checks = by_subject(evaluate("Q-RESERVE-CADRES", **{"reserve_cadres.minimum": Decimal(1)}))
    assert checks == {(zone.v1.pk, ""): result(0, 1), (zone.b3.pk, ""): result(0, 1), (village.pk, ""): result(1, 1)}


# Q-DEPUTY-SECRETARY


def test_deputy_secretary_of_a_large_enterprise_whose_investor_is_secretary(zone):
    flagged = {"is_large_enterprise": True, "main_investor_is_secretary": True}
    enterprise = make_org(zone.t2, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="E1", **flagged)
    staffed = make_org(zone.t2, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="E2", **flagged)
    make_org(zone.t2, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="E3", is_large_enterprise=True)
    make_org(zone.t2, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="E4", main_investor_is_secretary=True)
    workshop = make_org(enterprise, K.BRANCH, sector=Sector.NON_PUBLIC, code="E1B")
    post(workshop, PostKind.DEPUTY_SECRETARY)  # a branch's deputy is not the committee's
    post(staffed, PostKind.DEPUTY_SECRETARY, home=zone.b1)
    checks = evaluate("Q-DEPUTY-SECRETARY", today=D(2024, 4, 1))
    assert by_subject(checks) == {(enterprise.pk, ""): result(0, 1), (staffed.pk, ""): result(1, 1)}
    assert {(c.period, c.due_on) for c in checks} == {("2024", D(2024, 4, 1))}


# Q-TOWN-PARTY-LEAD


def test_town_committee_lead_and_full_time_staff(zone, town):
    """乡镇(街道)党委(党工委)要明确1名班子成员重点抓党建,并配备不少于1名专职党务干部: towns and streets alike."""
    make_org(zone.t1, K.PARTY_COMMITTEE, sector=Sector.STREET, code="T1S")  # under a street committee: not a street
    lead = post(zone.t1, PostKind.DEPUTY_SECRETARY, home=zone.b1).member
    post(zone.t1, PostKind.PARTY_BUILDING_LEAD, member=lead)
    post(zone.t1, PostKind.PARTY_AFFAIRS_STAFF, full_time=True, home=zone.b1)
    post(zone.t2, PostKind.PARTY_AFFAIRS_STAFF, home=zone.b3)  # part-time
    post(zone.b3, PostKind.PARTY_AFFAIRS_STAFF, full_time=True)  # a branch's, not the committee's
    town_lead = post(town.committee, PostKind.SECRETARY, member=town.member).member
    post(town.committee, PostKind.PARTY_BUILDING_LEAD, member=town_lead)
    post(town.committee, PostKind.PARTY_AFFAIRS_STAFF, full_time=True, home=town.village)
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", today=D(2024, 2, 1))) == {
        (zone.t1.pk, "lead"): result(1, 1),
        (zone.t1.pk, "staff"): result(1, 1),
        (zone.t2.pk, "lead"): result(0, 1),
        (zone.t2.pk, "staff"): result(0, 1),
        (town.committee.pk, "lead"): result(1, 1),
        (town.committee.pk, "staff"): result(1, 1),
    }


def test_town_party_lead_must_be_a_leadership_member_on_the_day(zone):
    """乡镇(街道)党委(党工委)要明确1名班子成员重点抓党建: the lead is a 班子成员 of the committee (a committee
    post there on the day counted), not any person named to the post."""
    outsider = post(zone.t1, PostKind.PARTY_BUILDING_LEAD, home=zone.b1).member  # no committee post
    member_of_another_team = post(zone.b3, PostKind.COMMITTEE_MEMBER).member
    post(zone.t2, PostKind.PARTY_BUILDING_LEAD, member=member_of_another_team)  # a branch's committee, not T2's
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", today=D(2024, 2, 1)))[(zone.t1.pk, "lead")] == result(0, 1)
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", today=D(2024, 2, 1)))[(zone.t2.pk, "lead")] == result(0, 1)
    # On the committee from 1 March: the lead counts from that day, not before.
    post(zone.t1, PostKind.COMMITTEE_MEMBER, member=outsider, since=D(2024, 3, 1))
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", today=D(2024, 2, 29)))[(zone.t1.pk, "lead")] == result(0, 1)
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", today=D(2024, 3, 1)))[(zone.t1.pk, "lead")] == result(1, 1)


def test_town_full_time_staff_boundary(zone):
    post(zone.t1, PostKind.PARTY_AFFAIRS_STAFF, full_time=True, home=zone.b1)
    two = {"town.full_time_cadres": Decimal(2)}
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", **two))[(zone.t1.pk, "staff")] == result(1, 2)
    post(zone.t1, PostKind.PARTY_AFFAIRS_STAFF, full_time=True, home=zone.b1)
    assert by_subject(evaluate("Q-TOWN-PARTY-LEAD", **two))[(zone.t1.pk, "staff")] == result(2, 2)


# Staff ratios


@pytest.mark.parametrize(("cadres", "required"), [(100, 1), (101, 2), (0, 1), (250, 3)])
def test_agency_staff_rounded_up_at_least_one(zone, cadres, required):
    agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A1", cadre_count=cadres)
    office = make_org(agency, K.BRANCH, sector=Sector.AGENCY, code="A1B")
    unknown = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A2")  # no cadre count: unknown
    for _n in range(required - 1):
        post(office, PostKind.PARTY_AFFAIRS_STAFF)
    not_judged = (Decimal(0), Decimal(1), False)
    assert by_subject(evaluate("Q-AGENCY-STAFF-RATIO")) == {
        (agency.pk, ""): result(required - 1, required),
        (unknown.pk, "unknown"): not_judged,
    }
    post(agency, PostKind.PARTY_AFFAIRS_STAFF, home=office)
    assert by_subject(evaluate("Q-AGENCY-STAFF-RATIO")) == {
        (agency.pk, ""): result(required, required),
        (unknown.pk, "unknown"): not_judged,
    }


def test_an_agency_without_its_cadre_count_is_unknown_not_skipped(zone):
    """机关要按照机关干部总数的1%配备党务工作人员: without the 机关干部总数 the share cannot be judged, so the agency
    is reported as unknown (never passed) instead of being left out; an umbrella committee whose agencies carry
    their own counts, and the branches inside a counted agency, are not."""
    umbrella = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="AGC", name="中共高新区机关委员会")
    counted = make_org(umbrella, K.BRANCH, sector=Sector.AGENCY, code="AG1", unit_name="财政局", cadre_count=50)
    make_org(counted, K.PARTY_GROUP, sector=Sector.AGENCY, code="AG1G")
    missing = make_org(umbrella, K.BRANCH, sector=Sector.AGENCY, code="AG2", unit_name="教育局")
    post(missing, PostKind.PARTY_AFFAIRS_STAFF)
    checks = by_subject(evaluate("Q-AGENCY-STAFF-RATIO"))
    assert checks == {(counted.pk, ""): result(0, 1), (missing.pk, "unknown"): (Decimal(1), Decimal(1), False)}
    engine.compliance_run(year=2024, today=FINAL, rules=["Q-AGENCY-STAFF-RATIO"], trigger="test")
    finding = Finding.objects.get(organisation=missing)
    with translation.override("zh-hans"):
        label = aspect_label(finding)
    assert (finding.rule, finding.aspect, label) == (
        "Q-AGENCY-STAFF-RATIO",
        "unknown",
        "未知：机关干部总数未登记",
    )


def test_agency_staff_of_nested_units_count_for_both(zone):
    agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A1", cadre_count=150)
    bureau = make_org(agency, K.GENERAL_BRANCH, sector=Sector.AGENCY, code="A1G", cadre_count=40)
    office = make_org(bureau, K.BRANCH, sector=Sector.AGENCY, code="A1B")
    post(office, PostKind.PARTY_AFFAIRS_STAFF)
    post(zone.b1, PostKind.PARTY_AFFAIRS_STAFF)  # outside every agency
    assert by_subject(evaluate("Q-AGENCY-STAFF-RATIO", today=D(2024, 5, 1))) == {
        (agency.pk, ""): result(1, 2),
        (bureau.pk, ""): result(1, 1),
    }


@pytest.mark.parametrize(("employees", "required"), [(100, 1), (101, 2), (250, 3)])
def test_soe_political_workers_rounded_up(zone, employees, required):
    soe = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code="S1", employee_count=employees)
    workshop = make_org(soe, K.BRANCH, sector=Sector.SOE, code="S1B")
    post(workshop, PostKind.PARTY_AFFAIRS_STAFF)  # not a political worker
    for _n in range(required - 1):
        post(workshop, PostKind.POLITICAL_WORKER)
    assert by_subject(evaluate("Q-SOE-STAFF-RATIO")) == {(soe.pk, ""): result(required - 1, required)}
    post(soe, PostKind.POLITICAL_WORKER, home=workshop)
    assert by_subject(evaluate("Q-SOE-STAFF-RATIO")) == {(soe.pk, ""): result(required, required)}


def test_soe_without_employees_needs_no_political_worker(zone):
    soe = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code="S1", employee_count=0)
    make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code="S2")  # no employee count: not checked
    assert by_subject(evaluate("Q-SOE-STAFF-RATIO")) == {(soe.pk, ""): result(0, 0)}


def test_dissolved_units_are_not_checked(zone):
    soe = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code="S1", employee_count=10)
    soe.dissolved_on = D(2024, 3, 1)
    soe.save()
    assert evaluate("Q-SOE-STAFF-RATIO", today=D(2024, 2, 1))[0].organisation_id == soe.pk
    assert evaluate("Q-SOE-STAFF-RATIO", today=D(2024, 3, 1)) == []


def test_findings_cite_their_clauses(zone):
    make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A1", cadre_count=10)
    make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code="S1", employee_count=10)
    make_org(
        zone.t2,
        K.PARTY_COMMITTEE,
        sector=Sector.NON_PUBLIC,
        code="E1",
        is_large_enterprise=True,
        main_investor_is_secretary=True,
    )
    lead = post(zone.t1, PostKind.SECRETARY, home=zone.b1).member
    post(zone.t1, PostKind.PARTY_BUILDING_LEAD, member=lead)
    engine.compliance_run(year=2024, today=FINAL, rules=POST_RULES, trigger="test")
    assert sorted(Finding.objects.values_list("rule", "organisation__code", "aspect", "period")) == [
        ("Q-AGENCY-STAFF-RATIO", "A1", "", "2024"),
        ("Q-DEPUTY-SECRETARY", "E1", "", "2024"),
        ("Q-RESERVE-CADRES", "B3", "", "2024"),
        ("Q-RESERVE-CADRES", "V1", "", "2024"),
        ("Q-SOE-STAFF-RATIO", "S1", "", "2024"),
        ("Q-TOWN-PARTY-LEAD", "T1", "staff", "2024"),
        ("Q-TOWN-PARTY-LEAD", "T2", "lead", "2024"),
        ("Q-TOWN-PARTY-LEAD", "T2", "staff", "2024"),
    ]


# Queries


def grow(zone, n):
    """n more towns with a village, agencies, enterprises and posts in them."""
    for i in range(n):
        town = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, code=f"GT{i}")
        village = make_org(town, K.GENERAL_BRANCH, sector=Sector.VILLAGE, code=f"GV{i}")
        branch = make_org(village, K.BRANCH, sector=Sector.VILLAGE, code=f"GB{i}")
        agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code=f"GA{i}", cadre_count=120)
        soe = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code=f"GS{i}", employee_count=80)
        enterprise = make_org(
            zone.wc,
            K.PARTY_COMMITTEE,
            sector=Sector.NON_PUBLIC,
            code=f"GE{i}",
            is_large_enterprise=True,
            main_investor_is_secretary=True,
        )
        post(branch, PostKind.RESERVE_CADRE)
        lead = post(town, PostKind.COMMITTEE_MEMBER, home=branch).member
        post(town, PostKind.PARTY_BUILDING_LEAD, member=lead)
        post(town, PostKind.PARTY_AFFAIRS_STAFF, full_time=True, home=branch)
        post(agency, PostKind.PARTY_AFFAIRS_STAFF, home=branch)
        post(soe, PostKind.POLITICAL_WORKER, home=branch)
        post(enterprise, PostKind.DEPUTY_SECRETARY, home=branch)


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize(
    ("clause", "queries"),
    [
        ("Q-RESERVE-CADRES", 2),
        ("Q-DEPUTY-SECRETARY", 2),
        ("Q-TOWN-PARTY-LEAD", 4),
        ("Q-AGENCY-STAFF-RATIO", 3),
        ("Q-SOE-STAFF-RATIO", 2),
    ],
)
def test_queries_do_not_grow_with_the_zone(zone, django_assert_num_queries, size, clause, queries):
    grow(zone, size)
    context = engine.RunContext(year=2024, today=FINAL, values=policy_for_year(2024))
    with django_assert_num_queries(queries):
        checks = list(RULES[clause].evaluate(context))
    assert len(checks) >= size
