"""Leadership teams (三.2(1)): days at the grassroots (Q-RESEARCH-WORKCOMMITTEE, Q-RESEARCH-DEPT,
Q-CONTACT-TOWN) and the integrity pledge (Q-INTEGRITY-PLEDGE).

A leadership team is that of an organisation that `assessments.services.leadership_target` gives a
target: the work committee (60 days), party committees and general branches of agencies and public
institutions (90) and of towns and streets (120); `TEAM_CLAUSES` below is the same classification as
a query. Its members are those holding a committee post there on the day counted, as on the
leadership page (`selectors.leadership_table`), whose day count this module reuses.
"""

import datetime
import functools
import operator
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from assessments.compliance.rules_meetings import active_organisations
from assessments.models import IntegrityPledge, LeadershipDays
from assessments.norms import LEADERSHIP_DAYS_DEPARTMENT, LEADERSHIP_DAYS_TOWN, LEADERSHIP_DAYS_WORK_COMMITTEE
from assessments.selectors import _days_in_year
from branches.enums import COMMITTEE_POSTS, OrganisationKind, Sector
from branches.models import Post
from members.enums import MemberStatus

_COMMITTEES = (OrganisationKind.PARTY_COMMITTEE, OrganisationKind.GENERAL_BRANCH)

# clause → (parameter of the yearly days, the teams it holds): `leadership_target` as filters.
TEAM_CLAUSES = {
    "Q-RESEARCH-WORKCOMMITTEE": (LEADERSHIP_DAYS_WORK_COMMITTEE, Q(kind=OrganisationKind.WORK_COMMITTEE)),
    "Q-RESEARCH-DEPT": (
        LEADERSHIP_DAYS_DEPARTMENT,
        Q(kind__in=_COMMITTEES, sector__in=(Sector.AGENCY, Sector.PUBLIC_INSTITUTION)),
    ),
    "Q-CONTACT-TOWN": (LEADERSHIP_DAYS_TOWN, Q(kind__in=_COMMITTEES, sector=Sector.TOWN)),
}
ALL_TEAMS = functools.reduce(operator.or_, (teams for _key, teams in TEAM_CLAUSES.values()))

# Q-INTEGRITY-PLEDGE: a pledge is made early in the year, by 30 June; from 1 July on "pledged yet?" is asked.
PLEDGE_DUE = (6, 30)


def _team_members(context: RunContext, teams: Q) -> set[tuple[int, int]]:
    """(team organisation, member) for every active member holding a committee post on the day (one query)."""
    return set(
        Post.objects.active_on(context.as_of)
        .filter(kind__in=COMMITTEE_POSTS, member__status=MemberStatus.ACTIVE)
        .filter(organisation__in=active_organisations(context).filter(teams))
        .values_list("organisation_id", "member_id")
        .distinct()
    )


