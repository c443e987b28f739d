"""Choices of the records secretaries keep (三会一课, attendance, study hours)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.enums import OrganisationKind


class MeetingKind(models.TextChoices):
    """三会一课 (Q-THREE-MEETINGS), the themed party day and the organisational life meeting (N-MEETINGS)."""

    GENERAL = "general", _("Branch general meeting")
    COMMITTEE = "committee", _("Branch committee meeting")
    GROUP = "group", _("Party group meeting")
    LECTURE = "lecture", _("Party lecture")
    THEMED_DAY = "themed_day", _("Themed party day")
    ORGANISATIONAL_LIFE = "organisational_life", _("Organisational life meeting")


# Study hours are credited to those present at these (Q-TRAINING-*: collect once, use everywhere).
STUDY_MEETING_KINDS = frozenset({MeetingKind.LECTURE, MeetingKind.THEMED_DAY})

# Which organisation holds which meeting: a branch its general, committee and life meetings, its
# lectures and themed days; a party group (党小组) its group meetings.
MEETING_KINDS_BY_ORGANISATION = {
    OrganisationKind.BRANCH: frozenset(set(MeetingKind) - {MeetingKind.GROUP}),
    OrganisationKind.JOINT_BRANCH: frozenset(set(MeetingKind) - {MeetingKind.GROUP}),
    OrganisationKind.PARTY_GROUP: frozenset({MeetingKind.GROUP, MeetingKind.LECTURE, MeetingKind.THEMED_DAY}),
}


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class TrainingKind(models.TextChoices):
    """A study-hour ledger entry's activity (Q-TRAINING-MEMBER, Q-TRAINING-LEADER)."""

    COURSE = "course", _("Course or class")
    ONLINE = "online", _("Online learning")
    LECTURE = "lecture", _("Lecture or report attended")
    OTHER = "other", _("Other study")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SIGN_IN = "sign_in", _("Sign-in sheet")
    OTHER = "other", _("Other document")


class Grade(models.TextChoices):
    """The grades of the democratic evaluation (民主评议党员, Q-EVALUATION)."""

    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class Disposal(models.TextChoices):
    """What a branch does with a member graded unqualified (Q-EVALUATION): a full member is given a
    time to correct, persuaded to leave or removed; a probationary member's probation is extended or
    ended."""

    CORRECTION = "correction", _("Correction within a set time")
    PERSUADE_TO_LEAVE = "persuade_to_leave", _("Persuaded to leave the party")
    REMOVAL = "removal", _("Removed from the party")
    EXTEND_PROBATION = "extend_probation", _("Probation extended")
    END_PROBATION = "end_probation", _("Probationary membership ended")


PROBATION_DISPOSALS = frozenset({Disposal.EXTEND_PROBATION, Disposal.END_PROBATION})
# The democratic evaluation is a branch's (a party group's members are evaluated by its branch).
EVALUATING_KINDS = frozenset({OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH})
