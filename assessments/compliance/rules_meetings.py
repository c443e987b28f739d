"""Meeting rules: Q-THREE-MEETINGS (三会一课), N-MEETINGS (the themed party day), Q-LIFE-MEETING (a
party committee's democratic life meeting, a branch's organisational life meeting) and
Q-LECTURE-SECRETARY. Each is one grouped query over the zone's meetings of the year.

The organisational life meeting was N-MEETINGS's until the catalogue's second edition: the opinion
names it itself (三.4(1)), so it is Q-LIFE-MEETING's now, with the same parameter, and checked once."""

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection
from django.db.models import Count, IntegerField, Q
from django.db.models.functions import Cast, ExtractMonth
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.enums import MeetingKind
from assessments.models import Meeting
from assessments.norms import REQUIRED_MEETINGS, year_meeting_norms
from branches.enums import PostKind
from branches.models import Organisation, Post

THREE_MEETINGS = (MeetingKind.GENERAL, MeetingKind.COMMITTEE, MeetingKind.GROUP, MeetingKind.LECTURE)
OTHER_MEETINGS = (MeetingKind.THEMED_DAY,)
LIFE_MEETINGS = (MeetingKind.ORGANISATIONAL_LIFE, MeetingKind.DEMOCRATIC_LIFE)


def active_organisations(context: RunContext, **filters):
    """Organisations that existed on the day the records are counted to."""
    return (
        Organisation.objects.filter(**filters)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=context.as_of))
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=context.as_of))
    )


KIND_INDEX = {str(kind): i for i, kind in enumerate(MeetingKind)}


def _held(context: RunContext) -> dict[int, int]:
    """Meetings of the year by organisation, kind and month (the key `_key` makes): one grouped statement
    for both meeting rules of the run, kept on its context. The rows come back plain (the ORM's compiled
    statement, without converting each of a zone's million rows) and are kept as integers. A themed
    party day that also counts as the lecture or the general meeting counts for each (issue 12).
    In a recheck only the subtree's meetings: a meeting counts for its own organisation only."""
    return context.cached("meetings_held", lambda: _held_read(context))


def _held_read(context: RunContext) -> dict[int, int]:
    rows = (
        context.scoped(
            Meeting.objects.filter(held_on__year=context.year, kind__in=THREE_MEETINGS + OTHER_MEETINGS + LIFE_MEETINGS)
        )
        .annotate(month=Cast(ExtractMonth("held_on"), IntegerField()))
        .values_list("organisation_id", "kind", "month", "counts_as_lecture", "counts_as_general")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    held: dict[int, int] = {}
    get = held.get
    lecture, general = KIND_INDEX[MeetingKind.LECTURE], KIND_INDEX[MeetingKind.GENERAL]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50_000):
            for organisation_id, kind, month, as_lecture, as_general, n in chunk:
                key = _key(organisation_id, KIND_INDEX[kind], month)
                held[key] = get(key, 0) + n
                if as_lecture:
                    key = _key(organisation_id, lecture, month)
                    held[key] = get(key, 0) + n
                if as_general:
                    key = _key(organisation_id, general, month)
                    held[key] = get(key, 0) + n
    return held


def _key(organisation_id: int, kind: int, month: int) -> int:
    return (organisation_id << 8) | (kind << 4) | month


def _meeting_checks(context: RunContext, kinds) -> Iterator[Check]:
    """Each organisation held to a kind of meeting, each period of it that is over: held ≥ expected
    (yielded as the engine takes them). A period is judged by the norm in force on its first day
    (N-MEETINGS, second edition): none is checked where no norm was in force (the themed party day
    before the 2018 rules)."""
    norms = context.cached("meeting_norms", lambda: year_meeting_norms(year=context.year, values=context.values))
    held = _held(context)
    # Each kind's periods that are over, worked out once: (label, months, last day, expected).
    periods = {}
    for kind in kinds:
        period, _clause, expected_from = norms[kind]
        periods[kind] = [
            (label, tuple(range(first.month, last.month + 1)), last, Decimal(expected), expected)
            for label, first, last in context.periods(period)
            if (expected := expected_from[first.month]) > 0
        ]
    counts = [Decimal(n) for n in range(32)]
    get = held.get
    for org_kind, required in REQUIRED_MEETINGS.items():
        wanted = [(str(k), KIND_INDEX[str(k)] << 4, periods[k]) for k in required if k in kinds]
        if not wanted:
            continue
        organisations = context.scoped(active_organisations(context, kind=org_kind), field="path")
        for organisation_id in organisations.order_by().values_list("pk", flat=True):
            base = organisation_id << 8
            for kind, kind_bits, spans in wanted:
                for label, months, last, required_n, expected in spans:
                    count = 0
                    for month in months:
                        count += get(base | kind_bits | month, 0)
                    measured = counts[count] if count < 32 else Decimal(count)
                    yield Check(organisation_id, None, label, measured, required_n, count >= expected, last, kind)


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
    title=_("Themed party days"),
    sentence="党支部应当每月相对固定1天开展主题党日(2018年10月28日起)",
    parameters=("meetings.themed_day_a_month",),
    applies_to=_("Every branch and joint branch"),
    measures=_(
        "Themed party days in each month that is over, from the month after the branch work rules took effect "
        "(28 October 2018)"
    ),
    evidence_url="assessments:year",
    fix_url="assessments:meeting_create",
    with_year=True,
    source=_("Branch work rules (trial, 2018)"),
)
def other_meetings(context: RunContext):
    return _meeting_checks(context, OTHER_MEETINGS)


