"""Member development (S-DEVELOPMENT) under the 2014 rules (N-DEVELOPMENT): the steps, their
time limits, and the pipeline page's "who is due for what".

The numbers of 《中国共产党发展党员工作细则》(2014) are policy parameters (`development_norms`): an
applicant is at least 18 (第五条); the branch talks with an applicant within one calendar month of the
application (第七条); activists are reviewed every six months (第十二条); at least one year as activist
before becoming a development target (第十三条); two full members introduce (第十七条); the higher
party committee approves the admission within three months; probation is one year from the branch
general meeting (第二十六条). Ages and one-year limits are enforced; late talks, reviews and approvals
are flagged (the approval may still be recorded late: the 细则 allows up to six months in special cases).
"""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organisation
from core import scoping
from core.dates import day_text
from core.idcard import IdNumberError, id_birth_date, id_is_male, id_validate
from core.scoping import subtree
from members import services
from members.development_norms import development_norms_on, months_after
from members.enums import DevelopmentStage, Gender, MemberCategory, MemberEventKind, MemberStatus
from members.models import Candidate, Member, MemberEvent

OPEN_STAGES = (DevelopmentStage.APPLICANT, DevelopmentStage.ACTIVIST, DevelopmentStage.TARGET)


def _not_future(field: str, day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _in_scope(user, organisation: Organisation) -> None:
    if user is not None and not scoping.path_in_scope(user, organisation.path):
        raise ValidationError(_("This organisation is outside your responsibility."))


@transaction.atomic
def candidate_apply(
    *,
    organisation: Organisation,
    name: str,
    id_number: str,
    applied_on: datetime.date,
    phone: str = "",
    work_unit: str = "",
    user=None,
) -> Candidate:
    """Record an application to join; the applicant is at least 18 on the day (N-DEVELOPMENT 第五条)."""
    _in_scope(user, organisation)
    errors = {}
    try:
        number = id_validate(id_number)
    except IdNumberError as exc:
        raise ValidationError({"id_number": str(exc)}) from exc
    born = id_birth_date(number)
    min_age = development_norms_on(applied_on).min_age
    if applied_on > timezone.localdate():
        errors["applied_on"] = _("This date is in the future.")
    elif applied_on < services.years_after(born, min_age):
        errors["applied_on"] = _("An applicant must be at least %(age)s on the day of application (N-DEVELOPMENT).") % {
            "age": min_age
        }
    # Only inside the user's scope does the message say where (issue 13, item 5).
    member = Member.objects.active().filter(id_number=number).select_related("organisation").first()
    application = (
        Candidate.objects.filter(id_number=number, stage__in=OPEN_STAGES).select_related("organisation").first()
        if member is None
        else None
    )
    if member is not None:
        errors["id_number"] = services.duplicate_message(user=user, organisation=member.organisation)
    elif application is not None:
        if user is None or scoping.path_in_scope(user, application.organisation.path):
            errors["id_number"] = _("This person's application to join is already on record in %(org)s.") % {
                "org": application.organisation.name
            }
        else:
            errors["id_number"] = services.elsewhere_message()
    if not name.strip():
        errors["name"] = _("The name is required.")
    if errors:
        raise ValidationError(errors)
    return Candidate.objects.create(
        organisation=organisation,
        name=name.strip(),
        id_number=number,
        gender=Gender.MALE if id_is_male(number) else Gender.FEMALE,
        birth_date=born,
        phone=services.phone_normalise(phone) if phone else "",
        work_unit=work_unit.strip(),
        applied_on=applied_on,
        recorded_by=user if getattr(user, "pk", None) else None,
    )


def _locked(candidate: Candidate, user) -> Candidate:
    candidate = Candidate.objects.select_for_update().select_related("organisation").get(pk=candidate.pk)
    _in_scope(user, candidate.organisation)
    if candidate.stage not in OPEN_STAGES:
        raise ValidationError(_("This candidacy is closed (%(stage)s).") % {"stage": candidate.get_stage_display()})
    return candidate


@transaction.atomic
def candidate_talk(*, candidate: Candidate, on: datetime.date, by: str, user=None) -> Candidate:
    """The branch's talk with the applicant; after a month it is still recorded, and flagged late."""
    candidate = _locked(candidate, user)
    _not_future("on", on)
    if on < candidate.applied_on:
        raise ValidationError(
            {
                "on": _("The talk cannot come before the application (%(date)s).")
                % {"date": day_text(candidate.applied_on)}
            }
        )
    candidate.talked_on, candidate.talked_by = on, by.strip()
    candidate.save(update_fields=["talked_on", "talked_by", "updated_at"])
    return candidate


@transaction.atomic
def candidate_make_activist(*, candidate: Candidate, on: datetime.date, user=None) -> Candidate:
    candidate = _locked(candidate, user)
    _not_future("on", on)
    if candidate.stage != DevelopmentStage.APPLICANT:
        raise ValidationError(_("Only an applicant can become an activist."))
    if candidate.talked_on is None:
        raise ValidationError(_("Record the talk with the applicant first."))
    if on < candidate.talked_on:
        raise ValidationError(
            {"on": _("This date is before the talk (%(date)s).") % {"date": day_text(candidate.talked_on)}}
        )
    candidate.stage, candidate.activist_on, candidate.reviewed_on = DevelopmentStage.ACTIVIST, on, on
    candidate.save(update_fields=["stage", "activist_on", "reviewed_on", "updated_at"])
    return candidate


@transaction.atomic
def candidate_review(*, candidate: Candidate, on: datetime.date, user=None) -> Candidate:
    """The half-yearly review of an activist (第十二条)."""
    candidate = _locked(candidate, user)
    _not_future("on", on)
    if candidate.stage != DevelopmentStage.ACTIVIST:
        raise ValidationError(_("Only activists are reviewed."))
    if on < candidate.reviewed_on:
        raise ValidationError(
            {"on": _("This date is before the last review (%(date)s).") % {"date": day_text(candidate.reviewed_on)}}
        )
    candidate.reviewed_on = on
    candidate.save(update_fields=["reviewed_on", "updated_at"])
    return candidate


@transaction.atomic
def candidate_make_target(*, candidate: Candidate, on: datetime.date, user=None) -> Candidate:
    """Development target after at least one year as an activist (第十三条)."""
    candidate = _locked(candidate, user)
    _not_future("on", on)
    if candidate.stage != DevelopmentStage.ACTIVIST:
        raise ValidationError(_("Only an activist can become a development target."))
    earliest = months_after(candidate.activist_on, development_norms_on(on).activist_months)
    if on < earliest:
        raise ValidationError(
            {
                "on": _(
                    "An activist becomes a development target after at least one year, on %(date)s at the earliest (N-DEVELOPMENT)."
                )
                % {"date": day_text(earliest)}
            }
        )
    candidate.stage, candidate.target_on = DevelopmentStage.TARGET, on
    candidate.save(update_fields=["stage", "target_on", "updated_at"])
    return candidate


@transaction.atomic
def candidate_admit(*, candidate: Candidate, on: datetime.date, introducers: list[Member], user=None) -> Member:
    """The branch general meeting admits a development target: the probationary member is recorded
    from the candidacy, with one year of probation from this day (第二十六条)."""
    candidate = _locked(candidate, user)
    _not_future("on", on)
    if candidate.stage != DevelopmentStage.TARGET:
        raise ValidationError(_("Only a development target can be admitted."))
    if on < candidate.target_on:
        raise ValidationError({"on": _("This date is before the candidate became a development target.")})
    needed = development_norms_on(on).introducers
    if len({m.pk for m in introducers}) != needed:
        raise ValidationError(
            {"introducers": _("%(n)s different full members introduce the candidate (N-DEVELOPMENT).") % {"n": needed}}
        )
    for introducer in introducers:
        if introducer.status != MemberStatus.ACTIVE or introducer.category != MemberCategory.FULL:
            raise ValidationError(
                {"introducers": _("%(name)s is not an active full member.") % {"name": introducer.name}}
            )
    member = services.member_create(
        organisation=candidate.organisation,
        data={
            "name": candidate.name,
            "id_number": candidate.id_number,
            "category": MemberCategory.PROBATIONARY,
            "joined_on": on,
            "phone": candidate.phone,
            "work_unit": candidate.work_unit,
        },
        user=user,
    )
    candidate.introducers.set(introducers)
    candidate.stage, candidate.admitted_on, candidate.member = DevelopmentStage.ADMITTED, on, member
    candidate.save(update_fields=["stage", "admitted_on", "member", "updated_at"])
    return member


@transaction.atomic
def candidate_approve(*, candidate: Candidate, on: datetime.date, user=None) -> Candidate:
    """The higher party committee approves the branch's admission (上级党委审批): recorded on or after
    the general meeting, once; approved after the limit (three months) it is still recorded, and flagged late."""
    candidate = Candidate.objects.select_for_update().select_related("organisation").get(pk=candidate.pk)
    _in_scope(user, candidate.organisation)
    _not_future("on", on)
    if candidate.stage != DevelopmentStage.ADMITTED:
        raise ValidationError(_("Only an admission by the branch general meeting is approved."))
    if candidate.approved_on is not None:
        raise ValidationError(
            _("The admission was already approved on %(date)s.") % {"date": day_text(candidate.approved_on)}
        )
    if on < candidate.admitted_on:
        raise ValidationError(
            {
                "on": _("The approval cannot come before the general meeting's admission (%(date)s).")
                % {"date": day_text(candidate.admitted_on)}
            }
        )
    candidate.approved_on = on
    candidate.save(update_fields=["approved_on", "updated_at"])
    return candidate


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate, on: datetime.date, reason: str, user=None) -> Candidate:
    candidate = _locked(candidate, user)
    _not_future("on", on)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    candidate.stage, candidate.withdrawn_on, candidate.withdrawal_reason = (
        DevelopmentStage.WITHDRAWN,
        on,
        reason.strip(),
    )
    candidate.save(update_fields=["stage", "withdrawn_on", "withdrawal_reason", "updated_at"])
    return candidate


