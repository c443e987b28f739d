"""The opinion's numbers as versioned policy parameters: one home for funding and the rules.

Every rate, cap, amount and quota in `docs/clauses.md` is a `Parameter` declared here, with the
2015 value as its default. The bureau changes them by adding a `PolicyRevision` (core.models) with
an effective date; a revision sets some or all parameters, and a parameter's value on
a day is the one set by the latest revision in force on that day. Revisions are never changed
once in force and never take effect in the past, so a computation for 2016 gives the same result
after a later revision as before it.

This module is part of the kernel (core/): it imports no domain app, so every app may import it,
and `tests/test_architecture.py` keeps it so. The parameters name their clauses as text.

Money is `Decimal` and is rounded to the fen half up (四舍五入, `fen()`), the rule of China's
financial accounting; nothing here touches float.
"""

import datetime
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import PolicyValue
from core.progress import CACHE_ERRORS

FEN = Decimal("0.01")


def fen(amount: Decimal) -> Decimal:
    """Round an amount in yuan to the fen, half up (0.005 → 0.01)."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


# Units say how a value is shown and checked.
RATE, YUAN, DAYS, HOURS, COUNT, YEAR = "rate", "yuan", "days", "hours", "count", "year"
MONTHS = "months"
# A day of the month (1 to 28, so every month has it).
DAY_OF_MONTH = "day_of_month"
# A month of the year (1 to 12).
MONTH = "month"


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str | Promise
    clause: str
    unit: str
    default: Decimal | None  # the 2015 value; None where the opinion fixes no number
    source: str | Promise = ""

    @property
    def is_whole(self) -> bool:
        return self.unit in (DAYS, COUNT, YEAR, DAY_OF_MONTH, MONTHS, MONTH)


_DUES = _("Rules on party dues (中组发〔2008〕3号)")
_TRAINING = _("National training plan 2014–2018, cited by the opinion")
_MEETING_PRACTICE = _(
    "Before 28 October 2018 the established practice of the three meetings and one lecture; from that day the "
    "branch work rules (trial, 2018): each norm takes effect on its own revision's date"
)
_THEMED_DAY = _(
    "Branch work rules (trial, 2018), in force from 28 October 2018: no national duty of a monthly themed party "
    "day before it (empty: no duty)"
)
_DEVELOPMENT = _("Rules on developing party members (2014)")
_NOT_FIXED = _("The opinion fixes no number: the bureau sets it")
_PARTS = _("The opinion names the two parts, not their weights: the bureau sets them")
_CRITERIA = _("The opinion cites the criteria (界定标准) without numbers: 长期 and 不开展 read as the bureau sets them")
_MOBILE = _("Regulations on the education and management of party members (2019), article 32")
_RANKING = _("The portal's ranking formula for weak organisations (the opinion ranks from the bottom, 倒排)")
_ZONE_DUES_DAY = _(
    "The zone's own choice (the rules on party dues ask for dues every month and fix no day): the 25th, after "
    "pay day and the month's themed party day, before the branch hands the month's dues up"
)


def _p(key, label, clause, unit, default, source=None):
    return Parameter(key, label, clause, unit, None if default is None else Decimal(default), source or clause)


PARAMETERS: dict[str, Parameter] = {
    p.key: p
    for p in (
        # Funding formulas (F-*).
        _p(
            "activity_fund.agency_min_rate",
            _("Agencies and public institutions: activity funds, at least this share of the staff wage bill"),
            "F-ACTIVITY-AGENCY",
            RATE,
            "0.02",
        ),
        _p(
            "activity_fund.soe_min_rate",
            _("State-owned enterprises: activity funds, at least this share of the standard wage bill"),
            "F-ACTIVITY-SOE",
            RATE,
            "0.005",
        ),
        _p(
            "activity_fund.soe_max_rate",
            _("State-owned enterprises: activity funds, at most this share of the standard wage bill"),
            "F-ACTIVITY-SOE",
            RATE,
            "0.01",
        ),
        _p(
            "activity_fund.non_public_min_rate",
            _("Non-public enterprises: activity funds, at least this share of the total wage bill"),
            "F-ACTIVITY-NONPUBLIC",
            RATE,
            "0.003",
        ),
        _p(
            "activity_fund.non_public_max_rate",
            _("Non-public enterprises: activity funds, at most this share of the total wage bill"),
            "F-ACTIVITY-NONPUBLIC",
            RATE,
            "0.005",
        ),
        _p(
            "welfare_fund.allocation",
            _("Welfare project fund for each village and community a year"),
            "F-WELFARE-FUND",
            YUAN,
            "200000",
        ),
        _p("welfare_fund.first_year", _("Welfare project fund: first year"), "F-WELFARE-FUND", YEAR, "2015"),
        _p("welfare_fund.last_year", _("Welfare project fund: last year"), "F-WELFARE-FUND", YEAR, "2017"),
        _p("venue_reward.class_1", _("Reward for a class 1 venue"), "F-VENUE-REWARD", YUAN, "8000"),
        _p("venue_reward.class_2", _("Reward for a class 2 venue"), "F-VENUE-REWARD", YUAN, "6000"),
        _p("venue_reward.class_3", _("Reward for a class 3 venue"), "F-VENUE-REWARD", YUAN, "4000"),
        _p(
            "liaison_fund.work_fund_cap",
            _("Liaison group work fund a year, at most"),
            "F-LIAISON-FUND",
            YUAN,
            None,
            _NOT_FIXED,
        ),
        _p(
            "liaison_fund.head_allowance_cap",
            _("Liaison group head's allowance a year, at most"),
            "F-LIAISON-FUND",
            YUAN,
            None,
            _NOT_FIXED,
        ),
        _p(
            "liaison_fund.instructor_monthly_cap",
            _("Instructor's allowance a month, at most"),
            "F-LIAISON-FUND",
            YUAN,
            None,
            _NOT_FIXED,
        ),
        # Party dues (N-DUES): monthly, on the regular after-tax salary or pension; bounds inclusive.
        _p("dues.salary_band_1", _("Dues: salary band 1 up to (yuan a month)"), "N-DUES", YUAN, "3000", _DUES),
        _p("dues.salary_band_2", _("Dues: salary band 2 up to (yuan a month)"), "N-DUES", YUAN, "5000", _DUES),
        _p("dues.salary_band_3", _("Dues: salary band 3 up to (yuan a month)"), "N-DUES", YUAN, "10000", _DUES),
        _p("dues.salary_rate_1", _("Dues: rate in salary band 1"), "N-DUES", RATE, "0.005", _DUES),
        _p("dues.salary_rate_2", _("Dues: rate in salary band 2"), "N-DUES", RATE, "0.01", _DUES),
        _p("dues.salary_rate_3", _("Dues: rate in salary band 3"), "N-DUES", RATE, "0.015", _DUES),
        _p("dues.salary_rate_above", _("Dues: rate above salary band 3"), "N-DUES", RATE, "0.02", _DUES),
        _p("dues.pension_band", _("Dues: pension band up to (yuan a month)"), "N-DUES", YUAN, "5000", _DUES),
        _p("dues.pension_rate_low", _("Dues: rate on a pension up to the band"), "N-DUES", RATE, "0.005", _DUES),
        _p("dues.pension_rate_high", _("Dues: rate on a pension above the band"), "N-DUES", RATE, "0.01", _DUES),
        _p(
            "dues.flat_amount",
            _("Dues of students, the unemployed and those on relief (yuan a month)"),
            "N-DUES",
            YUAN,
            "0.2",
            _DUES,
        ),
        _p("dues.farmer_min", _("Dues of farmers, at least (yuan a month)"), "N-DUES", YUAN, "0.2", _DUES),
        _p("dues.farmer_max", _("Dues of farmers, at most (yuan a month)"), "N-DUES", YUAN, "1", _DUES),
        _p(
            "dues.collection_day",
            _("Dues: collection day of the month; a month's dues are owed once it has passed"),
            "N-DUES",
            DAY_OF_MONTH,
            "25",
            _ZONE_DUES_DAY,
        ),
        # Mobile members (N-MOBILE): not reached for this long, a member has lost contact.
        _p(
            "mobile.lost_contact_months",
            _("Mobile members: months without contact after which a member has lost contact"),
            "N-MOBILE",
            MONTHS,
            "6",
            _MOBILE,
        ),
        # Quotas the compliance rules check (Q-*).
        _p(
            "weak.village_share",
            _("Weak organisations: share of villages named each year, at least"),
            "Q-WEAK-VILLAGE",
            RATE,
            "0.10",
        ),
        _p(
            "weak.community_share",
            _("Weak organisations: share of communities named each year, at least"),
            "Q-WEAK-COMMUNITY",
            RATE,
            "0.05",
        ),
        _p(
            "weak.other_share",
            _("Weak organisations: share of every other type named each year, at least"),
            "Q-WEAK-OTHER",
            RATE,
            "0.05",
        ),
        _p(
            "weak.points_open_clause",
            _("Weak-organisation score: points off for each clause with an open finding"),
            "Q-WEAK-VILLAGE",
            COUNT,
            "10",
            _RANKING,
        ),
        _p(
            "weak.points_waived_clause",
            _("Weak-organisation score: points off for each clause whose findings were all waived"),
            "Q-WEAK-VILLAGE",
            COUNT,
            "10",
            _RANKING,
        ),
        _p(
            "weak.points_no_meetings",
            _("Weak-organisation score: points off for no meeting logged in the year"),
            "Q-WEAK-VILLAGE",
            COUNT,
            "20",
            _RANKING,
        ),
        _p(
            "weak.points_no_evaluation",
            _("Weak-organisation score: points off for no democratic evaluation in the year"),
            "Q-WEAK-VILLAGE",
            COUNT,
            "10",
            _RANKING,
        ),
        _p(
            "weak.points_no_secretary",
            _("Weak-organisation score: points off for no secretary in post"),
            "Q-WEAK-VILLAGE",
            COUNT,
            "20",
            _RANKING,
        ),
        _p(
            "assessment.daily_work_share",
            _("Party-building assessment: share of the daily work (the rest is the secretary's report)"),
            "S-ASSESSMENT",
            RATE,
            "0.6",
            _PARTS,
        ),
        _p(
            "assessment.points_open_clause",
            _("Party-building assessment: daily-work points off for each clause with an open finding"),
            "S-ASSESSMENT",
            COUNT,
            "10",
            _PARTS,
        ),
        _p(
            "leadership.research_days_work_committee",
            _("Days of grassroots research a year: work committee leadership"),
            "Q-RESEARCH-WORKCOMMITTEE",
            DAYS,
            "60",
        ),
        _p(
            "leadership.research_days_department",
            _("Days of grassroots research a year: department leadership"),
            "Q-RESEARCH-DEPT",
            DAYS,
            "90",
        ),
        _p(
            "leadership.contact_days_town",
            _("Days of direct contact with the masses a year: town and street leadership"),
            "Q-CONTACT-TOWN",
            DAYS,
            "120",
        ),
        _p(
            "pledge.due_month",
            _("Integrity pledges: made by the end of this month of the year (1–12); asked from then on"),
            "Q-INTEGRITY-PLEDGE",
            MONTH,
            "6",
            _(
                "The opinion fixes no date (“公开作出廉政承诺”): the bureau sets it; the end of June leaves half a "
                "year to make the year's pledge"
            ),
        ),
        _p(
            "reserve_cadres.minimum",
            _("Reserve cadres of each village and community, at least"),
            "Q-RESERVE-CADRES",
            COUNT,
            "2",
        ),
        _p(
            "staff_ratio.agency",
            _("Agencies: party-affairs staff, this share of all cadres"),
            "Q-AGENCY-STAFF-RATIO",
            RATE,
            "0.01",
        ),
        _p(
            "staff_ratio.soe",
            _("State-owned enterprises: political workers, this share of all employees"),
            "Q-SOE-STAFF-RATIO",
            RATE,
            "0.01",
        ),
        _p(
            "town.full_time_cadres",
            _("Town party committees: full-time party-affairs cadres, at least"),
            "Q-TOWN-PARTY-LEAD",
            COUNT,
            "1",
        ),
        _p(
            "venue.six_standard_deadline",
            _("Sub-standard village and community venues cleared by the end of"),
            "Q-VENUE-SIXHAVE",
            YEAR,
            "2017",
        ),
        _p(
            "lectures.secretary_a_year",
            _("Party lectures by each secretary a year, at least"),
            "Q-LECTURE-SECRETARY",
            COUNT,
            "1",
        ),
        _p(
            "talks.per_member_a_year",
            _("Heart-to-heart talks with each member a year, at least"),
            "Q-TALKS",
            COUNT,
            "1",
        ),
        _p(
            "training.member_hours",
            _("Study hours of every member a year, at least"),
            "Q-TRAINING-MEMBER",
            HOURS,
            "32",
            _TRAINING,
        ),
        _p(
            "training.leader_hours",
            _("Study hours of secretaries and committee members a year, at least"),
            "Q-TRAINING-LEADER",
            HOURS,
            "56",
            _TRAINING,
        ),
        # Meeting frequencies (N-MEETINGS): how many a period.
        _p(
            "meetings.general_a_quarter",
            _("Branch general meetings a quarter"),
            "N-MEETINGS",
            COUNT,
            "1",
            _MEETING_PRACTICE,
        ),
        _p(
            "meetings.committee_a_month",
            _("Branch committee meetings a month"),
            "N-MEETINGS",
            COUNT,
            "1",
            _MEETING_PRACTICE,
        ),
        _p("meetings.group_a_month", _("Party group meetings a month"), "N-MEETINGS", COUNT, "1", _MEETING_PRACTICE),
        # None in 2015: the monthly themed party day is a duty of the 2018 rules only (migration 0010).
        _p("meetings.themed_day_a_month", _("Themed party days a month"), "N-MEETINGS", COUNT, None, _THEMED_DAY),
        _p(
            "meetings.organisational_life_a_year",
            _("Organisational life meetings a year"),
            "Q-LIFE-MEETING",
            COUNT,
            "1",
            _MEETING_PRACTICE,
        ),
        # The catalogue's second edition (shared/policy/clauses.md).
        _p(
            "meetings.democratic_life_a_year",
            _("Democratic life meetings of a party committee's leadership team a year"),
            "Q-LIFE-MEETING",
            COUNT,
            "1",
        ),
        _p(
            "deliberations.stall_days",
            _("Four deliberations: days a village matter may wait for its next step until the resolution is public"),
            "Q-FOUR-DELIBERATIONS",
            DAYS,
            "60",
            _NOT_FIXED,
        ),
        _p(
            "deliberations.result_days",
            _("Four deliberations: days from the resolution made public to its result made public, at most"),
            "Q-FOUR-DELIBERATIONS",
            DAYS,
            "365",
            _NOT_FIXED,
        ),
        _p(
            "weak.criteria_secretary_vacant_days",
            _("Weak-organisation criteria: the secretary's post vacant for more than this many days"),
            "Q-WEAK-CRITERIA",
            DAYS,
            "180",
            _CRITERIA,
        ),
        _p(
            "weak.criteria_days_without_meetings",
            _("Weak-organisation criteria: no meeting held for more than this many days"),
            "Q-WEAK-CRITERIA",
            DAYS,
            "180",
            _CRITERIA,
        ),
        _p(
            "meetings.lecture_a_quarter",
            _("Branch party lectures a quarter (local practice, not a national number)"),
            "Q-THREE-MEETINGS",
            COUNT,
            "1",
            _("Local practice"),
        ),
        # Member development (N-DEVELOPMENT): 《中国共产党发展党员工作细则》(2014), in force before the opinion.
        _p(
            "development.min_age",
            _("Applicants to join: age on the day of application, at least"),
            "N-DEVELOPMENT",
            COUNT,
            "18",
            _DEVELOPMENT,
        ),
        _p(
            "development.talk_within_months",
            _("Talk with an applicant within this many calendar months of the application"),
            "N-DEVELOPMENT",
            MONTHS,
            "1",
            _DEVELOPMENT,
        ),
        _p(
            "development.review_every_months",
            _("Activists reviewed at least every this many months"),
            "N-DEVELOPMENT",
            MONTHS,
            "6",
            _DEVELOPMENT,
        ),
        _p(
            "development.activist_months",
            _("Months as an activist before becoming a development target, at least"),
            "N-DEVELOPMENT",
            MONTHS,
            "12",
            _DEVELOPMENT,
        ),
        _p("development.introducers", _("Introducers of a new member"), "N-DEVELOPMENT", COUNT, "2", _DEVELOPMENT),
        _p(
            "development.approval_within_months",
            _("Higher party committee's approval within this many months of the branch's admission"),
            "N-DEVELOPMENT",
            MONTHS,
            "3",
            _DEVELOPMENT,
        ),
        _p("development.probation_months", _("Probation (months)"), "N-DEVELOPMENT", MONTHS, "12", _DEVELOPMENT),
        _p(
            "development.extension_min_months",
            _("Extension of probation, at least (months)"),
            "N-DEVELOPMENT",
            MONTHS,
            "6",
            _DEVELOPMENT,
        ),
        _p(
            "development.extension_max_months",
            _("Extension of probation, at most (months)"),
            "N-DEVELOPMENT",
            MONTHS,
            "12",
            _DEVELOPMENT,
        ),
    )
}

# Pairs that must stay ordered (lower, upper) in every revision.
ORDERED = (
    ("activity_fund.soe_min_rate", "activity_fund.soe_max_rate"),
    ("activity_fund.non_public_min_rate", "activity_fund.non_public_max_rate"),
    ("welfare_fund.first_year", "welfare_fund.last_year"),
    ("dues.salary_band_1", "dues.salary_band_2"),
    ("dues.salary_band_2", "dues.salary_band_3"),
    ("dues.farmer_min", "dues.farmer_max"),
    ("development.extension_min_months", "development.extension_max_months"),
)


class PolicyValues(dict):
    """The values in force on a day (`.on`), keyed by parameter; `values["key"]` is a Decimal or None."""

    def __init__(self, values, *, on: datetime.date, revisions: tuple = ()):
        super().__init__(values)
        self.on = on
        self.revisions = revisions

    def whole(self, key: str) -> int:
        return int(self[key])


def _tidy(value: Decimal | None) -> Decimal | None:
    """A stored value without the column's trailing zeros (20.000000 → 20, 0.020000 → 0.02)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def policy_values(*, on: datetime.date) -> PolicyValues:
    """Every parameter's value in force on a day: the latest revision in force that sets it.

    Read once per process and day until a revision changes (issue 16: two queries of every
    secretary's home page): a generation token in the shared cache is replaced after each commit
    that changes a revision (`policy_changed`), and a process reads the table again when the token
    it read with is no longer the cache's, or after REMEMBERED_SECONDS whatever the token says (a
    change made while the cache was down). Read as the table stands, never remembered: inside a
    transaction (it may hold a revision not committed yet) and while the cache cannot be reached."""
    values = policy_remembered(("values", on), lambda: _policy_values_read(on))
    return PolicyValues(values, on=values.on, revisions=values.revisions)  # a copy: callers may change theirs