@rule(
    clause="Q-LIFE-MEETING",
    title=_("Democratic life meetings and organisational life meetings"),
    sentence="规范、落实基层党组织民主生活会和组织生活会,提高党内组织生活质量。",
    parameters=("meetings.democratic_life_a_year", "meetings.organisational_life_a_year"),
    applies_to=_(
        "The leadership team of every party committee (democratic life meeting); every branch and joint branch "
        "(organisational life meeting)"
    ),
    measures=_(
        "Once the year is over: democratic life meetings of the party committee's leadership team, organisational "
        "life meetings of the branch, held in the year, against the number a year"
    ),
    evidence_url="assessments:year",
    fix_url="assessments:meeting_create",
    with_year=True,
)
def life_meetings(context: RunContext):
    """Q-LIFE-MEETING: a once-a-year duty, judged once the year is over; the kind of meeting is the aspect."""
    return _meeting_checks(context, LIFE_MEETINGS)


@rule(
    clause="Q-LECTURE-SECRETARY",
    title=_("The secretary's party lecture"),
    sentence="基层支部书记每年为党员上党课不少于1次。各级党组织书记每年至少讲一堂党课。",
    parameters=("lectures.secretary_a_year",),
    applies_to=_("Every organisation with a secretary in post at the end of the year"),
    measures=_(
        "Party lectures given this year, in the organisation or below it, by whoever was its secretary on the day"
    ),
    evidence_url="assessments:year",
    fix_url="assessments:meeting_create",
    with_year=True,
)
def secretary_lecture(context: RunContext):
    """Judged once the year is over (a lecture a year). A lecture counts for every secretary post its
    lecturer held that day in the organisation or above it: a town's secretary lecturing a village
    branch gives the town's lecture (三.4(2): every level's secretary). A lecture counts only upwards,
    for organisations whose path its organisation's starts with: a recheck's subtree reads its own
    secretaries, their posts in it and its lectures, and judges them as a run does."""
    if not context.final:
        return []
    expected = context.values.whole("lectures.secretary_a_year")
    secretaries = (
        Post.objects.active_on(context.last_day)
        .filter(kind=PostKind.SECRETARY, organisation__in=context.scoped(active_organisations(context), field="path"))
        .values_list("organisation_id", "member_id")
    )
    posts = context.scoped(
        Post.objects.filter(kind=PostKind.SECRETARY, started_on__lte=context.last_day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=context.first_day)
        )
    )
    tenure = {}
    for organisation_id, path, member_id, started, ended in posts.values_list(
        "organisation_id", "organisation__path", "member_id", "started_on", "ended_on"
    ):
        tenure.setdefault(member_id, []).append((organisation_id, path, started, ended))
    given = Counter()
    lectures = (
        context.scoped(Meeting.objects.filter(held_on__year=context.year, lecturer__isnull=False))
        .filter(Q(kind=MeetingKind.LECTURE) | Q(counts_as_lecture=True))
        .values_list("organisation__path", "lecturer_id", "held_on")
    )
    for lecture_path, lecturer_id, day in lectures:
        for organisation_id, path, start, end in tenure.get(lecturer_id, ()):
            if lecture_path.startswith(path) and start <= day and (end is None or end >= day):
                given[organisation_id] += 1
    return [
        Check(
            organisation_id,
            None,
            str(context.year),
            Decimal(given[organisation_id]),
            Decimal(expected),
            given[organisation_id] >= expected,
            context.last_day,
        )
        for organisation_id, _member in secretaries
    ]
