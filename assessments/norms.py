"""The numbers the meeting and training records are held against, read from the versioned policy
revisions (portal/policy.py) for the year in question.

N-MEETINGS (《中国共产党支部工作条例(试行)》2018): a general meeting a quarter; a committee
meeting, a party-group meeting and a themed party day a month; an organisational life meeting
at least once a year (Q-LIFE-MEETING, with a party committee's democratic life meeting once a year).
A branch lecture a quarter is local practice, not a national number.
Q-TRAINING-MEMBER / Q-TRAINING-LEADER (N-TRAINING): 32 study hours a year for every member, 56
for secretaries and committee members.
"""

import datetime
from decimal import Decimal

from branches.enums import OrganisationKind
from portal.policy import PolicyValues, policy_values

from .enums import MeetingKind

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
    """kind -> (period, meetings expected a period, clause), with the numbers in force."""
    return {kind: (period, values.whole(key), clause) for kind, (period, key, clause) in _MEETING_NORMS.items()}


def study_targets(values: PolicyValues) -> tuple[Decimal, Decimal]:
    """Q-TRAINING-MEMBER / Q-TRAINING-LEADER: (hours of a member, hours of a leader) a year."""
    return values["training.member_hours"], values["training.leader_hours"]


def venue_reward(*, grade: str, on: datetime.date) -> Decimal:
    """F-VENUE-REWARD: what a grade earns under the revision in force on the inspection day."""
    if grade not in VENUE_REWARD_KEYS:
        return Decimal(0)
    return policy_values(on=on)[VENUE_REWARD_KEYS[grade]]


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
