"""Writes of the party dues ledger: the bases, the monthly collection, the refunds.

N-DUES follows 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号): dues are paid monthly on
the regular after-tax salary or pension, at the rates and bands of `portal/policy.py` (`dues.*`),
read for each month on its first day; F-DUES-REFUND: the dues of non-public enterprises' party
organisations are collected first and then refunded in full (先收缴后返还). Money is Decimal,
rounded to the fen half up. Every record keeps who entered it; writes stay inside the user's subtree.
"""

# ruff: noqa: RUF002 -- the source document is cited with its own brackets, as published

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.enums import Sector
from branches.models import Organisation
from core import audit, scoping
from core.audit import acting_user
from core.concurrency import row_lock, version_check
from core.dates import day_text
from core.permissions import has_permission
from core.policy import fen, policy_for_year
from core.years import FIRST_YEAR
from funding.enums import DuesBasis
from funding.models import DuesBase, DuesPayment, DuesRefund
from funding.selectors import dues as selectors
from funding.selectors.dues import INCOME_BASES, dues_basis_for, dues_monthly
from members.models import Member
from members.selectors import branch_members_on

# Bases and payments are written in bulk (issue 13, item 4): one entry a call with what it wrote.
BASES_SET = audit.named_action(
    "funding.dues.bases_set", label=gettext_lazy("Dues bases recorded"), models=("funding.duesbase",)
)
COLLECTED = audit.named_action(
    "funding.dues.collected", label=gettext_lazy("Dues collected"), models=("funding.duespayment",)
)
BASE_FIELDS = ("member", "year", "basis", "monthly_income", "monthly_dues")


def month_label(month: datetime.date) -> str:
    return _("%(year)s-%(month)s") % {"year": month.year, "month": month.month}


def _yuan(amount) -> str:
    return f"{fen(amount):.2f}"


def _year_check(year: int) -> None:
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationError(
            _("Dues are recorded for the years %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": today.year}
        )


def dues_roster_day(*, year: int, today: datetime.date | None = None) -> datetime.date:
    """The day whose members a year's bases are recorded for: today in the current year, else 31 December."""
    today = today or timezone.localdate()
    return min(today, datetime.date(year, 12, 31))


@transaction.atomic
def dues_bases_record(
    *, organisation: Organisation, year: int, rows: dict, user=None, version: str | None = None
) -> list[DuesBase]:
    """N-DUES (中组发〔2008〕3号): the year's dues base of the branch's members (its party groups'
    included: the branch collects their dues), collected once.

    `rows` maps member id → {"basis", "monthly_income", "farmer_amount"}. The basis follows the life
    status (a blank basis takes it); the secretary may switch a member to the flat amount (on relief).
    Salary and pension need the monthly income after tax (> 0); a farmer's amount lies in the range.
    The monthly dues stored are those under the parameters in force on 1 January. Refused if a base
    was recorded after the form was opened (`version`, issue 7)."""
    scoping.scope_check(user=user, organisation=organisation)
    _year_check(year)
    day = dues_roster_day(year=year)
    # The branch's row is the lock: a member's first base has no row of its own yet.
    row_lock(Organisation, organisation.pk)
    if version is not None:
        last = selectors.dues_bases_last(organisation=organisation, year=year, day=day)
        version_check(opened=version, stamp=last and last.recorded_at, changed_by=last and last.recorded_by)
    roster = {m.pk: m for m in branch_members_on(organisation=organisation, day=day)}
    values = policy_for_year(year)
    low, high = values["dues.farmer_min"], values["dues.farmer_max"]
    errors, records = [], []
    for member_id, row in rows.items():
        member = roster.get(member_id)
        if member is None:
            name = Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or member_id
            errors.append(
                _("%(name)s is not a member of %(org)s on %(date)s.")
                % {"name": name, "org": organisation.name, "date": day_text(day)}
            )
            continue
        default = dues_basis_for(member.life_status)
        basis = row.get("basis") or default
        if basis not in (default, DuesBasis.FLAT):
            errors.append(
                _(
                    "%(name)s: the dues basis follows the life status (%(status)s); only a switch to the flat "
                    "amount (on relief) is allowed."
                )
                % {"name": member.name, "status": member.get_life_status_display()}
            )
            continue
        income, amount = row.get("monthly_income"), row.get("farmer_amount")
        if basis in INCOME_BASES and (income is None or income <= 0):
            errors.append(_("%(name)s: give the monthly income after tax (more than 0 yuan).") % {"name": member.name})
            continue
        if basis == DuesBasis.FARMER:
            amount = low if amount is None else amount
            if not low <= amount <= high:
                errors.append(
                    _("%(name)s: a farmer's monthly dues are from %(min)s to %(max)s yuan.")
                    % {"name": member.name, "min": _yuan(low), "max": _yuan(high)}
                )
                continue
        records.append(
            DuesBase(
                member=member,
                year=year,
                basis=basis,
                monthly_income=fen(income) if basis in INCOME_BASES else None,
                monthly_dues=dues_monthly(basis=basis, values=values, monthly_income=income, farmer_amount=amount),
                recorded_by=acting_user(user),
            )
        )
    if errors:
        raise ValidationError({"rows": errors})
    replaced = DuesBase.objects.filter(year=year, member_id__in=[r.member_id for r in records]).order_by("pk")
    replaced = audit.rows_text(replaced, BASE_FIELDS)
    records = DuesBase.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["member", "year"],
        update_fields=["basis", "monthly_income", "monthly_dues", "recorded_by", "recorded_at"],
    )
    audit.log_action(
        action=BASES_SET,
        model="funding.duesbase",
        object_repr=f"{organisation.name} {year}",
        extra={
            "organisation": organisation.pk,
            "year": year,
            "rows": len(records),
            "written": audit.rows_text(records, BASE_FIELDS),
            "replaced": replaced,
        },
    )
    return records


