"""Weak organisations (软弱涣散党组织, opinion 三.1(3)): who is ranked, the score, the bureau's
selection and the rectification of those named (Q-WEAK-VILLAGE, Q-WEAK-COMMUNITY, Q-WEAK-OTHER,
Q-WEAK-REMEDY).

Who is ranked (`weak_population`), each year, among the organisations active on the day counted:

- villages and communities: the top organisation of each village or community, i.e. an
  organisation of sector village (community) whose parent is of another sector (the general
  branch of a village, not its branches and party groups);
- every other type is a sector (agencies, public institutions, SOEs, non-public enterprises,
  social organisations, schools, incubators), ranked among its own kind; its organisations are
  those at the level of a unit: an organisation with a unit (`unit_name`) none of whose ancestors
  of the same sector has one (the SOE's party committee, not its branches), and, where a sector
  records no unit above them, its branches and joint branches (the joint branches of social
  organisations under their umbrella committee). Umbrella committees without a unit (the agencies'
  committee), liaison groups, party groups, towns and the work committee are not ranked.

How many are proposed: ceil(share x organisations of the type), at least one where the type has
any; the shares are the policy's `weak.village_share`, `weak.community_share`, `weak.other_share`
of the year. Beside that bottom share, every ranked organisation that meets one of the criteria that
make an organisation weak (Q-WEAK-CRITERIA, 界定标准, `weak_criteria`) is proposed too, whatever its
rank. The bureau then names or un-names each one, with a reason where it departs from the proposal;
the Q-WEAK-* rules check the result.
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import (
    Evaluation,
    Finding,
    Meeting,
    Rectification,
    RectificationNote,
    RectificationRemedy,
    WeakSelection,
)
from branches.enums import COMMITTEE_POSTS, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from core import audit, scoping
from core.audit import acting_user
from core.dates import day_text
from core.permissions import has_permission
from core.policy import policy_for_year
from core.scoping import subtree
from core.years import FIRST_YEAR

RECORDS_START = datetime.date(FIRST_YEAR, 1, 1)
# The proposal is written in bulk (issue 13, item 4): one entry with what it proposed.
PROPOSAL_MADE = audit.named_action(
    "assessments.weak.proposal_made",
    label=gettext_lazy("Weak organisations proposed"),
    models=("assessments.weakselection",),
)

VILLAGE_TYPES = (Sector.VILLAGE, Sector.COMMUNITY)
# Every other type of grassroots organisation (Q-WEAK-OTHER), in the order pages show them.
OTHER_TYPES = (
    Sector.AGENCY,
    Sector.PUBLIC_INSTITUTION,
    Sector.SOE,
    Sector.NON_PUBLIC,
    Sector.SOCIAL_ORGANISATION,
    Sector.SCHOOL,
    Sector.INCUBATOR,
)
TYPES = (*VILLAGE_TYPES, *OTHER_TYPES)
SHARE_KEYS = {Sector.VILLAGE: "weak.village_share", Sector.COMMUNITY: "weak.community_share"}
OTHER_SHARE_KEY = "weak.other_share"
CLAUSE_BY_TYPE = {Sector.VILLAGE: "Q-WEAK-VILLAGE", Sector.COMMUNITY: "Q-WEAK-COMMUNITY"}
NOT_RANKED_KINDS = frozenset(
    {OrganisationKind.WORK_COMMITTEE, OrganisationKind.LIAISON_GROUP, OrganisationKind.PARTY_GROUP}
)
BRANCH_KINDS = frozenset({OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH})

# The score (0 to 100, higher is better): 100 less these points. Their values are the versioned
# policy parameters `weak.points_*` of the year (portal/policy.py); `weak_scores(weights=…)` takes others.
WEIGHT_PARAMETERS = {
    "open_clause": "weak.points_open_clause",
    "waived_clause": "weak.points_waived_clause",
    "no_meetings": "weak.points_no_meetings",
    "no_evaluation": "weak.points_no_evaluation",
    "no_secretary": "weak.points_no_secretary",
}
DEFAULT_WEIGHTS = {
    # Each clause with an open finding of the year on the organisation or below it (per clause,
    # not per finding, so that a large organisation is not marked down for its size).
    "open_clause": Decimal(10),
    # Each clause whose findings of the year were all waived: the duty was not met, the bureau only
    # excused the follow-up, so it counts as not met (set lower to go easier on waivers).
    "waived_clause": Decimal(10),
    # No meeting logged in the year anywhere in the organisation.
    "no_meetings": Decimal(20),
    # No democratic evaluation of the year recorded anywhere in the organisation.
    "no_evaluation": Decimal(10),
    # Nobody in the organisation's own secretary post on the day counted.
    "no_secretary": Decimal(20),
}
FULL_SCORE = Decimal(100)

# Q-WEAK-CRITERIA: the criteria (界定标准) the records can show, each with the parameter of its number of
# days. The opinion cites the criteria without listing them; these are those of the usual list the portal
# holds records for (书记长期缺职; 不开展组织生活). A grade of 后进 in 分类定级 is not recorded by the portal.
CRITERIA_PARAMETERS = {
    "secretary_vacant": "weak.criteria_secretary_vacant_days",
    "no_meetings": "weak.criteria_days_without_meetings",
}
CRITERIA_LABELS = {
    "secretary_vacant": gettext_lazy("Secretary's post vacant for more than %(days)s days"),
    "no_meetings": gettext_lazy("No meeting held for more than %(days)s days"),
}


def criteria_words(keys, *, year: int, values=None) -> list[str]:
    """The criteria an organisation met, in words with the year's numbers (`values`: the year's policy, read
    once by a page that words many rows)."""
    values = values or policy_for_year(year)
    return [
        str(CRITERIA_LABELS[key]) % {"days": values.whole(CRITERIA_PARAMETERS[key])}
        for key in keys
        if key in CRITERIA_LABELS
    ]


def type_clause(organisation_type: str) -> str:
    """The clause a type of organisation is held to."""
    return CLAUSE_BY_TYPE.get(organisation_type, "Q-WEAK-OTHER")


def type_share(values, organisation_type: str) -> Decimal:
    """The share of the type to name, from the year's policy."""
    return values[SHARE_KEYS.get(organisation_type, OTHER_SHARE_KEY)]


