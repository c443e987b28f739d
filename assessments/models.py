"""The records secretaries keep, each the evidence a nightly rule reads (clauses in docs/clauses.md).

A meeting (三会一课, themed party day) with who attended; the study-hour ledger. Study hours of
a lecture or themed party day come from its attendance, never from a second entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.enums import Sector

from .enums import (
    AttachmentKind,
    AttendanceStatus,
    DeliberationStep,
    Disposal,
    DoubleStrongStatus,
    Grade,
    LeadershipDayKind,
    MajorDecisionKind,
    MeetingKind,
    PairingKind,
    ReportResult,
    SixStandard,
    TrainingKind,
    VenueGrade,
    VenueKind,
)


class Meeting(models.Model):
    """Q-THREE-MEETINGS, Q-LECTURE-SECRETARY, N-MEETINGS: one meeting of a branch or party group."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind of meeting"), max_length=24, choices=MeetingKind.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200)
    chaired_by = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chaired by"),
    )
    lecturer = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lectures",
        verbose_name=_("lecturer"),
    )
    lecturer_name = models.CharField(_("lecturer from outside the zone"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    study_hours = models.DecimalField(
        _("study hours credited"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Credited to every member present (party lectures and themed party days)."),
    )
    # Issue 12: a themed party day that includes a party lecture or is held as the branch general
    # meeting is recorded once and counts for each kind it covers (its study hours once).
    counts_as_lecture = models.BooleanField(_("also counts as a party lecture"), default=False)
    counts_as_general = models.BooleanField(_("also counts as the branch general meeting"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "held_on"], name="meeting_org_day")]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"

    @property
    def also_counts_as(self) -> list:
        """The other kinds a themed party day counts for (issue 12), in the order of MeetingKind."""
        return [
            kind
            for kind, on in (
                (MeetingKind.GENERAL, self.counts_as_general),
                (MeetingKind.LECTURE, self.counts_as_lecture),
            )
            if on
        ]

    @property
    def is_lecture(self) -> bool:
        """A party lecture, or a themed party day that includes one: it has a lecturer."""
        return self.kind == MeetingKind.LECTURE or self.counts_as_lecture


class Attendance(models.Model):
    """Who was at a meeting: present, excused (with the reason) or absent; at a committee meeting,
    others of the branch sitting in without a vote (列席)."""

    scope_path = "meeting__organisation__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=12, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    is_inflow = models.BooleanField(_("in-flow member"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_member")]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_status")]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class MeetingAttachment(models.Model):
    """A photo or sign-in sheet of a meeting (type and size checked by meeting_record)."""

    scope_path = "meeting__organisation__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=50)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.file_name


class TrainingRecord(models.Model):
    """Q-TRAINING-MEMBER, Q-TRAINING-LEADER: study hours of one member in one activity.

    Lectures and themed party days logged as meetings are not entered here: their hours come from
    the attendance."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by organisation")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="training_records", verbose_name=_("member")
    )
    kind = models.CharField(_("activity"), max_length=8, choices=TrainingKind.choices)
    title = models.CharField(_("course or activity"), max_length=200)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("study hours"), max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("study-hour entry")
        verbose_name_plural = _("study-hour ledger")
        ordering = ["-held_on", "member_id"]
        indexes = [models.Index(fields=["member", "held_on"], name="training_member_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24), name="training_hours_range"
            ),
            models.UniqueConstraint(fields=["member", "title", "held_on"], name="training_once_per_activity"),
        ]

    def __str__(self):
        return f"{self.member} {self.title} {self.hours}"


class Talk(models.Model):
    """Q-TALKS: a heart-to-heart talk (谈心谈话) with one member."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="talks", verbose_name=_("member")
    )
    talker = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("talked with by"),
    )
    talker_name = models.CharField(_("talked with by (outside the zone)"), max_length=100, blank=True)
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("heart-to-heart talk")
        verbose_name_plural = _("heart-to-heart talks")
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["member", "held_on"], name="talk_member_day")]

    def __str__(self):
        return f"{self.held_on} {self.member}"