@transaction.atomic
def dues_collect(
    *,
    organisation: Organisation,
    months: list[datetime.date],
    member_ids: list[int],
    paid_on: datetime.date,
    user=None,
    amounts: dict | None = None,
) -> list[DuesPayment]:
    """N-DUES (中组发〔2008〕3号): the branch collects the dues of one or several months from the members
    ticked, one payment per member and month. The amount is the month's dues (a revision applies from
    its month) unless a higher one is given (`amounts`: member id → amount a month); never less, never
    twice for a month, never for a month ahead, only from a member of the branch that month with a base."""
    scoping.scope_check(user=user, organisation=organisation)
    today = timezone.localdate()
    amounts = {k: v for k, v in (amounts or {}).items() if v is not None}
    months = sorted({month.replace(day=1) for month in months})
    errors = {}
    if not months:
        errors["months"] = [_("Choose at least one month.")]
    if not member_ids:
        errors["members"] = [_("Choose at least one member.")]
    if paid_on > today:
        errors["paid_on"] = [_("This date is in the future.")]
    future = [m for m in months if m > today.replace(day=1)]
    if future:
        errors.setdefault("months", []).append(
            _("%(month)s is still ahead: dues are collected through the current month.")
            % {"month": month_label(future[0])}
        )
    early = [m for m in months if m.year < FIRST_YEAR]
    if early:
        errors.setdefault("months", []).append(_("Dues are recorded from %(year)s on.") % {"year": FIRST_YEAR})
    if errors:
        raise ValidationError(errors)

    years = sorted({m.year for m in months})
    names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))
    last_months = {year: selectors.dues_last_month(year=year) for year in years}
    mobile = {
        year: selectors.dues_mobile(organisation=organisation, year=year, last=last_months[year]) for year in years
    }
    due = {year: selectors.dues_months_due(organisation=organisation, year=year, mobile=mobile[year]) for year in years}
    bases = {(b.member_id, b.year): b for b in DuesBase.objects.filter(member_id__in=member_ids, year__in=years)}
    paid = set(DuesPayment.objects.filter(member_id__in=member_ids, month__in=months).values_list("member_id", "month"))
    values = {year: selectors.dues_values_by_month(year=year) for year in years}
    problems, records = [], []
    for member_id in member_ids:
        name = names.get(member_id, member_id)
        missing = [year for year in years if (member_id, year) not in bases]
        if missing:
            problems.append(
                _("%(name)s has no dues base for %(year)s: record the bases first.")
                % {"name": name, "year": missing[0]}
            )
            continue
        for month in months:
            label = month_label(month)
            if month.month in mobile[month.year].elsewhere.get(member_id, ()):
                problems.append(
                    _("%(name)s pays the dues of %(month)s to %(receiving)s by agreement: that branch collects them.")
                    % {
                        "name": name,
                        "month": label,
                        "receiving": mobile[month.year].records[member_id].receiving_organisation.name,
                    }
                )
                continue
            if month.month not in due[month.year].get(member_id, ()):
                problems.append(
                    _("%(name)s was not a member of %(org)s in %(month)s.")
                    % {"name": name, "org": organisation.name, "month": label}
                )
                continue
            if (member_id, month) in paid:
                problems.append(_("%(name)s has already paid the dues of %(month)s.") % {"name": name, "month": label})
                continue
            dues = selectors.dues_for_base(base=bases[member_id, month.year], values=values[month.year][month.month])
            amount = fen(amounts.get(member_id, dues))
            if amount < dues:
                problems.append(
                    _("%(name)s: %(amount)s yuan is less than the dues of %(month)s (%(dues)s yuan).")
                    % {"name": name, "amount": _yuan(amount), "month": label, "dues": _yuan(dues)}
                )
                continue
            records.append(
                DuesPayment(
                    member_id=member_id,
                    organisation=organisation,
                    month=month,
                    amount=amount,
                    paid_on=paid_on,
                    recorded_by=acting_user(user),
                )
            )
    if problems:
        raise ValidationError({"members": problems})
    records = DuesPayment.objects.bulk_create(records)
    audit.log_action(
        action=COLLECTED,
        model="funding.duespayment",
        object_repr=f"{organisation.name} {paid_on}",
        extra={
            "organisation": organisation.pk,
            "paid_on": paid_on,
            "rows": len(records),
            "written": audit.rows_text(records, ("member", "month", "amount")),
        },
    )
    return records


