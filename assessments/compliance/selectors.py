"""Reads of the compliance check: rules with their parameters, findings in a user's scope, runs."""

import calendar
import dataclasses
import datetime
import functools
from collections import Counter
from decimal import ROUND_FLOOR, Decimal
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.compliance.base import Rule, RunContext
from assessments.compliance.catalogue import RULES
from assessments.compliance.rules_meetings import LIFE_MEETINGS, OTHER_MEETINGS, THREE_MEETINGS
from assessments.enums import MeetingKind, VenueKind
from assessments.models import ComplianceRun, Finding, Meeting
from assessments.norms import (
    MONTH,
    QUARTER,
    REQUIRED_MEETINGS,
    YEAR,
    period_first_month,
    year_meeting_norms,
)
from branches.enums import Sector
from branches.models import Organisation
from core.dates import day_text
from core.excel import xlsx_bytes
from core.policy import PARAMETERS, policy_for_year, value_display
from core.reversing import reverse_fast
from core.scoping import for_user, subtree
from core.years import FIRST_YEAR
from members.enums import MemberStatus
from members.models import Membership

# The kinds' values, made once: `Choices.values` builds its list on every call.
MEETING_KINDS = frozenset(MeetingKind.values)
SECTORS = frozenset(Sector.values)
VENUE_KINDS = frozenset(VenueKind.values)


@dataclasses.dataclass
class RuleRow:
    rule: Rule
    parameters: list[tuple[str, str, str]]  # (key, label, value in force)
    last: dict  # the latest done run's counts: checked, failed, open


def rules_with_parameters(*, year: int) -> list[RuleRow]:
    """Every rule, its clause text and the parameters in force for the year; the last run's counts."""
    values = policy_for_year(year)
    last = ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).order_by("-started_at").first()
    counts = last.summary.get("rules", {}) if last else {}
    return [
        RuleRow(
            r, [(k, PARAMETERS[k].label, value_display(k, values[k])) for k in r.parameters], counts.get(clause, {})
        )
        for clause, r in sorted(RULES.items())
    ]


def findings_for_user(*, user, year: int | None = None) -> QuerySet:
    """Findings the user may see, of one year (the drill-down narrows them further: filters.py)."""
    findings = for_user(Finding.objects.all(), user)
    if year:
        findings = findings.filter(year=year)
    return findings.select_related("organisation", "member")


class FindingsByOrganisation:
    """The organisations with findings and how many each (most first, then by code), for a
    Paginator: grouped on the findings alone, the organisations joined only to the groups, counted
    without them (150,000 open findings of a 1,000,000-member zone: two passes of ~50 ms instead of
    two joins of ~150 ms; issue 16). Rows as `values()` gives them: organisation, organisation__name,
    organisation__code, n."""

    def __init__(self, findings: QuerySet):
        self.grouped = findings.order_by().values("organisation").annotate(n=Count("pk"))

    def count(self) -> int:
        return self.grouped.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop = window.start or 0, window.stop
        sql, params = self.grouped.query.sql_with_params()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT g.organisation, o.{quote('name')}, o.{quote('code')}, g.n FROM ({sql}) g "
                f"JOIN {quote(Organisation._meta.db_table)} o ON o.{quote('id')} = g.organisation "
                f"ORDER BY g.n DESC, o.{quote('code')} LIMIT %s OFFSET %s",
                [*params, stop - start, start],
            )
            keys = ("organisation", "organisation__name", "organisation__code", "n")
            return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def aspect_label(finding: Finding) -> str:
    """The aspect in words: a kind of meeting, or as the rule names it."""
    if finding.rule == MOBILE_CLAUSE:
        return mobile_reached_words(finding)
    if finding.aspect in MEETING_KINDS:
        return str(MeetingKind(finding.aspect).label)
    if finding.aspect in SECTORS:
        return str(Sector(finding.aspect).label)
    if finding.aspect in VENUE_KINDS:
        return str(VenueKind(finding.aspect).label)
    return str(ASPECT_WORDS.get((finding.rule, finding.aspect), finding.aspect))


