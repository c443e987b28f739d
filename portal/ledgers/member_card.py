"""A member's record card (党员档案卡): the roster fields (the ID number and phone masked for roles
that may not see them, core.masking, as on the member's page), the development milestones
(N-DEVELOPMENT), transfers, posts, and year by year the study hours against the target
(Q-TRAINING-MEMBER / Q-TRAINING-LEADER) and the democratic evaluation's grade (Q-EVALUATION)."""

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.compliance.selectors import number
from assessments.enums import STUDY_MEETING_KINDS, AttendanceStatus
from assessments.models import Attendance, EvaluationResult, TrainingRecord
from assessments.norms import study_targets
from assessments.selectors import leaders_on
from branches.models import Post
from core.masking import value_shown
from core.policy import policy_for_year
from core.years import FIRST_YEAR
from members.enums import MemberCategory
from members.models import Candidate, Member
from members.selectors import member_transfers
from portal.ledgers.document import Document, Heading, Paragraph, Table, text_or_dash


def _date(value) -> str:
    return value.isoformat() if value else "—"


def _roster(member: Member, unmasked: bool) -> list[list[str]]:
    rows = [
        [_("Name"), member.name],
        [_("ID number"), value_shown(field="id_number", value=member.id_number, unmasked=unmasked)],
        [_("Gender"), member.get_gender_display()],
        [_("Ethnicity"), member.get_ethnicity_display()],
        [_("Birth date"), _date(member.birth_date)],
        [_("Education"), text_or_dash(member.get_education_display())],
        [_("Category"), member.get_category_display()],
        [_("Joined on"), _date(member.joined_on)],
    ]
    if member.category == MemberCategory.PROBATIONARY:
        rows.append([_("Probation ends on"), _date(member.probation_ends_on)])
    else:
        rows.append([_("Full membership on"), _date(member.full_member_on)])
    rows += [
        [_("Organisation"), f"{member.organisation.name}（{member.organisation.code}）"],
        [_("Status"), member.get_status_display()],
        [_("Life status"), member.get_life_status_display()],
        [_("Work unit and post"), text_or_dash(" ".join(p for p in (member.work_unit, member.job_title) if p))],
        [_("Phone"), text_or_dash(value_shown(field="phone", value=member.phone, unmasked=unmasked))],
        [_("Household registration"), text_or_dash(member.household_registration)],
        [_("Residence"), text_or_dash(member.residence)],
    ]
    return rows


def _milestones(member: Member) -> list[list[str]]:
    """N-DEVELOPMENT: application, talk, activist, development target, admission, probation, full membership."""
    candidate = Candidate.objects.filter(member=member).first()
    rows = []
    if candidate is not None:
        rows += [
            [_("Application submitted"), _date(candidate.applied_on)],
            [_("Talk after the application"), _date(candidate.talked_on)],
            [_("Activist since"), _date(candidate.activist_on)],
            [_("Development target since"), _date(candidate.target_on)],
            [_("Admitted"), _date(candidate.admitted_on)],
        ]
    rows += [[_("Joined on"), _date(member.joined_on)], [_("Full membership on"), _date(member.full_member_on)]]
    return rows


def _years(member: Member, today: datetime.date) -> list[list[str]]:
    """Study hours against the target and the evaluation's grade, each year since joining. Four queries
    and one a year for the posts."""
    first = max(FIRST_YEAR, member.joined_on.year if member.joined_on else FIRST_YEAR)
    years = range(first, today.year + 1)
    hours = {year: Decimal(0) for year in years}
    ledger = (
        TrainingRecord.objects.filter(member=member)
        .annotate(y=ExtractYear("held_on"))
        .values("y")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    meetings = (
        Attendance.objects.filter(member=member, status=AttendanceStatus.PRESENT, meeting__kind__in=STUDY_MEETING_KINDS)
        .annotate(y=ExtractYear("meeting__held_on"))
        .values("y")
        .annotate(total=Sum("meeting__study_hours"))
        .order_by()
    )
    for row in [*ledger, *meetings]:
        if row["y"] in hours:
            hours[row["y"]] += row["total"] or Decimal(0)
    grades = {
        r.evaluation.year: r.get_grade_display()
        for r in EvaluationResult.objects.filter(member=member).select_related("evaluation")
    }
    rows = []
    for year in years:
        member_target, leader_target = study_targets(policy_for_year(year))
        leader = bool(leaders_on(member_ids=[member.pk], day=min(datetime.date(year, 12, 31), today)))
        rows.append(
            [
                str(year),
                number(hours[year]),
                number(leader_target if leader else member_target),
                grades.get(year, "—"),
            ]
        )
    return rows


def member_card_build(*, member: Member, unmasked: bool, today: datetime.date | None = None) -> Document:
    """One member's card, masked as the member's page is for the reader."""
    today = today or timezone.localdate()
    document = Document(
        title=_("Member's record card"),
        organisation=member.organisation.name,
        year=None,
        generated_on=today,
        data_as_of=today,
    )
    document.add(
        Heading(f"{document.title}：{member.name}", level=1),
        Table([], _roster(member, unmasked), (1, 3), labelled=True),
        Heading(_("Development milestones"), level=2, small_print="N-DEVELOPMENT"),
        Table([], _milestones(member), (1, 3), labelled=True),
    )
    transfers = [
        [
            t.transferred_on.isoformat(),
            t.from_organisation.name if t.from_organisation else t.external_organisation,
            t.to_organisation.name if t.to_organisation else t.external_organisation,
            t.letter_number,
        ]
        for t in member_transfers(member=member).order_by("transferred_on", "pk")
    ]
    document.add(Heading(_("Transfers"), level=2))
    document.add(
        Table([_("Transferred on"), _("From"), _("To"), _("Letter number")], transfers, (1, 2, 2, 1.4))
        if transfers
        else Paragraph(_("No transfer is on record."))
    )
    posts = [
        [p.organisation.name, p.get_kind_display(), _date(p.started_on), _date(p.ended_on)]
        for p in Post.objects.filter(member=member).select_related("organisation").order_by("started_on", "pk")
    ]
    document.add(Heading(_("Posts"), level=2))
    document.add(
        Table([_("Organisation"), _("Post"), _("Started on"), _("Ended on")], posts, (3, 1.4, 1, 1))
        if posts
        else Paragraph(_("No post is on record."))
    )
    document.add(
        Heading(_("Study hours and evaluation by year"), level=2, small_print="Q-TRAINING-MEMBER · Q-EVALUATION"),
        Table([_("Year"), _("Study hours"), _("Target"), _("Evaluation grade")], _years(member, today), (1, 1, 1, 1.4)),
    )
    document.summary = {"organisation": member.organisation.code, "member": member.pk, "members": 1}
    return document
