"""Reads of the member aid fund (F-AID-FUND) and the liaison funds (F-LIAISON-FUND, S-INSTRUCTOR).

Who is eligible for aid comes from the member records, and who was sent where as an instructor
from the posts: nothing is typed twice. Each read is a constant number of queries.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Q

from assessments.models import AnnualReport
from branches.enums import PostKind
from branches.models import Organisation, Post
from core.policy import policy_for_year
from core.scoping import subtree
from funding.enums import AidGroup, AidRecipient, LiaisonPayment
from funding.models import AidGrant, InstructorAllowance, LiaisonFundPayment
from members.enums import MemberStatus
from members.models import PRC_FOUNDED, Member

# F-AID-FUND (second edition): "建国前老党员、曾获得区级以上表彰、见义勇为牺牲或致残,目前生活困难的党员及家庭".
# Hardship now is required together with one of the three groups, not an alternative to them; the
# member record's fields that put a member in each group:
AID_GROUP_CONDITIONS = {
    AidGroup.PRE_1949: Q(joined_on__lt=PRC_FOUNDED),
    AidGroup.HONOURS: Q(has_district_honours=True),
    AidGroup.BRAVERY: Q(disabled_or_killed_bravely=True),
}
AID_GROUPS = tuple(AID_GROUP_CONDITIONS)

# The parameter capping each liaison payment (None in a year: the opinion fixes no amount).
LIAISON_CAPS = {
    LiaisonPayment.WORK_FUND: "liaison_fund.work_fund_cap",
    LiaisonPayment.HEAD_ALLOWANCE: "liaison_fund.head_allowance_cap",
}
INSTRUCTOR_MONTHLY_CAP = "liaison_fund.instructor_monthly_cap"


def member_record_groups(*, member: Member) -> list[AidGroup]:
    """F-AID-FUND: the groups a member's record puts them in (none, one or several), hardship aside."""
    flags = {
        AidGroup.PRE_1949: member.joined_before_prc,
        AidGroup.HONOURS: member.has_district_honours,
        AidGroup.BRAVERY: member.disabled_or_killed_bravely,
    }
    return [group for group in AID_GROUPS if flags[group]]


def member_aid_recipients(*, member: Member) -> list[AidRecipient]:
    """F-AID-FUND "党员及家庭": an active member or their family; for a member who died and was killed
    acting bravely (见义勇为牺牲: deceased with the bravery flag), the family alone. Nobody else."""
    if member.status == MemberStatus.ACTIVE:
        return [AidRecipient.MEMBER, AidRecipient.FAMILY]
    if member.status == MemberStatus.DECEASED and member.disabled_or_killed_bravely:
        return [AidRecipient.FAMILY]
    return []


def member_aid_groups(*, member: Member) -> list[AidGroup]:
    """F-AID-FUND: the groups a member (or their family) can be granted aid as: those of the record,
    only while the record shows hardship now (目前生活困难) and someone can receive it."""
    if not member.in_hardship or not member_aid_recipients(member=member):
        return []
    return member_record_groups(member=member)


def aid_eligible_groups() -> Q:
    """In one of the fund's groups (hardship aside)."""
    condition = Q()
    for group_condition in AID_GROUP_CONDITIONS.values():
        condition |= group_condition
    return condition


def _eligible() -> Q:
    """In hardship AND in one of the groups; an active member, or one killed acting bravely."""
    condition = aid_eligible_groups()
    alive_or_killed = Q(status=MemberStatus.ACTIVE) | Q(status=MemberStatus.DECEASED, disabled_or_killed_bravely=True)
    return Q(in_hardship=True) & condition & alive_or_killed


@dataclasses.dataclass
class AidRow:
    member: Member
    groups: list
    grants: list

    @property
    def total(self) -> Decimal:
        return sum((g.amount for g in self.grants), Decimal(0))


@dataclasses.dataclass
class AidTotal:
    group: AidGroup
    members: int = 0
    grants: int = 0
    amount: Decimal = Decimal(0)


