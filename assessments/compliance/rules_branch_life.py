"""A branch's life with its members: Q-EVALUATION (民主评议党员), Q-TALKS (谈心谈话) and
Q-COMMUNITY-SERVICE (在职党员到社区报到).

Members are counted from the membership spans as the pages count them: the democratic evaluation
grades the members of the branch and of its party groups on the evaluation day (`evaluation_record`,
`branch_members_on`); talks and community service count the members of the branch and of its party
groups (`members_not_talked_to`), so a party group's members fall to its branch."""

from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from assessments.enums import EVALUATING_KINDS, Grade
from assessments.models import Evaluation, EvaluationResult, Talk
from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from branches.selectors import duty_holder
from members.enums import LifeStatus, MemberStatus
from members.models import CommunityRegistration, CommunityService, Membership


def branch_of(context: RunContext) -> dict[int, int]:
    """Each active branch, joint branch and party group -> the branch its members count for (one query).
    In a recheck those of the subtree: a party group's branch stands directly above it, so inside too."""
    holding = context.scoped(active_organisations(context, kind__in=MEMBER_HOLDING_KINDS), field="path")
    rows = list(holding.values_list("pk", "path", "kind"))
    branches = {path: pk for pk, path, kind in rows if kind in EVALUATING_KINDS}
    owner = {}
    for pk, path, kind in rows:
        if kind in EVALUATING_KINDS:
            owner[pk] = pk
        elif path[: -Organisation.steplen] in branches:  # a party group stands directly under its branch
            owner[pk] = branches[path[: -Organisation.steplen]]
    return owner


def _members_on(context: RunContext, **filters):
    """Spans of active members on the day the records are counted to (in a recheck, the subtree's)."""
    return context.scoped(Membership.objects.on(context.as_of).filter(member__status=MemberStatus.ACTIVE, **filters))


@rule(
    clause="Q-EVALUATION",
    title=_("Democratic evaluation of members"),
    sentence="按照个人自评、党员互评、群众测评、支部考评的“四评”程序,落实一年一次民主评议党员制度。"
    "对经评议认定为不合格的党员,本着惩前毖后、治病救人和从严治党、纯洁队伍的原则,稳妥处置。",
    parameters=(),
    applies_to=_("Every branch and joint branch with members at the end of the year"),
    measures=_(
        "Once the year is over: the year's evaluation on record (held), the members of the branch and of its "
        "party groups on the evaluation day graded (graded), and the members graded unqualified with a disposal "
        "on record (disposal)"
    ),
    evidence_url="assessments:evaluation",
    fix_url="assessments:evaluation_edit",
    with_year=True,
)
def evaluation(context: RunContext):
    """Q-EVALUATION: one evaluation a year, judged once the year is over. A branch's evaluation grades
    the members of its subtree (it and its party groups), so a recheck reads the subtree's only."""
    if not context.final:
        return []
    year, one = context.year, Decimal(1)
    branches = context.scoped(active_organisations(context, kind__in=EVALUATING_KINDS), field="path")
    branches = list(branches.values_list("pk", flat=True))
    held = set(context.scoped(Evaluation.objects.filter(year=year)).values_list("organisation_id", flat=True))
    roster = _evaluation_rosters(context)
    on_the_day = Membership.objects.annotate(holder=duty_holder()).filter(
        Q(started_on__isnull=True) | Q(started_on__lte=OuterRef("evaluation__held_on")),
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("evaluation__held_on")),
        member_id=OuterRef("member_id"),
        holder=OuterRef("evaluation__organisation_id"),
    )
    graded = dict(
        context.scoped(
            EvaluationResult.objects.filter(
                Exists(on_the_day), evaluation__year=year, member__status=MemberStatus.ACTIVE
            ),
            field="evaluation__organisation__path",
        )
        .values_list("evaluation__organisation_id")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    unqualified = {
        organisation_id: (n, disposed)
        for organisation_id, n, disposed in context.scoped(
            EvaluationResult.objects.filter(evaluation__year=year, grade=Grade.UNQUALIFIED),
            field="evaluation__organisation__path",
        )
        .values_list("evaluation__organisation_id")
        .annotate(n=Count("pk"), disposed=Count("pk", filter=~Q(disposal="")))
        .order_by()
    }
    with_members = set(
        _members_on(context).annotate(holder=duty_holder()).values_list("holder", flat=True).order_by().distinct()
    )
    period, due = str(year), context.last_day
    checks = []
    for organisation_id in branches:
        if organisation_id not in held:
            if organisation_id in with_members:
                checks.append(Check(organisation_id, None, period, Decimal(0), one, False, due, "held"))
            continue
        members, marked = roster.get(organisation_id, 0), graded.get(organisation_id, 0)
        n, disposed = unqualified.get(organisation_id, (0, 0))
        checks += [
            Check(organisation_id, None, period, one, one, True, due, "held"),
            Check(organisation_id, None, period, Decimal(marked), Decimal(members), marked >= members, due, "graded"),
            Check(organisation_id, None, period, Decimal(disposed), Decimal(n), disposed >= n, due, "disposal"),
        ]
    return checks


def _evaluation_rosters(context: RunContext) -> dict[int, int]:
    """Each evaluation of the year -> the active members of its branch and of the branch's party groups
    on its day (one statement: the spans, each with its branch, joined to the evaluations). In a
    recheck the subtree's spans: those of its evaluations' branches and party groups."""
    year = context.year
    spans = (
        context.scoped(Membership.objects.filter(member__status=MemberStatus.ACTIVE))
        .filter(Q(started_on__isnull=True) | Q(started_on__year__lte=year))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__year__gte=year))
        .annotate(holder=duty_holder())
        .order_by()
        .values("member_id", "holder", "started_on", "ended_on")
    )
    sql, params = spans.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.organisation_id, COUNT(DISTINCT s.member_id) FROM {Evaluation._meta.db_table} e "
            f"JOIN ({sql}) s ON s.holder = e.organisation_id AND (s.started_on IS NULL OR s.started_on <= e.held_on) "
            "AND (s.ended_on IS NULL OR s.ended_on >= e.held_on) WHERE e.year = %s GROUP BY e.organisation_id",
            [*params, year],
        )
        return dict(cursor.fetchall())


