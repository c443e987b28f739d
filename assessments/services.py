"""Writes of the meeting log and the study-hour ledger. Views, the admin and imports call these.

Every record keeps who entered it; secretaries record only inside their subtree; attendance is
taken only of members the organisation had on the meeting's day (and in-flow members it receives).
"""

import datetime
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import selectors
from assessments.compliance.services import (
    DELIBERATION_RULES,
    EVALUATION_RULES,
    MEETING_RULES,
    STUDY_RULES,
    TALK_RULES,
    compliance_recheck_after,
)
from assessments.enums import (
    DELIBERATION_ORDER,
    EVALUATING_KINDS,
    LISTED_STATUSES,
    MEETING_KINDS_BY_ORGANISATION,
    PROBATION_DISPOSALS,
    STUDY_MEETING_KINDS,
    THEMED_DAY_ALSO_COUNTS,
    AttachmentKind,
    AttendanceStatus,
    DeliberationStep,
    DoubleStrongStatus,
    Grade,
    MeetingKind,
    PairingKind,
    SixStandard,
    VenueGrade,
    VenueKind,
    reports_annually,
)
from assessments.models import (
    AnnualReport,
    Attendance,
    CongressSession,
    DoubleStrongApplication,
    Evaluation,
    EvaluationResult,
    GridUnit,
    IntegrityPledge,
    LeadershipDays,
    MajorDecision,
    MatterStep,
    Meeting,
    MeetingAttachment,
    Pairing,
    Talk,
    TrainingRecord,
    Venue,
    VenueCheck,
    VenueInspection,
    VillageMatter,
)
from assessments.norms import DEFAULT_STUDY_HOURS, LEADERSHIP_CLAUSES, MAX_HOURS_A_DAY, venue_reward
from branches.enums import COMMITTEE_POSTS, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from core import audit, scoping
from core.audit import acting_user
from core.concurrency import row_lock, version_check
from core.dates import day_text
from core.permissions import has_permission
from core.policy import policy_for_year
from core.uploads import IMAGE_TYPES, upload_check
from core.years import day_check
from members.enums import MemberCategory
from members.models import Member
from members.selectors import branch_members_on

MAX_ATTACHMENTS = 20
# Where the opinion sets up each kind of place (三.3): a convenience service station and a member household
# post in villages and communities (Q-SERVICE-STATION, Q-DEPUTY-STUDIO), a congress-deputy office in towns
# and streets (Q-DEPUTY-STUDIO). Other kinds may stand anywhere.
VENUE_KIND_SECTORS = {
    VenueKind.CONVENIENCE_STATION: (Sector.VILLAGE, Sector.COMMUNITY),
    VenueKind.MEMBER_HOUSEHOLD: (Sector.VILLAGE, Sector.COMMUNITY),
    VenueKind.DEPUTY_OFFICE: (Sector.TOWN, Sector.STREET),
}

# What the bulk writes below log, one entry a call (issue 13, item 4: bulk_create passes the signals).
ATTENDANCE_RECORDED = audit.named_action(
    "assessments.meeting.attendance_recorded",
    label=gettext_lazy("Attendance recorded"),
    models=("assessments.attendance",),
)
TRAINING_BATCH_RECORDED = audit.named_action(
    "assessments.training.batch_recorded",
    label=gettext_lazy("Study hours recorded for a class"),
    models=("assessments.trainingrecord",),
)
TALKS_RECORDED = audit.named_action(
    "assessments.talk.batch_recorded", label=gettext_lazy("Talks recorded"), models=("assessments.talk",)
)
EVALUATION_RESULTS_RECORDED = audit.named_action(
    "assessments.evaluation.results_recorded",
    label=gettext_lazy("Evaluation results recorded"),
    models=("assessments.evaluationresult",),
)
ATTENDANCE_FIELDS = ("member", "status", "reason", "is_inflow")
RESULT_FIELDS = ("member", "self_grade", "peer_grade", "public_grade", "branch_grade", "grade", "disposal")


def _organisation_check(*, organisation: Organisation, user, day: datetime.date, meetings: bool = True) -> None:
    """In the user's scope, not dissolved by `day`; meetings are held by branches and party groups
    (a class of study hours may be a general branch's or a town's)."""
    scoping.scope_check(user=user, organisation=organisation)
    if meetings and organisation.kind not in MEETING_KINDS_BY_ORGANISATION:
        raise ValidationError(
            _(
                "Meetings and study hours are recorded by branches and party groups (a party committee records its "
                "democratic life meeting), not by a %(kind)s."
            )
            % {"kind": organisation.get_kind_display()}
        )
    if organisation.dissolved_on and day > organisation.dissolved_on:
        raise ValidationError(
            {
                "held_on": _("%(org)s was dissolved on %(date)s.")
                % {"org": organisation.name, "date": day_text(organisation.dissolved_on)}
            }
        )


def _hours_check(hours, field: str) -> Decimal:
    if hours is None or hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise ValidationError({field: _("Study hours are more than 0 and at most 24 a day.")})
    return Decimal(hours)


