"""Compliance rules of the yearly reports: Q-TOWN-CONGRESS and Q-ANNUAL-REPORT."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from assessments import services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.compliance.rules_reports import reporting_organisations
from assessments.enums import ReportResult, reports_annually
from assessments.models import Finding
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from branches.models import Organisation
from core.policy import policy_for_year
from tests.factories import make_org

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)
REPORT_DUE = datetime.date(2025, 3, 31)
AFTER_REPORTS = datetime.date(2025, 4, 1)
ONE, NONE = Decimal(1), Decimal(0)


def context(today=AFTER_2024, year=2024):
    return RunContext(year=year, today=today, values=policy_for_year(year))


def checks(clause, organisation=None, **kwargs):
    found = list(RULES[clause].evaluate(context(**kwargs)))
    if organisation is None:
        return found
    return [(c.measured, c.required, c.passed, c.due_on) for c in found if c.organisation_id == organisation.pk]


def session(town, held_on=datetime.date(2024, 3, 1)):
    return services.congress_session_record(
        organisation=town, held_on=held_on, deputies=80, deputies_present=76, agenda="审议党委工作报告"
    )


def secretary(zone, organisation, member=None):
    member = member or zone.b1_members[1]
    branch_services.post_assign(
        organisation=organisation, member=member, kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    return member


def report(organisation, reported_on=datetime.date(2025, 1, 15), year=2024):
    return services.annual_report_record(
        organisation=organisation,
        year=year,
        reported_on=reported_on,
        result=ReportResult.GOOD,
        published_on=reported_on,
        published_where="公开栏",
        text="述职报告",
    )


END_2024 = datetime.date(2024, 12, 31)


# Q-TOWN-CONGRESS


def test_the_congress_is_judged_only_once_the_year_is_over(zone):
    assert checks("Q-TOWN-CONGRESS", today=END_2024) == []


def test_a_town_with_its_session_passes_one_without_fails(zone, town):
    """在乡镇推行党代会年会制 (second edition: each town, not streets): a town with its session passes, one
    without fails."""
    other = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, name="中共雨敞坪镇委员会", code="T4")
    session(town.committee)
    assert checks("Q-TOWN-CONGRESS", town.committee) == [(ONE, ONE, True, END_2024)]
    assert checks("Q-TOWN-CONGRESS", other) == [(NONE, ONE, False, END_2024)]
    assert sorted(c.organisation_id for c in checks("Q-TOWN-CONGRESS")) == sorted([town.committee.pk, other.pk])


def test_streets_are_not_checked_for_the_congress(zone, town):
    """在乡镇推行党代会年会制: the 党代会年会 is the towns' (乡镇); streets (街道) have no party congress."""
    assert (zone.t1.sector, zone.t2.sector) == (Sector.STREET, Sector.STREET)
    assert [c.organisation_id for c in checks("Q-TOWN-CONGRESS")] == [town.committee.pk]


def test_a_session_early_next_year_does_not_count_for_the_year(zone, town):
    """在乡镇推行党代会年会制, each year a calendar year: a session held early the next year is the next
    year's, as the rule's own words say."""
    session(town.committee, held_on=datetime.date(2025, 1, 5))
    assert checks("Q-TOWN-CONGRESS", town.committee) == [(NONE, ONE, False, END_2024)]
    assert checks("Q-TOWN-CONGRESS", town.committee, year=2025, today=datetime.date(2026, 1, 2)) == [
        (ONE, ONE, True, datetime.date(2025, 12, 31))
    ]
    with translation.override("en"):
        assert "a session early the next year is the next year's" in str(RULES["Q-TOWN-CONGRESS"].measures)


def test_congress_findings_cite_the_clause(zone, town):
    make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, name="中共雨敞坪镇委员会", code="T4")
    session(town.committee)
    compliance_run(year=2024, today=AFTER_2024, rules=["Q-TOWN-CONGRESS"], trigger="test")
    assert list(Finding.objects.values_list("rule", "organisation__code", "period")) == [
        ("Q-TOWN-CONGRESS", "T4", "2024")
    ]


# Q-ANNUAL-REPORT


