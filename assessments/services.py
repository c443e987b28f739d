"""Writes of the meeting log and the study-hour ledger. Views, the admin and imports call these.

Every record keeps who entered it; secretaries record only inside their subtree; attendance is
taken only of members the organisation had on the meeting's day (and in-flow members it receives).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches import scoping
from branches.models import Organisation
from members.enums import MemberCategory
from members.models import Member, Membership

from . import selectors
from .enums import (
    EVALUATING_KINDS,
    MEETING_KINDS_BY_ORGANISATION,
    PROBATION_DISPOSALS,
    STUDY_MEETING_KINDS,
    AttendanceStatus,
    Grade,
    MeetingKind,
)
from .models import Attendance, Evaluation, EvaluationResult, Meeting, MeetingAttachment, Talk, TrainingRecord
from .norms import DEFAULT_STUDY_HOURS, MAX_HOURS_A_DAY

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
# What a photo or a scanned sign-in sheet may be, told by the file's first bytes, not its name.
ATTACHMENT_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"%PDF-": "application/pdf"}


def _who(user):
    return user if getattr(user, "pk", None) else None


def _organisation_check(*, organisation: Organisation, user, day: datetime.date, meetings: bool = True) -> None:
    """In the user's scope, not dissolved by `day`; meetings are held by branches and party groups
    (a class of study hours may be a general branch's or a town's)."""
    if user is not None and not scoping.path_in_scope(user, organisation.path):
        raise ValidationError(_("This organisation is outside your responsibility."))
    if meetings and organisation.kind not in MEETING_KINDS_BY_ORGANISATION:
        raise ValidationError(
            _("Meetings and study hours are recorded by branches and party groups, not by a %(kind)s.")
            % {"kind": organisation.get_kind_display()}
        )
    if organisation.dissolved_on and day > organisation.dissolved_on:
        raise ValidationError({"held_on": _("%(org)s was dissolved on %(date)s.") % {"org": organisation.name,
                                                                                       "date": organisation.dissolved_on}})  # fmt: skip


def _day_check(day: datetime.date, field: str = "held_on") -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError({field: _("This date is in the future.")})
    if day.year < 2015:
        raise ValidationError({field: _("Records start in 2015, the year of the opinion.")})


def _hours_check(hours, field: str) -> Decimal:
    if hours is None or hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise ValidationError({field: _("Study hours are more than 0 and at most 24 a day.")})
    return Decimal(hours)


def attachment_check(upload) -> str:
    """The content type of an uploaded photo or sign-in sheet, or ValidationError naming the file."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachments": _("%(name)s is larger than %(mb)s MB.") % {
            "name": upload.name, "mb": MAX_ATTACHMENT_BYTES // 2**20}})  # fmt: skip
    start = upload.read(8)
    upload.seek(0)
    for signature, content_type in ATTACHMENT_SIGNATURES.items():
        if start.startswith(signature):
            return content_type
    raise ValidationError(
        {"attachments": _("%(name)s is not a JPEG or PNG photo or a PDF scan.") % {"name": upload.name}}
    )


@transaction.atomic
def meeting_record(*, organisation: Organisation, data: dict, attendance: dict, attachments=(), user=None,
                   meeting: Meeting | None = None) -> Meeting:  # fmt: skip
    """Record (or correct) a meeting with its attendance in one step.

    `attendance` maps member id -> (status, reason). Only members of the organisation on the
    meeting's day, and in-flow members it receives then, may be listed; an excused member needs
    the reason. Study hours of a lecture or themed party day are credited to those present."""
    day = data["held_on"]
    kind = data["kind"]
    _organisation_check(organisation=organisation, user=user, day=day)
    _day_check(day)
    errors = {}
    if kind not in MEETING_KINDS_BY_ORGANISATION[organisation.kind]:
        errors["kind"] = _("A %(org_kind)s does not hold a %(kind)s.") % {
            "org_kind": organisation.get_kind_display(), "kind": MeetingKind(kind).label}  # fmt: skip
    if not (data.get("topic") or "").strip():
        errors["topic"] = _("Give the topic of the meeting.")
    if kind == MeetingKind.LECTURE and not data.get("lecturer") and not (data.get("lecturer_name") or "").strip():
        errors["lecturer"] = _("Who gave the lecture? Choose the member or write the outside lecturer's name.")
    hours = data.get("study_hours")
    if kind in STUDY_MEETING_KINDS:
        hours = DEFAULT_STUDY_HOURS if hours is None else hours
        try:
            hours = _hours_check(hours, "study_hours")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    else:
        hours = None
    roster = selectors.attendance_roster(organisation=organisation, day=day)
    allowed = {entry.member.pk: entry for entry in roster}
    chair = data.get("chaired_by")
    if chair is not None and chair.pk not in allowed:
        errors["chaired_by"] = _("%(name)s was not a member of %(org)s on %(date)s.") % {
            "name": chair.name, "org": organisation.name, "date": day}  # fmt: skip
    rows = []
    for member_id, (status, reason) in attendance.items():
        entry = allowed.get(member_id)
        if entry is None:
            name = Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or member_id
            errors.setdefault("attendance", []).append(
                _("%(name)s was not a member of %(org)s on %(date)s.") % {"name": name, "org": organisation.name, "date": day}
            )  # fmt: skip
            continue
        if status not in AttendanceStatus.values:
            errors.setdefault("attendance", []).append(
                _("Choose present, excused or absent for %(name)s.") % {"name": entry.member.name}
            )
            continue  # fmt: skip
        reason = (reason or "").strip()
        if status == AttendanceStatus.EXCUSED and not reason:
            errors.setdefault("attendance", []).append(
                _("Give the reason %(name)s was excused.") % {"name": entry.member.name}
            )
        rows.append(Attendance(member_id=member_id, status=status, reason=reason if status != AttendanceStatus.PRESENT else "",
                               is_inflow=entry.is_inflow))  # fmt: skip
    if not rows and not errors:
        errors["attendance"] = [_("Record who attended: the organisation had no member on this day.")]
    checked = []
    attachments = list(attachments)
    if len(attachments) + (meeting.attachments.count() if meeting else 0) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("At most %(n)s attachments a meeting.") % {"n": MAX_ATTACHMENTS}]
    else:
        for upload in attachments:
            try:
                checked.append((upload, attachment_check(upload)))
            except ValidationError as exc:
                errors.setdefault("attachments", []).extend(exc.message_dict["attachments"])
    if errors:
        raise ValidationError(errors)

    fields = {
        "kind": kind, "held_on": day, "place": data["place"].strip(), "topic": data["topic"].strip(),
        "chaired_by": chair, "lecturer": data.get("lecturer") if kind == MeetingKind.LECTURE else None,
        "lecturer_name": (data.get("lecturer_name") or "").strip() if kind == MeetingKind.LECTURE else "",
        "minutes": data.get("minutes", ""), "study_hours": hours,
    }  # fmt: skip
    if meeting is None:
        meeting = Meeting.objects.create(organisation=organisation, recorded_by=_who(user), **fields)
    else:
        for field, value in fields.items():
            setattr(meeting, field, value)
        meeting.save()
        meeting.attendances.all().delete()
    for row in rows:
        row.meeting = meeting
    Attendance.objects.bulk_create(rows)
    for upload, content_type in checked:
        MeetingAttachment.objects.create(meeting=meeting, file=upload, file_name=upload.name[:200], size=upload.size,
                                         content_type=content_type)  # fmt: skip
    return meeting


