"""The numbers the meeting and training records are held against, read from the versioned policy
revisions (portal/policy.py) for the period in question.

N-MEETINGS, second edition of the catalogue: each norm takes effect on its source's date, so a
period is judged by the norms in force on its first day (`year_meeting_norms`), never by a later rule.
- From 28 October 2018, 《中国共产党支部工作条例(试行)》(第十一至十三条、第十六、十七条): a general
  meeting a quarter; a committee meeting, a party-group meeting and a themed party day a month; an
  organisational life meeting at least once a year (Q-LIFE-MEETING, with a party committee's democratic
  life meeting once a year; the revision migration 0010 of portal writes the numbers).
- Before it (2015 to October 2018) we assume the established practice of the 三会一课 under the rules
  of the 1990s and 2004 (the basic-organisation work rules and the 2004 opinion on members' regular
  education): the same general meeting a quarter, committee and party-group meetings a month, and
  the yearly organisational life meeting (the opinion itself asks for it, Q-LIFE-MEETING); but no
  national duty of a monthly themed party day, which the 条例 introduced: its 2015 value is empty.
  November 2018 is the first month with a themed-day duty (its first day is after 28 October).
A branch lecture a quarter is local practice, not a national number (Q-THREE-MEETINGS).
Q-TRAINING-MEMBER / Q-TRAINING-LEADER (N-TRAINING): 32 study hours a year for every member, 56
for secretaries and committee members.
"""

import datetime
from decimal import Decimal

from assessments.enums import LeadershipDayKind, MeetingKind
from branches.enums import OrganisationKind
from core.models import PolicyRevision
from core.policy import PolicyValues, policy_for_year, policy_remembered, policy_values

MONTH, QUARTER, YEAR = "month", "quarter", "year"

# kind -> (period, the parameter saying how many a period, clause)
_MEETING_NORMS = {
    MeetingKind.GENERAL: (QUARTER, "meetings.general_a_quarter", "N-MEETINGS"),
    MeetingKind.COMMITTEE: (MONTH, "meetings.committee_a_month", "N-MEETINGS"),
    MeetingKind.GROUP: (MONTH, "meetings.group_a_month", "N-MEETINGS"),
    MeetingKind.LECTURE: (QUARTER, "meetings.lecture_a_quarter", "Q-THREE-MEETINGS"),
    MeetingKind.THEMED_DAY: (MONTH, "meetings.themed_day_a_month", "N-MEETINGS"),
    MeetingKind.ORGANISATIONAL_LIFE: (YEAR, "meetings.organisational_life_a_year", "Q-LIFE-MEETING"),
    MeetingKind.DEMOCRATIC_LIFE: (YEAR, "meetings.democratic_life_a_year", "Q-LIFE-MEETING"),
}


def meeting_norms(values: PolicyValues) -> dict:
    """kind -> (period, meetings expected a period, clause), with the numbers in force; 0 where no
    norm is in force (an empty parameter: the themed party day before the 2018 rules)."""
    return {
        kind: (period, 0 if values[key] is None else values.whole(key), clause)
        for kind, (period, key, clause) in _MEETING_NORMS.items()
    }


PERIOD_FIRST_MONTHS = {MONTH: tuple(range(1, 13)), QUARTER: (1, 4, 7, 10), YEAR: (1,)}