class Evaluation(models.Model):
    """Q-EVALUATION: a branch's annual democratic evaluation of its members (民主评议党员)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("democratic evaluation")
        verbose_name_plural = _("democratic evaluations")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="evaluation_once_a_year")]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class EvaluationResult(models.Model):
    """One member's four evaluations, final grade and, if unqualified, the disposal taken."""

    scope_path = "evaluation__organisation__path"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="evaluation_results")
    self_grade = models.CharField(_("self-evaluation"), max_length=20, choices=Grade.choices)
    peer_grade = models.CharField(_("peer evaluation"), max_length=20, choices=Grade.choices)
    public_grade = models.CharField(_("public evaluation"), max_length=20, choices=Grade.choices)
    branch_grade = models.CharField(_("branch evaluation"), max_length=20, choices=Grade.choices)
    grade = models.CharField(_("final grade"), max_length=20, choices=Grade.choices)
    disposal = models.CharField(_("disposal"), max_length=20, choices=Disposal.choices, blank=True)

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        constraints = [models.UniqueConstraint(fields=["evaluation", "member"], name="evaluation_result_once")]

    def __str__(self):
        return f"{self.member} {self.get_grade_display()}"


class Venue(models.Model):
    """S-VENUE: a venue of an organisation (Q-VENUE-SIXHAVE, Q-VENUE-NONPUBLIC)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="venues", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind of venue"), max_length=24, choices=VenueKind.choices)
    name = models.CharField(pgettext_lazy("venue", "name"), max_length=200)
    address = models.CharField(_("address"), max_length=200)
    area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=1, null=True, blank=True)
    opened_on = models.DateField(_("in use since"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["organisation__path", "kind", "pk"]

    def __str__(self):
        return self.name


class VenueCheck(models.Model):
    """One of the six standards of a venue (Q-VENUE-SIXHAVE) as last checked, with its evidence: a
    standard counts as met only with a photo or a note saying what is there."""

    scope_path = "venue__organisation__path"

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="checks")
    standard = models.CharField(_("standard"), max_length=12, choices=SixStandard.choices)
    is_met = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("evidence note"), max_length=200, blank=True)
    photo = models.FileField(_("photo"), upload_to="venues/%Y/%m/", blank=True)
    checked_on = models.DateField(_("checked on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The version the six-standards form was opened on (portal.concurrency).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("venue standard")
        verbose_name_plural = _("venue standards")
        constraints = [models.UniqueConstraint(fields=["venue", "standard"], name="venue_check_once")]

    def __str__(self):
        return f"{self.venue} {self.get_standard_display()}"


class VenueInspection(models.Model):
    """The bureau's acceptance inspection of a venue (F-VENUE-REWARD): class 1 / 2 / 3 or failed.

    `reward` is what this inspection entitles the organisation to: the grade's amount less what
    earlier inspections of the venue already entitled (a re-grade pays the difference at most)."""

    scope_path = "venue__organisation__path"

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    grade = models.CharField(_("grade"), max_length=8, choices=VenueGrade.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    notes = models.TextField(_("notes"), blank=True)
    reward = models.DecimalField(_("reward entitlement (yuan)"), max_digits=9, decimal_places=2)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acceptance inspection")
        verbose_name_plural = _("acceptance inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self):
        return f"{self.venue} {self.get_grade_display()}"


class LeadershipDays(models.Model):
    """Q-RESEARCH-*, Q-CONTACT-TOWN: a stretch of days a leadership member spent at the grassroots."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("leadership team of")
    )
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=8, choices=LeadershipDayKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    place = models.CharField(_("where"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("days at the grassroots")
        verbose_name_plural = _("days at the grassroots")
        ordering = ["-started_on", "pk"]
        indexes = [models.Index(fields=["member", "started_on"], name="leadership_days_member")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__gte=models.F("started_on")), name="leadership_days_order"
            )
        ]

    def __str__(self):
        return f"{self.member} {self.started_on}–{self.ended_on}"


