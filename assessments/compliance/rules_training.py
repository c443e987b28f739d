"""Study hours: Q-TRAINING-MEMBER (32 h) and Q-TRAINING-LEADER (56 h), a finding per person.

Hours come from the ledger and from the lectures and themed party days a member attended
(collected once, on the meeting); who is a leader comes from the posts on the day. A leader is
held to the leader's number only, so nobody has two findings for the same hours. A member of a
party group is the branch's: the finding is its branch's (a 党小组 is a subdivision of its branch)."""

from array import array
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.enums import STUDY_MEETING_KINDS, AttendanceStatus
from assessments.models import Attendance, Meeting, TrainingRecord
from branches.enums import COMMITTEE_POSTS, OrganisationKind
from branches.models import Post
from branches.selectors import duty_holder
from members.models import Membership


def _hours(context: RunContext, *, counted) -> dict[int, Decimal]:
    """Every member's study hours this year up to the day counted: the ledger's and those of the
    lectures and themed party days attended. Two grouped statements summing tenths of an hour as
    integers; a million members' sums come back as plain rows and fit in the statements' memory.
    In a recheck only the hours of the members `counted` (the subtree's spans), wherever they were
    earned: a member's hours are his own, not his organisation's."""
    ledger, attendance, meeting = (m._meta.db_table for m in (TrainingRecord, Attendance, Meeting))
    kinds = sorted(STUDY_MEETING_KINDS)
    first, as_of = context.first_day, context.as_of
    ledger_only = attended_only = ""
    members_params = []
    if context.within:
        sql, members_params = counted.values("member_id").query.sql_with_params()
        ledger_only, attended_only = f"AND member_id IN ({sql}) ", f"AND a.member_id IN ({sql}) "
    statements = [
        (
            f"SELECT member_id, SUM(CAST(ROUND(hours * 10) AS INTEGER)) FROM {ledger} WHERE held_on BETWEEN %s AND %s "
            f"{ledger_only}GROUP BY member_id",
            [first, as_of, *members_params],
        ),
        (
            f"SELECT a.member_id, SUM(m.tenths) FROM {attendance} a JOIN (SELECT id, CAST(ROUND(study_hours * 10) AS "
            f"INTEGER) AS tenths FROM {meeting} WHERE held_on BETWEEN %s AND %s AND study_hours IS NOT NULL AND kind IN "
            f"({', '.join(['%s'] * len(kinds))})) m ON m.id = a.meeting_id WHERE a.status = %s "
            f"{attended_only}GROUP BY a.member_id",
            [first, as_of, *kinds, AttendanceStatus.PRESENT, *members_params],
        ),
    ]
    tenths = defaultdict(int)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")  # the sums of a million members are hashed in memory
        for sql, params in statements:
            cursor.execute(sql, params)
            for member_id, total in cursor.fetchall():
                tenths[member_id] += total
    hours = {}  # tenths -> Decimal hours, made once per value; the sums become hours in place
    for member_id, n in tenths.items():
        tenths[member_id] = hours.get(n) or hours.setdefault(n, Decimal(n).scaleb(-1))
    return tenths


def _study(context: RunContext) -> tuple[dict[int, Decimal], set[int], tuple[array, array]]:
    """(hours, leaders, (organisations, members) of the memberships) on the day counted, read once for
    both rules of the run (the attendance of a million members' year is the run's largest scan) and
    kept on the run's context; the memberships as two arrays of integers, a million rows in 16 MB,
    each with the organisation whose duty it is (a party group's members: the branch's). In a recheck
    the subtree's spans only: a span's duty holder is in the subtree exactly when the span is (a
    party group's branch stands directly above it, and a recheck starts at the branch, not the group),
    and leaders and hours are of those members."""
    return context.cached("study", lambda: _study_read(context))


def _study_read(context: RunContext) -> tuple[dict[int, Decimal], set[int], tuple[array, array]]:
    counted = context.scoped(Membership.objects.on(context.as_of).filter(member__status="active")).order_by()
    # "基层党组织书记和班子成员": the work committee's own team is not a grassroots organisation's (its
    # members are held to the members' hours unless they lead a grassroots organisation too).
    leaders = (
        Post.objects.active_on(context.as_of)
        .filter(kind__in=COMMITTEE_POSTS)
        .exclude(organisation__kind=OrganisationKind.WORK_COMMITTEE)
    )
    if context.within:
        leaders = leaders.filter(member_id__in=counted.values("member_id"))
    leaders = set(leaders.values_list("member_id", flat=True))
    spans = counted.annotate(holder=duty_holder()).values_list("holder", "member_id")
    organisations, members = array("q"), array("q")
    sql, params = spans.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50_000):
            for organisation_id, member_id in chunk:
                organisations.append(organisation_id)
                members.append(member_id)
    return _hours(context, counted=counted), leaders, (organisations, members)


def _training_checks(context: RunContext, *, leaders_only: bool, key: str) -> Iterator[Check]:
    """One check per member, yielded as the engine takes them (a million at a time would be held in memory)."""
    required = context.pro_rata(context.values[key])
    hours, leaders, (organisations, members) = _study(context)
    period, zero, due = str(context.year), Decimal(0), context.last_day
    for organisation_id, member_id in zip(organisations, members, strict=True):
        if (member_id in leaders) == leaders_only:
            measured = hours.get(member_id, zero)
            yield Check(organisation_id, member_id, period, measured, required, measured >= required, due)


@rule(
    clause="Q-TRAINING-MEMBER",
    title=_("Study hours of members"),
    sentence="全体党员每年参加学习培训不少于32个学时",
    parameters=("training.member_hours",),
    applies_to=_(
        "Every active member who holds no committee post of a grassroots organisation (those who do: Q-TRAINING-LEADER)"
    ),
    measures=_("Study hours this year (ledger and lectures or themed party days attended), due pro rata"),
    evidence_url="assessments:year",
    fix_url="assessments:training_batch",
    with_year=True,
    subject="member",
)
def training_member(context: RunContext):
    return _training_checks(context, leaders_only=False, key="training.member_hours")


@rule(
    clause="Q-TRAINING-LEADER",
    title=_("Study hours of secretaries and committee members"),
    sentence="基层党组织书记和班子成员学习培训不少于56个学时",
    parameters=("training.leader_hours",),
    applies_to=_(
        "Members holding a secretary's or committee member's post of a grassroots organisation (from the posts); "
        "not the work committee's own team, which is not a grassroots organisation"
    ),
    measures=_("Study hours this year (ledger and lectures or themed party days attended), due pro rata"),
    evidence_url="assessments:year",
    fix_url="assessments:training_batch",
    with_year=True,
    subject="member",
)
def training_leader(context: RunContext):
    """Q-TRAINING-LEADER: ≥ 56 h a year for secretaries and committee members of grassroots organisations
    ("基层党组织书记和班子成员"); the work committee's own members are not grassroots leaders."""
    return _training_checks(context, leaders_only=True, key="training.leader_hours")
