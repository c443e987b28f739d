"""The numbers the meeting and training records are held against.

N-MEETINGS (《中国共产党支部工作条例(试行)》2018): a general meeting a quarter; a committee
meeting, a party-group meeting and a themed party day a month; an organisational life meeting
at least once a year. A branch lecture a quarter is local practice, not a national number.
Q-TRAINING-MEMBER / Q-TRAINING-LEADER (N-TRAINING): 32 study hours a year for every member, 56
for secretaries and committee members. These move to the versioned policy parameters when the
funding issue gives them their one home.
"""

from decimal import Decimal

from branches.enums import OrganisationKind

from .enums import MeetingKind

MONTH, QUARTER, YEAR = "month", "quarter", "year"

# kind -> (period, meetings expected per period, clause)
MEETING_NORMS = {
    MeetingKind.GENERAL: (QUARTER, 1, "N-MEETINGS"),
    MeetingKind.COMMITTEE: (MONTH, 1, "N-MEETINGS"),
    MeetingKind.GROUP: (MONTH, 1, "N-MEETINGS"),
    MeetingKind.LECTURE: (QUARTER, 1, "Q-THREE-MEETINGS"),
    MeetingKind.THEMED_DAY: (MONTH, 1, "N-MEETINGS"),
    MeetingKind.ORGANISATIONAL_LIFE: (YEAR, 1, "N-MEETINGS"),
}

# Which of them each kind of organisation is held to (a party group's lectures count, but the
# quarterly lecture is the branch's).
_BRANCH_MEETINGS = (MeetingKind.GENERAL, MeetingKind.COMMITTEE, MeetingKind.LECTURE, MeetingKind.THEMED_DAY,
                    MeetingKind.ORGANISATIONAL_LIFE)  # fmt: skip
REQUIRED_MEETINGS = {
    OrganisationKind.BRANCH: _BRANCH_MEETINGS,
    OrganisationKind.JOINT_BRANCH: _BRANCH_MEETINGS,
    OrganisationKind.PARTY_GROUP: (MeetingKind.GROUP,),
}

SECRETARY_LECTURES_A_YEAR = 1  # Q-LECTURE-SECRETARY
STUDY_HOURS_MEMBER = Decimal(32)  # Q-TRAINING-MEMBER
STUDY_HOURS_LEADER = Decimal(56)  # Q-TRAINING-LEADER
MAX_HOURS_A_DAY = Decimal(24)
DEFAULT_STUDY_HOURS = Decimal(2)  # a lecture or themed day, unless the form says otherwise

# F-VENUE-REWARD: a venue graded after strict acceptance earns a one-off reward (yuan).
VENUE_REWARDS = {"class_1": Decimal(8000), "class_2": Decimal(6000), "class_3": Decimal(4000), "failed": Decimal(0)}

# Q-RESEARCH-WORKCOMMITTEE / Q-RESEARCH-DEPT / Q-CONTACT-TOWN: days a year at the grassroots for a
# leadership member, by the kind of team (who is a leadership member: committee posts).
LEADERSHIP_DAYS_WORK_COMMITTEE = 60
LEADERSHIP_DAYS_DEPARTMENT = 90
LEADERSHIP_DAYS_TOWN = 120
