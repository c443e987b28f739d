"""Mobile members (S-MOBILE, N-MOBILE): out-flow and in-flow records, contacts, lost contact.

N-MOBILE (《中国共产党党员教育管理工作条例》2019, 第二十四、二十五、三十二条): a mobile member is away
six months or more without transferring; a member the organisation has not reached for six months
has lost contact and is flagged (stopping membership is the branch's decision, not the portal's).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from core import scoping
from core.audit import acting_user
from core.dates import day_text
from core.idcard import IdNumberError, id_validate
from core.scoping import subtree
from members import services
from members.enums import MemberStatus
from members.models import Member, MobileContact, MobileRecord

LOST_CONTACT_MONTHS = 6


def lost_contact_before(today: datetime.date) -> datetime.date:
    """The day before which a last contact means "lost contact" (six months, N-MOBILE)."""
    month = today.month - LOST_CONTACT_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(today)


def _check_dates(*, since: datetime.date) -> None:
    if since > timezone.localdate():
        raise ValidationError({"since": _("This date is in the future.")})


@transaction.atomic
def mobile_outflow_record(
    *,
    member: Member,
    since: datetime.date,
    place: str,
    reason: str = "",
    phone: str = "",
    activity_card_number: str = "",
    receiving_organisation: Organisation | None = None,
    receiving_organisation_name: str = "",
    user=None,
) -> MobileRecord:
    """A member of the zone goes away without transferring; the home branch keeps the relationship."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    if user is not None and not scoping.path_in_scope(user, member.organisation.path):
        raise ValidationError(_("This member is outside your responsibility."))
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("Only an active member can be recorded as mobile."))
    if MobileRecord.objects.filter(member=member, returned_on__isnull=True).exists():
        raise ValidationError(_("%(name)s is already recorded as a mobile member.") % {"name": member.name})
    _check_dates(since=since)
    if not place.strip():
        raise ValidationError({"place": _("Say where the member is.")})
    if receiving_organisation is not None and receiving_organisation.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError(
            {"receiving_organisation": _("A branch, joint branch or party group receives mobile members.")}
        )
    return MobileRecord.objects.create(
        member=member,
        name=member.name,
        id_number=member.id_number,
        home_organisation=member.organisation,
        receiving_organisation=receiving_organisation,
        receiving_organisation_name=receiving_organisation_name.strip(),
        place=place.strip(),
        reason=reason.strip(),
        phone=services.phone_normalise(phone) if phone else member.phone,
        activity_card_number=activity_card_number.strip(),
        since=since,
        recorded_by=acting_user(user),
    )


@transaction.atomic
def mobile_inflow_record(
    *,
    receiving_organisation: Organisation,
    name: str,
    id_number: str,
    home_organisation_name: str,
    since: datetime.date,
    place: str,
    phone: str = "",
    activity_card_number: str = "",
    user=None,
) -> MobileRecord:
    """A member whose relationship stays outside the zone takes part in one of its branches."""
    if user is not None and not scoping.path_in_scope(user, receiving_organisation.path):
        raise ValidationError(_("This organisation is outside your responsibility."))
    errors = {}
    try:
        number = id_validate(id_number)
    except IdNumberError as exc:
        errors["id_number"] = str(exc)
        number = ""
    if receiving_organisation.kind not in MEMBER_HOLDING_KINDS:
        errors["receiving_organisation"] = _("A branch, joint branch or party group receives mobile members.")
    if not home_organisation_name.strip():
        errors["home_organisation_name"] = _("Give the organisation that keeps the member's relationship.")
    if not name.strip():
        errors["name"] = _("The name is required.")
    if number and MobileRecord.objects.filter(id_number=number, returned_on__isnull=True).exists():
        errors["id_number"] = _("This member is already recorded as mobile.")
    if errors:
        raise ValidationError(errors)
    _check_dates(since=since)
    return MobileRecord.objects.create(
        name=name.strip(),
        id_number=number,
        home_organisation_name=home_organisation_name.strip(),
        receiving_organisation=receiving_organisation,
        place=place.strip() or receiving_organisation.name,
        phone=services.phone_normalise(phone) if phone else "",
        activity_card_number=activity_card_number.strip(),
        since=since,
        recorded_by=acting_user(user),
    )


@transaction.atomic
def mobile_contact_record(
    *, record: MobileRecord, contacted_on: datetime.date, means: str, notes: str = "", user=None
) -> MobileContact:
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("This date is in the future.")})
    if contacted_on < record.since:
        raise ValidationError(
            {
                "contacted_on": _("This date is before the member went away (%(date)s).")
                % {"date": day_text(record.since)}
            }
        )
    return MobileContact.objects.create(
        record=record, contacted_on=contacted_on, means=means, notes=notes.strip(), recorded_by=acting_user(user)
    )


@transaction.atomic
def mobile_return_record(*, record: MobileRecord, on: datetime.date, user=None) -> MobileRecord:
    if record.returned_on is not None:
        raise ValidationError(
            _("The return was already recorded on %(date)s.") % {"date": day_text(record.returned_on)}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    if on < record.since:
        raise ValidationError(
            {"on": _("This date is before the member went away (%(date)s).") % {"date": day_text(record.since)}}
        )
    record.returned_on = on
    record.save(update_fields=["returned_on"])
    return record


def mobile_list(*, user, organisation: Organisation | None = None, today: datetime.date | None = None) -> QuerySet:
    """Open records visible to the user (out-flow from, or in-flow into, the organisation's subtree),
    with the last contact and the lost-contact flag; one query."""
    today = today or timezone.localdate()
    records = scoping.for_user(MobileRecord.objects.filter(returned_on__isnull=True), user)
    if organisation is not None:
        records = records.filter(
            Q(subtree(organisation, via="home_organisation")) | Q(subtree(organisation, via="receiving_organisation"))
        )
    return (
        records.select_related("home_organisation", "receiving_organisation", "member")
        .annotate(last_contact=Max("contacts__contacted_on"))
        .annotate(reached_on=Coalesce("last_contact", "since"))
        .order_by("reached_on", "pk")
    )


def is_lost_contact(record, today: datetime.date | None = None) -> bool:
    """Not reached for six months or more (N-MOBILE): the record is flagged on the list."""
    today = today or timezone.localdate()
    reached = record.last_contact or record.since
    return reached <= lost_contact_before(today)