@transaction.atomic
def meeting_record(
    *,
    organisation: Organisation,
    data: dict,
    attendance: dict,
    attachments=(),
    sign_in_sheets=(),
    user=None,
    meeting: Meeting | None = None,
    version: str | None = None,
) -> Meeting:
    """Record (or correct) a meeting with its attendance in one step.

    `attendance` maps member id -> (status, reason). Only those the meeting lists on its day
    (`selectors.attendance_roster`: a branch's members and its party groups', and in-flow members
    received then; a party group's own; a committee meeting's committee in post) may be marked
    present, excused or absent; at a committee meeting others of the branch may be added as sitting
    in without a vote (列席), nobody else. An excused member needs the reason. Study hours of a
    lecture or themed party day are credited to those present. A themed party day may also count as
    the party lecture or the branch general meeting (`also_counts_as`, issue 12): recorded once, it
    counts for each kind and its hours once; as a lecture it needs a lecturer. A correction is refused
    if the meeting changed after its form was opened (`version`, issue 7). `attachments` are stored as
    photos, `sign_in_sheets` as sign-in sheets (签到表): the record book prints each under its own label."""
    day = data["held_on"]
    kind = data["kind"]
    also = set(data.get("also_counts_as") or ())
    _organisation_check(organisation=organisation, user=user, day=day)
    if meeting is not None:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        version_check(opened=version, stamp=meeting.updated_at)
    day_check(day)
    errors = {}
    if kind not in MEETING_KINDS_BY_ORGANISATION[organisation.kind]:
        errors["kind"] = _("A %(org_kind)s does not hold a %(kind)s.") % {
            "org_kind": organisation.get_kind_display(),
            "kind": MeetingKind(kind).label,
        }
    if not (data.get("topic") or "").strip():
        errors["topic"] = _("Give the topic of the meeting.")
    if also and kind != MeetingKind.THEMED_DAY:
        errors["also_counts_as"] = _("Only a themed party day also counts as another kind of meeting.")
    elif also - set(THEMED_DAY_ALSO_COUNTS) or not also <= MEETING_KINDS_BY_ORGANISATION[organisation.kind]:
        errors["also_counts_as"] = _("A themed party day counts only as a party lecture or a branch general meeting.")
    is_lecture = kind == MeetingKind.LECTURE or (kind == MeetingKind.THEMED_DAY and MeetingKind.LECTURE in also)
    if is_lecture and not data.get("lecturer") and not (data.get("lecturer_name") or "").strip():
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
    roster = selectors.attendance_roster(organisation=organisation, day=day, kind=kind)
    allowed = {entry.member.pk: entry for entry in roster}
    chair = data.get("chaired_by")
    if chair is not None and chair.pk not in allowed:
        errors["chaired_by"] = _("%(name)s was not a member of %(org)s on %(date)s.") % {
            "name": chair.name,
            "org": organisation.name,
            "date": day_text(day),
        }
    rows = []
    for member_id, (status, reason) in attendance.items():
        entry = allowed.get(member_id)
        if entry is None:
            name = Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or member_id
            errors.setdefault("attendance", []).append(
                _("%(name)s was not a member of %(org)s on %(date)s.")
                % {"name": name, "org": organisation.name, "date": day_text(day)}
            )
            continue
        # A row's error names its member (`params`): the form highlights the row (issue 12).
        row_params = {"name": entry.member.name, "date": day_text(day), "member": member_id}
        if entry.is_guest and status != AttendanceStatus.ATTENDING_NONVOTING:
            errors.setdefault("attendance", []).append(
                ValidationError(
                    _("%(name)s was not on the committee on %(date)s: record them as sitting in, or leave them out."),
                    code="not_on_committee",
                    params=row_params,
                )
            )
            continue
        if not entry.is_guest and status not in LISTED_STATUSES:
            errors.setdefault("attendance", []).append(
                ValidationError(_("Choose present, excused or absent for %(name)s."), code="status", params=row_params)
            )
            continue
        reason = (reason or "").strip()
        if status == AttendanceStatus.EXCUSED and not reason:
            errors.setdefault("attendance", []).append(
                ValidationError(_("Give the reason %(name)s was excused."), code="reason", params=row_params)
            )
        kept = status in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)
        rows.append(
            Attendance(member_id=member_id, status=status, reason=reason if kept else "", is_inflow=entry.is_inflow)
        )
    if kind == MeetingKind.DEMOCRATIC_LIFE and not roster:
        errors.setdefault("attendance", []).insert(
            0,
            _(
                "%(org)s had no leadership team in post on %(date)s: record the secretary and the committee "
                "members (posts) first."
            )
            % {"org": organisation.name, "date": day_text(day)},
        )
    elif kind == MeetingKind.COMMITTEE and roster and all(entry.is_guest for entry in roster):
        errors.setdefault("attendance", []).insert(
            0,
            _(
                "%(org)s had no committee member in post on %(date)s: record the secretary and the committee "
                "members (posts) first."
            )
            % {"org": organisation.name, "date": day_text(day)},
        )
    elif not rows and not errors:
        errors["attendance"] = [_("Record who attended: the organisation had no member on this day.")]
    checked = []
    uploads = [(AttachmentKind.PHOTO, "attachments", upload) for upload in attachments]
    uploads += [(AttachmentKind.SIGN_IN, "sign_in_sheets", upload) for upload in sign_in_sheets]
    if len(uploads) + (meeting.attachments.count() if meeting else 0) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("At most %(n)s attachments a meeting.") % {"n": MAX_ATTACHMENTS}]
    else:
        for kind_of_file, field, upload in uploads:
            try:
                checked.append((kind_of_file, upload.name, upload_check(upload)))
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    # Issue 12: what the meeting may fix, as it was and as it is, is checked again once it is saved.
    recheck_years = {day.year} | ({meeting.held_on.year} if meeting is not None else set())
    recheck_study = STUDY_MEETING_KINDS & {kind, meeting.kind if meeting is not None else kind}

    fields = {
        "kind": kind,
        "held_on": day,
        "place": data["place"].strip(),
        "topic": data["topic"].strip(),
        "chaired_by": chair,
        "lecturer": data.get("lecturer") if is_lecture else None,
        "lecturer_name": (data.get("lecturer_name") or "").strip() if is_lecture else "",
        "minutes": data.get("minutes", ""),
        "study_hours": hours,
        "counts_as_lecture": MeetingKind.LECTURE in also,
        "counts_as_general": MeetingKind.GENERAL in also,
    }
    replaced = []
    if meeting is None:
        meeting = Meeting.objects.create(organisation=organisation, recorded_by=acting_user(user), **fields)
    else:
        for field, value in fields.items():
            setattr(meeting, field, value)
        meeting.save()
        replaced = audit.rows_text(meeting.attendances.order_by("pk"), ATTENDANCE_FIELDS)
        with audit.suppressed():  # the attendance taken before is in this call's entry
            meeting.attendances.all().delete()
    for row in rows:
        row.meeting = meeting
    Attendance.objects.bulk_create(rows)
    audit.log_action(
        action=ATTENDANCE_RECORDED,
        instance=meeting,
        extra={"rows": len(rows), "written": audit.rows_text(rows, ATTENDANCE_FIELDS), "replaced": replaced},
    )
    for kind_of_file, name, stored in checked:
        MeetingAttachment.objects.create(
            meeting=meeting,
            kind=kind_of_file,
            file=stored.file,
            file_name=name[:200],
            size=stored.size,
            content_type=stored.content_type,
        )
    compliance_recheck_after(
        organisation=organisation, years=recheck_years, rules=MEETING_RULES + (STUDY_RULES if recheck_study else ())
    )
    return meeting