def period_first_month(period: str, month: int) -> int:
    """The first month of the month, quarter or year that a month falls in."""
    return {MONTH: month, QUARTER: 3 * ((month - 1) // 3) + 1}.get(period, 1)


def year_meeting_norms(*, year: int, values: PolicyValues | None = None) -> dict:
    """N-MEETINGS for each period of a year: kind -> (period, clause, {first month of a period: expected}),
    each period judged by the norms in force on its first day (0: no norm in force). One query for
    the revisions taking effect within the year, one more for each of them (none in most years);
    `values` are the year's values on 1 January when the caller has them."""
    if values is None:  # the year's own values: remembered until the policy changes (issue 16)
        return policy_remembered(("meeting_norms", year), lambda: _year_meeting_norms(year, policy_for_year(year)))
    return _year_meeting_norms(year, values)


def _year_meeting_norms(year: int, values: PolicyValues) -> dict:
    starts = {1: values}
    for day in PolicyRevision.objects.filter(
        effective_from__gt=datetime.date(year, 1, 1), effective_from__lte=datetime.date(year, 12, 1)
    ).values_list("effective_from", flat=True):
        month = day.month if day.day == 1 else day.month + 1
        starts[month] = policy_values(on=datetime.date(year, month, 1))
    in_force = {}
    for month in range(1, 13):
        in_force[month] = starts.get(month, in_force.get(month - 1))
    by_month = {month: meeting_norms(v) for month, v in in_force.items()}
    return {
        kind: (period, clause, {first: by_month[first][kind][1] for first in PERIOD_FIRST_MONTHS[period]})
        for kind, (period, _key, clause) in _MEETING_NORMS.items()
    }


def study_targets(values: PolicyValues) -> tuple[Decimal, Decimal]:
    """Q-TRAINING-MEMBER / Q-TRAINING-LEADER: (hours of a member, hours of a leader) a year."""
    return values["training.member_hours"], values["training.leader_hours"]


def venue_reward(*, grade: str, on: datetime.date) -> Decimal:
    """F-VENUE-REWARD: what a grade earns under the revision in force on the inspection day."""
    if grade not in VENUE_REWARD_KEYS:
        return Decimal(0)
    return policy_values(on=on)[VENUE_REWARD_KEYS[grade]]


def venue_deadline(values: PolicyValues) -> datetime.date:
    """Q-VENUE-SIXHAVE: the last day of the deadline year (三年左右: the end of 2017 in 2015)."""
    return datetime.date(values.whole("venue.six_standard_deadline"), 12, 31)


# Which of them each kind of organisation is held to (a party group's lectures count, but the
# quarterly lecture is the branch's).
_BRANCH_MEETINGS = (
    MeetingKind.GENERAL,
    MeetingKind.COMMITTEE,
    MeetingKind.LECTURE,
    MeetingKind.THEMED_DAY,
    MeetingKind.ORGANISATIONAL_LIFE,
)
REQUIRED_MEETINGS = {
    OrganisationKind.BRANCH: _BRANCH_MEETINGS,
    OrganisationKind.JOINT_BRANCH: _BRANCH_MEETINGS,
    OrganisationKind.PARTY_GROUP: (MeetingKind.GROUP,),
    OrganisationKind.PARTY_COMMITTEE: (MeetingKind.DEMOCRATIC_LIFE,),
}

MAX_HOURS_A_DAY = Decimal(24)
DEFAULT_STUDY_HOURS = Decimal(2)  # a lecture or themed day, unless the form says otherwise

# F-VENUE-REWARD: the parameter of each passing grade.
VENUE_REWARD_KEYS = {
    "class_1": "venue_reward.class_1",
    "class_2": "venue_reward.class_2",
    "class_3": "venue_reward.class_3",
}

# Q-RESEARCH-WORKCOMMITTEE / Q-RESEARCH-DEPT / Q-CONTACT-TOWN: the parameters of the days a year at
# the grassroots for a leadership member, by the kind of team.
LEADERSHIP_DAYS_WORK_COMMITTEE = "leadership.research_days_work_committee"
LEADERSHIP_DAYS_DEPARTMENT = "leadership.research_days_department"
LEADERSHIP_DAYS_TOWN = "leadership.contact_days_town"

# Clause of a leadership team → (the parameter of its yearly days, the kind of days it counts). 下基层调研
# and 直接联系群众 are two duties (三.2(1)): the research clauses count research days only, Q-CONTACT-TOWN
# contact days only.
LEADERSHIP_CLAUSES = {
    "Q-RESEARCH-WORKCOMMITTEE": (LEADERSHIP_DAYS_WORK_COMMITTEE, LeadershipDayKind.RESEARCH),
    "Q-RESEARCH-DEPT": (LEADERSHIP_DAYS_DEPARTMENT, LeadershipDayKind.RESEARCH),
    "Q-CONTACT-TOWN": (LEADERSHIP_DAYS_TOWN, LeadershipDayKind.CONTACT),
}
