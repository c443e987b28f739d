"""Choices of the records secretaries keep (三会一课, attendance, study hours)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.enums import OrganisationKind, Sector


class MeetingKind(models.TextChoices):
    """三会一课 (Q-THREE-MEETINGS), the themed party day (N-MEETINGS), a branch's organisational life
    meeting and a party committee's democratic life meeting (Q-LIFE-MEETING)."""

    GENERAL = "general", _("Branch general meeting")
    COMMITTEE = "committee", _("Branch committee meeting")
    GROUP = "group", _("Party group meeting")
    LECTURE = "lecture", _("Party lecture")
    THEMED_DAY = "themed_day", _("Themed party day")
    ORGANISATIONAL_LIFE = "organisational_life", _("Organisational life meeting")
    # 民主生活会: the leadership team of a party committee (Q-LIFE-MEETING), its committee in post.
    DEMOCRATIC_LIFE = "democratic_life", _("Democratic life meeting")


# Study hours are credited to those present at these (Q-TRAINING-*: collect once, use everywhere).
STUDY_MEETING_KINDS = frozenset({MeetingKind.LECTURE, MeetingKind.THEMED_DAY})

# Issue 12, one activity and several duties: a themed party day that includes a party lecture or is
# held as the branch general meeting counts for each of these too (Meeting.counts_as_general/_lecture).
THEMED_DAY_ALSO_COUNTS = (MeetingKind.GENERAL, MeetingKind.LECTURE)

# Which organisation holds which meeting (N-MEETINGS: the 2018 branch work rules give the party lecture
# and the themed party day to the branch): a branch its general, committee and life meetings, its
# lectures and themed days, which its party groups' members attend; a party group (党小组) its group
# meetings; a party committee's leadership team its democratic life meeting (Q-LIFE-MEETING: 基层党组织
# 民主生活会; the work committee's is held under the rules for leading cadres above the grassroots).
MEETING_KINDS_BY_ORGANISATION = {
    OrganisationKind.BRANCH: frozenset(set(MeetingKind) - {MeetingKind.GROUP, MeetingKind.DEMOCRATIC_LIFE}),
    OrganisationKind.JOINT_BRANCH: frozenset(set(MeetingKind) - {MeetingKind.GROUP, MeetingKind.DEMOCRATIC_LIFE}),
    OrganisationKind.PARTY_GROUP: frozenset({MeetingKind.GROUP}),
    OrganisationKind.PARTY_COMMITTEE: frozenset({MeetingKind.DEMOCRATIC_LIFE}),
}


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")
    # 列席: at a committee meeting, someone not on the committee sitting in without a vote (no study hours).
    ATTENDING_NONVOTING = "nonvoting", _("Sitting in (non-voting)")


# The statuses of someone a meeting lists as one of its own (a committee meeting: the committee).
LISTED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)


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


class VenueKind(models.TextChoices):
    """S-VENUE: the places party work is done in."""

    ACTIVITY_VENUE = "activity_venue", _("Party members' activity venue")
    CONVENIENCE_STATION = "convenience_station", _("Convenience service station")
    SERVICE_CENTRE = "service_centre", _("Member service centre")
    DEPUTY_OFFICE = "deputy_office", _("Congress-deputy office")
    MEMBER_HOUSEHOLD = "member_household", _("Member household post")


class SixStandard(models.TextChoices):
    """Q-VENUE-SIXHAVE: 有场所、有设施、有标志、有党旗、有书报、有制度."""

    PLACE = "place", _("A place")
    FACILITIES = "facilities", _("Facilities")
    SIGN = "sign", _("A sign")
    FLAG = "flag", _("A party flag")
    READING = "reading", _("Books and newspapers")
    RULES = "rules", _("Rules on the wall")


class VenueGrade(models.TextChoices):
    """The acceptance inspection's verdict (F-VENUE-REWARD)."""

    CLASS_1 = "class_1", _("Class 1")
    CLASS_2 = "class_2", _("Class 2")
    CLASS_3 = "class_3", _("Class 3")
    FAILED = "failed", _("Failed")


class LeadershipDayKind(models.TextChoices):
    """Q-RESEARCH-*, Q-CONTACT-TOWN: days a leadership member spends at the grassroots."""

    RESEARCH = "research", _("Grassroots research")
    CONTACT = "contact", _("Direct contact with the masses")


class MajorDecisionKind(models.TextChoices):
    """S-THREE-MAJOR (三重一大)."""

    DECISION = "decision", _("Major decision")
    APPOINTMENT = "appointment", _("Key appointment")
    INVESTMENT = "investment", _("Major investment")
    LARGE_SUM = "large_sum", _("Use of a large sum")


class DeliberationStep(models.TextChoices):
    """S-FOUR-DELIBERATIONS (四议两公开), in the order a village's major matter must take them."""

    PROPOSAL = "proposal", _("Proposed by the party organisation")
    CONSULTATION = "consultation", _("Discussed by the two committees")
    REVIEW = "review", _("Reviewed by the party members' meeting")
    RESOLUTION = "resolution", _("Resolved by the villagers' (representatives') meeting")
    RESOLUTION_PUBLISHED = "resolution_published", _("Resolution made public")
    RESULT_PUBLISHED = "result_published", _("Result made public")


DELIBERATION_ORDER = list(DeliberationStep)


class ReportResult(models.TextChoices):
    """The evaluation of a special report on party building (专项述职, Q-ANNUAL-REPORT)."""

    GOOD = "good", _("Good")
    FAIRLY_GOOD = "fairly_good", _("Fairly good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


# Q-ANNUAL-REPORT: towns and streets, villages (communities), agencies and public institutions report each year.
REPORTING_SECTORS = frozenset(
    {Sector.TOWN, Sector.STREET, Sector.VILLAGE, Sector.COMMUNITY, Sector.AGENCY, Sector.PUBLIC_INSTITUTION}
)


def reports_annually(organisation) -> bool:
    """Q-ANNUAL-REPORT: towns, villages, communities, agencies and public institutions give a special
    report a year; non-public liaison groups report too (四.2), and their funds follow it (F-LIAISON-FUND)."""

    return organisation.sector in REPORTING_SECTORS or organisation.kind == OrganisationKind.LIAISON_GROUP


class PairingKind(models.TextChoices):
    """S-PAIRING (结对共建, 党员联户)."""

    AGENCY_VILLAGE = "agency_village", _("Agency with a village or community")
    ENTERPRISE_VILLAGE = "enterprise_village", _("Enterprise with a village")
    SCHOOLS = "schools", _("Urban school with a rural school")
    MEMBER_HOUSEHOLDS = "member_households", _("Member linked with households")


class DoubleStrongStatus(models.TextChoices):
    """S-DOUBLE-STRONG (双强六好) in non-public enterprises."""

    APPLIED = "applied", _("Applied")
    AWARDED = "awarded", _("Awarded")
    REJECTED = "rejected", _("Not awarded")