@transaction.atomic
def training_batch_record(
    *,
    organisation: Organisation,
    kind: str,
    title: str,
    held_on: datetime.date,
    hours,
    member_ids: list[int],
    user=None,
) -> list[TrainingRecord]:
    """One course, many attendees: a ledger entry for each member, in one step.

    The members must belong to the organisation (or its subtree) on the day; the same activity is
    not entered twice for a member."""
    _organisation_check(organisation=organisation, user=user, day=held_on, meetings=False)
    day_check(held_on)
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
        raise ValidationError(
            {
                "members": _("Not members of %(org)s on %(date)s: %(names)s.")
                % {"org": organisation.name, "date": day_text(held_on), "names": names}
            }
        )
    already = list(
        TrainingRecord.objects.filter(member_id__in=member_ids, title=title, held_on=held_on).values_list(
            "member__name", flat=True
        )
    )
    if already:
        raise ValidationError(
            {
                "members": _("Already in the ledger for this activity and day: %(names)s.")
                % {"names": "、".join(already[:10])}
            }
        )
    records = TrainingRecord.objects.bulk_create(
        TrainingRecord(
            organisation=organisation,
            member_id=member_id,
            kind=kind,
            title=title,
            held_on=held_on,
            hours=hours,
            recorded_by=acting_user(user),
        )
        for member_id in member_ids
    )
    audit.log_action(
        action=TRAINING_BATCH_RECORDED,
        model="assessments.trainingrecord",
        object_repr=f"{organisation.name} {title}",
        extra={
            "organisation": organisation.pk,
            "kind": kind,
            "title": title,
            "held_on": held_on,
            "hours": hours,
            "rows": len(records),
            "written": audit.rows_text(records, ("member",)),
        },
    )
    compliance_recheck_after(organisation=organisation, years=[held_on.year], rules=STUDY_RULES)
    return records


def training_record_delete(*, record: TrainingRecord, user=None) -> None:
    """An entry made by mistake goes; entries from meetings are corrected on the meeting."""
    if user is not None and not scoping.path_in_scope(user, record.organisation.path):
        raise ValidationError(_("This entry is outside your responsibility."))
    record.delete()
    compliance_recheck_after(organisation=record.organisation, years=[record.held_on.year], rules=STUDY_RULES)


