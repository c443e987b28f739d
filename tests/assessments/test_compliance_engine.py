"""The compliance run (issue 6): idempotent, one writer a year, failure writes nothing, fair during the year."""

import datetime
from decimal import Decimal

import pytest

from assessments import services
from assessments.compliance import base, engine
from assessments.models import ComplianceRun, Finding, RuleTally

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)


def meeting(zone, kind, day, organisation=None, hours=None):
    members = zone.b1_members if organisation is None else []
    data = {"kind": kind, "held_on": day, "place": "活动室", "topic": "学习"}
    if hours is not None:
        data.update(study_hours=Decimal(hours), lecturer_name="区委党校")
    return services.meeting_record(
        organisation=organisation or zone.b1, data=data, attendance={m.pk: ("present", "") for m in members}
    )


def findings(**filters):
    return sorted(
        Finding.objects.filter(**filters).values_list("rule", "organisation__code", "period", "aspect", "status")
    )


def run(year=2024, today=AFTER_2024, rules=("Q-THREE-MEETINGS",)):
    return engine.compliance_run(year=year, today=today, rules=rules, trigger="test")


def test_a_missed_quarter_is_a_finding_and_a_held_one_is_not(zone):
    for month in (2, 5, 8):  # the fourth quarter has no general meeting
        meeting(zone, "general", datetime.date(2024, month, 10))
    result = run()
    assert result.state == ComplianceRun.State.DONE
    general = findings(organisation=zone.b1, aspect="general")
    assert general == [("Q-THREE-MEETINGS", "B1", "2024-Q4", "general", "open")]
    finding = Finding.objects.get(organisation=zone.b1, aspect="general")
    assert (finding.measured, finding.required, finding.due_on) == (Decimal(0), Decimal(1), datetime.date(2024, 12, 31))


def test_rerunning_gives_the_same_findings(zone):
    first = run()
    before = findings()
    second = run()
    assert findings() == before
    assert Finding.objects.count() == len(before) > 0
    assert (first.opened, second.opened, second.resolved) == (len(before), 0, 0)


def test_a_duty_met_later_resolves_and_a_new_miss_opens(zone):
    run()
    meeting(zone, "general", datetime.date(2024, 11, 3))
    result = run()
    assert Finding.objects.get(organisation=zone.b1, aspect="general", period="2024-Q4").status == "resolved"
    assert result.resolved == 1
    # The record is corrected away again: the same finding reopens, not a second one.
    from assessments.models import Meeting

    Meeting.objects.filter(organisation=zone.b1, kind="general", held_on__month=11).delete()
    reopened = run()
    assert Finding.objects.filter(organisation=zone.b1, aspect="general", period="2024-Q4").count() == 1
    assert Finding.objects.get(organisation=zone.b1, aspect="general", period="2024-Q4").status == "open"
    assert reopened.opened == 1


def test_a_waived_finding_stays_waived(zone):
    run()
    Finding.objects.filter(organisation=zone.b1, aspect="general", period="2024-Q4").update(
        status="waived", waived_reason="疫情期间暂停集中活动"
    )
    run()
    assert Finding.objects.get(organisation=zone.b1, aspect="general", period="2024-Q4").status == "waived"


def test_periods_not_yet_over_are_not_judged(zone):
    run(today=datetime.date(2024, 5, 15))
    periods = {p for (p,) in Finding.objects.filter(organisation=zone.b1).values_list("period")}
    assert periods == {"2024-01", "2024-02", "2024-03", "2024-04", "2024-Q1"}


def test_a_second_run_of_the_year_while_one_runs_writes_nothing(zone):
    holder = ComplianceRun.objects.create(year=2024, as_of=AFTER_2024)
    skipped = run()
    assert skipped.state == ComplianceRun.State.SKIPPED
    assert Finding.objects.count() == 0
    holder.refresh_from_db()
    assert holder.state == ComplianceRun.State.RUNNING


def test_a_run_stale_for_hours_is_taken_over(zone):
    holder = ComplianceRun.objects.create(year=2024, as_of=AFTER_2024)
    ComplianceRun.objects.filter(pk=holder.pk).update(started_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    result = run()
    holder.refresh_from_db()
    assert (holder.state, result.state) == (ComplianceRun.State.FAILED, ComplianceRun.State.DONE)


def test_a_run_failing_midway_keeps_the_previous_findings(zone, monkeypatch):
    run()
    before = findings()

    def broken(context):
        yield base.Check(zone.b1.pk, None, "2024", Decimal(0), Decimal(1), False, datetime.date(2024, 12, 31))
        raise RuntimeError("database went away")

    monkeypatch.setitem(
        engine.RULES,
        "Q-BROKEN",
        base.Rule(clause="Q-BROKEN", title="", sentence="", parameters=(), applies_to="", measures="", evaluate=broken),
    )
    failed = run(rules=("Q-THREE-MEETINGS", "Q-BROKEN"))
    assert failed.state == ComplianceRun.State.FAILED
    assert "database went away" in failed.error
    assert findings() == before


def test_tallies_count_checks_by_sector_and_town(zone):
    result = run()
    tally = RuleTally.objects.get(run=result, rule="Q-THREE-MEETINGS", sector="village", town=zone.t1)
    failed = Finding.objects.filter(organisation__path__startswith=zone.t1.path, status="open").count()
    assert tally.checked - tally.passed == failed
    assert result.summary["rules"]["Q-THREE-MEETINGS"]["open"] == Finding.objects.filter(status="open").count()


def test_study_hours_are_due_pro_rata_during_the_year(zone):
    meeting(zone, "lecture", datetime.date(2024, 3, 5), hours=10)
    result = engine.compliance_run(year=2024, today=datetime.date(2024, 7, 1), rules=("Q-TRAINING-MEMBER",))
    rows = list(Finding.objects.filter(rule="Q-TRAINING-MEMBER").values_list("member_id", "measured", "required"))
    # 1 July 2024 is day 183 of 366: 32 h x 183/366 = 16.0 h due; 10 h studied.
    non_leaders = [m.pk for m in zone.b1_members[1:]] + [m.pk for m in zone.b3_members[1:]]
    assert sorted(rows) == sorted(
        (pk, Decimal(10) if pk in [m.pk for m in zone.b1_members] else Decimal(0), Decimal("16.0"))
        for pk in non_leaders
    )
    assert result.state == ComplianceRun.State.DONE


def test_a_town_secretary_lecturing_a_branch_gives_the_towns_lecture(zone):
    from branches.enums import PostKind
    from branches.services import post_assign

    town_secretary = zone.b1_members[2]
    post_assign(
        organisation=zone.t1, member=town_secretary, kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    services.meeting_record(
        organisation=zone.b1,
        data={
            "kind": "lecture",
            "held_on": datetime.date(2024, 5, 8),
            "place": "活动室",
            "topic": "党课",
            "lecturer": town_secretary,
        },
        attendance={m.pk: ("present", "") for m in zone.b1_members},
    )
    engine.compliance_run(year=2024, today=AFTER_2024, rules=("Q-LECTURE-SECRETARY",), trigger="test")
    failing = set(Finding.objects.filter(rule="Q-LECTURE-SECRETARY").values_list("organisation__code", flat=True))
    assert "T1" not in failing  # the town's secretary lectured below the town
    assert "B1" in failing  # B1's own secretary gave none
