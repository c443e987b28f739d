"""Mobile members (S-MOBILE, N-MOBILE): out-flow and in-flow records, contacts, lost contact.

N-MOBILE (《中国共产党党员教育管理工作条例》2019, 第二十四、二十五、三十二条): a mobile member is away
six months or more without transferring; a member the organisation has not reached for six months
(`mobile.lost_contact_months`, a policy parameter) has lost contact and is flagged; it stays a duty
of the home branch (the N-MOBILE compliance rule) until someone reaches the member or the branch
records its decision (stopping membership is the branch's decision, not the portal's).

Every change sends `mobile_record_changed`: the compliance check, a floor above, listens to it and
checks N-MOBILE again for the home branch once the change commits (the duty goes at once).
"""

import dataclasses
import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, Substr
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from branches.enums import MEMBER_HOLDING_KINDS, TOWN_SECTORS
from branches.models import Organisation
from core import scoping
from core.audit import RowCounter, acting_user
from core.dates import day_text
from core.excel import xlsx_bytes
from core.idcard import IdNumberError, id_validate
from core.masking import id_number_masked, phone_masked
from core.policy import policy_values
from core.scoping import subtree
from members import services
from members.enums import LostContactDecision, MemberStatus
from members.models import Member, Membership, MobileContact, MobileRecord

LOST_CONTACT_KEY = "mobile.lost_contact_months"
MOBILE_SHOWN = 500  # the records an organisation's page lists, longest without contact first
# Sent (sender=MobileRecord, record=…, day=…) by every change to a record, inside its transaction;
# `day` is the day the change is about (the contact's, the return's, the decision's).
mobile_record_changed = Signal()


def lost_contact_months(day: datetime.date) -> int:
    """N-MOBILE: the months without contact after which a member has lost contact, in force on the day."""
    return policy_values(on=day).whole(LOST_CONTACT_KEY)


def months_before(today: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(today)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    month = day.month + months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def lost_contact_before(today: datetime.date, months: int | None = None) -> datetime.date:
    """The last day a member may have been reached on and still count as lost on `today` (N-MOBILE)."""
    return months_before(today, lost_contact_months(today) if months is None else months)


def _changed(record: MobileRecord, day: datetime.date) -> None:
    mobile_record_changed.send(sender=MobileRecord, record=record, day=day)


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
    _check_home(member=member, since=since, receiving_organisation=receiving_organisation)
    record = MobileRecord.objects.create(
        member=member,
        name=member.name,
        id_number=member.id_number,
        home_organisation=member.organisation,
        home_town=town_of(member.organisation),
        receiving_organisation=receiving_organisation,
        receiving_town=town_of(receiving_organisation),
        receiving_organisation_name=receiving_organisation_name.strip(),
        place=place.strip(),
        reason=reason.strip(),
        phone=services.phone_normalise(phone) if phone else member.phone,
        activity_card_number=activity_card_number.strip(),
        since=since,
        recorded_by=acting_user(user),
    )
    _changed(record, since)
    return record


def _check_home(*, member: Member, since: datetime.date, receiving_organisation: Organisation | None) -> None:
    """N-MOBILE: the home branch records its own member. Refused: a member who, on the day they went
    away, belonged to another organisation (the record is that organisation's, or the transfer comes
    first), and a receiving organisation that is the member's own branch."""
    elsewhere = (
        Membership.objects.on(since)
        .filter(member=member)
        .exclude(organisation_id=member.organisation_id)
        .select_related("organisation")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            {
                "since": _(
                    "On %(date)s %(name)s was a member of %(organisation)s, not of %(home)s: that organisation "
                    "records the departure, or give a day since the member joined %(home)s."
                )
                % {
                    "date": day_text(since),
                    "name": member.name,
                    "organisation": elsewhere.organisation.name,
                    "home": member.organisation.name,
                }
            }
        )
    home = member.organisation
    if receiving_organisation is not None and (
        receiving_organisation.path.startswith(home.path) or home.path.startswith(receiving_organisation.path)
    ):
        raise ValidationError(
            {
                "receiving_organisation": _(
                    "%(organisation)s is %(name)s's own organisation: a mobile member takes part in another one."
                )
                % {"organisation": receiving_organisation.name, "name": member.name}
            }
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
    elif number:
        here = (
            Membership.objects.on(since)
            .filter(member__id_number=number, member__status=MemberStatus.ACTIVE)
            .select_related("member", "organisation")
            .first()
        )
        if here is not None:
            errors["id_number"] = _(
                "%(name)s with this ID number is a member of %(organisation)s in the zone: %(organisation)s "
                "records the member's out-flow, with this branch as the receiving organisation."
            ) % {"name": here.member.name, "organisation": here.organisation.name}
    if errors:
        raise ValidationError(errors)
    _check_dates(since=since)
    record = MobileRecord.objects.create(
        name=name.strip(),
        id_number=number,
        home_organisation_name=home_organisation_name.strip(),
        receiving_organisation=receiving_organisation,
        receiving_town=town_of(receiving_organisation),
        place=place.strip() or receiving_organisation.name,
        phone=services.phone_normalise(phone) if phone else "",
        activity_card_number=activity_card_number.strip(),
        since=since,
        recorded_by=acting_user(user),
    )
    _changed(record, since)
    return record


@transaction.atomic
def mobile_contact_record(
    *, record: MobileRecord, contacted_on: datetime.date, means: str, notes: str = "", user=None
) -> MobileContact:
    """N-MOBILE: a contact made; the latest one ends a lost contact."""
    record = MobileRecord.objects.select_for_update().get(pk=record.pk)
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("This date is in the future.")})
    if contacted_on < record.since:
        raise ValidationError(
            {
                "contacted_on": _("This date is before the member went away (%(date)s).")
                % {"date": day_text(record.since)}
            }
        )
    contact = MobileContact.objects.create(
        record=record, contacted_on=contacted_on, means=means, notes=notes.strip(), recorded_by=acting_user(user)
    )
    if record.last_contact_on is None or contacted_on > record.last_contact_on:
        record.last_contact_on = contacted_on
        record.save(update_fields=["last_contact_on"])
    _changed(record, contacted_on)
    return contact


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
    _changed(record, on)
    return record