def mobile_reached_on(finding: Finding) -> datetime.date:
    """N-MOBILE: the day the member was last reached (a contact, or the departure), as the check saw it:
    the finding is due the day the contact was lost, `required` days after it."""
    return finding.due_on - datetime.timedelta(days=int(finding.required))


def mobile_reached_words(finding: Finding) -> str:
    """N-MOBILE: who, since when, last reached."""
    return _("lost contact since %(lost)s, last reached %(reached)s") % {
        "lost": day_text(finding.due_on),
        "reached": day_text(mobile_reached_on(finding)),
    }


def rule_title(clause: str) -> str:
    """The duty's Chinese title (users read it; the clause ID is small print), or the ID of a rule
    that no longer exists."""
    return str(RULES[clause].title) if clause in RULES else clause


def findings_labelled(findings):
    """The findings with what a list shows beside the clause: `aspect_text` and `title`."""
    for finding in findings:
        finding.aspect_text = aspect_label(finding)
        finding.title = rule_title(finding.rule)
    return findings


def number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def finding_links(finding: Finding) -> dict:
    """The page with the records that prove the finding and the form that fixes it, filled in (`fix_url`)."""
    r = RULES.get(finding.rule)
    links = {"evidence": "", "fix": ""}
    if r is None:
        return links
    args = [finding.organisation_id] + ([finding.year] if r.with_year else [])
    try:
        links["evidence"] = reverse(r.evidence_url, args=args)
    except NoReverseMatch:
        links["evidence"] = reverse(r.evidence_url, args=[finding.organisation_id])
    if r.fix_url:
        links["fix"] = fix_url(
            clause=finding.rule,
            organisation_id=finding.organisation_id,
            year=finding.year,
            aspect=finding.aspect,
            due_on=finding.due_on,
            member_ids=[finding.member_id] if finding.member_id else (),
        )
    return links


def findings_xlsx(*, findings: QuerySet) -> tuple[bytes, int]:
    """A list of findings as a one-sheet workbook (cells made safe) and how many rows it holds."""

    statuses = dict(Finding.Status.choices)
    rows = [
        (
            f.rule,
            rule_title(f.rule) if f.rule in RULES else "",
            f.organisation.name,
            f.organisation.code,
            f.member.name if f.member else "",
            f.period,
            aspect_label(f),
            f.measured,
            f.required,
            f.due_on,
            str(statuses[f.status]),
        )
        for f in findings.iterator(chunk_size=2000)
    ]
    header = [
        _("Clause"),
        _("Rule"),
        _("Organisation"),
        _("Organisation code"),
        _("Member"),
        _("Period"),
        _("Aspect"),
        _("Measured"),
        _("Required"),
        _("Due on"),
        _("Status"),
    ]
    return xlsx_bytes(title=_("Findings"), header=header, rows=rows), len(rows)


# The secretary's home page (issue 12): this month's duties and the missed ones, in plain words.

TODO_DUE, TODO_OVERDUE = "due", "overdue"
TODO_READ = 500  # the most open findings of the current year one home page reads (the rest: the findings list)
OVERDUE_SHOWN = 10  # the overdue items listed open; the rest are folded
MEETING_KIND_RULES = {
    **{str(k): "Q-THREE-MEETINGS" for k in THREE_MEETINGS},
    **{str(k): "N-MEETINGS" for k in OTHER_MEETINGS},
    **{str(k): "Q-LIFE-MEETING" for k in LIFE_MEETINGS},
}
STUDY_RULES = ("Q-TRAINING-MEMBER", "Q-TRAINING-LEADER")
# The kind of venue a rule's form asks for, where its aspect does not say it.
VENUE_KIND_RULES = {"Q-SERVICE-STATION": VenueKind.CONVENIENCE_STATION}
MOBILE_CLAUSE = "N-MOBILE"
# What a rule's aspect is in words, where it is not a kind of meeting or a sector.
ASPECT_WORDS = {
    ("Q-EVALUATION", "held"): gettext_lazy("the evaluation held"),
    ("Q-EVALUATION", "graded"): gettext_lazy("every member graded"),
    ("Q-EVALUATION", "disposal"): gettext_lazy("unqualified members dealt with"),
    ("Q-INTEGRITY-PLEDGE", "team"): gettext_lazy("the team's pledge"),
    ("Q-INTEGRITY-PLEDGE", "member"): gettext_lazy("each member's pledge"),
    ("Q-TOWN-PARTY-LEAD", "lead"): gettext_lazy("a leadership member leading party building"),
    ("Q-TOWN-PARTY-LEAD", "staff"): gettext_lazy("full-time party-affairs cadres"),
    ("Q-AGENCY-STAFF-RATIO", "unknown"): gettext_lazy("unknown: the agency's cadre count is not on record"),
}