def aid_table(*, organisation: Organisation, year: int) -> dict:
    """F-AID-FUND: the members of the subtree in hardship and in an eligible group (active, or killed
    acting bravely: their family), each with their groups and grants of the year (and members granted
    aid this year who no longer are), with totals by group. Two queries."""
    path = organisation.path
    grants = list(
        AidGrant.objects.filter(subtree(path, via="member__organisation"), granted_on__year=year)
        .select_related("approved_by")
        .order_by("granted_on", "pk")
    )
    granted = {g.member_id for g in grants}
    members = (
        Member.objects.filter(subtree(path, via="organisation"))
        .filter(_eligible() | Q(pk__in=granted))
        .select_related("organisation")
        .order_by("name_pinyin", "pk")
    )
    by_member: dict[int, list] = {}
    for grant in grants:
        by_member.setdefault(grant.member_id, []).append(grant)
    rows = [AidRow(m, member_aid_groups(member=m), by_member.get(m.pk, [])) for m in members]
    totals = {group: AidTotal(group) for group in AID_GROUPS}
    if any(grant.group == AidGroup.HARDSHIP for grant in grants):  # grants recorded before issue 14
        totals[AidGroup.HARDSHIP] = AidTotal(AidGroup.HARDSHIP)
    for row in rows:
        for group in row.groups:
            totals[group].members += 1
    for grant in grants:
        totals[grant.group].grants += 1
        totals[grant.group].amount += grant.amount
    return {
        "rows": rows,
        "totals": list(totals.values()),
        "amount": sum((g.amount for g in grants), Decimal(0)),
        "grants": len(grants),
    }


def member_aid_grants(*, member: Member) -> list[AidGrant]:
    """Every grant a member received, latest first."""
    return list(AidGrant.objects.filter(member=member).select_related("approved_by"))


# ---- F-LIAISON-FUND -------------------------------------------------------------------------


def liaison_caps(*, year: int) -> dict:
    """The caps of a year's liaison payments (kind -> Decimal or None), and of an instructor's month."""
    values = policy_for_year(year)
    caps = {kind: values[key] for kind, key in LIAISON_CAPS.items()}
    caps["instructor_month"] = values[INSTRUCTOR_MONTHLY_CAP]
    return caps


def liaison_group_year(*, organisation: Organisation, year: int) -> dict:
    """A liaison group's special report on a year and, for each payment, the year's cap (None: the
    opinion fixes no amount) and the payment made after the report. Three queries."""
    report = AnnualReport.objects.filter(organisation=organisation, year=year).select_related("reporter").first()
    paid = {
        p.kind: p
        for p in LiaisonFundPayment.objects.filter(organisation=organisation, year=year).select_related("recorded_by")
    }
    caps = liaison_caps(year=year)
    return {
        "report": report,
        "payments": [{"kind": kind, "cap": caps[kind], "payment": paid.get(kind)} for kind in LiaisonPayment],
    }


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first` to `last`, both included."""
    months, month = [], _month(first)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


@dataclasses.dataclass
class InstructorRow:
    post: Post
    allowances: list

    @property
    def total(self) -> Decimal:
        return sum((a.amount for a in self.allowances), Decimal(0))


def instructors_in_year(*, organisation: Organisation, year: int) -> list[InstructorRow]:
    """S-INSTRUCTOR: the instructors' posts in the subtree held during the year (from the posts),
    each with its allowances touching the year. Two queries."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    posts = list(
        Post.objects.filter(subtree(organisation, via="organisation"), kind=PostKind.INSTRUCTOR, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("member", "organisation")
        .order_by("organisation__path", "started_on", "pk")
    )
    allowances: dict[int, list] = {}
    for allowance in InstructorAllowance.objects.filter(
        post__in=[p.pk for p in posts], first_month__lte=last, last_month__gte=first
    ).order_by("first_month", "pk"):
        allowances.setdefault(allowance.post_id, []).append(allowance)
    return [InstructorRow(post, allowances.get(post.pk, [])) for post in posts]


def post_allowances(*, post: Post) -> list[InstructorAllowance]:
    """Every allowance of an instructor's post, in month order."""
    return list(InstructorAllowance.objects.filter(post=post).select_related("recorded_by").order_by("first_month"))