@transaction.atomic
def talks_record(
    *,
    organisation: Organisation,
    held_on: datetime.date,
    topic: str,
    member_ids: list[int],
    talker: Member | None = None,
    talker_name: str = "",
    user=None,
) -> list[Talk]:
    """Q-TALKS: talks held on one day by one person, one with each member chosen (one form)."""
    _organisation_check(organisation=organisation, user=user, day=held_on, meetings=False)
    day_check(held_on)
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
            "org": organisation.name,
            "date": day_text(held_on),
            "names": names,
        }
    if errors:
        raise ValidationError(errors)
    talks = Talk.objects.bulk_create(
        Talk(
            organisation=organisation,
            member_id=member_id,
            talker=talker,
            talker_name=talker_name.strip(),
            held_on=held_on,
            topic=topic.strip(),
            recorded_by=acting_user(user),
        )
        for member_id in member_ids
    )
    audit.log_action(
        action=TALKS_RECORDED,
        model="assessments.talk",
        object_repr=f"{organisation.name} {topic.strip()}",
        extra={
            "organisation": organisation.pk,
            "held_on": held_on,
            "topic": topic.strip(),
            "talker": talker.pk if talker else talker_name.strip(),
            "rows": len(talks),
            "written": audit.rows_text(talks, ("member",)),
        },
    )
    compliance_recheck_after(organisation=organisation, years=[held_on.year], rules=TALK_RULES)
    return talks


@transaction.atomic
def evaluation_record(
    *,
    organisation: Organisation,
    year: int,
    held_on: datetime.date,
    results: dict,
    user=None,
    evaluation: Evaluation | None = None,
    version: str | None = None,
) -> Evaluation:
    """Q-EVALUATION: a branch's democratic evaluation of the year, every member graded in one step.

    `results` maps member id -> {self_grade, peer_grade, public_grade, branch_grade, grade, disposal}.
    Every member of the branch on the day, its party groups' included, is graded, nobody else; an
    unqualified member has the disposal taken, and only an unqualified one has any. Refused if the
    year's evaluation was recorded or changed after the form was opened (`version`, issue 7)."""
    scoping.scope_check(user=user, organisation=organisation)
    # The branch's row is the lock: a first evaluation may not exist yet to be locked itself.
    row_lock(Organisation, organisation.pk)
    if version is not None:
        evaluation = Evaluation.objects.filter(organisation=organisation, year=year).first()
        version_check(opened=version, stamp=evaluation.updated_at if evaluation else None)
    if organisation.kind not in EVALUATING_KINDS:
        raise ValidationError(
            _("The democratic evaluation is held by a branch, not by a %(kind)s.")
            % {"kind": organisation.get_kind_display()}
        )
    day_check(held_on)
    if held_on.year != year:
        raise ValidationError({"held_on": _("The evaluation of %(year)s is held in %(year)s.") % {"year": year}})
    if evaluation is None and Evaluation.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError(
            _("The evaluation of %(year)s is already on record: correct it instead.") % {"year": year}
        )
    roster = {m.pk: m for m in branch_members_on(organisation=organisation, day=held_on)}
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
            errors.append(
                _("Not a member of %(org)s on %(date)s: %(name)s.")
                % {
                    "org": organisation.name,
                    "date": day_text(held_on),
                    "name": Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or member_id,
                }
            )
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
    replaced = []
    if evaluation is None:
        evaluation = Evaluation.objects.create(
            organisation=organisation, year=year, held_on=held_on, recorded_by=acting_user(user)
        )
    else:
        evaluation.held_on = held_on
        evaluation.save()
        replaced = audit.rows_text(evaluation.results.order_by("pk"), RESULT_FIELDS)
        with audit.suppressed():  # the grades given before are in this call's entry
            evaluation.results.all().delete()
    for row in rows:
        row.evaluation = evaluation
    EvaluationResult.objects.bulk_create(rows)
    audit.log_action(
        action=EVALUATION_RESULTS_RECORDED,
        instance=evaluation,
        extra={"rows": len(rows), "written": audit.rows_text(rows, RESULT_FIELDS), "replaced": replaced},
    )
    compliance_recheck_after(organisation=organisation, years=[year], rules=EVALUATION_RULES)
    return evaluation


GRADE_FIELDS = ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")


def venue_create(*, organisation: Organisation, data: dict, user=None) -> Venue:
    """S-VENUE: a venue of an organisation in the user's scope."""
    scoping.scope_check(user=user, organisation=organisation)
    if organisation.is_dissolved:
        raise ValidationError(_("%(org)s was dissolved.") % {"org": organisation.name})
    if data.get("opened_on"):
        day_check(data["opened_on"], "opened_on")
    if data.get("area") is not None and data["area"] <= 0:
        raise ValidationError({"area": _("The floor area is more than 0.")})
    sectors = VENUE_KIND_SECTORS.get(data.get("kind"))
    if sectors is not None and organisation.sector not in sectors:
        raise ValidationError(
            {
                "kind": _("A %(kind)s is set up in %(where)s; %(org)s is of the sector “%(sector)s”.")
                % {
                    "kind": VenueKind(data["kind"]).label,
                    "where": "、".join(str(Sector(s).label) for s in sectors),
                    "org": organisation.name,
                    "sector": organisation.get_sector_display() or "—",
                }
            }
        )
    return Venue.objects.create(organisation=organisation, recorded_by=acting_user(user), **data)