class IntegrityPledge(models.Model):
    """Q-INTEGRITY-PLEDGE: a leadership team's or member's public integrity pledge (廉政承诺)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("leadership team of")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member (empty: the whole team)"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    pledged_on = models.DateField(_("pledged on"))
    published_on = models.DateField(_("published on"))
    published_where = models.CharField(_("published where"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("integrity pledge")
        verbose_name_plural = _("integrity pledges")
        ordering = ["-year", "pk"]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class MajorDecision(models.Model):
    """S-THREE-MAJOR: a 三重一大 matter, decided collectively at a recorded meeting."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MajorDecisionKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided at")
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("major decision")
        verbose_name_plural = _("major decisions")
        ordering = ["-decided_on", "pk"]

    def __str__(self):
        return self.subject


class VillageMatter(models.Model):
    """S-FOUR-DELIBERATIONS: a village's major matter, taken through the four deliberations and the
    two publications in order (each step in MatterStep)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    title = models.CharField(_("matter"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("village major matter")
        verbose_name_plural = _("village major matters")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return self.title


class MatterStep(models.Model):
    scope_path = "matter__organisation__path"

    matter = models.ForeignKey(VillageMatter, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=24, choices=DeliberationStep.choices)
    done_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [models.UniqueConstraint(fields=["matter", "step"], name="matter_step_once")]

    def __str__(self):
        return f"{self.matter} {self.get_step_display()}"


class AnnualReport(models.Model):
    """Q-ANNUAL-REPORT: the secretary's special report on party building (专项述职) for a year, its
    evaluation and where and when the evaluation was published."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year reported on"))
    reported_on = models.DateField(_("reported on"))
    reporter = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    result = models.CharField(_("evaluation"), max_length=12, choices=ReportResult.choices)
    published_on = models.DateField(_("evaluation published on"))
    published_where = models.CharField(_("published where"), max_length=200)
    # The report itself (issue 12): its text, a scan or photo of it (portal.uploads), or both.
    text = models.TextField(_("text of the report"), blank=True)
    attachment = models.FileField(_("report file"), upload_to="reports/%Y/", blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("special report")
        verbose_name_plural = _("special reports")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="annual_report_once")]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class CongressSession(models.Model):
    """Q-TOWN-CONGRESS: a town's annual party-congress session (党代会年会)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("town")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"))
    deputies = models.PositiveIntegerField(_("deputies"))
    deputies_present = models.PositiveIntegerField(_("deputies present"))
    agenda = models.TextField(_("agenda"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("party-congress session")
        verbose_name_plural = _("party-congress sessions")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="congress_once_a_year")]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class Pairing(models.Model):
    """S-PAIRING: an organisation paired with another (an agency or enterprise with a village, an
    urban school with a rural one), or a member linked with households (党员联户)."""

    scope_path = ("organisation__path", "partner__path")

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind of pairing"), max_length=20, choices=PairingKind.choices)
    partner = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paired with"),
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    started_on = models.DateField(_("since"))
    content = models.CharField(_("what they do together"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-started_on", "pk"]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()}"


class GridUnit(models.Model):
    """S-GRID: a party-building grid unit of a community (党组织 + 网格)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("grid unit"), max_length=100)
    households = models.PositiveIntegerField(_("households"))
    leader = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member in charge"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid unit")
        verbose_name_plural = _("grid units")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="grid_unit_name_once")]

    def __str__(self):
        return self.name


