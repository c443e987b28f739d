"""Writes of the member aid fund (F-AID-FUND) and the liaison funds (F-LIAISON-FUND, S-INSTRUCTOR).

The organisation bureau grants and pays; each record keeps who did it. Amounts are rounded to the
fen (`core.policy.fen`); caps are the parameters of the year (`policy_for_year`), and where the
opinion fixes no number the parameter is empty and nothing is capped.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AnnualReport
from branches.enums import OrganisationKind, PostKind
from branches.models import Organisation, Post
from core.dates import day_text
from core.permissions import has_permission
from core.policy import fen, policy_for_year
from funding.enums import AidGroup, AidRecipient, LiaisonPayment
from funding.models import AidGrant, InstructorAllowance, LiaisonFundPayment
from funding.selectors.aid import (
    INSTRUCTOR_MONTHLY_CAP,
    LIAISON_CAPS,
    member_aid_recipients,
    member_record_groups,
    months_between,
)
from members.models import Member


def _amount(amount, errors: dict) -> Decimal | None:
    """The amount rounded to the fen, or an error when it is not more than 0 元."""
    amount = fen(amount) if amount is not None else None
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount must be more than 0 元.")
        return None
    return amount


def _bureau_check(user, message: str) -> None:
    if user is None or not has_permission(user, "bureau"):
        raise ValidationError(message)


def _not_future(day: datetime.date, field: str, errors: dict) -> None:
    if day > timezone.localdate():
        errors[field] = _("%(date)s is in the future.") % {"date": day_text(day)}


def aid_grant_record(
    *,
    member: Member,
    group: str,
    amount,
    granted_on: datetime.date,
    reason: str,
    user,
    recipient: str = AidRecipient.MEMBER,
) -> AidGrant:
    """F-AID-FUND (second edition): "建国前老党员、曾获得区级以上表彰、见义勇为牺牲或致残,目前生活困难的党员
    及家庭": the bureau grants aid to a member in hardship now who is also of one of the three groups,
    as the member record shows it, or to the member's family; a member killed acting bravely (牺牲)
    is helped through the family."""
    _bureau_check(user, _("Aid grants are approved by the organisation bureau."))
    recipients = member_aid_recipients(member=member)
    if not recipients:
        raise ValidationError(
            _(
                "%(name)s is not an active member (%(status)s): aid goes to active members and their families, "
                "and to the families of members killed acting bravely."
            )
            % {"name": member.name, "status": member.get_status_display()}
        )
    errors = {}
    if recipient not in AidRecipient.values:
        errors["recipient"] = _("Choose whether the aid goes to %(name)s or to the family.") % {"name": member.name}
    elif recipient not in recipients:
        errors["recipient"] = _("%(name)s was killed acting bravely: the aid goes to the family.") % {
            "name": member.name
        }
    if group not in AidGroup.values or group == AidGroup.HARDSHIP:
        errors["group"] = _(
            "Choose the group %(name)s is granted aid as: joined before 1949, district-level or higher honours, "
            "or killed or disabled acting bravely."
        ) % {"name": member.name}
    elif group not in member_record_groups(member=member):
        errors["group"] = _("%(name)s is not in the group “%(group)s”: the member record does not show it.") % {
            "name": member.name,
            "group": AidGroup(group).label,
        }
    elif not member.in_hardship:
        errors["group"] = _(
            "The record of %(name)s does not show hardship now: the fund helps members and families in hardship "
            "who are also of one of its groups."
        ) % {"name": member.name}
    amount = _amount(amount, errors)
    _not_future(granted_on, "granted_on", errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the aid to %(name)s.") % {"name": member.name}
    if errors:
        raise ValidationError(errors)
    return AidGrant.objects.create(
        member=member,
        group=group,
        recipient=recipient,
        amount=amount,
        granted_on=granted_on,
        reason=reason,
        approved_by=user,
    )


@transaction.atomic
def liaison_fund_pay(
    *, organisation: Organisation, year: int, kind: str, amount, paid_on: datetime.date, user
) -> LiaisonFundPayment:
    """F-LIAISON-FUND: a liaison group's work fund or head's allowance is paid by reward after its
    special report on the year: the report is linked, the payment comes on or after its day, once
    a kind a year, within the year's cap when the bureau has set one."""
    _bureau_check(user, _("Liaison funds are paid by the organisation bureau."))
    if organisation.kind != OrganisationKind.LIAISON_GROUP:
        raise ValidationError(
            _("%(org)s is not a non-public liaison group: only liaison groups are paid these funds.")
            % {"org": organisation.name}
        )
    if kind not in LiaisonPayment.values:
        raise ValidationError({"kind": _("Choose the liaison group work fund or the head's allowance.")})
    label = LiaisonPayment(kind).label
    report = AnnualReport.objects.filter(organisation=organisation, year=year).first()
    if report is None:
        raise ValidationError(
            _(
                "%(org)s has no special report on %(year)s on record: record the report first, the funds are paid "
                "after it."
            )
            % {"org": organisation.name, "year": year}
        )
    paid = LiaisonFundPayment.objects.filter(organisation=organisation, year=year, kind=kind).first()
    if paid is not None:
        raise ValidationError(
            {
                "kind": _("The %(kind)s of %(org)s for %(year)s was already paid on %(date)s.")
                % {"kind": label, "org": organisation.name, "year": year, "date": day_text(paid.paid_on)}
            }
        )
    errors = {}
    amount = _amount(amount, errors)
    cap = policy_for_year(year)[LIAISON_CAPS[kind]]
    cap = None if cap is None else fen(cap)
    if amount is not None and cap is not None and amount > cap:
        errors["amount"] = _("The %(kind)s for %(year)s is at most %(cap)s 元.") % {
            "kind": label,
            "year": year,
            "cap": cap,
        }
    _not_future(paid_on, "paid_on", errors)
    if "paid_on" not in errors and paid_on < report.reported_on:
        errors["paid_on"] = _("The funds are paid after the report: %(org)s reported on %(date)s.") % {
            "org": organisation.name,
            "date": day_text(report.reported_on),
        }
    if errors:
        raise ValidationError(errors)
    return LiaisonFundPayment.objects.create(
        organisation=organisation, year=year, kind=kind, report=report, amount=amount, paid_on=paid_on, recorded_by=user
    )


