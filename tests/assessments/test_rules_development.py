"""Compliance rule N-DEVELOPMENT: the time limits of member development a candidacy records."""

import datetime
import itertools
from decimal import Decimal

import pytest

from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.models import Finding
from branches.enums import OrganisationKind as K
from branches.enums import Sector
from core.idcard import id_make
from core.policy import policy_for_year
from members import development
from members.models import Candidate
from tests.factories import make_org

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)
MID_2024 = datetime.date(2024, 7, 1)
D = datetime.date
SEQUENCE = itertools.count(101)


def context(today=AFTER_2024, year=2024):
    return RunContext(year=year, today=today, values=policy_for_year(year))


def checks(candidate, **kwargs):
    """(step, measured, required, passed, due on) of one candidate."""
    prefix = f"{candidate.pk}:"
    return {
        c.aspect.removeprefix(prefix): (c.measured, c.required, c.passed, c.due_on)
        for c in RULES["N-DEVELOPMENT"].evaluate(context(**kwargs))
        if c.aspect.startswith(prefix) and c.organisation_id == candidate.organisation_id and c.member_id is None
    }


def applicant(zone, applied_on, born=None, organisation=None):
    return development.candidate_apply(
        organisation=organisation or zone.b1,
        name="申请人",
        applied_on=applied_on,
        id_number=id_make(area="430104", born=born or D(1999, 3, 3), sequence=next(SEQUENCE), male=True),
    )


def activist(candidate, talked_on, activist_on):
    development.candidate_talk(candidate=candidate, on=talked_on, by="支部书记")
    return development.candidate_make_activist(candidate=candidate, on=activist_on)


def test_a_talk_within_a_month_passes_and_a_day_later_fails(zone):
    on_time, late = zone.b1_candidate, zone.b3_candidate  # both applied on 1 January 2024
    development.candidate_talk(candidate=on_time, on=D(2024, 2, 1), by="支部书记")
    development.candidate_talk(candidate=late, on=D(2024, 2, 2), by="支部书记")
    assert checks(on_time, today=MID_2024)["talk"] == (Decimal(31), Decimal(31), True, D(2024, 2, 1))
    assert checks(late, today=MID_2024)["talk"] == (Decimal(32), Decimal(31), False, D(2024, 2, 1))


def test_a_talk_is_judged_once_its_month_is_over_in_the_year_it_ends(zone):
    candidate = zone.b1_candidate
    assert "talk" not in checks(candidate, today=D(2024, 2, 1))
    # Not held by 2 February: at the soonest on the 3rd, 33 days after the application.
    assert checks(candidate, today=D(2024, 2, 2))["talk"] == (Decimal(33), Decimal(31), False, D(2024, 2, 1))
    december = applicant(zone, D(2024, 12, 15))
    assert "talk" not in checks(december)
    assert checks(december, year=2025, today=D(2025, 2, 1))["talk"][2] is False


def test_an_activist_reviewed_within_six_months_passes_a_day_later_fails(zone):
    candidate = activist(zone.b1_candidate, D(2024, 1, 10), D(2024, 1, 25))
    assert checks(candidate, today=D(2024, 7, 25))["review"] == (Decimal(182), Decimal(182), True, D(2024, 7, 25))
    assert checks(candidate, today=D(2024, 7, 26))["review"] == (Decimal(183), Decimal(182), False, D(2024, 7, 25))
    development.candidate_review(candidate=candidate, on=D(2024, 7, 20))
    assert checks(candidate)["review"] == (Decimal(164), Decimal(184), True, D(2025, 1, 20))


def test_a_development_target_after_a_full_year_passes_a_day_earlier_fails(zone):
    candidate = activist(zone.b1_candidate, D(2024, 1, 10), D(2024, 1, 25))
    development.candidate_make_target(candidate=candidate, on=D(2025, 1, 25))
    assert checks(candidate, year=2025, today=D(2026, 1, 5))["target"] == (
        Decimal(366),
        Decimal(366),
        True,
        D(2025, 1, 25),
    )
    Candidate.objects.filter(pk=candidate.pk).update(target_on=D(2025, 1, 24))
    assert checks(candidate, year=2025, today=D(2026, 1, 5))["target"] == (
        Decimal(365),
        Decimal(366),
        False,
        D(2025, 1, 24),
    )
    assert "review" not in checks(candidate, year=2025, today=D(2026, 1, 5))  # no longer an activist


def test_two_introducers_pass_one_fails(zone):
    candidate = activist(zone.b1_candidate, D(2024, 1, 10), D(2024, 1, 25))
    development.candidate_make_target(candidate=candidate, on=D(2025, 2, 1))
    development.candidate_admit(candidate=candidate, on=D(2025, 3, 1), introducers=zone.b1_members[:2])
    after = {"year": 2025, "today": D(2026, 1, 5)}
    assert checks(candidate, **after)["introducers"] == (Decimal(2), Decimal(2), True, D(2025, 3, 1))
    candidate.introducers.remove(zone.b1_members[1])
    assert checks(candidate, **after)["introducers"] == (Decimal(1), Decimal(2), False, D(2025, 3, 1))
    assert checks(candidate, year=2026, today=D(2026, 11, 1)) == {}  # admitted in an earlier year


def test_an_applicant_of_18_passes_and_one_day_younger_fails(zone):
    candidate = applicant(zone, D(2024, 3, 3), born=D(2006, 3, 3))
    assert checks(candidate, today=MID_2024)["age"] == (Decimal(18), Decimal(18), True, D(2024, 3, 3))
    Candidate.objects.filter(pk=candidate.pk).update(applied_on=D(2024, 3, 2))
    assert checks(candidate, today=MID_2024)["age"] == (Decimal(17), Decimal(18), False, D(2024, 3, 2))
    assert "age" not in checks(candidate, year=2025, today=D(2025, 6, 1))  # judged in the year of application