def policy_remembered(key: tuple, compute):
    """`compute()`, a reading of the policy tables, made once per process and `key` until the policy
    changes (see `policy_values`); callers must not change what it returns."""
    if connection.in_atomic_block:
        return compute()
    token = _generation()
    if token is None:
        return compute()
    now = time.monotonic()
    remembered = _remembered.get(key)
    if remembered is None or remembered[0] != token or now - remembered[1] > REMEMBERED_SECONDS:
        if len(_remembered) > 256:
            _remembered.clear()
        remembered = _remembered[key] = (token, now, compute())
    return remembered[2]


_remembered: dict[tuple, tuple[str, float, object]] = {}
GENERATION_KEY = "policy:generation"
REMEMBERED_SECONDS = 300


def _generation() -> str | None:
    """The shared token of the policy tables' state (made when the cache has none); None when the
    cache cannot be reached."""
    try:
        token = cache.get(GENERATION_KEY)
        if token is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(GENERATION_KEY)
    except CACHE_ERRORS:
        return None
    return token


def policy_changed(**kwargs) -> None:
    """A revision or its values changed: every process reads the table again once this commits."""
    transaction.on_commit(_generation_replace)


def _generation_replace() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except CACHE_ERRORS:
        _remembered.clear()  # this process at least; the others within REMEMBERED_SECONDS