def units(zone):
    agency = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A", unit_name="管委会机关")
    make_org(agency, K.BRANCH, sector=Sector.AGENCY, code="AB", unit_name="管委会机关")  # the same unit
    office = make_org(agency, K.BRANCH, sector=Sector.AGENCY, code="AO", unit_name="政务服务中心")  # a unit of its own
    make_org(zone.wc, K.BRANCH, sector=Sector.PUBLIC_INSTITUTION, code="PX")  # no unit on record
    liaison = make_org(zone.wc, K.LIAISON_GROUP, sector=Sector.NON_PUBLIC, code="L")
    return agency, office, liaison


def test_the_top_organisation_of_each_reporting_unit_reports(zone):
    agency, office, liaison = units(zone)
    chosen = reporting_organisations(context())
    assert sorted(chosen) == sorted([zone.t1.pk, zone.t2.pk, zone.v1.pk, zone.b3.pk, agency.pk, office.pk, liaison.pk])
    assert all(reports_annually(o) for o in Organisation.objects.filter(pk__in=chosen))


def test_reports_are_judged_only_after_31_march_of_the_next_year(zone):
    assert checks("Q-ANNUAL-REPORT", today=REPORT_DUE) == []
    assert checks("Q-ANNUAL-REPORT", today=datetime.date(2024, 12, 31)) == []
    assert len(checks("Q-ANNUAL-REPORT", today=AFTER_REPORTS)) == 4


def test_a_report_given_early_next_year_passes_and_none_fails(zone):
    secretary(zone, zone.v1)
    report(zone.v1, reported_on=datetime.date(2025, 3, 20))
    report(zone.b1, reported_on=datetime.date(2024, 12, 20))  # a village's branch: not the village's report
    assert checks("Q-ANNUAL-REPORT", zone.v1, today=AFTER_REPORTS) == [(ONE, ONE, True, REPORT_DUE)]
    assert checks("Q-ANNUAL-REPORT", zone.b3, today=AFTER_REPORTS) == [(NONE, ONE, False, REPORT_DUE)]
    assert checks("Q-ANNUAL-REPORT", zone.b1, today=AFTER_REPORTS) == []
    report(zone.b3, year=2023, reported_on=datetime.date(2024, 1, 10))  # the report on another year
    assert checks("Q-ANNUAL-REPORT", zone.b3, today=AFTER_REPORTS) == [(NONE, ONE, False, REPORT_DUE)]


def test_the_report_window_says_why_it_reaches_into_the_next_year():
    """乡镇、村(社区)以及机关、事业单位每年必须组织开展1次专项述职: one report for each calendar year's work; the
    rule's own words say why a report given early the next year still counts for the year reported on."""
    with translation.override("en"):
        words = str(RULES["Q-ANNUAL-REPORT"].measures)
    assert "The special report on the calendar year (每年: the year reported on)" in words
    assert "as a report on a year's work follows the year: judged only after 31 March of the next year" in words


def test_annual_report_findings_cite_the_clause(zone):
    report(zone.b3)
    compliance_run(year=2024, today=AFTER_REPORTS, rules=["Q-ANNUAL-REPORT"], trigger="test")
    assert sorted(Finding.objects.values_list("rule", "organisation__code", "due_on")) == [
        ("Q-ANNUAL-REPORT", "T1", REPORT_DUE),
        ("Q-ANNUAL-REPORT", "T2", REPORT_DUE),
        ("Q-ANNUAL-REPORT", "V1", REPORT_DUE),
    ]


# Set-based: the same number of queries whatever the size of the zone.


def grow(zone, n):
    for i in range(n):
        town = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, code=f"XT{i}")
        village = make_org(town, K.BRANCH, sector=Sector.VILLAGE, code=f"XV{i}")
        make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code=f"XA{i}", unit_name=f"部门{i}")
        session(town)
        secretary(zone, village, member=zone.b1_members[0])
        report(village)


@pytest.mark.parametrize("size", [0, 3])
@pytest.mark.parametrize(("clause", "queries"), [("Q-TOWN-CONGRESS", 2), ("Q-ANNUAL-REPORT", 2)])
def test_queries_do_not_grow_with_the_zone(zone, town, django_assert_num_queries, size, clause, queries):
    grow(zone, size)
    run = context(today=AFTER_REPORTS)
    with django_assert_num_queries(queries):
        found = list(RULES[clause].evaluate(run))
    assert len(found) > 0
