"""Reads of the meeting log and the study-hour ledger: who may attend, what a year holds against
N-MEETINGS, each member's study hours against Q-TRAINING-*. One or two queries each."""

import dataclasses
import datetime
import itertools
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from assessments.enums import (
    DELIBERATION_ORDER,
    STUDY_MEETING_KINDS,
    AttendanceStatus,
    DeliberationStep,
    MeetingKind,
    SixStandard,
    VenueKind,
)
from assessments.models import Attendance, Evaluation, LeadershipDays, Meeting, Talk, TrainingRecord, Venue, VenueCheck
from assessments.norms import MONTH, QUARTER, REQUIRED_MEETINGS, study_targets, venue_deadline, year_meeting_norms
from branches.enums import COMMITTEE_POSTS, TOWN_SECTORS, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from branches.selectors import organisation_with_groups
from core.policy import policy_for_year
from core.scoping import subtree
from members.models import CommunityService, Member, Membership, MobileRecord
from members.selectors import branch_members_on


@dataclasses.dataclass
class RosterEntry:
    member: Member
    is_inflow: bool
    # At a committee meeting: not on the committee that day, may be added as sitting in (列席).
    is_guest: bool = False
    post: str = ""  # the committee post held that day (committee meetings)


def committee_on(*, organisation: Organisation, day: datetime.date) -> list[tuple[Member, str]]:
    """The organisation's committee on a day, from the posts: (member, post label), the secretary
    first, then the deputy secretaries and the committee members; one query."""
    order = {kind: i for i, kind in enumerate(PostKind) if kind in COMMITTEE_POSTS}
    posts = sorted(
        Post.objects.active_on(day)
        .filter(organisation=organisation, kind__in=COMMITTEE_POSTS)
        .select_related("member"),
        key=lambda p: (order[p.kind], p.member.name_pinyin, p.member_id),
    )
    seen, committee = set(), []
    for post in posts:  # one post each: a secretary who is also the organisation member is listed once
        if post.member_id not in seen:
            seen.add(post.member_id)
            committee.append((post.member, post.get_kind_display()))
    return committee


def attendance_roster(*, organisation: Organisation, day: datetime.date, kind: str = "") -> list[RosterEntry]:
    """Who a meeting of `kind` on `day` lists. A branch's meeting: its members that day and its party
    groups' (from the membership spans: a 党小组 is a subdivision of its branch), then the in-flow
    members they received and had not seen return; a party group's meeting: its own. A committee
    meeting lists the committee in post that day (Q-THREE-MEETINGS: 支委会), and the others as
    guests who may sit in without a vote (列席). A party committee's democratic life meeting lists its
    leadership team in post that day (Q-LIFE-MEETING). Two or three queries."""
    if kind == MeetingKind.DEMOCRATIC_LIFE:  # Q-LIFE-MEETING: the leadership team in post that day, nobody else
        return [
            RosterEntry(member, False, post=post) for member, post in committee_on(organisation=organisation, day=day)
        ]
    members = list(branch_members_on(organisation=organisation, day=day))
    inflow = (
        MobileRecord.objects.filter(
            receiving_organisation__in=organisation_with_groups(organisation=organisation).values("pk"),
            member__isnull=False,
            since__lte=day,
        )
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gte=day))
        .exclude(member_id__in=[m.pk for m in members])
        .select_related("member")
    )
    roster = [RosterEntry(m, False) for m in members] + [RosterEntry(r.member, True) for r in inflow]
    if kind != MeetingKind.COMMITTEE:
        return roster
    committee = committee_on(organisation=organisation, day=day)
    on_it = {member.pk for member, _post in committee}
    return [RosterEntry(member, False, post=post) for member, post in committee] + [
        dataclasses.replace(entry, is_guest=True) for entry in roster if entry.member.pk not in on_it
    ]


def members_under_on(*, organisation: Organisation, day: datetime.date) -> QuerySet:
    """Members of the organisation or anything below it on a day (a training class of a branch or
    of a whole general branch)."""
    spans = Membership.objects.on(day).filter(subtree(organisation, via="organisation")).values("member_id")
    return Member.objects.filter(pk__in=spans).order_by("name_pinyin", "pk")