@transaction.atomic
def venue_checks_record(
    *, venue: Venue, checked_on: datetime.date, checks: dict, user=None, version: str | None = None
) -> list[VenueCheck]:
    """Q-VENUE-SIXHAVE: the six standards of a venue, each met or not, with its evidence.

    `checks` maps a standard to (met, note, photo or None). A standard is met only with evidence: a
    photo (now or from the last check) or a note saying what is there. Refused if any standard was
    recorded after the form was opened (`version`, issue 7)."""
    if user is not None and not scoping.path_in_scope(user, venue.organisation.path):
        raise ValidationError(_("This venue is outside your responsibility."))
    # The venue's row is the lock: a standard not checked yet has no row of its own.
    row_lock(Venue, venue.pk)
    current = {c.standard: c for c in venue.checks.select_related("recorded_by")}
    last = max(current.values(), key=lambda c: c.updated_at, default=None)
    version_check(opened=version, stamp=last and last.updated_at, changed_by=last and last.recorded_by)
    day_check(checked_on, "checked_on")
    errors = []
    rows = []
    for standard in SixStandard:
        met, note, photo = checks.get(standard, (False, "", None))
        note = (note or "").strip()
        previous = current.get(standard)
        has_photo = photo is not None or bool(previous and previous.photo)
        if photo is not None:
            try:
                photo = upload_check(photo, types=IMAGE_TYPES).file
            except ValidationError as exc:  # each error names its standard (`params`): the form highlights the row
                errors.extend(
                    ValidationError("%(text)s", params={"text": text, "row": standard}) for text in exc.messages
                )
                continue
        if met and not has_photo and not note:
            errors.append(
                ValidationError(
                    _("“%(standard)s” is met only with evidence: a photo or a note."),
                    params={"standard": standard.label, "row": standard},
                )
            )
            continue
        row = previous or VenueCheck(venue=venue, standard=standard)
        row.is_met, row.note, row.checked_on, row.recorded_by = bool(met), note, checked_on, acting_user(user)
        if photo is not None:
            row.photo = photo
        rows.append(row)
    if errors:
        raise ValidationError({"checks": errors})
    for row in rows:
        row.save()
    return rows


def venue_inspect(*, venue: Venue, inspected_on: datetime.date, grade: str, notes: str = "", user) -> VenueInspection:
    """F-VENUE-REWARD: the bureau's acceptance. A venue that does not meet all six standards on
    record cannot pass; a graded venue is entitled to its reward once: a later, better grade adds
    the difference, a worse one adds nothing."""
    if not has_permission(user, "bureau"):
        raise ValidationError(_("Acceptance inspections are the organisation bureau's."))
    day_check(inspected_on, "inspected_on")
    if grade not in VenueGrade.values:
        raise ValidationError({"grade": _("Choose class 1, 2 or 3, or failed.")})
    if grade != VenueGrade.FAILED:
        met = set(venue.checks.filter(is_met=True).values_list("standard", flat=True))
        missing = [s.label for s in SixStandard if s not in met]
        if missing:
            raise ValidationError(
                {
                    "grade": _("The venue does not meet all six standards (missing: %(list)s); it cannot pass.")
                    % {"list": "、".join(str(m) for m in missing)}
                }
            )
    already = venue.inspections.aggregate(total=Sum("reward"))["total"] or Decimal(0)
    reward = max(Decimal(0), venue_reward(grade=grade, on=inspected_on) - already)
    return VenueInspection.objects.create(
        venue=venue, inspected_on=inspected_on, grade=grade, notes=notes.strip(), inspector=user, reward=reward
    )


MAX_DAYS_AN_ENTRY = 31


def leadership_target(*, organisation: Organisation, year: int | None = None) -> tuple[int, str] | None:
    """(days a year, clause) for a leadership member of this organisation's team, or None: the work
    committee's team 60 (Q-RESEARCH-WORKCOMMITTEE), departments and directly affiliated units 90
    (Q-RESEARCH-DEPT), towns and streets 120 (Q-CONTACT-TOWN); which teams: `selectors.leadership_teams`."""

    paths = [organisation.path, organisation.path[: -Organisation.steplen]]
    clause = selectors.leadership_teams(organisations=Organisation.objects.filter(path__in=paths)).get(organisation.pk)
    if clause is None:
        return None
    return policy_for_year(year or timezone.localdate().year).whole(LEADERSHIP_CLAUSES[clause][0]), clause


def leadership_day_kind(*, clause: str) -> str:
    """The kind of days a team's clause counts: research (Q-RESEARCH-*) or contact (Q-CONTACT-TOWN)."""

    return LEADERSHIP_CLAUSES[clause][1]


def _leader_check(*, organisation: Organisation, member: Member, day: datetime.date, field: str = "member") -> None:
    """Posts tell who is a leadership member: a committee post in the organisation on the day."""

    if (
        not Post.objects.active_on(day)
        .filter(organisation=organisation, member=member, kind__in=COMMITTEE_POSTS)
        .exists()
    ):
        raise ValidationError(
            {
                field: _("%(name)s held no leadership post in %(org)s on %(date)s.")
                % {"name": member.name, "org": organisation.name, "date": day_text(day)}
            }
        )


