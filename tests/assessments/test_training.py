"""The study-hour ledger (Q-TRAINING-MEMBER, Q-TRAINING-LEADER): batch entry, hours from attendance,
targets from posts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assessments import selectors, services
from assessments.enums import AttendanceStatus, MeetingKind, TrainingKind
from assessments.models import TrainingRecord

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 3, 15)


def batch(zone, members, hours=Decimal(8), title="党的二十大精神专题培训", day=DAY, user=None, organisation=None):
    return services.training_batch_record(
        organisation=organisation or zone.b1,
        kind=TrainingKind.COURSE,
        title=title,
        held_on=day,
        hours=hours,
        member_ids=[m.pk for m in members],
        user=user,
    )


def test_batch_entry_for_a_whole_class_in_one_step(zone, users):
    records = batch(zone, zone.b1_members, user=users.branch_admin)
    assert len(records) == 3
    assert {r.recorded_by for r in TrainingRecord.objects.all()} == {users.branch_admin}


def test_same_activity_twice_is_refused_naming_the_members(zone):
    batch(zone, zone.b1_members[:2])
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        batch(zone, zone.b1_members)
    names = "、".join(m.name for m in zone.b1_members[:2])
    assert sorted(
        exc.value.message_dict["members"][0].removeprefix("本活动当天已在台账中：").rstrip("。").split("、")
    ) == sorted(names.split("、"))
    assert TrainingRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("hours", "ok"), [(Decimal(0), False), (Decimal("0.5"), True), (Decimal(24), True), (Decimal("24.5"), False)]
)
def test_hours_more_than_zero_and_at_most_24(zone, hours, ok):
    if ok:
        batch(zone, zone.b1_members[:1], hours=hours)
    else:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            batch(zone, zone.b1_members[:1], hours=hours)
        assert exc.value.message_dict["hours"] == ["学时须大于0，且每天不超过24。"]


def test_only_members_of_the_organisation_on_that_day(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        batch(zone, [zone.b1_members[0], zone.b3_members[0]])
    assert exc.value.message_dict["members"] == [f"2024年3月15日不是东村第1党支部的党员：{zone.b3_members[0].name}。"]
    # A class of the village's general branch takes members of the branches below it.
    assert len(batch(zone, zone.b1_members, organisation=zone.v1)) == 3


def test_lecture_attendance_adds_hours_without_a_second_entry(zone):
    a, b, c = zone.b1_members
    services.meeting_record(
        organisation=zone.b1,
        data={
            "kind": MeetingKind.LECTURE,
            "held_on": DAY,
            "place": "室",
            "topic": "党课",
            "lecturer": a,
            "study_hours": Decimal(3),
        },
        attendance={
            a.pk: (AttendanceStatus.PRESENT, ""),
            b.pk: (AttendanceStatus.ABSENT, ""),
            c.pk: (AttendanceStatus.EXCUSED, "病假"),
        },
    )
    batch(zone, [a, b], hours=Decimal(8))
    hours = selectors.study_hours(member_ids=[a.pk, b.pk, c.pk], year=2024)
    assert {pk: h["total"] for pk, h in hours.items()} == {a.pk: Decimal(11), b.pk: Decimal(8), c.pk: Decimal(0)}
    assert hours[a.pk]["meetings"] == Decimal(3)
    assert TrainingRecord.objects.filter(member=a).count() == 1  # nobody typed the lecture in
    assert selectors.study_hours(member_ids=[a.pk], year=2023)[a.pk]["total"] == 0


def test_targets_come_from_posts(zone):
    secretary, other, _ = zone.b1_members
    batch(zone, [secretary, other], hours=Decimal(20), title="甲")
    batch(zone, [secretary, other], hours=Decimal(20), title="乙", day=DAY + datetime.timedelta(days=1))
    rows = {
        r.member: r for r in selectors.training_table(organisation=zone.b1, year=2024, today=datetime.date(2024, 12, 1))
    }
    assert (rows[secretary].target, rows[secretary].is_leader, rows[secretary].met) == (Decimal(56), True, False)
    assert (rows[other].target, rows[other].met, rows[other].short) == (Decimal(32), True, Decimal(0))
    assert rows[secretary].short == Decimal(16)


def test_removing_an_entry(zone, users):
    record = batch(zone, zone.b1_members[:1])[0]
    with pytest.raises(ValidationError):
        services.training_record_delete(record=record, user=users.other_admin)
    services.training_record_delete(record=record, user=users.branch_admin)
    assert TrainingRecord.objects.count() == 0
