"""The secretary's to-do list (issue 12): this month's duties and the missed ones, most urgent first,
in plain Chinese, each with its form filled in; earlier years' findings counted, not listed."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.compliance import engine
from assessments.compliance.selectors import finding_links, secretary_todo
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import Finding, Meeting
from tests.factories import make_org

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 12, 7)  # day 341 of 365: 32 h * 341/365 = 29.9 h due by today
RULES_2025 = ("Q-THREE-MEETINGS", "N-MEETINGS", "Q-TRAINING-MEMBER", "Q-TRAINING-LEADER")


def themed_day(zone, day):
    """A themed party day of B1 with all its members present (2 study hours each)."""
    services.meeting_record(
        organisation=zone.b1,
        attendance={m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members},
        data={"kind": MeetingKind.THEMED_DAY, "held_on": day, "place": "党员活动室", "topic": "主题党日"},
    )


@pytest.fixture
def checked(zone):
    """B1 held its themed party day January to October 2025 and nothing else; 2024 was checked too."""
    for month in range(1, 11):
        themed_day(zone, datetime.date(2025, month, 10))
    engine.compliance_run(year=2024, today=datetime.date(2025, 1, 10), rules=("Q-THREE-MEETINGS",), trigger="test")
    engine.compliance_run(year=2025, today=TODAY, rules=RULES_2025, trigger="test")
    return zone


def meeting_url(organisation, kind, day):
    return f"{reverse('assessments:meeting_create', args=[organisation.pk])}?kind={kind}&held_on={day}"


def rows(items):
    return [
        (
            i.state,
            i.title,
            i.clause,
            i.period,
            i.due_on,
            i.required,
            [(e.organisation.code, e.done, e.url) for e in i.entries],
        )
        for i in items
    ]


def test_this_months_duties_come_nearest_deadline_first_from_the_norms_and_the_findings(checked):
    zone = checked
    todo = secretary_todo(organisation=zone.b1, today=TODAY)
    due, end = datetime.date(2025, 12, 31), "2025-12-07"
    a, b, c = zone.b1_members
    batch = reverse("assessments:training_batch", args=[zone.b1.pk])
    short = sorted([b, c], key=lambda m: (m.name_pinyin, m.pk))
    assert rows(todo.due) == [
        (
            "due",
            "主题党日",
            "N-MEETINGS",
            "2025年12月",
            due,
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "themed_day", end))],
        ),
        (
            "due",
            "组织生活会",
            "Q-LIFE-MEETING",
            "2025年",
            due,
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "organisational_life", end))],
        ),
        (
            "due",
            "三会一课：党小组会",
            "Q-THREE-MEETINGS",
            "2025年12月",
            due,
            "应开 1 次",
            [("G1", "已开 0 次", meeting_url(zone.g1, "group", end))],
        ),
        (
            "due",
            "三会一课：党课",
            "Q-THREE-MEETINGS",
            "2025年第4季度",
            due,
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "lecture", end))],
        ),
        (
            "due",
            "三会一课：支委会",
            "Q-THREE-MEETINGS",
            "2025年12月",
            due,
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "committee", end))],
        ),
        (
            "due",
            "三会一课：支部党员大会",
            "Q-THREE-MEETINGS",
            "2025年第4季度",
            due,
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "general", end))],
        ),
        (
            "due",
            "书记和班子成员学习培训学时",
            "Q-TRAINING-LEADER",
            "2025年",
            due,
            "截至今日应达 52.3 学时（全年 56 学时）",
            [("B1", f"{a.name} 20 学时", f"{batch}?held_on={end}&members={a.pk}")],
        ),
        (
            "due",
            "党员学习培训学时",
            "Q-TRAINING-MEMBER",
            "2025年",
            due,
            "截至今日应达 29.9 学时（全年 32 学时）",
            [
                (
                    "B1",
                    "、".join(f"{m.name} 20 学时" for m in short),
                    f"{batch}?held_on={end}&" + "&".join(f"members={m.pk}" for m in short),
                )
            ],
        ),
    ]


def test_missed_periods_come_latest_first_each_with_a_day_inside_the_period(checked):
    zone = checked
    todo = secretary_todo(organisation=zone.b1, today=TODAY)
    # Missed in 2025: the themed day of November, the committee and group meetings of January to November,
    # the general meetings and lectures of the first three quarters.
    assert len(todo.overdue) == 1 + 11 + 11 + 3 + 3
    assert rows(todo.overdue[:6]) == [
        (
            "overdue",
            "主题党日",
            "N-MEETINGS",
            "2025年11月",
            datetime.date(2025, 11, 30),
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "themed_day", "2025-11-30"))],
        ),
        (
            "overdue",
            "三会一课：党小组会",
            "Q-THREE-MEETINGS",
            "2025年11月",
            datetime.date(2025, 11, 30),
            "应开 1 次",
            [("G1", "已开 0 次", meeting_url(zone.g1, "group", "2025-11-30"))],
        ),
        (
            "overdue",
            "三会一课：支委会",
            "Q-THREE-MEETINGS",
            "2025年11月",
            datetime.date(2025, 11, 30),
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "committee", "2025-11-30"))],
        ),
        (
            "overdue",
            "三会一课：党小组会",
            "Q-THREE-MEETINGS",
            "2025年10月",
            datetime.date(2025, 10, 31),
            "应开 1 次",
            [("G1", "已开 0 次", meeting_url(zone.g1, "group", "2025-10-31"))],
        ),
        (
            "overdue",
            "三会一课：支委会",
            "Q-THREE-MEETINGS",
            "2025年10月",
            datetime.date(2025, 10, 31),
            "应开 1 次",
            [("B1", "已开 0 次", meeting_url(zone.b1, "committee", "2025-10-31"))],
        ),
        (
            "overdue",
            "三会一课：党小组会",
            "Q-THREE-MEETINGS",
            "2025年9月",
            datetime.date(2025, 9, 30),
            "应开 1 次",
            [("G1", "已开 0 次", meeting_url(zone.g1, "group", "2025-09-30"))],
        ),
    ]
    last = todo.overdue[-1]
    assert (last.title, last.period, last.entries[0].url) == (
        "三会一课：支委会",
        "2025年1月",
        meeting_url(zone.b1, "committee", "2025-01-31"),
    )
    assert (len(todo.overdue_shown), len(todo.overdue_folded)) == (10, 19)


def test_earlier_years_are_counted_by_rule_not_listed(checked):
    zone = checked
    todo = secretary_todo(organisation=zone.b1, today=TODAY)
    # 2024: B1's committee meetings (12), general meetings and lectures (4 each), G1's group meetings (12).
    findings = reverse("assessments:findings")
    assert [(r.year, r.clause, r.title, r.count, r.url) for r in todo.backlog] == [
        (
            2024,
            "Q-THREE-MEETINGS",
            "三会一课",
            32,
            f"{findings}?year=2024&rule=Q-THREE-MEETINGS&status=open&org={zone.b1.pk}",
        ),
    ]
    assert todo.backlog_total == 32
    assert all(item.period.startswith("2025") for item in todo.due + todo.overdue)


def test_a_duty_missed_by_several_organisations_is_one_item_with_an_entry_each(checked):
    zone = checked
    todo = secretary_todo(organisation=zone.v1, today=TODAY)
    item = next(i for i in todo.overdue if i.title == "三会一课：支委会" and i.period == "2025年11月")
    assert [(e.organisation.code, e.done, e.url) for e in item.entries] == [
        ("B1", "已开 0 次", meeting_url(zone.b1, "committee", "2025-11-30")),
        ("B2", "已开 0 次", meeting_url(zone.b2, "committee", "2025-11-30")),
    ]
    assert item.required == "应开 1 次"


def test_a_pro_rated_quota_of_a_year_that_is_over_asks_the_whole_year(zone):
    engine.compliance_run(year=2025, today=datetime.date(2026, 1, 5), rules=("Q-TRAINING-MEMBER",), trigger="test")
    todo = secretary_todo(organisation=zone.b1, today=datetime.date(2026, 1, 5))
    assert [(r.year, r.clause, r.title, r.count) for r in todo.backlog] == [
        (2025, "Q-TRAINING-MEMBER", "党员学习培训学时", 2)
    ]
    finding = Finding.objects.filter(organisation=zone.b1, rule="Q-TRAINING-MEMBER").order_by("member_id").first()
    # The finding's own page fixes it with the training form, the member ticked, on a day of that year.
    assert finding_links(finding)["fix"] == (
        f"{reverse('assessments:training_batch', args=[zone.b1.pk])}?held_on=2025-12-31&members={finding.member_id}"
    )


def test_nothing_due_or_missed_leaves_both_lists_empty(zone):
    todo = secretary_todo(organisation=zone.b3, today=datetime.date(2025, 12, 7))
    # No run yet: no finding; B3 still has this month's meetings to hold, from the norms.
    assert todo.overdue == [] and todo.backlog == []
    assert [(i.title, i.period) for i in todo.due] == [
        ("主题党日", "2025年12月"),
        ("组织生活会", "2025年"),
        ("三会一课：党课", "2025年第4季度"),
        ("三会一课：支委会", "2025年12月"),
        ("三会一课：支部党员大会", "2025年第4季度"),
    ]


def test_the_list_costs_the_same_queries_for_one_branch_or_many(checked):
    zone = checked

    def queries():
        with CaptureQueriesContext(connection) as captured:
            secretary_todo(organisation=zone.t1, today=TODAY)
        return len(captured)

    few = queries()
    for n in range(4):
        make_org(zone.v1, "branch", sector="village", code=f"XB{n}")
    engine.compliance_run(year=2025, today=TODAY, rules=RULES_2025, trigger="test")
    # Each new branch missed its committee meetings and themed days (11 months), general meetings and lectures (3).
    assert Finding.objects.filter(organisation__code__startswith="XB", status="open").count() == 4 * (11 + 11 + 3 + 3)
    assert queries() == few


def test_a_meeting_finding_links_the_meeting_form_with_its_kind_and_the_periods_last_day(checked):
    zone = checked
    finding = Finding.objects.get(organisation=zone.b1, rule="Q-THREE-MEETINGS", period="2025-Q2", aspect="general")
    assert finding_links(finding)["fix"] == meeting_url(zone.b1, "general", "2025-06-30")
    assert finding.measured == Decimal(0)


def test_a_themed_day_held_with_a_lecture_leaves_no_lecture_to_do_this_quarter(zone):
    Meeting.objects.create(
        organisation=zone.b3,
        kind=MeetingKind.THEMED_DAY,
        held_on=datetime.date(2025, 11, 10),
        place="活动室",
        topic="主题党日暨党课",
        counts_as_lecture=True,
    )
    todo = secretary_todo(organisation=zone.b3, today=TODAY)
    assert [(i.title, i.period) for i in todo.due] == [
        ("主题党日", "2025年12月"),
        ("组织生活会", "2025年"),
        ("三会一课：支委会", "2025年12月"),
        ("三会一课：支部党员大会", "2025年第4季度"),
    ]
