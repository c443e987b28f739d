"""Writes to member records. Every write records a MemberEvent and refreshes the stored member
counts of the organisations it touched (`member_counts_refresh`)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from core import audit, scoping
from core.audit import acting_user
from core.concurrency import version_check
from core.dates import day_text
from core.idcard import IdNumberError, id_birth_date, id_is_male, id_normalise, id_validate
from members.development_norms import DevelopmentNorms, development_norms_on, months_after, probation_end_allowed
from members.enums import Gender, MemberCategory, MemberEventKind, MemberStatus, TransferKind
from members.models import Member, MemberEvent, Membership, Transfer
from members.pinyin import name_pinyin

# A status change and a transfer end the open membership in one UPDATE (issue 13, item 4): one entry
# with the spans each ended.
STATUS_CHANGED = audit.named_action(
    "members.member.status_changed",
    label=gettext_lazy("Member left the roster, membership ended"),
    models=("members.membership",),
)
TRANSFERRED = audit.named_action(
    "members.member.transferred", label=gettext_lazy("Member transferred"), models=("members.membership",)
)
SPAN_FIELDS = ("organisation", "started_on")

# Fields a form or an import may set; organisation and status change through their own services.
MEMBER_FIELDS = (
    "name",
    "id_number",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "full_member_on",
    "probation_ends_on",
    "work_unit",
    "job_title",
    "phone",
    "household_registration",
    "residence",
    "life_status",
    "has_district_honours",
    "disabled_or_killed_bravely",
    "in_hardship",
)

# Free-text fields: their length and characters are checked before the database sees them.
TEXT_FIELDS = ("name", "work_unit", "job_title", "phone", "household_registration", "residence")

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
MIN_AGE_AT_JOINING = 18  # N-DEVELOPMENT: an applicant is at least 18.


_PHONE_SEPARATORS = re.compile(r"[\s\-()./]+")


def phone_normalise(raw: str) -> str:
    """A phone number in its one stored form: 13800138000, or 0731-88881234 for a landline.

    Rosters and forms type them with full-width digits, spaces, hyphens and brackets, and a +86 or
    0086 prefix (138-0013-8000, +86 138 0013 8000, (0731) 8888 1234 in full-width brackets). A landline's area code is
    three digits for 010 and 02x and four otherwise, so it is found without a separator. Text that
    is no phone number comes back without its spaces, for member_clean to refuse."""
    text = id_normalise(raw)
    digits = _PHONE_SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and digits[len(prefix) :].isdigit():
            digits = digits[len(prefix) :]
            if not digits.startswith(("0", "1")):
                digits = f"0{digits}"  # +86 731 8888 1234: the area code without its trunk 0
            break
    if MOBILE.match(digits):
        return digits
    if digits.isdigit() and digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4
        if 7 <= len(digits) - area <= 8:
            return f"{digits[:area]}-{digits[area:]}"
    return text


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def duplicate_message(*, user, organisation: Organisation) -> str:
    """An ID number already on record: the organisation is named only when it is inside the user's
    scope (core.scoping), which they can see anyway; otherwise only that it is elsewhere and whom
    to ask, so no ID number can be looked up across the zone (issue 13, item 5). `user` None is an
    operator or a task, who sees the whole zone."""
    if user is None or scoping.path_in_scope(user, organisation.path):
        return _("An active member with this ID number is already on record in %(org)s.") % {"org": organisation.name}
    return elsewhere_message()


def elsewhere_message() -> str:
    """A person on record outside the user's scope: that they are, and whom to ask; never where."""
    return _("This person is already on record in another organisation; ask the organisation bureau.")