@transaction.atomic
def mobile_decision_record(
    *, record: MobileRecord, decision: str, decided_on: datetime.date, notes: str = "", user=None
) -> MobileRecord:
    """N-MOBILE: the home branch records what it decided about a member it could not reach; the duty
    ends with it (the decision itself, 停止党籍 or another, is the branch's, not the portal's)."""
    record = MobileRecord.objects.select_for_update(of=("self",)).select_related("home_organisation").get(pk=record.pk)
    if record.is_inflow or record.home_organisation is None:
        raise ValidationError(_("Only the home branch decides about a member it could not reach."))
    if user is not None and not scoping.path_in_scope(user, record.home_organisation.path):
        raise ValidationError(_("Only the home branch decides about a member it could not reach."))
    if record.decision:
        raise ValidationError(
            _("The decision was already recorded on %(date)s.") % {"date": day_text(record.decided_on)}
        )
    if record.returned_on is not None:
        raise ValidationError(_("The member has returned: there is no lost contact to decide on."))
    if decision not in LostContactDecision.values:
        raise ValidationError({"decision": _("Choose the decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date is in the future.")})
    months = lost_contact_months(decided_on)
    reached = record.last_contact_on or record.since
    lost_from = months_after(reached, months)
    if decided_on < lost_from:
        raise ValidationError(
            {
                "decided_on": _(
                    "On %(date)s the member had not yet lost contact: last reached on %(reached)s, lost contact "
                    "from %(lost)s (%(months)s months)."
                )
                % {
                    "date": day_text(decided_on),
                    "reached": day_text(reached),
                    "lost": day_text(lost_from),
                    "months": months,
                }
            }
        )
    if decision == LostContactDecision.OTHER and not notes.strip():
        raise ValidationError({"notes": _("Say what was decided.")})
    record.decision, record.decided_on, record.decision_notes = decision, decided_on, notes.strip()
    record.save(update_fields=["decision", "decided_on", "decision_notes"])
    _changed(record, decided_on)
    return record