@dataclasses.dataclass
class TodoEntry:
    """One organisation's part of a to-do: the form that does it, prefilled, and what is on record."""

    organisation: Organisation
    url: str
    done: str = ""  # "已开 0 次", "张三 12 学时、李四 20.5 学时"
    required: str = ""  # what it asks of this organisation, where that differs between the item's organisations


@dataclasses.dataclass
class TodoItem:
    """A duty of one period: due (its deadline is still ahead) or overdue (its period is over)."""

    state: str
    clause: str
    title: str  # the duty's own title, with the kind of meeting
    period: str  # "2026年3月"
    due_on: datetime.date
    required: str  # "应开 1 次"; a quantity due pro rata says so, with the whole year's
    entries: list[TodoEntry]


@dataclasses.dataclass
class BacklogRow:
    """Earlier years' open findings of one rule, counted, with the list that shows them."""

    year: int
    clause: str
    title: str
    count: int
    url: str


@dataclasses.dataclass
class SecretaryTodo:
    due: list[TodoItem]
    overdue: list[TodoItem]
    backlog: list[BacklogRow]
    backlog_total: int
    unread: int  # open findings of the current year beyond TODO_READ, not itemised

    @property
    def overdue_shown(self) -> list[TodoItem]:
        return self.overdue[:OVERDUE_SHOWN]

    @property
    def overdue_folded(self) -> list[TodoItem]:
        return self.overdue[OVERDUE_SHOWN:]


def secretary_todo(*, organisation: Organisation, today: datetime.date) -> SecretaryTodo:
    """What a secretary's organisation (and everything below it) has to do this month and what it
    missed, most urgent first: the deadline nearest first, then the latest miss first; earlier years'
    findings counted by rule, not listed. From the open findings and, for the meetings whose period is
    still running (not yet a finding), from the norms in force (N-MEETINGS). Eight queries or so, as
    many for a town as for a branch."""
    open_findings = Finding.objects.filter(subtree(organisation, via="organisation"), status=Finding.Status.OPEN)
    current = open_findings.filter(Q(year=today.year) | Q(due_on__gte=today))
    rows = list(current.select_related("organisation", "member").order_by("-due_on", "rule", "pk")[: TODO_READ + 1])
    unread = current.count() - TODO_READ if len(rows) > TODO_READ else 0
    items = _finding_items(rows[:TODO_READ], today=today) + _meetings_due(organisation=organisation, today=today)
    due = sorted((i for i in items if i.state == TODO_DUE), key=lambda i: (i.due_on, i.clause, i.title, i.period))
    overdue = sorted((i for i in items if i.state == TODO_OVERDUE), key=lambda i: (i.clause, i.title))
    overdue.sort(key=lambda i: i.due_on, reverse=True)
    findings = reverse("assessments:findings")
    backlog = [
        BacklogRow(
            year,
            rule_,
            rule_title(rule_),
            n,
            f"{findings}?{urlencode({'year': year, 'rule': rule_, 'status': 'open', 'org': organisation.pk})}",
        )
        for year, rule_, n in open_findings.filter(year__lt=today.year, due_on__lt=today)
        .values_list("year", "rule")
        .annotate(n=Count("pk"))
        .order_by("-year", "rule")
    ]
    return SecretaryTodo(due, overdue, backlog, sum(b.count for b in backlog), unread)