def member_clean(
    *,
    data: dict,
    instance: Member | None = None,
    check_duplicate: bool = True,
    today: datetime.date | None = None,
    user=None,
    development: DevelopmentNorms | None = None,
) -> dict:
    """Check a member's fields against the roster rules; return them normalised (birth date and
    gender filled from the ID number), or raise ValidationError keyed by field. `user` decides how
    much a duplicate's message may say (`duplicate_message`); `development` the N-DEVELOPMENT numbers
    (by default those in force on the day of joining)."""
    errors: dict[str, str] = {}
    cleaned = {key: data[key] for key in MEMBER_FIELDS if key in data}
    today = today or timezone.localdate()

    cleaned["name"] = (cleaned.get("name") or "").strip()
    if not cleaned["name"]:
        errors["name"] = _("The name is required.")

    try:
        number = id_validate(cleaned.get("id_number") or "")
    except IdNumberError as exc:
        errors["id_number"] = str(exc)
        number = None
    if number:
        cleaned["id_number"] = number
        born = id_birth_date(number)
        gender = Gender.MALE if id_is_male(number) else Gender.FEMALE
        if cleaned.get("birth_date") and cleaned["birth_date"] != born:
            errors["birth_date"] = _("The birth date does not agree with the ID number (%(date)s).") % {
                "date": day_text(born)
            }
        if cleaned.get("gender") and cleaned["gender"] != gender:
            errors["gender"] = _("The gender does not agree with the ID number (%(gender)s).") % {
                "gender": Gender(gender).label
            }
        cleaned["birth_date"], cleaned["gender"] = born, gender

    for field in ("birth_date", "joined_on", "full_member_on"):
        if cleaned.get(field) and cleaned[field] > today and field not in errors:
            errors[field] = _("This date is in the future.")

    born, joined, full = cleaned.get("birth_date"), cleaned.get("joined_on"), cleaned.get("full_member_on")
    if born and joined and "joined_on" not in errors and joined < years_after(born, MIN_AGE_AT_JOINING):
        errors["joined_on"] = _("A member joins at 18 or older; this date is before the 18th birthday (N-DEVELOPMENT).")
    if joined and full and "full_member_on" not in errors and full <= joined:
        errors["full_member_on"] = _("Full membership comes after joining the party.")

    category = cleaned.get("category") or MemberCategory.FULL
    if category == MemberCategory.PROBATIONARY:
        if full:
            errors["full_member_on"] = _("A probationary member has no date of full membership yet.")
        if joined:
            # N-DEVELOPMENT: one year of probation; an extension is at least 6 and at most 12 months.
            norms = development or development_norms_on(joined)
            ends = cleaned.get("probation_ends_on") or months_after(joined, norms.probation_months)
            if not probation_end_allowed(joined=joined, ends=ends, norms=norms):
                errors["probation_ends_on"] = _(
                    "Probation lasts %(months)s months from joining, to %(plain)s; an extension is %(min)s to "
                    "%(max)s months, so an extended probation ends from %(earliest)s to %(latest)s."
                ) % {
                    "months": norms.probation_months,
                    "plain": day_text(months_after(joined, norms.probation_months)),
                    "min": norms.extension_min_months,
                    "max": norms.extension_max_months,
                    "earliest": day_text(months_after(joined, norms.probation_months + norms.extension_min_months)),
                    "latest": day_text(months_after(joined, norms.probation_months + norms.extension_max_months)),
                }
            cleaned["probation_ends_on"] = ends
        elif "joined_on" not in errors:
            errors["joined_on"] = _("A probationary member needs the date of joining.")
    else:
        cleaned["probation_ends_on"] = None

    if cleaned.get("phone"):
        phone = phone_normalise(cleaned["phone"])
        if not (MOBILE.match(phone) or LANDLINE.match(phone)):
            errors["phone"] = _("Give an 11-digit mobile number or a landline such as 0731-88888888.")
        cleaned["phone"] = phone

    for field in TEXT_FIELDS:
        value = cleaned.get(field)
        if not isinstance(value, str) or field in errors:
            continue
        # A roster cell is checked here too: what the database would refuse at the import is refused
        # in the preview, with its row and column (issue 13, item 9).
        if "\x00" in value:
            errors[field] = _("This text holds a NUL character, which cannot be stored; type it again.")
        elif len(value) > Member._meta.get_field(field).max_length:
            errors[field] = _("At most %(limit)s characters; this has %(length)s.") % {
                "limit": Member._meta.get_field(field).max_length,
                "length": len(value),
            }

    if check_duplicate and number and "id_number" not in errors:
        duplicate = Member.objects.active().filter(id_number=number)
        if instance is not None:
            duplicate = duplicate.exclude(pk=instance.pk)
        other = duplicate.select_related("organisation").first()
        if other is not None:
            errors["id_number"] = duplicate_message(user=user, organisation=other.organisation)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _organisation_check(*, organisation: Organisation, user) -> None:
    if organisation.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError(
            {
                "organisation": _("Members belong to a branch, a joint branch or a party group, not to a %(kind)s.")
                % {"kind": organisation.get_kind_display()}
            }
        )
    if organisation.is_dissolved:
        raise ValidationError({"organisation": _("%(org)s was dissolved.") % {"org": organisation.name}})
    if user is not None and not scoping.path_in_scope(user, organisation.path):
        raise ValidationError({"organisation": _("This organisation is outside your responsibility.")})


def search_keys_set(member: Member) -> None:
    member.name_pinyin, member.name_initials = name_pinyin(member.name)
    member.id_tail_reversed = member.id_number[-6:][::-1]