def leadership_days_record(
    *,
    organisation: Organisation,
    member: Member,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date,
    place: str,
    purpose: str,
    user=None,
) -> LeadershipDays:
    """Q-RESEARCH-*, Q-CONTACT-TOWN: days a leadership member spent at the grassroots."""
    scoping.scope_check(user=user, organisation=organisation)
    if leadership_target(organisation=organisation) is None:
        raise ValidationError(_("Days at the grassroots are counted for the work committee, departments and towns."))
    day_check(started_on, "started_on")
    day_check(ended_on, "ended_on")
    if ended_on < started_on:
        raise ValidationError({"ended_on": _("The last day comes on or after the first.")})
    if (ended_on - started_on).days + 1 > MAX_DAYS_AN_ENTRY:
        raise ValidationError(
            {
                "ended_on": _("At most %(n)s days an entry: record longer stays month by month.")
                % {"n": MAX_DAYS_AN_ENTRY}
            }
        )
    if not place.strip() or not purpose.strip():
        raise ValidationError(_("Say where and what for."))
    _leader_check(organisation=organisation, member=member, day=started_on)
    return LeadershipDays.objects.create(
        organisation=organisation,
        member=member,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        place=place.strip(),
        purpose=purpose.strip(),
        recorded_by=acting_user(user),
    )


def integrity_pledge_record(
    *,
    organisation: Organisation,
    year: int,
    pledged_on: datetime.date,
    published_on: datetime.date,
    published_where: str,
    member: Member | None = None,
    user=None,
) -> IntegrityPledge:
    """Q-INTEGRITY-PLEDGE: the team's (or one member's) pledge, with where and when it was published."""
    scoping.scope_check(user=user, organisation=organisation)
    day_check(pledged_on, "pledged_on")
    day_check(published_on, "published_on")
    if published_on < pledged_on:
        raise ValidationError({"published_on": _("A pledge is published on or after the day it is made.")})
    if pledged_on.year != year:
        raise ValidationError({"pledged_on": _("The pledge of %(year)s is made in %(year)s.") % {"year": year}})
    if not published_where.strip():
        raise ValidationError({"published_where": _("Say where the pledge was published.")})
    if member is not None:
        _leader_check(organisation=organisation, member=member, day=pledged_on)
    return IntegrityPledge.objects.create(
        organisation=organisation,
        member=member,
        year=year,
        pledged_on=pledged_on,
        published_on=published_on,
        published_where=published_where.strip(),
        recorded_by=acting_user(user),
    )


def major_decision_record(
    *,
    organisation: Organisation,
    kind: str,
    subject: str,
    decided_on: datetime.date,
    meeting: Meeting | None = None,
    amount=None,
    user=None,
) -> MajorDecision:
    """S-THREE-MAJOR: a 三重一大 matter; if the meeting that decided it is logged, it is that day's."""
    scoping.scope_check(user=user, organisation=organisation)
    day_check(decided_on, "decided_on")
    if not subject.strip():
        raise ValidationError({"subject": _("Give the subject of the decision.")})
    if meeting is not None and (meeting.organisation_id != organisation.pk or meeting.held_on != decided_on):
        raise ValidationError({"meeting": _("Choose a meeting of this organisation held that day.")})
    if amount is not None and amount <= 0:
        raise ValidationError({"amount": _("The amount is more than 0.")})
    return MajorDecision.objects.create(
        organisation=organisation,
        kind=kind,
        subject=subject.strip(),
        decided_on=decided_on,
        meeting=meeting,
        amount=amount,
        recorded_by=acting_user(user),
    )


def village_matter_create(
    *, organisation: Organisation, title: str, proposed_on: datetime.date, amount=None, note: str = "", user=None
) -> VillageMatter:
    """S-FOUR-DELIBERATIONS: a village's major matter, starting with the party organisation's proposal."""

    scoping.scope_check(user=user, organisation=organisation)
    if organisation.sector != Sector.VILLAGE:
        raise ValidationError(_("The four deliberations are a village's way of deciding."))
    if not title.strip():
        raise ValidationError({"title": _("Give the matter.")})
    with transaction.atomic():
        matter = VillageMatter.objects.create(
            organisation=organisation, title=title.strip(), amount=amount, recorded_by=acting_user(user)
        )
        village_matter_step(matter=matter, step=DeliberationStep.PROPOSAL, done_on=proposed_on, note=note, user=user)
    return matter


