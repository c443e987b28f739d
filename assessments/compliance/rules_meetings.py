"""Meeting rules: Q-THREE-MEETINGS (三会一课), N-MEETINGS (themed party day, organisational life
meeting) and Q-LECTURE-SECRETARY. Each is one grouped query over the zone's meetings of the year."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from branches.enums import PostKind
from branches.models import Organisation, Post

from ..enums import MeetingKind
from ..models import Meeting
from ..norms import REQUIRED_MEETINGS, meeting_norms
from .engine import Check, RunContext, rule

THREE_MEETINGS = (MeetingKind.GENERAL, MeetingKind.COMMITTEE, MeetingKind.GROUP, MeetingKind.LECTURE)
OTHER_MEETINGS = (MeetingKind.THEMED_DAY, MeetingKind.ORGANISATIONAL_LIFE)


def active_organisations(context: RunContext, **filters):
    """Organisations that existed on the day the records are counted to."""
    return (
        Organisation.objects.filter(**filters)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=context.as_of))
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=context.as_of))
    )


def _meeting_checks(context: RunContext, kinds) -> list[Check]:
    """Each organisation held to a kind of meeting, each period of it that is over: held ≥ expected."""
    norms = meeting_norms(context.values)
    held = Counter()
    rows = (
        Meeting.objects.filter(held_on__year=context.year, kind__in=kinds)
        .annotate(month=ExtractMonth("held_on"))
        .values_list("organisation_id", "kind", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organisation_id, kind, month, n in rows:
        held[(organisation_id, kind, month)] += n
    held_to = [(k, kinds_) for k, kinds_ in REQUIRED_MEETINGS.items()]
    checks = []
    for org_kind, required in held_to:
        wanted = [k for k in required if k in kinds]
        if not wanted:
            continue
        for organisation_id in active_organisations(context, kind=org_kind).values_list("pk", flat=True):
            for kind in wanted:
                period, expected, _clause = norms[kind]
                for label, first, last in context.periods(period):
                    count = sum(held[(organisation_id, kind, m)] for m in range(first.month, last.month + 1))
                    checks.append(Check(organisation_id, None, label, Decimal(count), Decimal(expected),
                                        count >= expected, last, str(kind)))  # fmt: skip
    return checks


@rule(
    clause="Q-THREE-MEETINGS",
    title=_("Three meetings and one lecture"),
    sentence="落实“三会一课”(支部大会、支委会、党小组会,上党课)",
    parameters=(
        "meetings.general_a_quarter",
        "meetings.committee_a_month",
        "meetings.group_a_month",
        "meetings.lecture_a_quarter",
    ),
    applies_to=_("Every branch and joint branch; party groups for their group meetings"),
    measures=_("Meetings of each kind held in each month or quarter that is over, against the number expected"),
    evidence_url="assessments:year",
    fix_url="assessments:meeting_create",
    with_year=True,
)
def three_meetings(context: RunContext):
    return _meeting_checks(context, THREE_MEETINGS)


@rule(
    clause="N-MEETINGS",
    title=_("Themed party days and the organisational life meeting"),
    sentence="主题党日每月相对固定1天;组织生活会每年至少召开1次",
    parameters=("meetings.themed_day_a_month", "meetings.organisational_life_a_year"),
    applies_to=_("Every branch and joint branch"),
    measures=_("Themed party days in each month that is over; organisational life meetings once the year is over"),
    evidence_url="assessments:year",
    fix_url="assessments:meeting_create",
    with_year=True,
    source=_("Branch work rules (trial, 2018)"),
)
def other_meetings(context: RunContext):
    return _meeting_checks(context, OTHER_MEETINGS)


@rule(
    clause="Q-LECTURE-SECRETARY",
    title=_("The secretary's party lecture"),
    sentence="基层支部书记每年为党员上党课不少于1次。各级党组织书记每年至少讲一堂党课。",
    parameters=("lectures.secretary_a_year",),
    applies_to=_("Every organisation with a secretary in post at the end of the year"),
    measures=_("Party lectures given this year by whoever was the secretary on the lecture's day"),
    evidence_url="assessments:year",
    fix_url="assessments:meeting_create",
    with_year=True,
)
def secretary_lecture(context: RunContext):
    """Judged once the year is over (a lecture a year)."""
    if not context.final:
        return []
    expected = context.values.whole("lectures.secretary_a_year")
    secretaries = (
        Post.objects.active_on(context.last_day)
        .filter(kind=PostKind.SECRETARY, organisation__in=active_organisations(context))
        .values_list("organisation_id", "member_id")
    )
    posts = Post.objects.filter(kind=PostKind.SECRETARY, started_on__lte=context.last_day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=context.first_day)
    )
    tenure = {}
    for organisation_id, member_id, started, ended in posts.values_list(
        "organisation_id", "member_id", "started_on", "ended_on"
    ):
        tenure.setdefault((organisation_id, member_id), []).append((started, ended))
    given = Counter()
    lectures = Meeting.objects.filter(
        held_on__year=context.year, kind=MeetingKind.LECTURE, lecturer__isnull=False
    ).values_list("organisation_id", "lecturer_id", "held_on")
    for organisation_id, lecturer_id, day in lectures:
        spans = tenure.get((organisation_id, lecturer_id), ())
        if any(start <= day and (end is None or end >= day) for start, end in spans):
            given[organisation_id] += 1
    return [
        Check(organisation_id, None, str(context.year), Decimal(given[organisation_id]), Decimal(expected),
              given[organisation_id] >= expected, context.last_day)
        for organisation_id, _member in secretaries
    ]  # fmt: skip