def field_display(member: Member, field: str) -> str:
    value = getattr(member, field)
    display = getattr(member, f"get_{field}_display", None)
    if display is not None and value not in (None, ""):
        return str(display())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


@transaction.atomic
def member_create(*, organisation: Organisation, data: dict, user=None) -> Member:
    """Record a member in a branch, joint branch or party group of the user's scope."""
    _organisation_check(organisation=organisation, user=user)
    cleaned = member_clean(data=data, user=user)
    member = Member(organisation=organisation, **cleaned)
    search_keys_set(member)
    member.save()
    # Recorded now, but a member of this organisation since before the portal's records.
    Membership.objects.create(member=member, organisation=organisation)
    MemberEvent.objects.create(
        member=member, kind=MemberEventKind.CREATED, effective_on=timezone.localdate(), recorded_by=acting_user(user)
    )
    member_counts_refresh(organisation_ids=[organisation.pk])
    return member


@transaction.atomic
def member_update(*, member: Member, data: dict, user=None, version: str | None = None) -> Member:
    """Change a member's details; the history keeps each field's value before and after. Refused if
    the record changed after its form was opened (`version`, issue 7)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if user is not None and not scoping.path_in_scope(user, member.organisation.path):
        raise ValidationError(_("This member is outside your responsibility."))
    version_check(opened=version, stamp=member.updated_at, changed_by=lambda: _last_recorder(member))
    cleaned = member_clean(data={**{f: getattr(member, f) for f in MEMBER_FIELDS}, **data}, instance=member, user=user)
    changes = {}
    for field, value in cleaned.items():
        if getattr(member, field) != value:
            before = field_display(member, field)
            setattr(member, field, value)
            changes[field] = [before, field_display(member, field)]
    if not changes:
        return member
    search_keys_set(member)
    member.save()
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.UPDATED,
        effective_on=timezone.localdate(),
        changes=changes,
        recorded_by=acting_user(user),
    )
    return member


@transaction.atomic
def member_status_change(
    *, member: Member, status: str, on: datetime.date, reason: str, user=None, version: str | None = None
) -> Member:
    """An active member leaves the roster (deceased, left, expelled, transferred out); the record
    stays. Refused if the record changed after the form was opened (`version`, issue 7)."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    if user is not None and not scoping.path_in_scope(user, member.organisation.path):
        raise ValidationError(_("This member is outside your responsibility."))
    version_check(opened=version, stamp=member.updated_at, changed_by=lambda: _last_recorder(member))
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            _("Only an active member's status can change; this record is %(status)s.")
            % {"status": member.get_status_display()}
        )
    if status == MemberStatus.ACTIVE:
        raise ValidationError({"status": _("Choose the new status.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    if member.joined_on and on < member.joined_on:
        raise ValidationError(
            {"on": _("This date is before the member joined (%(date)s).") % {"date": day_text(member.joined_on)}}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    before = field_display(member, "status")
    member.status, member.status_changed_on = status, on
    member.save(update_fields=["status", "status_changed_on", "updated_at"])
    spans = Membership.objects.filter(member=member, ended_on__isnull=True).order_by("pk")
    ended = audit.rows_text(spans, SPAN_FIELDS)
    spans.update(ended_on=on)
    audit.log_action(
        action=STATUS_CHANGED,
        instance=member,
        extra={"status": status, "ended_on": on, "rows": len(ended), "written": ended},
    )
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.STATUS_CHANGED,
        effective_on=on,
        reason=reason.strip(),
        changes={"status": [before, field_display(member, "status")]},
        recorded_by=acting_user(user),
    )
    member_counts_refresh(organisation_ids=[member.organisation_id])
    return member


@transaction.atomic
def member_transfer(
    *,
    member: Member,
    on: datetime.date,
    letter_number: str,
    to_organisation: Organisation | None = None,
    external_organisation: str = "",
    reason: str = "",
    user=None,
) -> Transfer:
    """组织关系转接: to another organisation of the zone, or out of the zone (the record stays,
    transferred out). The member belongs to the new organisation from `on`; the old span ends the
    day before, so "whose member on that date" has one answer."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    source = member.organisation
    if user is not None and not scoping.path_in_scope(user, source.path):
        raise ValidationError(_("This member is outside your responsibility."))
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(
            _("Only an active member can be transferred; this record is %(status)s.")
            % {"status": member.get_status_display()}
        )
    errors = {}
    if on > timezone.localdate():
        errors["on"] = _("This date is in the future.")
    span = Membership.objects.filter(member=member, ended_on__isnull=True).first()
    if span and span.started_on and on <= span.started_on:
        errors["on"] = _("The member joined %(org)s on %(date)s; a transfer must come later.") % {
            "org": source.name,
            "date": day_text(span.started_on),
        }
    if not letter_number.strip():
        errors["letter_number"] = _("Give the number of the transfer letter.")
    if to_organisation is None and not external_organisation.strip():
        errors["to_organisation"] = _("Give the receiving organisation: its code in the zone, or its name outside.")
    if to_organisation is not None and to_organisation.pk == source.pk:
        errors["to_organisation"] = _("The member already belongs to %(org)s.") % {"org": source.name}
    if errors:
        raise ValidationError(errors)
    if to_organisation is not None and (
        to_organisation.kind not in MEMBER_HOLDING_KINDS or to_organisation.is_dissolved
    ):
        raise ValidationError(
            {"to_organisation": _("Members are received by an active branch, joint branch or party group.")}
        )
    spans = Membership.objects.filter(member=member, ended_on__isnull=True).order_by("pk")
    ended = audit.rows_text(spans, SPAN_FIELDS)
    spans.update(ended_on=on - datetime.timedelta(days=1))
    transfer = Transfer.objects.create(
        member=member,
        kind=TransferKind.WITHIN_ZONE if to_organisation else TransferKind.OUT_OF_ZONE,
        from_organisation=source,
        to_organisation=to_organisation,
        external_organisation=external_organisation.strip(),
        letter_number=letter_number.strip(),
        transferred_on=on,
        reason=reason.strip(),
        recorded_by=acting_user(user),
    )
    destination = to_organisation.name if to_organisation else external_organisation.strip()
    if to_organisation is not None:
        Membership.objects.create(member=member, organisation=to_organisation, started_on=on)
        member.organisation = to_organisation
        member.save(update_fields=["organisation", "updated_at"])
    else:
        member.status, member.status_changed_on = MemberStatus.TRANSFERRED_OUT, on
        member.save(update_fields=["status", "status_changed_on", "updated_at"])
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.TRANSFERRED,
        effective_on=on,
        reason=_("Letter %(number)s") % {"number": transfer.letter_number},
        changes={"organisation": [source.name, destination]},
        recorded_by=acting_user(user),
    )
    audit.log_action(
        action=TRANSFERRED,
        instance=member,
        extra={
            "transfer": transfer.pk,
            "from": source.pk,
            "to": to_organisation.pk if to_organisation else destination,
            "ended_on": on - datetime.timedelta(days=1),
            "rows": len(ended),
            "written": ended,
        },
    )
    member_counts_refresh(organisation_ids=[source.pk] + ([to_organisation.pk] if to_organisation else []))
    return transfer


def _last_recorder(member: Member):
    """Who made the latest change to a member's record, from its history (None if not known)."""
    event = member.events.select_related("recorded_by").order_by("-recorded_at", "-pk").first()
    return event.recorded_by if event is not None else None


def member_counts_refresh(*, organisation_ids=None) -> int:
    """Recount active members per organisation (all of them when no ids are given); one UPDATE."""
    counted = (
        Member.objects.filter(organisation=OuterRef("pk"), status=MemberStatus.ACTIVE)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    organisations = Organisation.objects.all()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=list(organisation_ids))
    return organisations.update(member_count=Coalesce(Subquery(counted), Value(0)))


def member_counts_add(*, added: dict[int, int]) -> None:
    """Active members newly recorded in some organisations (organisation id -> how many) added to
    their counts: a roster import's new members, without recounting the organisations' members
    (0.4 s for 100,000 new rows, issue 16). One UPDATE per distinct number; the nightly recount
    (tasks.member_counts_refresh) is the check that the counts kept by both ways agree."""
    by_number: dict[int, list[int]] = {}
    for organisation_id, number in added.items():
        by_number.setdefault(number, []).append(organisation_id)
    for number, organisation_ids in by_number.items():
        Organisation.objects.filter(pk__in=organisation_ids).update(member_count=F("member_count") + number)


def organisation_member_holds(organisation, *, ever: bool) -> list[str]:
    """The members' answer to "does anything hang on this organisation" (core.holds): active members
    block a dissolution (they are transferred first); any member ever recorded blocks a deletion."""
    if ever:
        if Member.objects.filter(organisation=organisation).exists():
            return [_("An organisation with members (past or present) cannot be deleted; dissolve it instead.")]
        return []
    active = Member.objects.active().filter(organisation=organisation).count()
    if active:
        return [_("%(count)s members still belong to this organisation: transfer them first.") % {"count": active}]
    return []