@transaction.atomic
def mobile_dues_arrangement_record(
    *, record: MobileRecord, to_receiving: bool, agreement: str = "", user=None
) -> MobileRecord:
    """N-DUES: a mobile member pays dues to the home branch, or to the receiving branch in the zone
    where both agreed (the agreement recorded)."""
    record = MobileRecord.objects.select_for_update(of=("self",)).select_related("home_organisation").get(pk=record.pk)
    if record.is_inflow or record.home_organisation is None:
        raise ValidationError(_("An in-flow member pays dues to their home organisation outside the zone."))
    if user is not None and not scoping.path_in_scope(user, record.home_organisation.path):
        raise ValidationError(_("Only the home branch records where its member pays dues."))
    if to_receiving:
        if record.receiving_organisation_id is None:
            raise ValidationError(
                {"to_receiving": _("Dues go to a receiving organisation only when it is a branch in the zone.")}
            )
        if not agreement.strip():
            raise ValidationError({"agreement": _("Give the agreement (its number or date) between the branches.")})
    record.dues_to_receiving, record.dues_agreement = to_receiving, agreement.strip() if to_receiving else ""
    record.save(update_fields=["dues_to_receiving", "dues_agreement"])
    return record


def mobile_list(*, user, organisation: Organisation | None = None, today: datetime.date | None = None) -> QuerySet:
    """Open records visible to the user (out-flow from, or in-flow into, the organisation's subtree),
    with the last contact, longest without contact first; one query."""
    records = scoping.for_user(MobileRecord.objects.filter(returned_on__isnull=True), user)
    if organisation is not None:
        records = records.filter(_of_subtree(organisation))
    return (
        records.select_related("home_organisation", "receiving_organisation", "member")
        .annotate(last_contact=F("last_contact_on"))
        .annotate(reached_on=Coalesce("last_contact_on", "since"))
        .order_by("reached_on", "pk")
    )


def _of_subtree(organisation: Organisation) -> Q:
    """Records whose home or receiving organisation is in the subtree: by the organisations' keys, read
    once (one indexed query), so the records are found through their two key indexes instead of by
    joining the organisations of every record."""
    inside = list(Organisation.objects.filter(subtree(organisation)).values_list("pk", flat=True))
    return Q(home_organisation__in=inside) | Q(receiving_organisation__in=inside)


def is_lost_contact(record, today: datetime.date | None = None, *, cutoff: datetime.date | None = None) -> bool:
    """Not reached for the parameter's months or more and no decision of the branch recorded (N-MOBILE,
    as the rule reads it): the record is flagged on every page. A list passes `cutoff`
    (`lost_contact_before`, read once) instead of a day."""
    if cutoff is None:
        cutoff = lost_contact_before(today or timezone.localdate())
    return not record.decision and (record.last_contact_on or record.since) <= cutoff


def records_marked(records, today: datetime.date | None = None):
    """A page of records, each with `lost_contact` (the cut-off read once)."""
    cutoff = lost_contact_before(today or timezone.localdate())
    for record in records:
        record.lost_contact = is_lost_contact(record, cutoff=cutoff)
    return records


def mobile_members_of(*, organisation: Organisation, today: datetime.date | None = None) -> list[MobileRecord]:
    """A branch's mobile members for its own pages: its members away (its party groups' too) and the
    in-flow members it receives, each with the last contact and the lost-contact flag; one query."""
    today = today or timezone.localdate()
    cutoff = lost_contact_before(today)
    records = list(
        MobileRecord.objects.filter(returned_on__isnull=True)
        .filter(_of_subtree(organisation))
        .select_related("member", "home_organisation", "receiving_organisation")
        .order_by(Coalesce("last_contact_on", "since"), "pk")[:MOBILE_SHOWN]
    )
    for record in records:
        record.is_outflow_here = record.home_organisation is not None and record.home_organisation.path.startswith(
            organisation.path
        )
        record.reached_on = record.last_contact_on or record.since
        record.lost_contact = record.is_outflow_here and is_lost_contact(record, cutoff=cutoff)
    return records


def mobile_marked(*, members: list[Member], today: datetime.date | None = None) -> list[Member]:
    """A page of the roster with each member's open out-flow record (`mobile`, None if at home), its
    `reached_on` and `lost_contact`; one query."""
    today = today or timezone.localdate()
    cutoff = lost_contact_before(today)
    records = {
        r.member_id: r
        for r in MobileRecord.objects.filter(member__in=[m.pk for m in members], returned_on__isnull=True).order_by()
    }
    for member in members:
        record = member.mobile = records.get(member.pk)
        if record is not None:
            record.reached_on = record.last_contact_on or record.since
            record.lost_contact = is_lost_contact(record, cutoff=cutoff)
    return members


