"""Compliance rules of venues: Q-VENUE-SIXHAVE and Q-VENUE-NONPUBLIC."""

import datetime
from decimal import Decimal

import pytest

from assessments import services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.enums import SixStandard, VenueKind
from assessments.models import Finding
from branches.enums import OrganisationKind as K
from branches.enums import Sector
from core.policy import PolicyValues, policy_for_year
from tests.factories import make_org

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)
MID_2024 = datetime.date(2024, 7, 1)
CHECKED = datetime.date(2024, 5, 6)
SIX = Decimal(len(SixStandard))


def context(today=AFTER_2024, year=2024, **values):
    policy = policy_for_year(year)
    if values:
        policy = PolicyValues({**policy, **values}, on=policy.on)
    return RunContext(year=year, today=today, values=policy)


def checks(clause, organisation=None, **kwargs):
    found = list(RULES[clause].evaluate(context(**kwargs)))
    if organisation is None:
        return found
    return [(c.measured, c.required, c.passed, c.due_on) for c in found if c.organisation_id == organisation.pk]


def venue(organisation, kind=VenueKind.ACTIVITY_VENUE, met=6, opened_on=None):
    v = services.venue_create(
        organisation=organisation,
        data={"kind": kind, "name": "党员活动室", "address": "村部二楼", "opened_on": opened_on},
    )
    standards = list(SixStandard)
    checks_ = {s: (i < met, "现场核实" if i < met else "", None) for i, s in enumerate(standards)}
    services.venue_checks_record(venue=v, checked_on=CHECKED, checks=checks_)
    return v


END_2024 = datetime.date(2024, 12, 31)


# Q-VENUE-SIXHAVE


def test_each_village_and_community_top_is_checked_once(zone):
    found = checks("Q-VENUE-SIXHAVE")
    assert sorted(c.organisation_id for c in found) == sorted([zone.v1.pk, zone.b3.pk])
    assert {c.period for c in found} == {"2024"}


def test_a_venue_meeting_all_six_passes_and_five_fail(zone):
    venue(zone.v1, met=5)
    assert checks("Q-VENUE-SIXHAVE", zone.v1) == [(Decimal(5), SIX, False, END_2024)]
    venue(zone.b1, met=6)  # a venue of the village's own branch is the village's
    assert checks("Q-VENUE-SIXHAVE", zone.v1) == [(SIX, SIX, True, END_2024)]
    assert checks("Q-VENUE-SIXHAVE", zone.b3) == [(Decimal(0), SIX, False, END_2024)]


def test_only_activity_venues_in_use_on_the_day_count(zone):
    venue(zone.b3, kind=VenueKind.SERVICE_CENTRE)
    venue(zone.b3, opened_on=datetime.date(2024, 8, 1))
    assert checks("Q-VENUE-SIXHAVE", zone.b3, today=MID_2024) == [(Decimal(0), SIX, False, END_2024)]
    assert checks("Q-VENUE-SIXHAVE", zone.b3) == [(SIX, SIX, True, END_2024)]


def test_a_village_below_standard_before_the_deadline_is_progress_not_a_finding(zone):
    """ "通过三年左右的努力,实现村(社区)组织未达标的活动服务场所动态“清零”": the villages and communities have
    until the end of 2017; before the deadline has passed, a venue below standard is progress toward
    it (passed: no finding), whatever year it is judged in later."""
    deadline = datetime.date(2017, 12, 31)
    venue(zone.v1, met=4)
    assert checks("Q-VENUE-SIXHAVE", zone.v1, year=2016, today=datetime.date(2016, 6, 1)) == [
        (Decimal(4), SIX, True, deadline)
    ]
    assert checks("Q-VENUE-SIXHAVE", zone.b3, year=2016, today=datetime.date(2016, 6, 1)) == [
        (Decimal(0), SIX, True, deadline)
    ]
    # 2016 judged after the deadline: on its day counted (31 December 2016) the deadline had not passed.
    assert checks("Q-VENUE-SIXHAVE", zone.b3, year=2016) == [(Decimal(0), SIX, True, deadline)]
    # The deadline year itself: still progress on its last day, a finding once it is over.
    assert checks("Q-VENUE-SIXHAVE", zone.b3, year=2017, today=deadline) == [(Decimal(0), SIX, True, deadline)]
    assert checks("Q-VENUE-SIXHAVE", zone.b3, year=2017, today=datetime.date(2018, 1, 1)) == [
        (Decimal(0), SIX, False, deadline)
    ]
    assert checks("Q-VENUE-SIXHAVE", zone.b3, year=2018) == [(Decimal(0), SIX, False, datetime.date(2018, 12, 31))]
    later = {"venue.six_standard_deadline": Decimal(2025)}
    assert checks("Q-VENUE-SIXHAVE", zone.b3, today=MID_2024, **later) == [
        (Decimal(0), SIX, True, datetime.date(2025, 12, 31))
    ]