def required_count(*, n: int, share: Decimal) -> int:
    """三.1(3): "不低于…的比例": ceil(share x n), at least one where the type has any organisation."""
    if n <= 0:
        return 0
    return max(1, int((Decimal(share) * n).to_integral_value(rounding=ROUND_CEILING)))


def day_counted(*, year: int, today: datetime.date | None = None) -> datetime.date:
    """The last day whose records count: today during the year, 31 December after it."""
    return min(today or timezone.localdate(), datetime.date(year, 12, 31))


@dataclasses.dataclass
class Ranked:
    """An organisation ranked in a type, with what is measured of it."""

    organisation_id: int
    path: str
    code: str
    name: str
    type: str
    members: int = 0
    score: Decimal = FULL_SCORE
    deductions: dict = dataclasses.field(default_factory=dict)


def _is_active(established_on, dissolved_on, as_of: datetime.date) -> bool:
    return (established_on is None or established_on <= as_of) and (dissolved_on is None or dissolved_on > as_of)


def _population(as_of: datetime.date) -> tuple[list[Ranked], dict[int, int]]:
    """The ranked organisations (see the module docstring) and, for every organisation (dissolved
    ones too), the ranked one its records count for: the nearest ranked one at or above it, so that
    a ranked unit inside another (an enterprise inside an incubator) is counted once. One query."""
    rows = list(
        Organisation.objects.order_by().values_list(
            "pk",
            "path",
            "kind",
            "sector",
            "unit_name",
            "code",
            "name",
            "member_count",
            "established_on",
            "dissolved_on",
        )
    )
    active = [row for row in rows if _is_active(row[8], row[9], as_of)]
    sector_of = {row[1]: row[3] for row in active}
    unit_paths = {(row[1], row[3]) for row in active if row[4]}
    step = Organisation.steplen
    ranked = []
    for pk, path, kind, sector, unit, code, name, *_rest in active:
        if kind in NOT_RANKED_KINDS or sector not in TYPES:
            continue
        if sector in VILLAGE_TYPES:
            if sector_of.get(path[:-step]) == sector:
                continue
        else:
            under_unit = any((path[:i], sector) in unit_paths for i in range(step, len(path), step))
            if under_unit or not (unit or kind in BRANCH_KINDS):
                continue
        ranked.append(Ranked(pk, path, code, name, sector))
    by_path = {r.path: r.organisation_id for r in ranked}
    owner = {}
    for pk, path, *_rest in rows:
        for i in range(len(path), 0, -step):
            found = by_path.get(path[:i])
            if found is not None:
                owner[pk] = found
                break
    members = defaultdict(int)
    for pk, _path, _kind, _sector, _unit, _code, _name, count, *_dates in active:
        if pk in owner:
            members[owner[pk]] += count
    for r in ranked:
        r.members = members[r.organisation_id]
    return ranked, owner