# The bureau's view (issue 18) -------------------------------------------------------------------

TOWN_PATH = 2 * Organisation.steplen  # the path of a town or system (depth 2)
PROVINCE_ENDS = ("自治区", "特别行政区", "省", "市")


def destination_of(place: str) -> str:
    """Where a member went, to the province (or municipality): 广东省深圳市南山区 → 广东省."""
    place = place.strip()
    cut = [place.find(end) + len(end) for end in PROVINCE_ENDS if place.find(end) > 0]
    return place[: min(cut)] if cut else place


@dataclasses.dataclass
class TownRow:
    town: Organisation | None  # None: the systems, enterprises and schools at the same level, together
    outflow: int = 0
    inflow: int = 0
    lost: int = 0
    decided: int = 0


@dataclasses.dataclass
class ZoneMobile:
    towns: list[TownRow]
    destinations: list[tuple[str, int]]  # (destination, open out-flow records), most first
    homes: list[tuple[Organisation, int, int]]  # (home organisation, out-flow, of whom lost), most first
    totals: dict


def mobile_zone(*, user, today: datetime.date | None = None, homes_shown: int = 30) -> ZoneMobile:
    """S-MOBILE, N-MOBILE for the bureau: the open records in the user's scope by town (out-flow by the
    home's town, in-flow by the receiving town, lost contacts; the systems, enterprises and schools
    beside the towns in one row), by destination and by home organisation. The towns, then four grouped
    queries read from the partial indexes of the open records (the towns kept on each record: no join
    with the tree), whatever the size of the zone (and the subtree's keys for an organisation's
    administrator)."""
    today = today or timezone.localdate()
    cutoff = lost_contact_before(today)
    records = scoping.for_user(MobileRecord.objects.filter(returned_on__isnull=True), user).order_by()
    root = scoping.scope_root(user)
    if root is not None:  # the same records, found by the subtree's keys before the paths are joined
        records = records.filter(_of_subtree(root))
    outflow = records.filter(member__isnull=False)
    lost = Q(decision="") & Q(reached_on__lte=cutoff)
    towns = Organisation.objects.filter(depth=2, sector__in=TOWN_SECTORS).only("pk", "name", "path", "code").in_bulk()
    by_town = {}
    # By the home's town (out-flow) and the receiving town (in-flow): grouped by the town kept on each
    # record (`home_town`, `receiving_town`), the systems, enterprises and schools beside the towns as
    # one group (None); no join with the tree.
    home_groups = (
        outflow.annotate(reached_on=Coalesce("last_contact_on", "since"), town=_town_group("home_town", towns))
        .values_list("town")
        .annotate(
            n=Count("pk"),
            lost=Count("pk", filter=lost),
            decided=Count("pk", filter=~Q(decision="")),
            inside=Count("pk", filter=Q(receiving_organisation__isnull=False)),
        )
    )
    inside = 0
    for town, n, n_lost, n_decided, n_inside in home_groups:
        by_town[town] = TownRow(towns.get(town), n, 0, n_lost, n_decided)
        inside += n_inside
    received = (
        records.filter(receiving_organisation__isnull=False)
        .annotate(town=_town_group("receiving_town", towns))
        .values_list("town")
        .annotate(n=Count("pk"))
    )
    for town, n in received:
        by_town.setdefault(town, TownRow(towns.get(town))).inflow = n
    others = by_town.pop(None, TownRow(None))
    rows = list(by_town.values())
    rows.sort(key=lambda r: r.town.path)
    if others.outflow or others.inflow:
        rows.append(others)
    destinations = Counter({str(_("Inside the zone")): inside} if inside else {})
    for place, n in (
        outflow.filter(receiving_organisation__isnull=True).values_list("place").annotate(n=Count("pk")).order_by()
    ):
        destinations[destination_of(place)] += n
    home_counts = list(
        outflow.annotate(reached_on=Coalesce("last_contact_on", "since"))
        .values_list("home_organisation")
        .annotate(n=Count("pk"), lost=Count("pk", filter=lost))
        .order_by("-n", "-lost", "home_organisation")[:homes_shown]
    )
    organisations = Organisation.objects.only("pk", "name", "code").in_bulk([pk for pk, _n, _lost in home_counts])
    homes = [(organisations[pk], n, n_lost) for pk, n, n_lost in home_counts]
    totals = {
        "outflow": sum(r.outflow for r in rows),
        "inflow": records.filter(member__isnull=True).count(),
        "lost": sum(r.lost for r in rows),
        "decided": sum(r.decided for r in rows),
    }
    return ZoneMobile(rows, sorted(destinations.items(), key=lambda kv: (-kv[1], kv[0])), homes, totals)


