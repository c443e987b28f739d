"""A finding that a new record fixes goes as soon as the record is saved (issue 12): the rules the
record serves are checked again for its organisation's subtree only, beside the nightly run."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.compliance import engine
from assessments.compliance.selectors import secretary_todo
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import ComplianceRun, Finding, FindingStage, Meeting, TrainingRecord

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 12, 7)
MEETING_RULES = ("Q-THREE-MEETINGS", "N-MEETINGS")


@pytest.fixture(autouse=True)
def today_is(monkeypatch):
    """The pages, the services and the engine all read today from timezone.localdate()."""
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: TODAY if value is None else localdate(value, tz)
    )


@pytest.fixture
def missed(zone):
    engine.compliance_run(year=2025, today=TODAY, rules=MEETING_RULES, trigger="test")
    return zone


def general_q3(organisation):
    return Finding.objects.get(organisation=organisation, rule="Q-THREE-MEETINGS", period="2025-Q3", aspect="general")


def meeting_post(zone, **fields):
    data = {"place": "党员活动室", "topic": "学习党章", "chaired_by": zone.b1_members[0].pk, **fields}
    for member in zone.b1_members:
        data[f"attendance_{member.pk}"] = AttendanceStatus.PRESENT
    return data


def test_the_meeting_form_from_the_home_page_resolves_the_finding_at_once(
    missed, users, client, django_capture_on_commit_callbacks
):
    zone = missed
    client.force_login(users.branch_admin)
    item = next(
        i
        for i in client.get(reverse("home")).context["todo"].overdue
        if i.title == "三会一课：支部党员大会" and i.period == "2025年第3季度"
    )
    link = item.entries[0].url
    assert link == f"{reverse('assessments:meeting_create', args=[zone.b1.pk])}?kind=general&held_on=2025-09-30"
    form = client.get(link).context["form"]
    assert (form.initial["kind"], form.initial["held_on"]) == ("general", datetime.date(2025, 9, 30))
    b3_before = list(Finding.objects.filter(organisation=zone.b3).values_list("pk", "status", "checked_at"))
    runs = ComplianceRun.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(link, meeting_post(zone, kind="general", held_on="2025-09-30"))
    assert response.status_code == 302
    assert len(callbacks) == 1

    finding = general_q3(zone.b1)
    assert (finding.status, finding.measured) == ("resolved", Decimal(0))  # the verdict changed, not the values
    assert finding.resolved_at is not None and finding.checked_at is not None
    # Nothing outside B1's subtree was touched, and no run was started for it.
    assert list(Finding.objects.filter(organisation=zone.b3).values_list("pk", "status", "checked_at")) == b3_before
    assert ComplianceRun.objects.count() == runs
    todo = client.get(reverse("home")).context["todo"]
    assert [(i.title, i.period) for i in todo.overdue if i.clause == "Q-THREE-MEETINGS" and "大会" in i.title] == [
        ("三会一课：支部党员大会", "2025年第2季度"),
        ("三会一课：支部党员大会", "2025年第1季度"),
    ]


def test_a_recheck_opens_what_a_corrected_record_no_longer_meets(missed, django_capture_on_commit_callbacks):
    zone = missed
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    data = {"kind": MeetingKind.GENERAL, "held_on": datetime.date(2025, 8, 20), "place": "活动室", "topic": "学习"}
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_record(organisation=zone.b1, data=data, attendance=present)
    assert general_q3(zone.b1).status == "resolved"
    with django_capture_on_commit_callbacks(execute=True):  # moved to October: Q3 is missed again, Q4 is met
        services.meeting_record(
            organisation=zone.b1,
            data={**data, "held_on": datetime.date(2025, 10, 20)},
            attendance=present,
            meeting=Meeting.objects.get(pk=meeting.pk),
        )
    assert general_q3(zone.b1).status == "open"
    assert Finding.objects.filter(organisation=zone.b1, period="2025-Q3", aspect="general").count() == 1


def test_a_recheck_touches_only_the_subtree(missed):
    zone = missed
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b3_members}
    services.meeting_record(
        organisation=zone.b3,
        attendance=present,
        data={  # no commit here: no recheck of B3
            "kind": MeetingKind.GENERAL,
            "held_on": datetime.date(2025, 8, 20),
            "place": "活动室",
            "topic": "学习",
        },
    )
    result = engine.compliance_recheck(organisation=zone.b1, year=2025, rules=MEETING_RULES)
    assert general_q3(zone.b3).status == "open"  # met now, but B3 is not under B1: the nightly run resolves it
    assert result.resolved == 0
    assert result.checked == Finding.objects.filter(organisation__path__startswith=zone.b1.path).count()


def test_a_party_groups_record_is_checked_with_its_branch(missed):
    zone = missed
    Finding.objects.filter(organisation=zone.b1, aspect="general", period="2025-Q3").update(status="resolved")
    result = engine.compliance_recheck(organisation=zone.g1, year=2025, rules=MEETING_RULES)
    assert general_q3(zone.b1).status == "open"  # B1's finding was checked again from its party group
    assert result.opened == 1


def test_a_recheck_runs_beside_a_run_holding_the_lease(missed):
    zone = missed
    running = ComplianceRun.objects.create(year=2025, as_of=TODAY, trigger="test")  # the year's lease is taken
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    services.meeting_record(
        organisation=zone.b1,
        attendance=present,
        data={"kind": MeetingKind.GENERAL, "held_on": datetime.date(2025, 8, 20), "place": "活动室", "topic": "学习"},
    )
    engine.compliance_recheck(organisation=zone.b1, year=2025, rules=MEETING_RULES)
    assert general_q3(zone.b1).status == "resolved"
    assert list(ComplianceRun.objects.filter(state="running").values_list("pk", flat=True)) == [running.pk]


def test_a_run_that_read_the_records_before_a_recheck_does_not_reopen_its_finding(missed):
    zone = missed
    before = timezone.now()
    run = ComplianceRun.objects.create(year=2025, as_of=TODAY, trigger="test")
    ComplianceRun.objects.filter(pk=run.pk).update(started_at=before)
    run.refresh_from_db()
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    services.meeting_record(
        organisation=zone.b1,
        attendance=present,
        data={"kind": MeetingKind.GENERAL, "held_on": datetime.date(2025, 8, 20), "place": "活动室", "topic": "学习"},
    )
    engine.compliance_recheck(organisation=zone.b1, year=2025, rules=MEETING_RULES)
    # The run read the meetings before that one was saved: it still has Q3 as missed, and merges now.
    finding = general_q3(zone.b1)
    FindingStage.objects.create(
        run=run,
        rule=finding.rule,
        organisation_id=zone.b1.pk,
        year=2025,
        period="2025-Q3",
        aspect="general",
        measured=0,
        required=1,
        due_on=finding.due_on,
    )
    with transaction.atomic():
        engine._merge(run=run, rules=["Q-THREE-MEETINGS"], now=timezone.now())
    ComplianceRun.objects.filter(pk=run.pk).update(state="done")
    assert general_q3(zone.b1).status == "resolved"
    # A run begun after the recheck has the last word again.
    Meeting.objects.filter(organisation=zone.b1, kind="general").delete()
    engine.compliance_run(year=2025, today=TODAY, rules=("Q-THREE-MEETINGS",), trigger="test")
    assert general_q3(zone.b1).status == "open"


def test_one_transaction_asks_for_one_recheck_of_an_organisation(zone, django_capture_on_commit_callbacks):
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for month in (3, 6):
            services.meeting_record(
                organisation=zone.b1,
                attendance=present,
                data={
                    "kind": MeetingKind.LECTURE,
                    "held_on": datetime.date(2025, month, 5),
                    "place": "活动室",
                    "topic": "党课",
                    "lecturer_name": "区委党校",
                },
            )
        services.training_batch_record(
            organisation=zone.b1,
            kind="course",
            title="冬训",
            hours=4,
            held_on=datetime.date(2024, 12, 1),
            member_ids=[zone.b1_members[1].pk],
        )
    assert [(c.organisation_id, c.years, c.rules) for c in callbacks] == [
        (
            zone.b1.pk,
            [2024, 2025],
            [
                "Q-THREE-MEETINGS",
                "N-MEETINGS",
                "Q-LIFE-MEETING",
                "Q-LECTURE-SECRETARY",
                "Q-TRAINING-MEMBER",
                "Q-TRAINING-LEADER",
            ],
        ),
    ]


def test_the_training_form_from_the_home_page_ticks_the_members_short_and_resolves_them(
    zone, users, client, django_capture_on_commit_callbacks
):
    short = sorted(m.pk for m in zone.b1_members[1:])
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            organisation=zone.b1,
            member_id=pk,
            kind="course",
            title="党课辅导",
            held_on=datetime.date(2025, 3, 1),
            hours=8,
        )
        for pk in short
    )
    engine.compliance_run(year=2025, today=TODAY, rules=("Q-TRAINING-MEMBER",), trigger="test")
    client.force_login(users.branch_admin)
    item = next(i for i in client.get(reverse("home")).context["todo"].due if i.clause == "Q-TRAINING-MEMBER")
    assert item.entries[0].done == "、".join(
        f"{m.name} 8 学时" for m in sorted(zone.b1_members[1:], key=lambda m: (m.name_pinyin, m.pk))
    )
    form = client.get(item.entries[0].url).context["form"]
    assert sorted(form.initial["members"]) == short
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            item.entries[0].url,
            {"kind": "course", "title": "党员冬训班", "held_on": "2025-12-07", "hours": "24", "members": short},
        )
    assert response.status_code == 302
    assert sorted(
        Finding.objects.filter(rule="Q-TRAINING-MEMBER", organisation=zone.b1).values_list("member_id", "status")
    ) == [(pk, "resolved") for pk in short]
    todo = secretary_todo(organisation=zone.b1, today=TODAY)
    assert [i for i in todo.due if i.clause == "Q-TRAINING-MEMBER"] == []


def test_the_talks_form_from_the_home_page_ticks_those_not_yet_talked_with(zone, users, client):
    services.talks_record(
        organisation=zone.b1,
        held_on=datetime.date(2025, 3, 1),
        topic="谈心",
        member_ids=[zone.b1_members[0].pk],
        talker_name="书记",
    )
    client.force_login(users.branch_admin)
    url = f"{reverse('assessments:talks_create', args=[zone.b1.pk])}?held_on=2025-12-07&pending=1"
    form = client.get(url).context["form"]
    assert sorted(form.initial["members"]) == sorted(m.pk for m in zone.b1_members[1:])