@transaction.atomic
def training_batch_record(*, organisation: Organisation, kind: str, title: str, held_on: datetime.date, hours,
                          member_ids: list[int], user=None) -> list[TrainingRecord]:  # fmt: skip
    """One course, many attendees: a ledger entry for each member, in one step.

    The members must belong to the organisation (or its subtree) on the day; the same activity is
    not entered twice for a member."""
    _organisation_check(organisation=organisation, user=user, day=held_on, meetings=False)
    _day_check(held_on)
    hours = _hours_check(hours, "hours")
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the course or activity.")})
    if not member_ids:
        raise ValidationError({"members": _("Choose at least one member.")})
    allowed = set(selectors.members_under_on(organisation=organisation, day=held_on).values_list("pk", flat=True))
    outside = [m for m in member_ids if m not in allowed]
    if outside:
        names = "、".join(Member.objects.filter(pk__in=outside).values_list("name", flat=True)[:10])
        raise ValidationError({"members": _("Not members of %(org)s on %(date)s: %(names)s.") % {
            "org": organisation.name, "date": held_on, "names": names}})  # fmt: skip
    already = list(
        TrainingRecord.objects.filter(member_id__in=member_ids, title=title, held_on=held_on).values_list(
            "member__name", flat=True
        )
    )
    if already:
        raise ValidationError({"members": _("Already in the ledger for this activity and day: %(names)s.") % {
            "names": "、".join(already[:10])}})  # fmt: skip
    return TrainingRecord.objects.bulk_create(
        TrainingRecord(organisation=organisation, member_id=member_id, kind=kind, title=title, held_on=held_on,
                       hours=hours, recorded_by=_who(user))
        for member_id in member_ids
    )  # fmt: skip


def training_record_delete(*, record: TrainingRecord, user=None) -> None:
    """An entry made by mistake goes; entries from meetings are corrected on the meeting."""
    if user is not None and not scoping.path_in_scope(user, record.organisation.path):
        raise ValidationError(_("This entry is outside your responsibility."))
    record.delete()