def secretary_on(*, organisation: Organisation, day: datetime.date) -> Member | None:
    post = Post.objects.active_on(day).filter(organisation=organisation, kind=PostKind.SECRETARY).first()
    return post.member if post else None


def meetings_for_year(*, organisation: Organisation, year: int) -> QuerySet:
    return Meeting.objects.filter(organisation=organisation, held_on__year=year).select_related(
        "lecturer", "chaired_by"
    )


@dataclasses.dataclass
class NormRow:
    """One kind of meeting in one year: each period's count against what N-MEETINGS expects."""

    kind: str
    label: str
    clause: str
    period: str
    expected: int  # in the year's last period (0: no norm in force all year)
    cells: list  # (period label, count, state: met / missed / due / future / none (no norm in force))
    missed: int


def _periods(period: str) -> list[tuple[str, int, int]]:
    """(label, first month, last month) of each period of a year."""
    if period == MONTH:
        return [(gettext("Month %(month)s") % {"month": m}, m, m) for m in range(1, 13)]
    if period == QUARTER:
        return [(f"Q{q}", 3 * q - 2, 3 * q) for q in range(1, 5)]
    return [(gettext("Whole year"), 1, 12)]


def meeting_norms(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> list[NormRow]:
    """N-MEETINGS for a branch's year: how many of each kind per month/quarter/year, against the
    norm in force on the period's first day (the themed party day only from the 2018 rules on); a
    period still running is "due", not "missed"; one with no norm in force is "none". A themed party
    day counted as a lecture or general meeting too counts for each (issue 12). Two queries (and one
    for each revision taking effect within the year)."""
    today = today or timezone.localdate()
    counts = Counter()
    for kind, day, as_lecture, as_general in Meeting.objects.filter(
        organisation=organisation, held_on__year=year
    ).values_list("kind", "held_on", "counts_as_lecture", "counts_as_general"):
        counts[(kind, day.month)] += 1
        counts[(MeetingKind.LECTURE, day.month)] += as_lecture
        counts[(MeetingKind.GENERAL, day.month)] += as_general
    norms = year_meeting_norms(year=year)
    rows = []
    for kind in MeetingKind:
        if kind not in REQUIRED_MEETINGS.get(organisation.kind, ()):
            continue
        period, clause, expected_from = norms[kind]
        cells, missed = [], 0
        for label, first, last in _periods(period):
            count = sum(counts[(kind, month)] for month in range(first, last + 1))
            expected = expected_from[first]
            if expected <= 0:
                state = "none"
            elif count >= expected:
                state = "met"
            elif (year, first) > (today.year, today.month):
                state = "future"
            elif (year, last) >= (today.year, today.month):
                state = "due"
            else:
                state = "missed"
                missed += 1
            cells.append((label, count, state))
        rows.append(NormRow(kind, kind.label, clause, period, expected, cells, missed))
    return rows


def secretary_lectures(*, organisation: Organisation, year: int) -> dict:
    """Q-LECTURE-SECRETARY: lectures this year (themed party days that include one too, issue 12) given
    by whoever was the organisation's secretary on the lecture's day. Two queries."""
    lectures = list(
        Meeting.objects.filter(organisation=organisation, held_on__year=year, lecturer__isnull=False)
        .filter(Q(kind=MeetingKind.LECTURE) | Q(counts_as_lecture=True))
        .values_list("pk", "held_on", "lecturer_id", "topic")
    )
    posts = list(
        Post.objects.filter(organisation=organisation, kind=PostKind.SECRETARY, started_on__year__lte=year)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__year__gte=year))
        .values_list("member_id", "started_on", "ended_on")
    )
    given = [
        (pk, day, topic)
        for pk, day, lecturer, topic in lectures
        if any(m == lecturer and start <= day and (end is None or end >= day) for m, start, end in posts)
    ]
    expected = policy_for_year(year).whole("lectures.secretary_a_year")
    return {"lectures": given, "count": len(given), "expected": expected, "met": len(given) >= expected}