class DoubleStrongApplication(models.Model):
    """S-DOUBLE-STRONG: a non-public enterprise's application for 双强六好, and the bureau's decision."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    applied_on = models.DateField(_("applied on"))
    status = models.CharField(
        _("status"), max_length=10, choices=DoubleStrongStatus.choices, default=DoubleStrongStatus.APPLIED
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("双强六好 application")
        verbose_name_plural = _("双强六好 applications")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="double_strong_once_a_year")]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class ComplianceRun(models.Model):
    """One evaluation of every rule for a year (the nightly compliance check, or one the bureau started).

    At most one run of a year is running at a time (a partial unique constraint is the lease); a
    run that fails writes no findings and keeps the error. `summary` keeps what the dashboards read
    without scanning the findings (counts per rule, the organisations with most open findings)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped: another run of the year was running")

    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.RUNNING)
    trigger = models.CharField(_("started by"), max_length=20, default="beat")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("checks"), default=0)
    opened = models.PositiveIntegerField(_("findings opened"), default=0)
    resolved = models.PositiveIntegerField(_("findings resolved"), default=0)
    open_total = models.PositiveIntegerField(_("open findings"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("compliance run")
        verbose_name_plural = _("compliance runs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=models.Q(state="running"), name="one_running_run_a_year")
        ]

    def __str__(self):
        return f"{self.year} {self.started_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """What a rule found for an organisation (or a person in it) in a period: the measured value
    against the required one. Open until a later run finds the duty met (resolved) or the bureau
    waives it with a reason. One finding per rule, period and subject, whatever the number of runs."""

    scope_path = "organisation__path"

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        WAIVED = "waived", _("Waived")

    rule = models.CharField(_("clause"), max_length=32)
    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="findings", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=10)
    # What within the rule: the kind of meeting of N-MEETINGS, say ("" where a rule checks one thing).
    aspect = models.CharField(_("aspect"), max_length=24, blank=True)
    measured = models.DecimalField(_("measured"), max_digits=14, decimal_places=2)
    required = models.DecimalField(_("required"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_run = models.ForeignKey(ComplianceRun, on_delete=models.SET_NULL, null=True, related_name="+")
    last_run = models.ForeignKey(ComplianceRun, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    waived_reason = models.CharField(_("reason for the waiver"), max_length=200, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waived by"),
    )
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    # When the evaluation that last wrote this verdict began (a run's start, or a recheck's): a
    # run or recheck that began earlier read older records and leaves the verdict alone (engine.py).
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["due_on", "rule", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "period", "aspect", "organisation"],
                condition=models.Q(member__isnull=True),
                name="finding_once_an_organisation",
            ),
            models.UniqueConstraint(
                fields=["rule", "period", "aspect", "organisation", "member"],
                condition=models.Q(member__isnull=False),
                name="finding_once_a_member",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status", "rule"], name="finding_year_status"),
            models.Index(fields=["organisation", "status"], name="finding_org_status"),
        ]

    def __str__(self):
        return f"{self.rule} {self.organisation_id} {self.period}"


class FindingStage(models.Model):
    """A run's failed checks, copied in before one set-based merge into the findings (then emptied)."""

    run = models.ForeignKey(ComplianceRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    rule = models.CharField(max_length=32)
    organisation_id = models.IntegerField()
    member_id = models.IntegerField(null=True)
    year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=10)
    aspect = models.CharField(max_length=24, blank=True)
    measured = models.DecimalField(max_digits=14, decimal_places=2)
    required = models.DecimalField(max_digits=14, decimal_places=2)
    due_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["run", "rule", "period", "organisation_id"], name="finding_stage_key")]

    def __str__(self):
        return f"{self.rule} {self.organisation_id} {self.period}"


class RuleTally(models.Model):
    """A run's checks of one rule counted by sector and town or system (the depth-2 organisation):
    what the dashboards chart, precomputed so a dashboard never scans the findings. A town's
    administrator sees their town's rows (scoping by the town's path); below a town there is no tally."""

    scope_path = "town__path"

    run = models.ForeignKey(ComplianceRun, on_delete=models.CASCADE, related_name="tallies")
    rule = models.CharField(max_length=32)
    sector = models.CharField(max_length=24, blank=True)
    town = models.ForeignKey("branches.Organisation", on_delete=models.CASCADE, null=True, related_name="+")
    checked = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["run", "rule"], name="rule_tally_run")]

    def __str__(self):
        return f"{self.rule} {self.sector} {self.passed}/{self.checked}"


