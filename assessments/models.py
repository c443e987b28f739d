"""The records secretaries keep, each the evidence a nightly rule reads (clauses in ../shared/policy).

A meeting (三会一课, themed party day) with who attended; the study-hour ledger. Study hours of
a lecture or themed party day come from its attendance, never from a second entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import AttachmentKind, AttendanceStatus, Disposal, Grade, MeetingKind, TrainingKind


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
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="lectures",
        verbose_name=_("lecturer"),
    )  # fmt: skip
    lecturer_name = models.CharField(_("lecturer from outside the zone"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    study_hours = models.DecimalField(
        _("study hours credited"), max_digits=4, decimal_places=1, null=True, blank=True,
        help_text=_("Credited to every member present (party lectures and themed party days)."),
    )  # fmt: skip
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


class Attendance(models.Model):
    """Who was at a meeting: present, excused (with the reason) or absent."""

    scope_path = "meeting__organisation__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
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
