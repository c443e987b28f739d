"""Study hours: Q-TRAINING-MEMBER (32 h) and Q-TRAINING-LEADER (56 h), a finding per person.

Hours come from the ledger and from the lectures and themed party days a member attended
(collected once, on the meeting); who is a leader comes from the posts on the day. A leader is
held to the leader's number only, so nobody has two findings for the same hours."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from branches.enums import COMMITTEE_POSTS
from branches.models import Post
from members.models import Membership

from ..enums import STUDY_MEETING_KINDS, AttendanceStatus
from ..models import Attendance, TrainingRecord
from .engine import Check, RunContext, rule


def _hours(context: RunContext) -> dict[int, Decimal]:
    """Every member's study hours this year up to the day counted (two grouped queries)."""
    hours = defaultdict(Decimal)
    ledger = (
        TrainingRecord.objects.filter(held_on__year=context.year, held_on__lte=context.as_of)
        .values_list("member_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for member_id, total in ledger:
        hours[member_id] += total
    meetings = (
        Attendance.objects.filter(
            status=AttendanceStatus.PRESENT, meeting__held_on__year=context.year,
            meeting__held_on__lte=context.as_of, meeting__kind__in=STUDY_MEETING_KINDS,
        )
        .values_list("member_id")
        .annotate(total=Sum("meeting__study_hours"))
        .order_by()
    )  # fmt: skip
    for member_id, total in meetings:
        hours[member_id] += total or 0
    return hours


def _training_checks(context: RunContext, *, leaders_only: bool, key: str) -> list[Check]:
    required = context.pro_rata(context.values[key])
    leaders = set(
        Post.objects.active_on(context.as_of).filter(kind__in=COMMITTEE_POSTS).values_list("member_id", flat=True)
    )
    hours = _hours(context)
    members = (
        Membership.objects.on(context.as_of).filter(member__status="active").values_list("organisation_id", "member_id")
    )
    period = str(context.year)
    return [
        Check(organisation_id, member_id, period, hours.get(member_id, Decimal(0)), required,
              hours.get(member_id, Decimal(0)) >= required, context.last_day)
        for organisation_id, member_id in members
        if (member_id in leaders) == leaders_only
    ]  # fmt: skip


@rule(
    clause="Q-TRAINING-MEMBER",
    title=_("Study hours of members"),
    sentence="全体党员每年参加学习培训不少于32个学时",
    parameters=("training.member_hours",),
    applies_to=_("Every active member who holds no committee post (those who do: Q-TRAINING-LEADER)"),
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
    applies_to=_("Members holding a secretary's or committee member's post (from the posts)"),
    measures=_("Study hours this year (ledger and lectures or themed party days attended), due pro rata"),
    evidence_url="assessments:year",
    fix_url="assessments:training_batch",
    with_year=True,
    subject="member",
)
def training_leader(context: RunContext):
    return _training_checks(context, leaders_only=True, key="training.leader_hours")