def period_words(period: str) -> str:
    """A finding's period as people say it: 2026-03 → 2026年3月, 2026-Q1 → 2026年第1季度, 2026 → 2026年."""
    year, _sep, rest = period.partition("-")
    if rest.startswith("Q"):
        return _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": rest[1:]}
    if rest:
        return _("%(year)s, month %(month)s") % {"year": year, "month": int(rest)}
    return _("year %(year)s") % {"year": year}


def duty_title(clause: str, aspect: str) -> str:
    """The duty's title as the list shows it: the rule's own, with the kind of meeting (or what else) after
    it, or the kind alone where the rule's title already names it."""
    title = rule_title(clause)
    words = ASPECT_WORDS.get((clause, aspect))
    if words is None and (aspect in MEETING_KINDS or aspect in SECTORS):
        words = MeetingKind(aspect).label if aspect in MEETING_KINDS else Sector(aspect).label
    elif words is None and aspect in VENUE_KINDS:
        words = VenueKind(aspect).label
    if not words:
        return title
    if str(words) in title:  # 主题党日和组织生活会 → 主题党日: the kind alone says it
        return str(words)
    return _("%(duty)s: %(aspect)s") % {"duty": title, "aspect": words}


@functools.cache
def _takes_year(url_name: str) -> bool:
    """Whether a record page's route takes the year after the organisation (`with_year` names the
    evidence page's; a rule's form may take the organisation alone): asked once per route, not by
    a failed reverse per to-do (issue 16)."""
    try:
        reverse(url_name, args=[1, FIRST_YEAR])
    except NoReverseMatch:
        return False
    return True


def fix_url(
    *,
    clause: str,
    organisation_id: int,
    year: int,
    aspect: str = "",
    due_on=None,
    member_ids=(),
    today: datetime.date | None = None,
) -> str:
    """The form that does the duty, filled in: the kind of meeting and a day inside the period missed
    (its last day, or today while it runs); the members concerned ticked (study hours); those not
    yet talked with ticked (talks). The records' page where the rule names no form."""
    r = RULES.get(clause)
    if r is None:
        return ""
    if clause == MOBILE_CLAUSE and aspect.isdigit():  # the member's record, its contact form first
        return reverse_fast("members:mobile_detail", [int(aspect)]) + "#contact"
    url_name = r.fix_url or r.evidence_url
    with_year = r.with_year and _takes_year(url_name)
    url = reverse_fast(url_name, [organisation_id, year] if with_year else [organisation_id])
    today = today or timezone.localdate()
    day = min(due_on or datetime.date(year, 12, 31), today, datetime.date(year, 12, 31))
    query = []
    if url_name == "assessments:meeting_create":
        kind = aspect if aspect in MEETING_KINDS else ""
        kind = MeetingKind.LECTURE if clause == "Q-LECTURE-SECRETARY" else kind
        query = [("kind", kind)] if kind else []
        query.append(("held_on", day.isoformat()))
    elif url_name == "assessments:venue_create":
        kind = aspect if aspect in VENUE_KINDS else VENUE_KIND_RULES.get(clause, "")
        query = [("kind", kind)] if kind else []
    elif url_name == "assessments:training_batch":
        query = [("held_on", day.isoformat())] + [("members", pk) for pk in member_ids]
    elif url_name == "assessments:talks_create":
        query = [("held_on", day.isoformat()), ("pending", "1")]
    return f"{url}?{urlencode(query)}" if query else url