def village_matter_step(
    *, matter: VillageMatter, step: str, done_on: datetime.date, note: str = "", user=None
) -> MatterStep:
    """The next step of a matter, refused out of order: each step comes after the one before it, on
    the same day or later, and once."""
    if user is not None and not scoping.path_in_scope(user, matter.organisation.path):
        raise ValidationError(_("This matter is outside your responsibility."))
    day_check(done_on, "done_on")
    done = {s.step: s for s in matter.steps.all()}
    if step in done:
        raise ValidationError(
            {
                "step": _("“%(step)s” is already on record (%(date)s).")
                % {"step": DeliberationStep(step).label, "date": day_text(done[step].done_on)}
            }
        )
    position = DELIBERATION_ORDER.index(DeliberationStep(step))
    if position > 0:
        previous = DELIBERATION_ORDER[position - 1]
        if previous not in done:
            raise ValidationError({"step": _("“%(step)s” comes first.") % {"step": previous.label}})
        if done_on < done[previous].done_on:
            raise ValidationError(
                {
                    "done_on": _("This step cannot come before “%(step)s” (%(date)s).")
                    % {"step": previous.label, "date": day_text(done[previous].done_on)}
                }
            )
    recorded = MatterStep.objects.create(
        matter=matter, step=step, done_on=done_on, note=note.strip(), recorded_by=acting_user(user)
    )
    # Q-FOUR-DELIBERATIONS: the step may end a stall of this year's (or the step's year's) check.
    years = {done_on.year, timezone.localdate().year}
    compliance_recheck_after(organisation=matter.organisation, years=years, rules=DELIBERATION_RULES)
    return recorded


def annual_report_record(
    *,
    organisation: Organisation,
    year: int,
    reported_on: datetime.date,
    result: str,
    published_on: datetime.date,
    published_where: str,
    text: str = "",
    attachment=None,
    reporter: Member | None = None,
    user=None,
) -> AnnualReport:
    """Q-ANNUAL-REPORT: the secretary's special report on a year, given that year or early the next;
    the reporter is the organisation's secretary on the day (from the posts, when not given); the
    evaluation is published on or after the report; the report itself is kept, as text, as a file
    (a scan or a photo, checked by core.uploads) or both."""

    scoping.scope_check(user=user, organisation=organisation)
    if not reports_annually(organisation):
        raise ValidationError(
            _(
                "Special reports are given by towns, villages, communities, agencies, public institutions and non-public liaison groups."
            )
        )
    day_check(reported_on, "reported_on")
    day_check(published_on, "published_on")
    if reported_on.year not in (year, year + 1):
        raise ValidationError(
            {
                "reported_on": _("The report on %(year)s is given in %(year)s or early %(next)s.")
                % {"year": year, "next": year + 1}
            }
        )
    if published_on < reported_on:
        raise ValidationError({"published_on": _("The evaluation is published on or after the report.")})
    if not published_where.strip():
        raise ValidationError({"published_where": _("Say where the evaluation was published.")})
    text = text.strip()
    if not text and attachment is None:
        raise ValidationError({"text": _("Enter the text of the report or attach a scan of it.")})
    stored = None
    if attachment is not None:
        try:
            stored = upload_check(attachment)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.messages}) from exc
    if reporter is None:
        reporter = selectors.secretary_on(organisation=organisation, day=reported_on)
        if reporter is None:
            raise ValidationError(
                {
                    "reported_on": _("%(org)s had no secretary on %(date)s.")
                    % {"org": organisation.name, "date": day_text(reported_on)}
                }
            )
    if (
        not Post.objects.active_on(reported_on)
        .filter(organisation=organisation, member=reporter, kind=PostKind.SECRETARY)
        .exists()
    ):
        raise ValidationError(
            {
                "reporter": _("%(name)s was not the secretary of %(org)s on %(date)s.")
                % {"name": reporter.name, "org": organisation.name, "date": day_text(reported_on)}
            }
        )
    if AnnualReport.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError(_("The report on %(year)s is already on record.") % {"year": year})
    return AnnualReport.objects.create(
        organisation=organisation,
        year=year,
        reported_on=reported_on,
        reporter=reporter,
        result=result,
        published_on=published_on,
        published_where=published_where.strip(),
        text=text,
        attachment=stored.file if stored else "",
        attachment_name=PurePath(attachment.name).name[:200] if stored else "",
        recorded_by=acting_user(user),
    )


def congress_session_record(
    *, organisation: Organisation, held_on: datetime.date, deputies: int, deputies_present: int, agenda: str, user=None
) -> CongressSession:
    """Q-TOWN-CONGRESS: a town's annual party-congress session, once a year."""

    scoping.scope_check(user=user, organisation=organisation)
    if not (organisation.sector == Sector.TOWN and organisation.kind == OrganisationKind.PARTY_COMMITTEE):
        raise ValidationError(
            _(
                "The annual party-congress session is held by a town's party committee (在乡镇推行党代会年会制); "
                "%(org)s is not one (sector: %(sector)s)."
            )
            % {"org": organisation.name, "sector": organisation.get_sector_display() or "—"}
        )
    day_check(held_on)
    if deputies <= 0 or deputies_present > deputies:
        raise ValidationError({"deputies_present": _("Deputies present cannot exceed the deputies.")})
    if not agenda.strip():
        raise ValidationError({"agenda": _("Give the agenda.")})
    if CongressSession.objects.filter(organisation=organisation, year=held_on.year).exists():
        raise ValidationError(_("The session of %(year)s is already on record.") % {"year": held_on.year})
    return CongressSession.objects.create(
        organisation=organisation,
        year=held_on.year,
        held_on=held_on,
        deputies=deputies,
        deputies_present=deputies_present,
        agenda=agenda.strip(),
        recorded_by=acting_user(user),
    )