def study_hours(*, member_ids, year: int) -> dict[int, dict]:
    """Each member's study hours in a year: the ledger, plus the lectures and themed party days
    they were present at (collected once, on the meeting). Two queries."""
    member_ids = list(member_ids)
    hours = {pk: {"ledger": Decimal(0), "meetings": Decimal(0)} for pk in member_ids}
    ledger = (
        TrainingRecord.objects.filter(member_id__in=member_ids, held_on__year=year)
        .values("member_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in ledger:
        hours[row["member_id"]]["ledger"] = row["total"]
    meetings = (
        Attendance.objects.filter(
            member_id__in=member_ids,
            status=AttendanceStatus.PRESENT,
            meeting__held_on__year=year,
            meeting__kind__in=STUDY_MEETING_KINDS,
        )
        .values("member_id")
        .annotate(total=Sum("meeting__study_hours"))
        .order_by()
    )
    for row in meetings:
        hours[row["member_id"]]["meetings"] = row["total"] or Decimal(0)
    for entry in hours.values():
        entry["total"] = entry["ledger"] + entry["meetings"]
    return hours


def mobile_study_hours(*, records, year: int) -> dict[int, Decimal]:
    """S-MOBILE: the study hours each mobile member (a member of the zone) earned in the year at the
    meetings of the organisation receiving them, by record; counted once, on the member (`study_hours`
    already holds them), shown to both branches. One query."""
    records = [r for r in records if r.member_id is not None and r.receiving_organisation_id is not None]
    if not records:
        return {}
    rows = (
        Attendance.objects.filter(
            member_id__in={r.member_id for r in records},
            meeting__organisation_id__in={r.receiving_organisation_id for r in records},
            status=AttendanceStatus.PRESENT,
            meeting__held_on__year=year,
            meeting__kind__in=STUDY_MEETING_KINDS,
        )
        .values_list("member_id", "meeting__organisation_id")
        .annotate(total=Sum("meeting__study_hours"))
        .order_by()
    )
    hours = {(member_id, organisation_id): total or Decimal(0) for member_id, organisation_id, total in rows}
    return {r.pk: hours.get((r.member_id, r.receiving_organisation_id), Decimal(0)) for r in records}


def leaders_on(*, member_ids, day: datetime.date) -> set[int]:
    """Members holding a secretary's or committee member's post of a grassroots organisation on a day
    (Q-TRAINING-LEADER; the work committee's own team is not one): posts tell who is a leader, nobody ticks it."""
    return set(
        Post.objects.active_on(day)
        .filter(member_id__in=list(member_ids), kind__in=COMMITTEE_POSTS)
        .exclude(organisation__kind=OrganisationKind.WORK_COMMITTEE)
        .values_list("member_id", flat=True)
    )


@dataclasses.dataclass
class TrainingRow:
    member: Member
    ledger: Decimal
    meetings: Decimal
    total: Decimal
    target: Decimal
    is_leader: bool

    @property
    def met(self) -> bool:
        return self.total >= self.target

    @property
    def short(self) -> Decimal:
        return max(Decimal(0), self.target - self.total)


def training_table(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> list[TrainingRow]:
    """Q-TRAINING-MEMBER / Q-TRAINING-LEADER: the organisation's members (on the year's last day,
    or today in the current year; a branch's with its party groups') with their hours against 32 h, or
    56 h for those holding a committee post that day. Four queries."""
    today = today or timezone.localdate()
    day = min(datetime.date(year, 12, 31), today)
    members = list(branch_members_on(organisation=organisation, day=day))
    ids = [m.pk for m in members]
    hours = study_hours(member_ids=ids, year=year)
    leaders = leaders_on(member_ids=ids, day=day)
    member_hours, leader_hours = study_targets(policy_for_year(year))
    return [
        TrainingRow(
            m,
            hours[m.pk]["ledger"],
            hours[m.pk]["meetings"],
            hours[m.pk]["total"],
            leader_hours if m.pk in leaders else member_hours,
            m.pk in leaders,
        )
        for m in members
    ]


def member_study_entries(*, member: Member, year: int) -> list[dict]:
    """A member's year, entry by entry: the ledger and the meetings that gave hours."""
    entries = [
        {
            "day": r.held_on,
            "title": r.title,
            "kind": r.get_kind_display(),
            "hours": r.hours,
            "record": r,
            "meeting": None,
        }
        for r in TrainingRecord.objects.filter(member=member, held_on__year=year)
    ]
    for attendance in Attendance.objects.filter(
        member=member,
        status=AttendanceStatus.PRESENT,
        meeting__held_on__year=year,
        meeting__kind__in=STUDY_MEETING_KINDS,
    ).select_related("meeting"):
        meeting = attendance.meeting
        entries.append(
            {
                "day": meeting.held_on,
                "title": meeting.topic,
                "kind": meeting.get_kind_display(),
                "hours": meeting.study_hours or Decimal(0),
                "record": None,
                "meeting": meeting,
            }
        )
    return sorted(entries, key=lambda e: e["day"], reverse=True)


def members_not_talked_to(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> QuerySet:
    """Q-TALKS: members of the organisation (and below) on the year's last day, or today, with no
    heart-to-heart talk on record in the year (held by anyone). One query."""
    today = today or timezone.localdate()
    day = min(datetime.date(year, 12, 31), today)
    talked = Talk.objects.filter(held_on__year=year).values("member_id")
    return members_under_on(organisation=organisation, day=day).exclude(pk__in=talked)


def talks_for_year(*, organisation: Organisation, year: int) -> QuerySet:
    """The year's talks with the organisation's members (held by anyone)."""
    day = min(datetime.date(year, 12, 31), timezone.localdate())
    members = members_under_on(organisation=organisation, day=day)
    talks = Talk.objects.filter(member__in=members, held_on__year=year).select_related("member", "talker")
    return talks.order_by("-held_on", "member__name_pinyin")


def community_service_hours(*, member_ids, year: int) -> dict[int, Decimal]:
    """Q-COMMUNITY-SERVICE hours of each member in a year, shown beside the evaluation. One query."""
    rows = (
        CommunityService.objects.filter(registration__member_id__in=list(member_ids), served_on__year=year)
        .values("registration__member_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {row["registration__member_id"]: row["total"] for row in rows}


def evaluation_rows(*, organisation: Organisation, year: int, day: datetime.date) -> list[dict]:
    """The members a branch grades on `day` (its party groups' too: Q-EVALUATION is the branch's), each
    with their result so far and their community service hours of the year. Three queries."""
    members = list(branch_members_on(organisation=organisation, day=day))
    evaluation = Evaluation.objects.filter(organisation=organisation, year=year).first()
    results = {r.member_id: r for r in evaluation.results.all()} if evaluation else {}
    hours = community_service_hours(member_ids=[m.pk for m in members], year=year)
    return [{"member": m, "result": results.get(m.pk), "service_hours": hours.get(m.pk, Decimal(0))} for m in members]


def venue_standards(*, venue: Venue) -> list[tuple]:
    """(standard, its check or None) for the six standards, in order."""
    checks = {c.standard: c for c in venue.checks.all()}
    return [(standard, checks.get(standard)) for standard in SixStandard]


def venue_deadline_state(*, today: datetime.date | None = None) -> dict:
    """Q-VENUE-SIXHAVE: the day by which sub-standard venues are cleared (the parameter of today's
    year) and whether it has passed: before it, a village below standard is progress toward it."""
    today = today or timezone.localdate()
    deadline = venue_deadline(policy_for_year(today.year))
    return {"deadline": deadline, "deadline_passed": today > deadline}


def venues_below_standard(*, organisation: Organisation) -> list[dict]:
    """Q-VENUE-SIXHAVE: the villages and communities under `organisation` (each the top party
    organisation of its village or community) with no activity venue meeting all six standards.
    Three queries."""
    places = list(
        Organisation.objects.filter(
            subtree(organisation), sector__in=(Sector.VILLAGE, Sector.COMMUNITY), dissolved_on__isnull=True
        ).order_by("path")
    )
    tops = []
    for place in places:  # ordered by path: a village's own sub-organisations follow it
        if tops and place.path.startswith(tops[-1].path) and place.sector == tops[-1].sector:
            continue
        tops.append(place)
    venues = Venue.objects.filter(subtree(organisation, via="organisation"), kind=VenueKind.ACTIVITY_VENUE)
    met = (
        VenueCheck.objects.filter(venue__in=venues, is_met=True)
        .values("venue_id", "venue__organisation__path")
        .annotate(n=Count("pk"))
        .filter(n=len(SixStandard))
    )
    step = Organisation.steplen

    def ancestors(paths) -> set[str]:  # every path and the paths above it
        return {path[: step * depth] for path in paths for depth in range(1, len(path) // step + 1)}

    good = ancestors(row["venue__organisation__path"] for row in met)
    with_venue = ancestors(venues.values_list("organisation__path", flat=True))
    return [{"organisation": top, "has_venue": top.path in with_venue} for top in tops if top.path not in good]


# Q-SERVICE-STATION, Q-DEPUTY-STUDIO: the places each kind of top organisation sets up (opinion 三.3).
PLACES_REQUIRED = {
    Sector.VILLAGE: (VenueKind.CONVENIENCE_STATION, VenueKind.MEMBER_HOUSEHOLD),
    Sector.COMMUNITY: (VenueKind.CONVENIENCE_STATION, VenueKind.MEMBER_HOUSEHOLD),
    Sector.TOWN: (VenueKind.DEPUTY_OFFICE,),
    Sector.STREET: (VenueKind.DEPUTY_OFFICE,),
}


def places_missing(*, organisation: Organisation, day: datetime.date | None = None) -> list[dict]:
    """Q-SERVICE-STATION, Q-DEPUTY-STUDIO: the villages, communities, towns and streets under
    `organisation` (each its top party organisation) lacking a place the opinion asks of them, in use
    on `day` (today): a convenience service station, a member household post, a congress-deputy office.
    Two queries."""
    day = day or timezone.localdate()
    places = Organisation.objects.filter(
        subtree(organisation), sector__in=list(PLACES_REQUIRED), dissolved_on__isnull=True
    ).order_by("path")
    tops = []
    for place in places:  # ordered by path: a place's own sub-organisations follow it
        if tops and place.path.startswith(tops[-1].path) and place.sector == tops[-1].sector:
            continue
        tops.append(place)
    kinds = {kind for wanted in PLACES_REQUIRED.values() for kind in wanted}
    held = set()
    step = Organisation.steplen
    for path, kind in (
        Venue.objects.filter(subtree(organisation, via="organisation"), kind__in=kinds)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day))
        .values_list("organisation__path", "kind")
    ):
        held.update((path[: step * depth], kind) for depth in range(1, len(path) // step + 1))
    rows = []
    for top in tops:
        missing = [kind for kind in PLACES_REQUIRED[top.sector] if (top.path, kind) not in held]
        if missing:
            rows.append({"organisation": top, "missing": [VenueKind(kind) for kind in missing]})
    return rows


@dataclasses.dataclass
class LeaderRow:
    member: Member
    posts: list
    days: int
    target: int
    other_days: int = 0  # days of the other kind on record: not counted for the team's clause


def _days_in_year(ranges, year: int) -> int:
    """Days covered by the (start, end) ranges within the year, overlaps counted once."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    covered = set()
    for start, end in ranges:
        start, end = max(start, first), min(end, last)
        covered.update(start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
    return len(covered)


# Q-RESEARCH-DEPT: the units whose leadership teams go down to the grassroots 90 days a year.
DEPARTMENT_SECTORS = (Sector.AGENCY, Sector.PUBLIC_INSTITUTION)
_COMMITTEES = (OrganisationKind.PARTY_COMMITTEE, OrganisationKind.GENERAL_BRANCH)
_UNIT_KINDS = (*_COMMITTEES, OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH)


def leadership_teams(*, organisations: QuerySet) -> dict[int, str]:
    """Q-RESEARCH-*, Q-CONTACT-TOWN: the leadership teams among `organisations`, each with its clause
    (one query). The work committee's ("党工委班子成员", research); each department's and directly
    affiliated unit's ("各部门、直属单位班子成员", research): the top organisation of an agency or public
    institution, whatever its kind (a department whose party organisation is a branch has a team too),
    not one under an organisation of the same sector and unit (the unit's own branches); and the party
    committees and general branches of towns and streets ("镇、街班子成员", contact)."""
    rows = list(
        organisations.filter(
            Q(kind=OrganisationKind.WORK_COMMITTEE)
            | Q(kind__in=_COMMITTEES, sector__in=TOWN_SECTORS)
            | Q(kind__in=_UNIT_KINDS, sector__in=DEPARTMENT_SECTORS)
        ).values_list("pk", "path", "kind", "sector", "unit_name")
    )
    units = {path: (sector, unit) for _pk, path, _kind, sector, unit in rows if sector in DEPARTMENT_SECTORS}
    teams = {}
    for pk, path, kind, sector, unit in rows:
        if kind == OrganisationKind.WORK_COMMITTEE:
            teams[pk] = "Q-RESEARCH-WORKCOMMITTEE"
        elif sector in TOWN_SECTORS:
            teams[pk] = "Q-CONTACT-TOWN"
        elif units.get(path[: -Organisation.steplen]) != (sector, unit):
            teams[pk] = "Q-RESEARCH-DEPT"
    return teams


def leadership_table(*, organisation: Organisation, year: int, target: int, kind: str = "") -> list[LeaderRow]:
    """Q-RESEARCH-*, Q-CONTACT-TOWN: each member holding a committee post in the organisation during
    the year, with the days at the grassroots of the team's kind (research or contact; any when not
    given) counted once however the entries overlap. Two queries."""
    posts = list(
        Post.objects.filter(organisation=organisation, kind__in=COMMITTEE_POSTS, started_on__year__lte=year)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__year__gte=year))
        .select_related("member")
        .order_by("member__name_pinyin", "pk")
    )
    people: dict[int, LeaderRow] = {}
    for post in posts:
        row = people.setdefault(post.member_id, LeaderRow(post.member, [], 0, target))
        row.posts.append(post.get_kind_display())
    ranges: dict[int, list] = {}
    others: dict[int, list] = {}
    for member_id, entry_kind, start, end in LeadershipDays.objects.filter(
        organisation=organisation, member_id__in=list(people), started_on__year__lte=year, ended_on__year__gte=year
    ).values_list("member_id", "kind", "started_on", "ended_on"):
        (ranges if not kind or entry_kind == kind else others).setdefault(member_id, []).append((start, end))
    for member_id, row in people.items():
        row.days = _days_in_year(ranges.get(member_id, []), year)
        row.other_days = _days_in_year(others.get(member_id, []), year)
    return list(people.values())


def step_allowance(values, step: str) -> int:
    """Q-FOUR-DELIBERATIONS: days a matter may wait for `step` after the step before it."""
    if step == DeliberationStep.RESULT_PUBLISHED:
        return values.whole("deliberations.result_days")
    return values.whole("deliberations.stall_days")


def matter_stalled_on(*, steps: dict[str, datetime.date], values, as_of: datetime.date) -> datetime.date | None:
    """The deadline of the matter's next step when it is past on `as_of` (stalled), else None."""
    for previous, step in itertools.pairwise(DELIBERATION_ORDER):
        if previous not in steps:
            return None
        if step not in steps:
            deadline = steps[previous] + datetime.timedelta(days=step_allowance(values, step))
            return deadline if deadline < as_of else None
    return None


def matter_next_step(*, matter) -> str | None:
    """The step a village matter can take next (S-FOUR-DELIBERATIONS), None when all six are done."""

    done = {s.step for s in matter.steps.all()}
    return next((step for step in DELIBERATION_ORDER if step not in done), None)