@transaction.atomic
def talks_record(*, organisation: Organisation, held_on: datetime.date, topic: str, member_ids: list[int],
                 talker: Member | None = None, talker_name: str = "", user=None) -> list[Talk]:  # fmt: skip
    """Q-TALKS: talks held on one day by one person, one with each member chosen (one form)."""
    _organisation_check(organisation=organisation, user=user, day=held_on, meetings=False)
    _day_check(held_on)
    errors = {}
    if talker is None and not talker_name.strip():
        errors["talker"] = _("Who held the talks? Choose the member or write the name.")
    if not topic.strip():
        errors["topic"] = _("Give the topic of the talk.")
    if not member_ids:
        errors["members"] = _("Choose at least one member.")
    allowed = set(selectors.members_under_on(organisation=organisation, day=held_on).values_list("pk", flat=True))
    outside = [m for m in member_ids if m not in allowed]
    if outside:
        names = "、".join(Member.objects.filter(pk__in=outside).values_list("name", flat=True)[:10])
        errors["members"] = _("Not members of %(org)s on %(date)s: %(names)s.") % {
            "org": organisation.name, "date": held_on, "names": names}  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return Talk.objects.bulk_create(
        Talk(organisation=organisation, member_id=member_id, talker=talker, talker_name=talker_name.strip(),
             held_on=held_on, topic=topic.strip(), recorded_by=_who(user))
        for member_id in member_ids
    )  # fmt: skip


@transaction.atomic
def evaluation_record(*, organisation: Organisation, year: int, held_on: datetime.date, results: dict, user=None,
                      evaluation: Evaluation | None = None) -> Evaluation:  # fmt: skip
    """Q-EVALUATION: a branch's democratic evaluation of the year, every member graded in one step.

    `results` maps member id -> {self_grade, peer_grade, public_grade, branch_grade, grade, disposal}.
    Every member of the branch on the day is graded, nobody else; an unqualified member has the
    disposal taken, and only an unqualified one has any."""
    if user is not None and not scoping.path_in_scope(user, organisation.path):
        raise ValidationError(_("This organisation is outside your responsibility."))
    if organisation.kind not in EVALUATING_KINDS:
        raise ValidationError(_("The democratic evaluation is held by a branch, not by a %(kind)s.") % {
            "kind": organisation.get_kind_display()})  # fmt: skip
    _day_check(held_on)
    if held_on.year != year:
        raise ValidationError({"held_on": _("The evaluation of %(year)s is held in %(year)s.") % {"year": year}})
    if evaluation is None and Evaluation.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError(
            _("The evaluation of %(year)s is already on record: correct it instead.") % {"year": year}
        )
    roster = {m.pk: m for m in selectors.members_under_on(organisation=organisation, day=held_on).filter(
        pk__in=Membership.objects.on(held_on).filter(organisation=organisation).values("member_id"))}  # fmt: skip
    errors = []
    missing = [m.name for pk, m in roster.items() if pk not in results]
    if missing:
        errors.append(
            _("Grade every member of the branch on that day; missing: %(names)s.") % {"names": "、".join(missing)}
        )
    rows = []
    for member_id, grades in results.items():
        member = roster.get(member_id)
        if member is None:
            errors.append(_("Not a member of %(org)s on %(date)s: %(name)s.") % {
                "org": organisation.name, "date": held_on,
                "name": Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or member_id})  # fmt: skip
            continue
        if any(grades.get(f) not in Grade.values for f in GRADE_FIELDS):
            errors.append(_("Give all four evaluations and the final grade of %(name)s.") % {"name": member.name})
            continue
        disposal = grades.get("disposal") or ""
        if grades["grade"] == Grade.UNQUALIFIED and not disposal:
            errors.append(_("%(name)s is unqualified: record the disposal taken.") % {"name": member.name})
        elif grades["grade"] != Grade.UNQUALIFIED and disposal:
            errors.append(_("Only an unqualified member has a disposal (%(name)s).") % {"name": member.name})
        elif disposal in PROBATION_DISPOSALS and member.category != MemberCategory.PROBATIONARY:
            errors.append(_("%(name)s is a full member: the probation disposals do not apply.") % {"name": member.name})
        elif disposal and disposal not in PROBATION_DISPOSALS and member.category == MemberCategory.PROBATIONARY:
            errors.append(_("%(name)s is a probationary member: extend or end the probation.") % {"name": member.name})
        rows.append(EvaluationResult(member_id=member_id, disposal=disposal, **{f: grades[f] for f in GRADE_FIELDS}))
    if errors:
        raise ValidationError({"results": errors})
    if evaluation is None:
        evaluation = Evaluation.objects.create(
            organisation=organisation, year=year, held_on=held_on, recorded_by=_who(user)
        )
    else:
        evaluation.held_on = held_on
        evaluation.save()
        evaluation.results.all().delete()
    for row in rows:
        row.evaluation = evaluation
    EvaluationResult.objects.bulk_create(rows)
    return evaluation


GRADE_FIELDS = ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")