def _finding_items(findings: list[Finding], *, today: datetime.date) -> list[TodoItem]:
    """Open findings as to-dos: one item a duty and period, one entry an organisation in it; a
    person's findings (study hours) gathered by organisation, with the people named."""
    values = {}  # the policy in force, by year (a query a year)

    def policy(year):
        if year not in values:
            values[year] = policy_for_year(year)
        return values[year]

    talk_members = _talk_members([f.organisation for f in findings if f.rule == "Q-TALKS"], today=today)
    items, people = {}, {}
    for f in findings:
        key = (f.rule, f.aspect, f.period)
        item = items.get(key)
        if item is None:
            state = TODO_DUE if f.due_on >= today else TODO_OVERDUE
            item = items[key] = TodoItem(
                state, f.rule, duty_title(f.rule, f.aspect), period_words(f.period), f.due_on, "", []
            )
        item.due_on = max(item.due_on, f.due_on)
        if f.rule == MOBILE_CLAUSE:  # one entry a member: the record's contact form, one click
            url = fix_url(clause=f.rule, organisation_id=f.organisation_id, year=f.year, aspect=f.aspect)
            done = _("%(name)s: %(reached)s") % {"name": f.member.name, "reached": mobile_reached_words(f)}
            item.entries.append(TodoEntry(f.organisation, url, done, _("Reach the member or record the decision")))
        elif f.member_id is None:
            url = fix_url(
                clause=f.rule,
                organisation_id=f.organisation_id,
                year=f.year,
                aspect=f.aspect,
                due_on=f.due_on,
                today=today,
            )
            required = _required(f, today=today, values=policy(f.year), members=talk_members)
            item.entries.append(TodoEntry(f.organisation, url, _done(f), required))
        else:
            people.setdefault((key, f.organisation_id), []).append(f)
    for (key, _organisation_id), group in people.items():
        group.sort(key=lambda f: (f.measured, f.member.name_pinyin, f.member_id))
        first = group[0]
        url = fix_url(
            clause=first.rule,
            organisation_id=first.organisation_id,
            year=first.year,
            due_on=first.due_on,
            member_ids=[f.member_id for f in group],
            today=today,
        )
        done = "、".join(
            _("%(name)s %(hours)s h") % {"name": f.member.name, "hours": number(f.measured)} for f in group
        )
        required = _required(first, today=today, values=policy(first.year), members=talk_members)
        items[key].entries.append(TodoEntry(first.organisation, url, done, required))
    for item in items.values():
        item.entries.sort(key=lambda e: e.organisation.path)
        _required_once(item)
    return list(items.values())


def _required_once(item: TodoItem) -> None:
    """Say what the duty asks once, on the item, when it asks the same of every organisation in it."""
    asked = {entry.required for entry in item.entries}
    if len(asked) == 1:
        item.required = asked.pop()
        for entry in item.entries:
            entry.required = ""


def _required(finding: Finding, *, today: datetime.date, values, members: dict) -> str:
    """What the duty asks, in a sentence; a quantity due pro rata says so, with the whole year's."""
    clause, required = finding.rule, number(finding.required)
    context = RunContext(year=finding.year, today=today, values=values)
    if clause in STUDY_RULES:
        full = values["training.member_hours" if clause == "Q-TRAINING-MEMBER" else "training.leader_hours"]
        if context.final:
            return _("%(full)s study hours for the year") % {"full": number(full)}
        return _("By today %(due)s study hours (%(full)s for the whole year)") % {
            "due": number(context.pro_rata(full)),
            "full": number(full),
        }
    if clause == "Q-TALKS":
        full = len(members.get(finding.organisation_id, ())) if finding.organisation_id in members else None
        if full is None or context.final:
            return _("A heart-to-heart talk with each of %(n)s members") % {"n": full if full is not None else required}
        due = (Decimal(full) * context.share_of_year).to_integral_value(ROUND_FLOOR)
        return _("By today talks with %(due)s members (all %(full)s over the whole year)") % {
            "due": number(due),
            "full": full,
        }
    if clause == "Q-LECTURE-SECRETARY":
        return _("Party lectures to give: %(n)s") % {"n": required}
    if clause in ("Q-THREE-MEETINGS", "N-MEETINGS", "Q-LIFE-MEETING"):
        return _("Meetings to hold: %(n)s") % {"n": required}
    return _("Required: %(n)s") % {"n": required}