def _month_label(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def instructor_allowance_cap(*, months: list[datetime.date]) -> Decimal | None:
    """The most an allowance for these months may be: each month's cap in its year, added; None
    when any of the years has no cap (the opinion fixes no amount)."""
    total = Decimal(0)
    for year in sorted({m.year for m in months}):
        cap = policy_for_year(year)[INSTRUCTOR_MONTHLY_CAP]
        if cap is None:
            return None
        total += cap * sum(1 for m in months if m.year == year)
    return fen(total)


@transaction.atomic
def instructor_allowance_pay(
    *, post: Post, first_month: datetime.date, last_month: datetime.date, amount, paid_on: datetime.date, user
) -> InstructorAllowance:
    """F-LIAISON-FUND, S-INSTRUCTOR: an instructor's allowance for months of the post's tenure,
    each month paid once, at most the monthly cap times the months when the bureau has set one."""
    _bureau_check(user, _("Instructors' allowances are paid by the organisation bureau."))
    name = post.member.name
    if post.kind != PostKind.INSTRUCTOR:
        raise ValidationError(
            _("%(name)s's post at %(org)s is not a party-building instructor's post.")
            % {"name": name, "org": post.organisation.name}
        )
    first, last = first_month.replace(day=1), last_month.replace(day=1)
    if first > last:
        raise ValidationError(
            {
                "last_month": _("The last month comes on or after the first month (%(month)s).")
                % {"month": _month_label(first)}
            }
        )
    months = months_between(first, last)
    tenure_end = post.ended_on.replace(day=1) if post.ended_on else None
    outside = [m for m in months if m < post.started_on.replace(day=1) or (tenure_end and m > tenure_end)]
    if outside:
        raise ValidationError(
            {
                "first_month": _(
                    "%(months)s: not within %(name)s's tenure as instructor at %(org)s (%(start)s to %(end)s)."
                )
                % {
                    "months": "、".join(_month_label(m) for m in outside),
                    "name": name,
                    "org": post.organisation.name,
                    "start": day_text(post.started_on),
                    "end": day_text(post.ended_on) or _("still in post"),
                }
            }
        )
    earlier = InstructorAllowance.objects.select_for_update().filter(
        post=post, first_month__lte=last, last_month__gte=first
    )
    paid = sorted({m for a in earlier for m in months_between(a.first_month, a.last_month) if first <= m <= last})
    if paid:
        raise ValidationError(
            {
                "first_month": _("%(months)s: the allowance of %(name)s for these months was already paid.")
                % {"months": "、".join(map(_month_label, paid)), "name": name}
            }
        )
    errors = {}
    amount = _amount(amount, errors)
    cap = instructor_allowance_cap(months=months)
    if amount is not None and cap is not None and amount > cap:
        errors["amount"] = _("The allowance for %(n)s months is at most %(cap)s 元.") % {"n": len(months), "cap": cap}
    _not_future(paid_on, "paid_on", errors)
    if errors:
        raise ValidationError(errors)
    return InstructorAllowance.objects.create(
        post=post, first_month=first, last_month=last, amount=amount, paid_on=paid_on, recorded_by=user
    )
