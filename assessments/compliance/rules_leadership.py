"""Leadership teams (三.2(1)): days at the grassroots (Q-RESEARCH-WORKCOMMITTEE, Q-RESEARCH-DEPT,
Q-CONTACT-TOWN) and the integrity pledge (Q-INTEGRITY-PLEDGE).

The teams are those `assessments.selectors.leadership_teams` finds (one query, shared with
`assessments.services.leadership_target` and the leadership page): the work committee (60 days of
research), the top organisation of each department and directly affiliated unit, whatever its kind
(90 days of research), and the party committees and general branches of towns and streets (120 days
of direct contact with the masses). Its members are those holding a committee post there on the day
counted. 下基层调研 and 直接联系群众 are two duties: each clause counts only the days of its own kind
(`norms.LEADERSHIP_CLAUSES`).
"""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from assessments.models import IntegrityPledge, LeadershipDays
from assessments.norms import (
    LEADERSHIP_CLAUSES,
    LEADERSHIP_DAYS_DEPARTMENT,
    LEADERSHIP_DAYS_TOWN,
    LEADERSHIP_DAYS_WORK_COMMITTEE,
)
from assessments.selectors import _days_in_year, leadership_teams
from branches.enums import COMMITTEE_POSTS
from branches.models import Post
from members.enums import MemberStatus

PLEDGE_DUE_MONTH = "pledge.due_month"


def teams(context: RunContext) -> dict[int, str]:
    """Every active leadership team and its clause (one query, kept on the context for the four rules)."""
    return context.cached("leadership_teams", lambda: leadership_teams(organisations=active_organisations(context)))


def _team_members(context: RunContext, team_ids) -> set[tuple[int, int]]:
    """(team organisation, member) for every active member holding a committee post on the day (one query)."""
    return set(
        Post.objects.active_on(context.as_of)
        .filter(kind__in=COMMITTEE_POSTS, member__status=MemberStatus.ACTIVE)
        .filter(organisation_id__in=list(team_ids))
        .values_list("organisation_id", "member_id")
        .distinct()
    )


def _days_checks(context: RunContext, clause: str) -> list[Check]:
    """Each leadership member of the clause's teams: days of the clause's kind at the grassroots this
    year up to the day counted (entries for that team, overlaps counted once) against the yearly days
    pro rata."""
    key, kind = LEADERSHIP_CLAUSES[clause]
    required = context.pro_rata(context.values[key])
    team_ids = [pk for pk, team_clause in teams(context).items() if team_clause == clause]
    leaders = _team_members(context, team_ids)
    ranges = defaultdict(list)
    entries = LeadershipDays.objects.filter(
        organisation_id__in=team_ids,
        kind=kind,
        started_on__lte=context.as_of,
        ended_on__gte=context.first_day,
    ).values_list("organisation_id", "member_id", "started_on", "ended_on")
    for organisation_id, member_id, start, end in entries:
        ranges[(organisation_id, member_id)].append((start, min(end, context.as_of)))
    period = str(context.year)
    checks = []
    for organisation_id, member_id in sorted(leaders):
        days = Decimal(_days_in_year(ranges.get((organisation_id, member_id), ()), context.year))
        checks.append(Check(organisation_id, member_id, period, days, required, days >= required, context.last_day))
    return checks


_RESEARCH_MEASURED = _(
    "Days of grassroots research (下基层调研) this year on record for the team, overlaps counted once; days of "
    "direct contact with the masses do not count; due pro rata"
)
_CONTACT_MEASURED = _(
    "Days of direct contact with the masses (直接联系群众) this year on record for the team, overlaps counted "
    "once; research days do not count; due pro rata"
)


@rule(
    clause="Q-RESEARCH-WORKCOMMITTEE",
    title=_("Grassroots research by the work committee's leadership"),
    sentence="党工委班子成员每年下基层调研不少于60天",
    applies_to=_("Members holding a committee post of the work committee"),
    parameters=(LEADERSHIP_DAYS_WORK_COMMITTEE,),
    measures=_RESEARCH_MEASURED,
    evidence_url="assessments:leadership",
    fix_url="assessments:leadership_days",
    with_year=True,
    subject="member",
)
def research_work_committee(context: RunContext):
    """Q-RESEARCH-WORKCOMMITTEE: ≥ 60 days of grassroots research (research days only) a year."""
    return _days_checks(context, "Q-RESEARCH-WORKCOMMITTEE")