@transaction.atomic
def dues_refund_record(
    *, organisation: Organisation, year: int, amount: Decimal, refunded_on: datetime.date, voucher_number: str, user
) -> DuesRefund:
    """F-DUES-REFUND: the bureau refunds a non-public enterprise's organisation the dues collected in its
    subtree for a year (先收缴后返还); refunds never exceed what was collected, for the organisation
    and for any non-public organisation above it."""
    if user is not None and not has_permission(user, "bureau"):
        raise ValidationError(_("Dues refunds are recorded by the organisation bureau only."))
    scoping.scope_check(user=user, organisation=organisation)
    if organisation.sector != Sector.NON_PUBLIC:
        raise ValidationError(
            _(
                "Only the dues of non-public enterprises' party organisations are collected and then refunded; "
                "%(org)s is in the sector “%(sector)s”."
            )
            % {"org": organisation.name, "sector": organisation.get_sector_display() or "—"}
        )
    _year_check(year)
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("The amount refunded is more than 0 yuan.")]
    if refunded_on > timezone.localdate():
        errors["refunded_on"] = [_("This date is in the future.")]
    elif refunded_on < datetime.date(year, 1, 1):
        errors["refunded_on"] = [_("The dues of %(year)s are refunded in %(year)s or later.") % {"year": year}]
    voucher_number = (voucher_number or "").strip()
    if not voucher_number:
        errors["voucher_number"] = [_("Give the voucher number.")]
    if errors:
        raise ValidationError(errors)
    amount = fen(amount)
    step = Organisation.steplen
    above = [organisation.path[: step * depth] for depth in range(1, organisation.depth)]
    checked = [organisation, *Organisation.objects.filter(path__in=above, sector=Sector.NON_PUBLIC).order_by("-path")]
    for org in checked:
        figures = selectors.dues_reconciliation(organisation=org, year=year)
        if figures.refunded + amount > figures.collected:
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "Refunds of %(org)s's dues of %(year)s would come to %(refunded)s yuan, more than the %(collected)s "
                            "yuan collected."
                        )
                        % {
                            "year": year,
                            "org": org.name,
                            "refunded": _yuan(figures.refunded + amount),
                            "collected": _yuan(figures.collected),
                        }
                    ]
                }
            )
    return DuesRefund.objects.create(
        organisation=organisation,
        year=year,
        amount=amount,
        refunded_on=refunded_on,
        voucher_number=voucher_number,
        recorded_by=acting_user(user),
    )
