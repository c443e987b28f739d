"""MemberEvent's references are not checked by the database (a roster import writes 100,000 history
rows at once): the ORM still guards them, and the night finds any row left without its member or
recorder."""

import logging

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from core.enums import Role
from core.models import User
from members import selectors, tasks
from members.enums import MemberEventKind
from members.models import Member, MemberEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _event(member_id: int, recorder_id: int | None) -> int:
    """A history row written as raw SQL would write it (not through the ORM's guards)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MemberEvent._meta.db_table} (member_id, kind, effective_on, reason, changes, "
            "recorded_by_id, recorded_at) VALUES (%s, %s, %s, '', '{}', %s, %s)",
            [member_id, MemberEventKind.UPDATED.value, timezone.localdate(), recorder_id, timezone.now()],
        )
    return MemberEvent.objects.latest("pk").pk


def test_a_member_with_history_still_cannot_be_deleted(zone):
    member = zone.b1_members[0]
    MemberEvent.objects.create(member=member, kind=MemberEventKind.UPDATED, effective_on=timezone.localdate())
    with pytest.raises(ProtectedError):
        member.delete()


def test_a_deleted_recorder_is_cleared_from_the_history(zone):
    recorder = UserFactory(role=Role.ORG_ADMIN, organisation=zone.b1)
    event = MemberEvent.objects.create(
        member=zone.b1_members[0], kind=MemberEventKind.UPDATED, effective_on=timezone.localdate(), recorded_by=recorder
    )
    recorder.delete()
    event.refresh_from_db()
    assert event.recorded_by is None


def test_the_night_finds_history_rows_without_their_member_or_recorder(zone, caplog):
    member = zone.b1_members[0]
    recorder = UserFactory(role=Role.ORG_ADMIN, organisation=zone.b1)
    sound = _event(member.pk, recorder.pk)
    no_member = _event(Member.objects.order_by("-pk").first().pk + 1000, recorder.pk)
    no_recorder = _event(member.pk, User.objects.order_by("-pk").first().pk + 1000)

    found = selectors.member_history_orphans()
    assert found == {"member": [no_member], "recorded_by": [no_recorder]}
    assert sound not in found["member"] + found["recorded_by"]
    with caplog.at_level(logging.ERROR, logger="members.tasks"):
        assert tasks.member_history_check() == found
    assert "without their member or recorder" in caplog.text


def test_a_sound_history_is_quiet(zone, caplog):
    MemberEvent.objects.create(
        member=zone.b1_members[0], kind=MemberEventKind.UPDATED, effective_on=timezone.localdate()
    )
    with caplog.at_level(logging.ERROR, logger="members.tasks"):
        assert tasks.member_history_check() == {"member": [], "recorded_by": []}
    assert caplog.text == ""