def _done(finding: Finding) -> str:
    measured = number(finding.measured)
    if finding.rule == "Q-LECTURE-SECRETARY":
        return _("given: %(n)s") % {"n": measured}
    if finding.rule in ("Q-THREE-MEETINGS", "N-MEETINGS", "Q-LIFE-MEETING"):
        return _("held: %(n)s") % {"n": measured}
    if finding.rule == "Q-TALKS":
        return _("talked with: %(n)s") % {"n": measured}
    return _("on record: %(n)s") % {"n": measured}


def _talk_members(organisations: list[Organisation], *, today: datetime.date) -> dict[int, set[int]]:
    """Q-TALKS: the active members of each branch (its party groups' included) today (one query)."""
    if not organisations:
        return {}
    condition = Q()
    for organisation in organisations:
        condition |= Q(subtree(organisation, via="organisation"))
    rows = Membership.objects.on(today).filter(condition, member__status=MemberStatus.ACTIVE)
    members = {o.pk: set() for o in organisations}
    paths = [(o.path, o.pk) for o in organisations]
    for path, member_id in rows.values_list("organisation__path", "member_id"):
        for prefix, pk in paths:
            if path.startswith(prefix):
                members[pk].add(member_id)
    return members


def _meetings_due(*, organisation: Organisation, today: datetime.date) -> list[TodoItem]:
    """N-MEETINGS: the meetings whose month or quarter is running (the year's, in December) and that are
    not yet held as often as the norm asks, for every organisation under `organisation` that holds them.
    Two queries: the organisations, and their meetings of the year grouped by kind and month."""
    norms = year_meeting_norms(year=today.year)
    spans = {}
    for kind, (period, _clause, expected_from) in norms.items():
        first_month = period_first_month(period, today.month)
        expected = expected_from[first_month]  # the norm in force on the period's first day
        if expected <= 0 or (period == YEAR and today.month != 12):
            continue
        last_month = {MONTH: today.month, QUARTER: first_month + 2}.get(period, 12)
        last = datetime.date(today.year, last_month, calendar.monthrange(today.year, last_month)[1])
        label = {MONTH: f"{today.year}-{today.month:02d}", QUARTER: f"{today.year}-Q{(today.month + 2) // 3}"}
        spans[str(kind)] = (label.get(period, str(today.year)), range(first_month, last_month + 1), last, expected)
    holding = [k for k, kinds in REQUIRED_MEETINGS.items() if any(str(kind) in spans for kind in kinds)]
    if not holding:
        return []
    organisations = list(
        Organisation.objects.filter(subtree(organisation), kind__in=holding)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=today))
        .order_by("path")
    )
    held = Counter()  # a themed day held as the general meeting or with a lecture counts for each kind it covers
    for organisation_id, kind, general, lecture, month, n in (
        Meeting.objects.filter(organisation__in=organisations, held_on__year=today.year, held_on__lte=today)
        .annotate(month=ExtractMonth("held_on"))
        .values_list("organisation_id", "kind", "counts_as_general", "counts_as_lecture", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        also = [str(k) for k, on in ((MeetingKind.GENERAL, general), (MeetingKind.LECTURE, lecture)) if on]
        for each in {kind, *also}:
            held[(organisation_id, each, month)] += n
    items = {}
    for org in organisations:
        for kind in REQUIRED_MEETINGS[org.kind]:
            kind = str(kind)
            if kind not in spans:
                continue
            period, months, last, expected = spans[kind]
            count = sum(held[(org.pk, kind, month)] for month in months)
            if count >= expected:
                continue
            clause = MEETING_KIND_RULES.get(kind, "N-MEETINGS")
            item = items.get(kind)
            if item is None:
                item = items[kind] = TodoItem(
                    TODO_DUE,
                    clause,
                    duty_title(clause, kind),
                    period_words(period),
                    last,
                    _("Meetings to hold: %(n)s") % {"n": expected},
                    [],
                )
            url = fix_url(clause=clause, organisation_id=org.pk, year=today.year, aspect=kind, due_on=last, today=today)
            item.entries.append(TodoEntry(org, url, _("held: %(n)s") % {"n": count}))
    return list(items.values())