@rule(
    clause="Q-TALKS",
    title=_("Heart-to-heart talks with every member"),
    sentence="建立谈心谈话制度,各基层党组织每年至少要组织党员普遍谈话一次。",
    parameters=("talks.per_member_a_year",),
    applies_to=_("Every branch and joint branch, for its members and those of its party groups"),
    measures=_(
        "Members on the day counted with at least the required talks this year (held by anyone), against all "
        "members once the year is over, and the share of the year gone by of them (rounded down) before"
    ),
    evidence_url="assessments:talks",
    fix_url="assessments:talks_create",
    with_year=True,
)
def talks(context: RunContext):
    """Q-TALKS: everyone talked with during the year; due pro rata of the members until it is over."""
    needed = context.values.whole("talks.per_member_a_year")
    owner = branch_of(context)
    members = defaultdict(set)
    for organisation_id, member_id in _members_on(context).values_list("organisation_id", "member_id"):
        if organisation_id in owner:
            members[owner[organisation_id]].add(member_id)
    talked = set()
    if needed > 0:
        talked = set(
            Talk.objects.filter(held_on__year=context.year, held_on__lte=context.as_of)
            .filter(**({"member_id__in": _members_on(context).values("member_id")} if context.within else {}))
            .values_list("member_id")
            .annotate(n=Count("pk"))
            .filter(n__gte=needed)
            .order_by()
            .values_list("member_id", flat=True)
        )
    period = str(context.year)
    checks = []
    for organisation_id in sorted(set(owner.values())):
        group = members.get(organisation_id, set())
        done = len(group & talked) if needed > 0 else len(group)
        total = Decimal(len(group))
        required = total if context.final else (total * context.share_of_year).to_integral_value(ROUND_FLOOR)
        checks.append(Check(organisation_id, None, period, Decimal(done), required, done >= required, context.last_day))
    return checks


@rule(
    clause="Q-COMMUNITY-SERVICE",
    title=_("In-service members registered with their community"),
    sentence="要深化和落实在职党员到社区报到,以党员所能所愿对接群众所需所盼,按“业余、小型、分散、多样”的原则开展服务工作,"
    "并将服务成效列入党员个人年度评议内容。",
    parameters=(),
    applies_to=_("Every branch and joint branch with in-service members (those of its party groups included)"),
    measures=_(
        "In-service members registered with a community on the day counted, against all its in-service members; "
        "once the year is over only those with community service on record in the year count"
    ),
    evidence_url="assessments:evaluation",
    with_year=True,
)
def community_service(context: RunContext):
    """Q-COMMUNITY-SERVICE: registration is a state checked any time; the year's service once it is over."""
    registered = Exists(
        CommunityRegistration.objects.filter(member_id=OuterRef("member_id"), registered_on__lte=context.as_of).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=context.as_of)
        )
    )
    served = Exists(
        CommunityService.objects.filter(
            registration__member_id=OuterRef("member_id"),
            served_on__year=context.year,
            served_on__lte=context.as_of,
        )
    )
    counted = registered & served if context.final else registered
    rows = (
        _members_on(context, member__life_status=LifeStatus.IN_SERVICE)
        .values_list("organisation_id")
        .annotate(n=Count("member_id", distinct=True), met=Count("member_id", distinct=True, filter=counted))
        .order_by()
    )
    owner = branch_of(context)
    totals = defaultdict(lambda: [0, 0])
    for organisation_id, n, met in rows:
        if organisation_id in owner:
            totals[owner[organisation_id]][0] += n
            totals[owner[organisation_id]][1] += met
    period = str(context.year)
    return [
        Check(organisation_id, None, period, Decimal(met), Decimal(n), met >= n, context.last_day)
        for organisation_id, (n, met) in sorted(totals.items())
    ]