def _policy_values_read(on: datetime.date) -> PolicyValues:
    """The table as it stands (one query)."""
    rows = (
        PolicyValue.objects.filter(revision__effective_from__lte=on)
        .order_by("revision__effective_from", "revision_id")
        .values_list("key", "value", "revision_id")
    )
    values = {key: p.default for key, p in PARAMETERS.items()}
    revisions = []
    for key, value, revision_id in rows:
        if key in values:
            values[key] = _tidy(value)
            if revision_id not in revisions:
                revisions.append(revision_id)
    return PolicyValues(values, on=on, revisions=tuple(revisions))


def policy_for_year(year: int) -> PolicyValues:
    """The values of a calendar year's duties and formulas: those in force on 1 January.

    A revision meant for a year therefore takes effect on 1 January of it; one taking effect in
    the middle of a year applies from the next year on (monthly dues read `policy_values` of
    the month instead).
    """
    return policy_values(on=datetime.date(year, 1, 1))


def value_display(key: str, value: Decimal | None) -> str:
    """A value as people read it: shares in % (3‰ as 0.3%), amounts in yuan, counts whole."""
    if value is None:
        return "—"
    unit = PARAMETERS[key].unit
    if unit == RATE:
        return f"{(value * 100).normalize():f}%"
    if unit == YUAN:
        return f"¥{value:,.2f}"
    return f"{value.normalize():f}"