@rule(
    clause="Q-RESEARCH-DEPT",
    title=_("Grassroots research by departments' leadership"),
    sentence="各部门、直属单位班子成员下基层调研不少于90天",
    applies_to=_(
        "Members holding a committee post of the top party organisation of each department or directly affiliated "
        "unit (an agency or public institution), whether a party committee, general branch or branch"
    ),
    parameters=(LEADERSHIP_DAYS_DEPARTMENT,),
    measures=_RESEARCH_MEASURED,
    evidence_url="assessments:leadership",
    fix_url="assessments:leadership_days",
    with_year=True,
    subject="member",
)
def research_department(context: RunContext):
    """Q-RESEARCH-DEPT: ≥ 90 days of grassroots research (research days only) a year, for the leadership of
    every department and directly affiliated unit, a branch's as much as a committee's."""
    return _days_checks(context, "Q-RESEARCH-DEPT")


@rule(
    clause="Q-CONTACT-TOWN",
    title=_("Direct contact with the masses by towns' leadership"),
    sentence="镇、街班子成员直接联系群众不少于120天",
    applies_to=_(
        "Members holding a committee post of a town's (镇) or street's (街道) party committee or general branch"
    ),
    parameters=(LEADERSHIP_DAYS_TOWN,),
    measures=_CONTACT_MEASURED,
    evidence_url="assessments:leadership",
    fix_url="assessments:leadership_days",
    with_year=True,
    subject="member",
)
def contact_town(context: RunContext):
    """Q-CONTACT-TOWN (second edition): ≥ 120 days a year of direct contact with the masses by the
    leadership members of towns and streets; contact days only, not the research days of Q-RESEARCH-*."""
    return _days_checks(context, "Q-CONTACT-TOWN")


@rule(
    clause="Q-INTEGRITY-PLEDGE",
    title=_("Integrity pledges of leadership teams"),
    sentence="领导班子及成员要公开作出廉政承诺,自觉接受群众和社会监督",
    parameters=(PLEDGE_DUE_MONTH,),
    applies_to=_(
        "The leadership teams of the work committee, departments and towns, and each member holding a committee post"
    ),
    measures=_(
        "The team's pledge and each member's own pledge of the year on record; asked once the month of the "
        "parameter is over (30 June in 2015)"
    ),
    evidence_url="assessments:leadership",
    fix_url="assessments:pledge_create",
    with_year=True,
    subject="member",
)
def integrity_pledge(context: RunContext):
    """Q-INTEGRITY-PLEDGE: the team (aspect "team", no member) and each of its members (aspect "member")
    has a pledge of the year on record, made by the day counted. A pledge is made once, early in the
    year, and then stands: so the rule asks "pledged yet?" once the month `pledge.due_month` is over
    (the end of June in 2015: half a year to make it) and gives its final verdict once the year is over;
    before that it reports nothing. A team's pledge (no member on it) does not stand for its members'
    own pledges, nor the reverse: the opinion asks both of the team and of its members."""
    month = context.values.whole(PLEDGE_DUE_MONTH)
    due_on = datetime.date(context.year, month, calendar.monthrange(context.year, month)[1])
    if not context.final and context.as_of <= due_on:
        return []
    team_ids = list(teams(context))
    leaders = _team_members(context, team_ids)
    pledged = set(
        IntegrityPledge.objects.filter(year=context.year, pledged_on__lte=context.as_of, organisation_id__in=team_ids)
        .values_list("organisation_id", "member_id")
        .distinct()
    )
    period, one = str(context.year), Decimal(1)
    checks = []
    for organisation_id in sorted(team_ids):
        made = Decimal(int((organisation_id, None) in pledged))
        checks.append(Check(organisation_id, None, period, made, one, made >= one, due_on, "team"))
    for organisation_id, member_id in sorted(leaders):
        made = Decimal(int((organisation_id, member_id) in pledged))
        checks.append(Check(organisation_id, member_id, period, made, one, made >= one, due_on, "member"))
    return checks