def _town_group(field: str, towns: dict) -> Case:
    """The record's town (`field`: `home_town` or `receiving_town`) when it is a town or street, else None
    (the systems, enterprises and schools at the same level, and the work committee itself)."""
    return Case(When(**{f"{field}__in": list(towns)}, then=F(field)), default=None)


def town_of(organisation: Organisation | None) -> Organisation | None:
    """The depth-2 organisation above `organisation` (a town or street, or a system, enterprise or school
    beside them; the organisation itself at depth 2), kept on the mobile records; None above depth 2."""
    if organisation is None or organisation.depth < 2:
        return None
    if organisation.depth == 2:
        return organisation
    return Organisation.objects.get(path=organisation.path[:TOWN_PATH])


def mobile_towns_fill(*, records: QuerySet | None = None) -> int:
    """The towns kept on the records (`home_town`, `receiving_town`) set again from the tree, for the
    records given (all of them by default): after a bulk load, a migration or a move of the tree. One
    UPDATE; the towns are the tree's bookkeeping (core.audit.IGNORED_FIELDS), the move is audited."""

    def town(field: str) -> Subquery:
        path = Organisation.objects.filter(pk=OuterRef(OuterRef(field))).values("path")[:1]
        return Subquery(
            Organisation.objects.filter(depth=2, path=Substr(Subquery(path), 1, TOWN_PATH)).values("pk")[:1]
        )

    records = MobileRecord.objects.all() if records is None else records
    return records.update(home_town=town("home_organisation"), receiving_town=town("receiving_organisation"))


def mobile_towns_after_move(sender, *, organisation: Organisation, **kwargs) -> None:
    """A subtree moved (branches.services.organisation_move): its records' towns follow it."""
    inside = Organisation.objects.filter(subtree(organisation)).values("pk")
    mobile_towns_fill(
        records=MobileRecord.objects.filter(Q(home_organisation__in=inside) | Q(receiving_organisation__in=inside))
    )


def mobile_xlsx(*, user, unmasked: bool, today: datetime.date | None = None) -> tuple[bytes, int]:
    """The open records in the user's scope as a workbook; ID numbers and phones masked unless `unmasked`
    (core.masking: the rule of every other list)."""
    today = today or timezone.localdate()
    cutoff = lost_contact_before(today)
    yes, no = str(_("yes")), str(_("no"))
    rows = (
        (
            record.name,
            record.id_number if unmasked else id_number_masked(record.id_number),
            str(_("In-flow")) if record.member_id is None else str(_("Out-flow")),
            record.home_organisation.name if record.home_organisation else record.home_organisation_name,
            record.receiving_organisation.name if record.receiving_organisation else record.receiving_organisation_name,
            record.place,
            record.activity_card_number,
            record.since,
            record.last_contact_on,
            yes if record.member_id and not record.decision and record.reached_on <= cutoff else no,
            record.get_decision_display() if record.decision else "",
            record.phone if unmasked else phone_masked(record.phone),
        )
        for record in mobile_list(user=user).iterator(chunk_size=2000)
    )
    header = [
        _("Name"),
        _("ID number"),
        _("Direction"),
        _("Home organisation"),
        _("Receiving organisation"),
        _("Where the member is"),
        _("Activity card number"),
        _("Away since"),
        _("Last contact"),
        _("Lost contact"),
        pgettext("lost contact", "Decision"),
        _("Phone"),
    ]
    counter = RowCounter(rows)
    data = xlsx_bytes(title=str(_("Mobile members")), header=[str(h) for h in header], rows=counter)
    return data, counter.count