def _days_checks(context: RunContext, clause: str) -> list[Check]:
    """Each leadership member of the clause's teams: days at the grassroots this year up to the day
    counted (entries of any kind for that team, overlaps counted once) against the yearly days pro rata."""
    key, teams = TEAM_CLAUSES[clause]
    required = context.pro_rata(context.values[key])
    leaders = _team_members(context, teams)
    ranges = defaultdict(list)
    entries = LeadershipDays.objects.filter(
        organisation__in=active_organisations(context).filter(teams),
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


_DAYS_MEASURED = _("Days at the grassroots this year on record for the team (overlaps counted once), due pro rata")


@rule(
    clause="Q-RESEARCH-WORKCOMMITTEE",
    title=_("Grassroots research by the work committee's leadership"),
    sentence="党工委班子成员每年下基层调研不少于60天",
    applies_to=_("Members holding a committee post of the work committee"),
    parameters=(LEADERSHIP_DAYS_WORK_COMMITTEE,),
    measures=_DAYS_MEASURED,
    evidence_url="assessments:leadership",
    fix_url="assessments:leadership_days",
    with_year=True,
    subject="member",
)
def research_work_committee(context: RunContext):
    """Q-RESEARCH-WORKCOMMITTEE: ≥ 60 days of grassroots research a year."""
    return _days_checks(context, "Q-RESEARCH-WORKCOMMITTEE")


@rule(
    clause="Q-RESEARCH-DEPT",
    title=_("Grassroots research by departments' leadership"),
    sentence="各部门、直属单位班子成员下基层调研不少于90天",
    applies_to=_(
        "Members holding a committee post of a party committee or general branch of an agency or public institution"
    ),
    parameters=(LEADERSHIP_DAYS_DEPARTMENT,),
    measures=_DAYS_MEASURED,
    evidence_url="assessments:leadership",
    fix_url="assessments:leadership_days",
    with_year=True,
    subject="member",
)
def research_department(context: RunContext):
    """Q-RESEARCH-DEPT: ≥ 90 days of grassroots research a year."""
    return _days_checks(context, "Q-RESEARCH-DEPT")


@rule(
    clause="Q-CONTACT-TOWN",
    title=_("Direct contact with the masses by towns' leadership"),
    sentence="镇、街班子成员直接联系群众不少于120天",
    applies_to=_("Members holding a committee post of a town or street party committee or general branch"),
    parameters=(LEADERSHIP_DAYS_TOWN,),
    measures=_DAYS_MEASURED,
    evidence_url="assessments:leadership",
    fix_url="assessments:leadership_days",
    with_year=True,
    subject="member",
)
def contact_town(context: RunContext):
    """Q-CONTACT-TOWN: ≥ 120 days of direct contact with the masses a year."""
    return _days_checks(context, "Q-CONTACT-TOWN")


@rule(
    clause="Q-INTEGRITY-PLEDGE",
    title=_("Integrity pledges of leadership teams"),
    sentence="领导班子及成员要公开作出廉政承诺,自觉接受群众和社会监督",
    parameters=(),
    applies_to=_(
        "The leadership teams of the work committee, departments and towns, and each member holding a committee post"
    ),
    measures=_("The team's pledge and each member's own pledge of the year on record; asked from 1 July on"),
    evidence_url="assessments:leadership",
    fix_url="assessments:pledge_create",
    with_year=True,
    subject="member",
)
def integrity_pledge(context: RunContext):
    """Q-INTEGRITY-PLEDGE: the team (aspect "team", no member) and each of its members (aspect "member")
    has a pledge of the year on record, made by the day counted. A pledge is made once, early in the
    year, and then stands: so the rule asks "pledged yet?" from 1 July on (half a year to make it) and
    gives its final verdict once the year is over; before 1 July it reports nothing. A team's pledge
    (no member on it) does not stand for its members' own pledges, nor the reverse: the opinion asks
    both of the team and of its members."""
    due_on = datetime.date(context.year, *PLEDGE_DUE)
    if not context.final and context.as_of <= due_on:
        return []
    teams = list(active_organisations(context).filter(ALL_TEAMS).values_list("pk", flat=True))
    leaders = _team_members(context, ALL_TEAMS)
    pledged = set(
        IntegrityPledge.objects.filter(year=context.year, pledged_on__lte=context.as_of)
        .filter(organisation__in=active_organisations(context).filter(ALL_TEAMS))
        .values_list("organisation_id", "member_id")
        .distinct()
    )
    period, one = str(context.year), Decimal(1)
    checks = []
    for organisation_id in teams:
        made = Decimal(int((organisation_id, None) in pledged))
        checks.append(Check(organisation_id, None, period, made, one, made >= one, due_on, "team"))
    for organisation_id, member_id in sorted(leaders):
        made = Decimal(int((organisation_id, member_id) in pledged))
        checks.append(Check(organisation_id, member_id, period, made, one, made >= one, due_on, "member"))
    return checks