@transaction.atomic
def member_make_full(*, member: Member, on: datetime.date, user=None) -> Member:
    """A probationary member becomes a full member at the end of probation, not before (第二十六条)."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    _in_scope(user, member.organisation)
    _not_future("on", on)
    if member.category != MemberCategory.PROBATIONARY or member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("Only an active probationary member becomes a full member."))
    if member.probation_ends_on and on < member.probation_ends_on:
        raise ValidationError(
            {
                "on": _("Probation ends on %(date)s; full membership cannot come earlier.")
                % {"date": day_text(member.probation_ends_on)}
            }
        )
    member.category, member.full_member_on = MemberCategory.FULL, on
    member.save(update_fields=["category", "full_member_on", "updated_at"])
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.UPDATED,
        effective_on=on,
        reason=_("Full membership"),
        changes={"category": [str(MemberCategory.PROBATIONARY.label), str(MemberCategory.FULL.label)]},
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    return member


@dataclasses.dataclass
class PipelineRow:
    """One person on the pipeline page: the next step, when it is due, whether it is overdue."""

    name: str
    stage: str
    step: str
    due_on: datetime.date | None
    overdue: bool
    candidate: Candidate | None = None
    member: Member | None = None


STEP_TALK = gettext_lazy("Talk with the applicant")
STEP_ACTIVIST = gettext_lazy("Decide on activist status")
STEP_REVIEW = gettext_lazy("Half-yearly review")
STEP_TARGET = gettext_lazy("Eligible as development target")
STEP_ADMIT = gettext_lazy("Admission by the branch general meeting")
STEP_APPROVE = gettext_lazy("Approval by the higher party committee")
STEP_FULL = gettext_lazy("Full membership")


def pipeline(*, organisation: Organisation, user, today: datetime.date | None = None) -> list[PipelineRow]:
    """Everyone in development under an organisation and the probationary members, by due date."""
    today = today or timezone.localdate()
    candidates = scoping.for_user(
        Candidate.objects.filter(subtree(organisation, via="organisation"), stage__in=OPEN_STAGES), user
    ).select_related("organisation")
    norms = development_norms_on(today)
    rows = []
    for c in candidates:
        if c.stage == DevelopmentStage.APPLICANT and c.talked_on is None:
            due = months_after(c.applied_on, norms.talk_within_months)
            rows.append(PipelineRow(c.name, c.get_stage_display(), STEP_TALK, due, today > due, candidate=c))
        elif c.stage == DevelopmentStage.APPLICANT:
            rows.append(PipelineRow(c.name, c.get_stage_display(), STEP_ACTIVIST, None, False, candidate=c))
        elif c.stage == DevelopmentStage.ACTIVIST:
            review_due = months_after(c.reviewed_on, norms.review_every_months)
            target_from = months_after(c.activist_on, norms.activist_months)
            if today > review_due or review_due < target_from:
                rows.append(
                    PipelineRow(c.name, c.get_stage_display(), STEP_REVIEW, review_due, today > review_due, candidate=c)
                )
            else:
                rows.append(PipelineRow(c.name, c.get_stage_display(), STEP_TARGET, target_from, False, candidate=c))
        else:
            rows.append(PipelineRow(c.name, c.get_stage_display(), STEP_ADMIT, None, False, candidate=c))
    awaiting = scoping.for_user(
        Candidate.objects.filter(
            subtree(organisation, via="organisation"),
            stage=DevelopmentStage.ADMITTED,
            approved_on__isnull=True,
            member__status=MemberStatus.ACTIVE,
        ),
        user,
    ).select_related("organisation")
    for c in awaiting:
        due = months_after(c.admitted_on, norms.approval_within_months)
        rows.append(PipelineRow(c.name, c.get_stage_display(), STEP_APPROVE, due, today > due, candidate=c))
    probationary = scoping.for_user(
        Member.objects.active().filter(subtree(organisation, via="organisation"), category=MemberCategory.PROBATIONARY),
        user,
    )
    for m in probationary:
        rows.append(
            PipelineRow(
                m.name,
                str(MemberCategory.PROBATIONARY.label),
                STEP_FULL,
                m.probation_ends_on,
                bool(m.probation_ends_on and today > m.probation_ends_on),
                member=m,
            )
        )
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on or datetime.date.max, r.name))