# S-PAIRING: who may pair with whom, by sector.
PAIRING_SIDES = {
    PairingKind.AGENCY_VILLAGE: ({"agency", "public_institution"}, {"village", "community"}),
    PairingKind.ENTERPRISE_VILLAGE: ({"soe", "non_public"}, {"village"}),
    PairingKind.SCHOOLS: ({"school"}, {"school"}),
}


def pairing_record(
    *,
    organisation: Organisation,
    kind: str,
    started_on: datetime.date,
    content: str,
    partner: Organisation | None = None,
    member: Member | None = None,
    households: int | None = None,
    user=None,
) -> Pairing:
    """S-PAIRING: an agency or enterprise with a village, an urban school with a rural one, or a member
    of the organisation linked with households."""
    scoping.scope_check(user=user, organisation=organisation)
    day_check(started_on, "started_on")
    if not content.strip():
        raise ValidationError({"content": _("Say what they do together.")})
    if kind == PairingKind.MEMBER_HOUSEHOLDS:
        if member is None or not households:
            raise ValidationError({"member": _("Choose the member and give the number of households.")})
        if not selectors.members_under_on(organisation=organisation, day=started_on).filter(pk=member.pk).exists():
            raise ValidationError(
                {
                    "member": _("%(name)s was not a member of %(org)s on %(date)s.")
                    % {"name": member.name, "org": organisation.name, "date": day_text(started_on)}
                }
            )
        partner = None
    else:
        own, other = PAIRING_SIDES[PairingKind(kind)]
        if organisation.sector not in own:
            raise ValidationError(
                {"kind": _("%(org)s is not of the kind this pairing starts from.") % {"org": organisation.name}}
            )
        if partner is None or partner.sector not in other or partner.pk == organisation.pk:
            raise ValidationError({"partner": _("Choose a partner of the kind this pairing needs.")})
        member, households = None, None
    return Pairing.objects.create(
        organisation=organisation,
        kind=kind,
        partner=partner,
        member=member,
        households=households,
        started_on=started_on,
        content=content.strip(),
        recorded_by=acting_user(user),
    )


def grid_unit_record(
    *, organisation: Organisation, name: str, households: int, leader: Member | None = None, user=None
) -> GridUnit:
    """S-GRID: a grid unit of a community, with the party member in charge of it."""

    scoping.scope_check(user=user, organisation=organisation)
    if organisation.sector != Sector.COMMUNITY:
        raise ValidationError(_("Grid units belong to communities."))
    if not name.strip() or households <= 0:
        raise ValidationError({"name": _("Give the grid unit's name and its households.")})
    if GridUnit.objects.filter(organisation=organisation, name=name.strip()).exists():
        raise ValidationError({"name": _("This community already has a grid unit of that name.")})
    if (
        leader is not None
        and not selectors.members_under_on(organisation=organisation, day=timezone.localdate())
        .filter(pk=leader.pk)
        .exists()
    ):
        raise ValidationError({"leader": _("The member in charge is a member of the community's organisation.")})
    return GridUnit.objects.create(
        organisation=organisation,
        name=name.strip(),
        households=households,
        leader=leader,
        recorded_by=acting_user(user),
    )


def double_strong_apply(
    *, organisation: Organisation, applied_on: datetime.date, note: str = "", user=None
) -> DoubleStrongApplication:
    """S-DOUBLE-STRONG: a non-public enterprise's organisation applies, once a year."""

    scoping.scope_check(user=user, organisation=organisation)
    if organisation.sector != Sector.NON_PUBLIC:
        raise ValidationError(_("双强六好 is for the party organisations of non-public enterprises."))
    day_check(applied_on, "applied_on")
    if DoubleStrongApplication.objects.filter(organisation=organisation, year=applied_on.year).exists():
        raise ValidationError(_("The application of %(year)s is already on record.") % {"year": applied_on.year})
    return DoubleStrongApplication.objects.create(
        organisation=organisation, year=applied_on.year, applied_on=applied_on, note=note.strip()
    )


def double_strong_decide(
    *, application: DoubleStrongApplication, awarded: bool, decided_on: datetime.date, note: str = "", user
) -> DoubleStrongApplication:
    """The bureau awards 双强六好, or not, once."""
    if not has_permission(user, "bureau"):
        raise ValidationError(_("The organisation bureau decides on 双强六好."))
    if application.status != DoubleStrongStatus.APPLIED:
        raise ValidationError(
            _("This application was decided on %(date)s.") % {"date": day_text(application.decided_on)}
        )
    day_check(decided_on, "decided_on")
    if decided_on < application.applied_on:
        raise ValidationError({"decided_on": _("The decision comes on or after the application.")})
    application.status = DoubleStrongStatus.AWARDED if awarded else DoubleStrongStatus.REJECTED
    application.decided_on, application.decided_by = decided_on, user
    application.note = note.strip() or application.note
    application.save()
    return application