def test_withdrawn_candidates_are_not_judged_after_they_leave(zone):
    candidate = zone.b3_candidate
    development.candidate_withdraw(candidate=candidate, on=D(2024, 5, 1), reason="本人撤回")
    assert checks(candidate) == {}
    assert checks(candidate, today=D(2024, 4, 1))["talk"][2] is False  # still in the pipeline then


def test_development_findings_cite_the_clause_per_candidate_and_step(zone):
    development.candidate_talk(candidate=zone.b1_candidate, on=D(2024, 1, 5), by="支部书记")
    compliance_run(year=2024, today=AFTER_2024, rules=["N-DEVELOPMENT"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "member", "period", "aspect")) == [
        ("N-DEVELOPMENT", "B3", None, "2024", f"{zone.b3_candidate.pk}:talk")
    ]
    assert len(f"{10**12 - 1}:introducers") <= Finding._meta.get_field("aspect").max_length


def test_within_one_month_is_a_calendar_month_not_31_days(zone):
    """ "党组织收到入党申请书后,应当在一个月内派人同入党申请人谈话" (第七条): one calendar month, so an
    application of 31 January 2024 is talked with by 29 February, not by 2 March (31 days)."""
    candidate = applicant(zone, D(2024, 1, 31))
    development.candidate_talk(candidate=candidate, on=D(2024, 3, 1), by="支部书记")
    assert checks(candidate, today=MID_2024)["talk"] == (Decimal(30), Decimal(29), False, D(2024, 2, 29))
    Candidate.objects.filter(pk=candidate.pk).update(talked_on=D(2024, 2, 29))
    assert checks(candidate, today=MID_2024)["talk"] == (Decimal(29), Decimal(29), True, D(2024, 2, 29))


def admitted(zone, admitted_on):
    candidate = activist(applicant(zone, D(2022, 1, 2)), D(2022, 1, 10), D(2022, 1, 25))
    development.candidate_make_target(candidate=candidate, on=D(2023, 2, 1))
    development.candidate_admit(candidate=candidate, on=admitted_on, introducers=zone.b1_members[:2])
    candidate.refresh_from_db()
    return candidate


def test_the_higher_committees_approval_within_three_months_is_checked(zone):
    """ "上级党委应当在收到党支部接收预备党员的决议后三个月内审批": the approval of an admission of 1 March is
    due by 1 June; a later one is late, none by then is a finding."""
    candidate = admitted(zone, D(2024, 3, 1))
    assert "approval" not in checks(candidate, today=D(2024, 6, 1))  # the limit runs to 1 June
    assert checks(candidate, today=D(2024, 6, 2))["approval"] == (Decimal(94), Decimal(92), False, D(2024, 6, 1))
    development.candidate_approve(candidate=candidate, on=D(2024, 6, 1))
    assert checks(candidate)["approval"] == (Decimal(92), Decimal(92), True, D(2024, 6, 1))
    Candidate.objects.filter(pk=candidate.pk).update(approved_on=D(2024, 6, 2))
    assert checks(candidate)["approval"] == (Decimal(93), Decimal(92), False, D(2024, 6, 1))


def test_an_admission_late_in_the_year_is_judged_for_its_approval_the_next_year(zone):
    candidate = admitted(zone, D(2023, 11, 20))
    assert "approval" not in checks(candidate, year=2023, today=D(2024, 1, 10))
    assert checks(candidate)["approval"] == (Decimal(408), Decimal(92), False, D(2024, 2, 20))


def test_development_numbers_are_parameters_of_the_year(zone):
    """N-DEVELOPMENT numbers are policy parameters: a later revision (here 2 months to talk) judges
    its years and leaves the earlier ones as they were."""
    from core import services as policy_services

    policy_services.policy_revision_save(
        name="2025年调整",
        effective_from=D(2025, 1, 1),
        source="组织人事局文件",
        values={"development.talk_within_months": Decimal(2)},
        today=D(2024, 12, 1),
    )
    candidate = applicant(zone, D(2024, 1, 31))
    development.candidate_talk(candidate=candidate, on=D(2024, 3, 1), by="支部书记")
    assert checks(candidate, today=MID_2024)["talk"][2] is False
    later = applicant(zone, D(2025, 1, 31))
    development.candidate_talk(candidate=later, on=D(2025, 3, 1), by="支部书记")
    assert checks(later, year=2025, today=D(2025, 7, 1))["talk"] == (Decimal(29), Decimal(59), True, D(2025, 3, 31))


# Set-based: the same number of queries whatever the size of the zone.


def grow(zone, n):
    for i in range(n):
        branch = make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, code=f"X{i}")
        candidate = activist(applicant(zone, D(2023, 1, 2), organisation=branch), D(2023, 1, 9), D(2023, 1, 20))
        development.candidate_make_target(candidate=candidate, on=D(2024, 2, 1))
        development.candidate_admit(candidate=candidate, on=D(2024, 3, 1), introducers=zone.b1_members[:2])
        applicant(zone, D(2024, 2, 1), organisation=branch)


@pytest.mark.parametrize("size", [0, 3])
def test_queries_do_not_grow_with_the_zone(zone, django_assert_num_queries, size):
    grow(zone, size)
    run = context()
    with django_assert_num_queries(2):
        found = list(RULES["N-DEVELOPMENT"].evaluate(run))
    # age and talk of each applicant; target, introducers and the approval of each admitted
    assert len(found) == 4 + 5 * size