def test_before_the_deadline_no_finding_and_no_points_off_the_weak_score(zone):
    """ "通过三年左右的努力……动态清零": a village without a standard venue in 2016 is on its way; its weak-
    organisation score is not lowered for it. After the deadline it is (2018)."""
    from assessments.weak import weak_scores

    venue(zone.v1, met=6)
    compliance_run(year=2016, today=datetime.date(2017, 1, 10), rules=["Q-VENUE-SIXHAVE"], trigger="test")
    assert Finding.objects.filter(year=2016).count() == 0
    b3_2016 = next(
        r for r in weak_scores(year=2016, today=datetime.date(2017, 1, 10)) if r.organisation_id == zone.b3.pk
    )
    assert "open_clause" not in b3_2016.deductions
    compliance_run(year=2018, today=datetime.date(2019, 1, 10), rules=["Q-VENUE-SIXHAVE"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "year")) == [("Q-VENUE-SIXHAVE", "B3", 2018)]
    b3_2018 = next(
        r for r in weak_scores(year=2018, today=datetime.date(2019, 1, 10)) if r.organisation_id == zone.b3.pk
    )
    assert (b3_2018.deductions["open_clause"], b3_2018.deductions["clauses"]) == ("10", ["Q-VENUE-SIXHAVE"])
    assert b3_2018.score == b3_2016.score - 10


def test_the_venues_page_shows_progress_before_the_deadline_and_findings_after(zone):
    from assessments import selectors

    assert selectors.venue_deadline_state(today=datetime.date(2016, 5, 1)) == {
        "deadline": datetime.date(2017, 12, 31),
        "deadline_passed": False,
    }
    assert selectors.venue_deadline_state(today=datetime.date(2018, 1, 1))["deadline_passed"] is True


def test_a_dissolved_village_is_not_checked_and_its_sub_organisation_becomes_the_top(zone):
    zone.v1.dissolved_on = datetime.date(2024, 3, 1)
    zone.v1.save()
    assert sorted(c.organisation_id for c in checks("Q-VENUE-SIXHAVE")) == sorted([zone.b1.pk, zone.b2.pk, zone.b3.pk])
    assert sorted(c.organisation_id for c in checks("Q-VENUE-SIXHAVE", year=2023, today=datetime.date(2024, 1, 5))) == (
        sorted([zone.v1.pk, zone.b3.pk])
    )


def test_six_standard_findings_cite_the_clause(zone):
    venue(zone.v1)
    compliance_run(year=2024, today=MID_2024, rules=["Q-VENUE-SIXHAVE"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "measured", "required", "due_on")) == [
        ("Q-VENUE-SIXHAVE", "B3", Decimal(0), SIX, END_2024)
    ]


# Q-VENUE-NONPUBLIC


def non_public(zone):
    committee = make_org(
        zone.wc, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code="NP", name="中共甲科技有限公司委员会"
    )
    branch = make_org(committee, K.BRANCH, sector=Sector.NON_PUBLIC, code="NPB")
    social = make_org(zone.wc, K.GENERAL_BRANCH, sector=Sector.SOCIAL_ORGANISATION, code="SO")
    make_org(zone.wc, K.BRANCH, sector=Sector.NON_PUBLIC, code="NPX")  # a branch only: not held to it
    return committee, branch, social


def test_non_public_committees_and_general_branches_are_checked(zone):
    committee, _branch, social = non_public(zone)
    assert sorted(c.organisation_id for c in checks("Q-VENUE-NONPUBLIC")) == sorted([committee.pk, social.pk])


def test_a_venue_of_their_own_passes_none_fails(zone):
    committee, branch, social = non_public(zone)
    venue(social, kind=VenueKind.SERVICE_CENTRE)
    assert checks("Q-VENUE-NONPUBLIC", social, today=MID_2024) == [(Decimal(0), Decimal(1), False, END_2024)]
    venue(social, met=0)
    assert checks("Q-VENUE-NONPUBLIC", social, today=MID_2024) == [(Decimal(1), Decimal(1), True, END_2024)]
    venue(branch, met=0)  # the enterprise's own branch's venue is the enterprise's
    assert checks("Q-VENUE-NONPUBLIC", committee, today=MID_2024) == [(Decimal(1), Decimal(1), True, END_2024)]


def test_non_public_findings_cite_the_clause(zone):
    non_public(zone)
    compliance_run(year=2024, today=MID_2024, rules=["Q-VENUE-NONPUBLIC"], trigger="test")
    assert sorted(Finding.objects.values_list("rule", "organisation__code")) == [
        ("Q-VENUE-NONPUBLIC", "NP"),
        ("Q-VENUE-NONPUBLIC", "SO"),
    ]


# Set-based: the same number of queries whatever the size of the zone.


def grow(zone, n):
    for i in range(n):
        village = make_org(zone.t1, K.GENERAL_BRANCH, sector=Sector.VILLAGE, code=f"XV{i}")
        venue(make_org(village, K.BRANCH, sector=Sector.VILLAGE, code=f"XB{i}"), met=i)
        venue(make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.NON_PUBLIC, code=f"XN{i}"))


@pytest.mark.parametrize("size", [0, 3])
@pytest.mark.parametrize(("clause", "queries"), [("Q-VENUE-SIXHAVE", 2), ("Q-VENUE-NONPUBLIC", 2)])
def test_queries_do_not_grow_with_the_zone(zone, django_assert_num_queries, size, clause, queries):
    non_public(zone)
    grow(zone, size)
    run = context()
    with django_assert_num_queries(queries):
        found = list(RULES[clause].evaluate(run))
    assert len(found) > 0