class WeakSelection(models.Model):
    """Q-WEAK-VILLAGE, Q-WEAK-COMMUNITY, Q-WEAK-OTHER: one grassroots organisation's place in a year's
    bottom-up ranking of its type (软弱涣散 倒排), whether it was proposed and whether the bureau named it.

    `type` is the sector the organisation is ranked in (village, community or another type).
    `proposed` is the ranking's proposal (the bottom share of the type); `named` is the bureau's
    decision, with a reason wherever it differs from the proposal (assessments/weak.py)."""

    scope_path = "organisation__path"

    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    type = models.CharField(_("type of organisation"), max_length=24, choices=Sector.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    deductions = models.JSONField(_("points deducted"), default=dict, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    rank = models.PositiveIntegerField(_("rank from the bottom"))
    proposed = models.BooleanField(_("proposed"), default=False)
    named = models.BooleanField(_("named weak"), default=False)
    reason = models.CharField(_("reason for the decision"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision by"),
    )
    decided_at = models.DateTimeField(_("decision recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weak organisation ranking")
        verbose_name_plural = _("weak organisation rankings")
        ordering = ["year", "type", "rank"]
        constraints = [models.UniqueConstraint(fields=["year", "organisation"], name="weak_selection_once_a_year")]
        indexes = [models.Index(fields=["year", "type", "rank"], name="weak_selection_rank")]

    def __str__(self):
        return f"{self.year} {self.organisation_id} {self.rank}"


class Rectification(models.Model):
    """Q-WEAK-REMEDY: the rectification (整顿) of an organisation the bureau named weak, closed by a verdict."""

    scope_path = "selection__organisation__path"

    class Verdict(models.TextChoices):
        RECTIFIED = "rectified", _("Rectified")
        NOT_RECTIFIED = "not_rectified", _("Not rectified")

    selection = models.OneToOneField(WeakSelection, on_delete=models.PROTECT, related_name="rectification")
    started_on = models.DateField(_("rectification started on"))
    verdict = models.CharField(_("closing verdict"), max_length=16, choices=Verdict.choices, blank=True)
    verdict_on = models.DateField(_("verdict given on"), null=True, blank=True)
    verdict_note = models.CharField(_("note on the verdict"), max_length=200, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verdict given by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self):
        return str(self.selection)


class RectificationRemedy(models.Model):
    """Q-WEAK-REMEDY: one remedy of a rectification (领导挂点, 部门帮扶, 选派党建指导员 or 第一书记).

    A leader liaison and an instructor or first secretary point at the person's post (collected
    once, on the organisation's page); a department support names the supporting organisation."""

    scope_path = "rectification__selection__organisation__path"

    class Kind(models.TextChoices):
        LEADER_LIAISON = "leader_liaison", _("Leader liaison")
        DEPARTMENT_SUPPORT = "department_support", _("Department support")
        INSTRUCTOR = "instructor", _("Party-building instructor sent")
        FIRST_SECRETARY = "first_secretary", _("First secretary sent")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("remedy"), max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        "branches.Post", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("post")
    )
    department = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supporting department"),
    )
    started_on = models.DateField(_("in place since"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        ordering = ["started_on", "pk"]

    def __str__(self):
        return f"{self.rectification_id} {self.get_kind_display()}"


class RectificationNote(models.Model):
    """A progress note of a rectification, written by the organisation (or the bureau)."""

    scope_path = "rectification__selection__organisation__path"

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="notes")
    written_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["written_on", "pk"]

    def __str__(self):
        return f"{self.rectification_id} {self.written_on}"