def weak_population(*, as_of: datetime.date) -> list[Ranked]:
    """Q-WEAK-*: the organisations ranked each year, by type (see the module docstring)."""
    return _population(as_of)[0]


def weights_for_year(year: int) -> dict:
    """The score's points in force for the year (the policy revisions)."""
    values = policy_for_year(year)
    return {key: values[parameter] for key, parameter in WEIGHT_PARAMETERS.items()}


def weak_scores(*, year: int, weights: dict | None = None, today: datetime.date | None = None) -> list[Ranked]:
    """Q-WEAK-*: every ranked organisation's score of the year, 100 less `weights` (DEFAULT_WEIGHTS says
    what each one is for): from the compliance findings of the year (open and waived ones count as
    not met, resolved ones as met; the Q-WEAK-* findings themselves are left out) and the records
    of its subtree. Five queries whatever the size of the zone."""
    weights = weights or weights_for_year(year)
    as_of = day_counted(year=year, today=today)
    ranked, owner = _population(as_of)
    open_clauses, waived_clauses = defaultdict(set), defaultdict(set)
    findings = (
        Finding.objects.filter(year=year, status__in=[Finding.Status.OPEN, Finding.Status.WAIVED])
        .exclude(rule__startswith="Q-WEAK-")
        .values_list("organisation_id", "rule", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for organisation_id, clause, status, _n in findings:
        found = owner.get(organisation_id)
        if found is not None:
            (open_clauses if status == Finding.Status.OPEN else waived_clauses)[found].add(clause)
    met = Meeting.objects.filter(held_on__year=year, held_on__lte=as_of).values_list("organisation_id").distinct()
    with_meetings = {owner.get(pk) for (pk,) in met.order_by()}
    evaluated = Evaluation.objects.filter(year=year, held_on__lte=as_of).values_list("organisation_id").distinct()
    with_evaluation = {owner.get(pk) for (pk,) in evaluated.order_by()}
    with_secretary = set(
        Post.objects.active_on(as_of)
        .filter(kind=PostKind.SECRETARY, organisation_id__in=[r.organisation_id for r in ranked])
        .values_list("organisation_id", flat=True)
    )
    for r in ranked:
        pk = r.organisation_id
        waived = waived_clauses[pk] - open_clauses[pk]
        facts = {
            "open_clause": len(open_clauses[pk]),
            "waived_clause": len(waived),
            "no_meetings": int(pk not in with_meetings),
            "no_evaluation": int(pk not in with_evaluation),
            "no_secretary": int(pk not in with_secretary),
        }
        r.deductions = {key: str(Decimal(weights[key]) * n) for key, n in facts.items() if n}
        r.score = max(Decimal(0), FULL_SCORE - sum(Decimal(weights[key]) * n for key, n in facts.items()))
        if sorted(open_clauses[pk] | waived):
            r.deductions["clauses"] = sorted(open_clauses[pk] | waived)
    return ranked


def weak_criteria(
    *, year: int, today: datetime.date | None = None, within: str = "", values=None
) -> dict[int, list[str]]:
    """Q-WEAK-CRITERIA: each ranked organisation that meets a criterion on the day counted -> the criteria
    it meets (CRITERIA_PARAMETERS), from the records: its own secretary's post vacant for more than the
    year's number of days (since the last secretary left, else since it was established, else since the
    records start, 1 January 2015); no meeting held in it or below it for more than the number of days (an organisation
    younger than that, or than the records, is not judged on it). An organisation without members is not
    judged (it has no one to meet or to lead). `within`: only ranked organisations under that path. Three queries."""
    values = values or policy_for_year(year)
    as_of = day_counted(year=year, today=today)
    vacant_days = values.whole(CRITERIA_PARAMETERS["secretary_vacant"])
    quiet_days = values.whole(CRITERIA_PARAMETERS["no_meetings"])
    ranked, owner = _population(as_of)
    ranked = [r for r in ranked if r.path.startswith(within) and r.members > 0]
    pks = [r.organisation_id for r in ranked]
    established = dict(Organisation.objects.filter(pk__in=pks).order_by().values_list("pk", "established_on"))
    posts = Post.objects.filter(kind=PostKind.SECRETARY, organisation_id__in=pks, started_on__lte=as_of)
    in_post, left = set(), {}
    for organisation_id, ended in posts.order_by().values_list("organisation_id", "ended_on"):
        if ended is None or ended >= as_of:
            in_post.add(organisation_id)
        else:
            left[organisation_id] = max(ended, left.get(organisation_id, ended))
    since = as_of - datetime.timedelta(days=quiet_days)
    recent = Meeting.objects.filter(held_on__lte=as_of, held_on__gte=since)
    if within:
        recent = recent.filter(subtree(within, via="organisation"))
    with_meetings = {owner.get(pk) for pk in recent.order_by().values_list("organisation_id", flat=True).distinct()}
    found = {}
    for r in ranked:
        pk, met = r.organisation_id, []
        start = established.get(pk)
        if pk not in in_post:
            vacant_since = left.get(pk) or start or RECORDS_START
            if (as_of - vacant_since).days > vacant_days:
                met.append("secretary_vacant")
        if (start or RECORDS_START) < since and pk not in with_meetings:
            met.append("no_meetings")
        if met:
            found[pk] = met
    return found


def bottom_up(rows: list[Ranked]) -> list[Ranked]:
    """The ranking from the bottom (倒排): lowest score first; ties go to fewer members, then the code."""
    return sorted(rows, key=lambda r: (r.score, r.members, r.code))


def weak_year_confirmed(*, year: int) -> bool:
    """The bureau has confirmed the year's selection: a proposal exists and each proposed
    organisation has been decided on (named, or left off with a reason)."""
    counts = WeakSelection.objects.filter(year=year).aggregate(
        total=Count("pk"), waiting=Count("pk", filter=Q(proposed=True, decided_at__isnull=True))
    )
    return counts["total"] > 0 and counts["waiting"] == 0


def _year_check(year: int) -> None:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError(
            _("Weak organisations are ranked for the years from %(first)s to this year, not %(year)s.")
            % {"first": FIRST_YEAR, "year": year}
        )


def _bureau_check(user, message) -> None:
    if user is not None and not has_permission(user, "bureau"):
        raise ValidationError(message)


@transaction.atomic
def weak_proposal_make(*, year: int, user=None, weights: dict | None = None) -> list[WeakSelection]:
    """Q-WEAK-VILLAGE, Q-WEAK-COMMUNITY, Q-WEAK-OTHER: rank each type from the bottom and propose the
    bottom ceil(share x n) of it, and beside it every organisation meeting a criterion (Q-WEAK-CRITERIA,
    the criteria kept in its deductions). Rerunning replaces the proposal until the bureau decides on any."""
    _bureau_check(user, _("Only the organisation bureau proposes weak organisations."))
    _year_check(year)
    if WeakSelection.objects.filter(year=year, decided_at__isnull=False).exists():
        raise ValidationError(
            _("The bureau has already decided on weak organisations of %(year)s; the proposal can no longer be remade.")
            % {"year": year}
        )
    values = policy_for_year(year)
    by_type = defaultdict(list)
    for r in weak_scores(year=year, weights=weights):
        by_type[r.type].append(r)
    criteria = weak_criteria(year=year, values=values)
    with audit.suppressed():  # an undecided proposal replaced: counted in this call's entry
        replaced, _by_model = WeakSelection.objects.filter(year=year).delete()
    selections = []
    for organisation_type, rows in by_type.items():
        cut = required_count(n=len(rows), share=type_share(values, organisation_type))
        for rank, r in enumerate(bottom_up(rows), start=1):
            met = criteria.get(r.organisation_id, [])
            selection = WeakSelection(
                year=year,
                organisation_id=r.organisation_id,
                type=organisation_type,
                score=r.score,
                deductions={**r.deductions, "criteria": met} if met else r.deductions,
                members=r.members,
                rank=rank,
                proposed=rank <= cut or bool(met),  # Q-WEAK-CRITERIA beside the bottom share
                recorded_by=acting_user(user),
            )
            selections.append(selection)
    selections = WeakSelection.objects.bulk_create(selections, batch_size=5000)
    ranked = defaultdict(int)
    for selection in selections:
        ranked[selection.type] += 1
    audit.log_action(
        action=PROPOSAL_MADE,
        model="assessments.weakselection",
        object_repr=str(year),
        extra={
            "year": year,
            "weights": weights or {},
            "rows": len(selections),
            "ranked": dict(ranked),
            "replaced": replaced,
            "proposed": audit.rows_text(
                [s for s in selections if s.proposed], ("organisation", "type", "score", "rank", "members")
            ),
        },
    )
    return selections


def _named_check(selection: WeakSelection) -> Rectification:
    rectification = Rectification.objects.filter(selection=selection).first()
    if not selection.named or rectification is None:
        raise ValidationError(
            _("%(org)s is not named a weak organisation of %(year)s; rectification is for named ones.")
            % {"org": selection.organisation.name, "year": selection.year}
        )
    if rectification.verdict:
        raise ValidationError(
            _("The rectification of %(org)s was closed on %(date)s.")
            % {"org": selection.organisation.name, "date": day_text(rectification.verdict_on)}
        )
    return rectification


def _day_check(day: datetime.date, *, field: str, year: int) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
    if day.year < year:
        raise ValidationError(
            {field: _("The date is before %(year)s, the year the organisation was named.") % {"year": year}}
        )


@transaction.atomic
def weak_selection_decide(*, selection: WeakSelection, named: bool, reason: str = "", user) -> WeakSelection:
    """Q-WEAK-*: the bureau names an organisation weak (or not), with a reason where it departs from
    the proposal. Going below the clause's number is allowed: the Q-WEAK-* rule then flags it."""
    if user is None or not has_permission(user, "bureau"):
        raise ValidationError(_("Only the organisation bureau names weak organisations."))
    reason = reason.strip()
    org = selection.organisation.name
    if named != selection.proposed and not reason:
        message = (
            _("%(org)s was not proposed: give the reason for naming it.")
            if named
            else _("%(org)s was proposed: give the reason for leaving it off.")
        )
        raise ValidationError({"reason": message % {"org": org}})
    rectification = Rectification.objects.filter(selection=selection).first()
    if not named and rectification is not None:
        if rectification.remedies.exists() or rectification.notes.exists():
            raise ValidationError(
                _("%(org)s is under rectification (remedies or notes are on record); it can no longer be left off.")
                % {"org": org}
            )
        rectification.delete()
    selection.named, selection.reason = named, reason
    selection.decided_by, selection.decided_at = user, timezone.now()
    selection.save(update_fields=["named", "reason", "decided_by", "decided_at"])
    if named and rectification is None:
        Rectification.objects.create(selection=selection, started_on=timezone.localdate(), recorded_by=user)
    return selection


def leadership_posts(*, day: datetime.date):
    """Who can take a weak organisation in hand (领导挂点): a committee post, on the day, in the work
    committee or in a town or system directly under it."""
    return (
        Post.objects.active_on(day)
        .filter(kind__in=COMMITTEE_POSTS, organisation__depth__lte=2)
        .select_related("member", "organisation")
        .order_by("organisation__path", "kind", "member__name_pinyin")
    )


def sent_posts(*, organisation: Organisation, day: datetime.date):
    """Instructors and first secretaries sent to the organisation (their posts in it or below it)."""
    return (
        Post.objects.active_on(day)
        .filter(subtree(organisation, via="organisation"), kind__in=[PostKind.INSTRUCTOR, PostKind.FIRST_SECRETARY])
        .select_related("member", "organisation")
        .order_by("kind", "member__name_pinyin")
    )


@transaction.atomic
def rectification_remedy_add(
    *,
    selection: WeakSelection,
    kind: str,
    started_on: datetime.date,
    post: Post | None = None,
    department: Organisation | None = None,
    note: str = "",
    user,
) -> RectificationRemedy:
    """Q-WEAK-REMEDY: the bureau puts a named organisation under a remedy: a leader liaison (a leadership
    member's post), a department's support (the department), an instructor or a first secretary (the
    post of the person sent, recorded once on the organisation's page)."""
    _bureau_check(user, _("Only the organisation bureau assigns remedies."))
    rectification = _named_check(selection)
    organisation = selection.organisation
    _day_check(started_on, field="started_on", year=selection.year)
    Kind = RectificationRemedy.Kind
    if kind == Kind.LEADER_LIAISON:
        department = None
        if post is None or not leadership_posts(day=started_on).filter(pk=post.pk).exists():
            raise ValidationError(
                {
                    "post": _(
                        "Choose the leadership member who takes %(org)s in hand: a committee post of the work committee or "
                        "of a town or system held on %(date)s."
                    )
                    % {"org": organisation.name, "date": day_text(started_on)}
                }
            )
    elif kind == Kind.DEPARTMENT_SUPPORT:
        post = None
        if department is None or department.dissolved_on is not None:
            raise ValidationError({"department": _("Give the code of the supporting department's organisation.")})
        if department.path.startswith(organisation.path):
            raise ValidationError(
                {
                    "department": _("%(dept)s is part of %(org)s; support comes from another organisation.")
                    % {"dept": department.name, "org": organisation.name}
                }
            )
    elif kind in (Kind.INSTRUCTOR, Kind.FIRST_SECRETARY):
        department = None
        if (
            post is None
            or not sent_posts(organisation=organisation, day=started_on).filter(pk=post.pk, kind=kind).exists()
        ):
            raise ValidationError(
                {
                    "post": _(
                        "Choose the %(post)s of %(org)s in post on %(date)s (record the post on the organisation's page first)."
                    )
                    % {"post": PostKind(kind).label, "org": organisation.name, "date": day_text(started_on)}
                }
            )
    else:
        raise ValidationError({"kind": _("Choose a remedy.")})
    same = rectification.remedies.filter(kind=kind, post=post, department=department)
    if same.exists():
        raise ValidationError(_("This remedy of %(org)s is already on record.") % {"org": organisation.name})
    return RectificationRemedy.objects.create(
        rectification=rectification,
        kind=kind,
        post=post,
        department=department,
        started_on=started_on,
        note=note.strip(),
        recorded_by=acting_user(user),
    )


@transaction.atomic
def rectification_note_add(
    *, selection: WeakSelection, written_on: datetime.date, text: str, user
) -> RectificationNote:
    """Q-WEAK-REMEDY: the organisation (its secretary, through its administrator) or the bureau records
    how the rectification is going."""
    if user is not None and not has_permission(user, "edit"):
        raise ValidationError(_("Progress notes are written by the organisation or the bureau."))
    scoping.scope_check(user=user, organisation=selection.organisation)
    rectification = _named_check(selection)
    _day_check(written_on, field="written_on", year=selection.year)
    if not text.strip():
        raise ValidationError(
            {"text": _("Say how the rectification of %(org)s is going.") % {"org": selection.organisation.name}}
        )
    return RectificationNote.objects.create(
        rectification=rectification, written_on=written_on, text=text.strip(), recorded_by=acting_user(user)
    )


@transaction.atomic
def rectification_verdict(
    *, selection: WeakSelection, verdict: str, decided_on: datetime.date, note: str = "", user
) -> Rectification:
    """The bureau closes a rectification once, after at least one progress note: rectified or not."""
    _bureau_check(user, _("Only the organisation bureau gives the closing verdict."))
    rectification = _named_check(selection)
    org = selection.organisation.name
    if verdict not in Rectification.Verdict.values:
        raise ValidationError({"verdict": _("Choose the verdict.")})
    last_note = rectification.notes.order_by("-written_on").values_list("written_on", flat=True).first()
    if last_note is None:
        raise ValidationError(
            _("Record at least one progress note on %(org)s before the closing verdict.") % {"org": org}
        )
    _day_check(decided_on, field="decided_on", year=selection.year)
    if decided_on < last_note:
        raise ValidationError(
            {
                "decided_on": _("The verdict comes on or after the last progress note (%(date)s).")
                % {"date": day_text(last_note)}
            }
        )
    rectification.verdict, rectification.verdict_on, rectification.verdict_note = verdict, decided_on, note.strip()
    rectification.verdict_by = acting_user(user)
    rectification.save(update_fields=["verdict", "verdict_on", "verdict_note", "verdict_by"])
    return rectification


def weak_candidates(*, year: int, today: datetime.date | None = None) -> list[dict]:
    """Q-WEAK-*: the organisations the ranking would propose today, by type (for the dashboard; the
    compliance run stores them so the dashboard never scores the zone itself)."""
    values = policy_for_year(year)
    by_type = defaultdict(list)
    for r in weak_scores(year=year, today=today):
        by_type[r.type].append(r)
    criteria = weak_criteria(year=year, today=today, values=values)
    found = []
    for organisation_type, rows in sorted(by_type.items()):
        cut = required_count(n=len(rows), share=type_share(values, organisation_type))
        found += [
            {
                "organisation": r.organisation_id,
                "name": r.name,
                "type": organisation_type,
                "score": str(r.score),
                "of": len(rows),
                **({"criteria": criteria[r.organisation_id]} if r.organisation_id in criteria else {}),
            }
            for rank, r in enumerate(bottom_up(rows), start=1)
            if rank <= cut or r.organisation_id in criteria
        ]
    return found


def weak_year_sections(*, year: int, within: Organisation, rows_shown: int) -> list[dict]:
    """Q-WEAK-*: per type, the zone's count, the number the clause requires, the proposed and the
    named, and the rows of `within`'s subtree: every proposed or named one and the lowest
    `rows_shown` of the others. Four queries."""
    values = policy_for_year(year)
    counts = {
        t: (n, p, m)
        for t, n, p, m in WeakSelection.objects.filter(year=year)
        .values_list("type")
        .annotate(n=Count("pk"), p=Count("pk", filter=Q(proposed=True)), m=Count("pk", filter=Q(named=True)))
        .values_list("type", "n", "p", "m")
        .order_by()
    }
    here = WeakSelection.objects.filter(subtree(within, via="organisation"), year=year)
    shown_here = dict(here.values_list("type").annotate(n=Count("pk")).values_list("type", "n").order_by())
    chosen = here.filter(Q(proposed=True) | Q(named=True)).select_related("organisation", "rectification")
    others = (
        here.filter(proposed=False, named=False)
        .annotate(position=Window(RowNumber(), partition_by=[F("type")], order_by=F("rank").asc()))
        .filter(position__lte=rows_shown)
        .select_related("organisation", "rectification")
    )
    by_type = {}
    for row in sorted([*chosen, *others], key=lambda r: (r.type, r.rank)):
        by_type.setdefault(row.type, []).append(row)
    sections = []
    for organisation_type in TYPES:
        n, proposed, named = counts.get(organisation_type, (0, 0, 0))
        if not n:
            continue
        share = type_share(values, organisation_type)
        sections.append(
            {
                "type": organisation_type,
                "label": Sector(organisation_type).label,
                "clause": type_clause(organisation_type),
                "share": f"{(share * 100).normalize():f}%",
                "n": n,
                "required": required_count(n=n, share=share),
                "proposed": proposed,
                "named": named,
                "rows": by_type.get(organisation_type, []),
                "here": shown_here.get(organisation_type, 0),
            }
        )
    return sections
