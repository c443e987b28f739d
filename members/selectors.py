"""Reads of the roster: the scoped, searchable, filterable member list."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from branches.selectors import organisation_with_groups
from core import scoping
from core.idcard import id_normalise
from core.masking import value_shown
from core.scoping import subtree
from members import roster
from members.enums import MemberStatus
from members.models import Member, MemberEvent, Membership, MobileRecord, RosterUpload, Transfer

# Age bands of the roster statistics (党内统计): under 35, 36-45, 46-60, over 60.
AGE_BANDS = {"-35": (None, 35), "36-45": (36, 45), "46-60": (46, 60), "61-": (61, None)}
AGE_BAND_LABELS = {"-35": _("35 or under"), "36-45": "36–45", "46-60": "46–60", "61-": _("61 or over")}
ID_TAIL = re.compile(r"^\d{3,5}[\dX]?$|^\d{2,5}X$")
LETTERS = re.compile(r"^[a-z]+$")


def _born_between(queryset, band: str):
    low, high = AGE_BANDS[band]
    today = timezone.localdate()
    if low is not None:  # at least `low` years old: born on or before today minus low years
        queryset = queryset.filter(birth_date__lte=_years_before(today, low))
    if high is not None:  # at most `high`: born after today minus (high + 1) years
        queryset = queryset.filter(birth_date__gt=_years_before(today, high + 1))
    return queryset


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def member_search(queryset: QuerySet, text: str) -> QuerySet:
    """Name prefix, pinyin initials ("zs" for 张三), an ID tail ("1234"), or a whole ID number."""
    text = id_normalise(text)
    if not text:
        return queryset
    if len(text) == 18:
        return queryset.filter(id_number=text)
    if ID_TAIL.match(text):
        return queryset.filter(id_tail_reversed__startswith=text[::-1])
    if LETTERS.match(text.lower()):
        return queryset.filter(name_initials__startswith=text.lower())
    return queryset.filter(name__startswith=text)


def member_list(
    *,
    user,
    organisation: Organisation | None = None,
    text: str = "",
    category: str = "",
    status: str = MemberStatus.ACTIVE,
    age_band: str = "",
    mobile: str = "",
) -> QuerySet:
    """The members a user may see, narrowed by the list's filters, in pinyin order."""
    queryset = scoping.for_user(Member.objects.all(), user)
    if organisation is not None:
        queryset = queryset.filter(subtree(organisation, via="organisation"))
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if age_band in AGE_BANDS:
        queryset = _born_between(queryset, age_band)
    if mobile in ("yes", "no"):
        away = Exists(MobileRecord.objects.filter(member=OuterRef("pk"), returned_on__isnull=True))
        queryset = queryset.filter(away if mobile == "yes" else ~away)
    queryset = member_search(queryset, text)
    return queryset.select_related("organisation").order_by("name_pinyin", "pk")


def member_history(*, member: Member, unmasked: bool) -> list[MemberEvent]:
    """The member's events, newest first, each with `rows`: (field label, before, after). The
    history keeps ID numbers and phones in full; they are shown masked unless `unmasked`
    (masking.sees_personal_data: the same rule as the member's page, issue 13)."""
    events = list(
        MemberEvent.objects.filter(member=member).select_related("recorded_by").order_by("-recorded_at", "-pk")
    )
    for event in events:
        event.rows = [
            (
                Member._meta.get_field(field).verbose_name,
                value_shown(field=field, value=before, unmasked=unmasked),
                value_shown(field=field, value=after, unmasked=unmasked),
            )
            for field, (before, after) in event.changes.items()
        ]
    return events


def member_history_orphans() -> dict[str, list[int]]:
    """History rows (MemberEvent keys, at most 100 each) whose member, or whose recorder, is gone: the
    database does not check those references (MemberEvent's docstring), so the night looks (one
    anti-join each: 1,100,000 events in about a second)."""
    events = MemberEvent.objects.order_by("pk").values_list("pk", flat=True)
    gone_member = ~Exists(Member.objects.filter(pk=OuterRef("member_id")))
    gone_recorder = ~Exists(get_user_model().objects.filter(pk=OuterRef("recorded_by_id")))
    return {
        "member": list(events.filter(gone_member)[:100]),
        "recorded_by": list(events.filter(recorded_by_id__isnull=False).filter(gone_recorder)[:100]),
    }


_ROSTER_HEADERS = {c.field: c.header for c in roster.COLUMNS}


def roster_upload_listing(*, upload: RosterUpload, unmasked: bool) -> dict:
    """Who an upload adds and whose details it changes, as its preview names them (issue 12): each
    change as (column, before, after), ID numbers and phones masked unless `unmasked` (the same rule
    as the rejected cells, issue 13); `more_added` and `more_changed` count the rows not named."""
    listing = upload.listing or {}
    added = list(listing.get("added", []))
    changed = [
        {
            **row,
            "changes": [
                (
                    _ROSTER_HEADERS.get(field) or Member._meta.get_field(field).verbose_name,
                    value_shown(field=field, value=before, unmasked=unmasked),
                    value_shown(field=field, value=after, unmasked=unmasked),
                )
                for field, before, after in row["changes"]
            ],
        }
        for row in listing.get("changed", [])
    ]
    counts = upload.counts or {}
    return {
        "added": added,
        "changed": changed,
        "more_added": max(0, counts.get("new", 0) - len(added)),
        "more_changed": max(0, counts.get("changed", 0) - len(changed)),
        "readings": [roster.reading_text(reading) for reading in listing.get("readings", [])],
    }


def members_on(*, organisation: Organisation, day: datetime.date) -> QuerySet:
    """The members who belonged to an organisation on a day (attendance, quotas); one query."""
    spans = Membership.objects.on(day).filter(organisation=organisation)
    return Member.objects.filter(pk__in=spans.values("member_id")).order_by("name_pinyin", "pk")


def branch_members_on(*, organisation: Organisation, day: datetime.date) -> QuerySet:
    """The members a branch answers for on a day: its own and those of its party groups (a 党小组 is a
    subdivision of its branch: its members attend the branch's meetings, are evaluated and talked with
    by it and pay their dues to it); a party group's own members. One query."""
    within = organisation_with_groups(organisation=organisation).values("pk")
    spans = Membership.objects.on(day).filter(organisation__in=within)
    return Member.objects.filter(pk__in=spans.values("member_id")).order_by("name_pinyin", "pk")


def member_organisation_on(*, member: Member, day: datetime.date) -> Organisation | None:
    """The organisation a member belonged to on a day, or None (not yet, or no longer, a member here)."""
    span = Membership.objects.on(day).filter(member=member).select_related("organisation").first()
    return span.organisation if span else None


def member_transfers(*, member: Member) -> QuerySet:
    return Transfer.objects.filter(member=member).select_related("from_organisation", "to_organisation")
