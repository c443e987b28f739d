"""Writes of the welfare project fund (F-WELFARE-FUND) and the venue reward payments (F-VENUE-REWARD).

Each village and community has an allocation a year; its organisation proposes projects, the bureau
approves them within the allocation and pays them out project by project (按项目拨付). Every check
of a sum runs with the village's organisation row locked, so two payments at once cannot overdraw.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import VenueInspection
from branches.models import Organisation
from core import scoping
from core.audit import acting_user
from core.dates import day_text
from core.permissions import has_permission
from core.policy import fen
from core.uploads import upload_check
from core.years import day_check
from funding.enums import ProjectState
from funding.models import VenueRewardPayment, WelfarePayment, WelfareProject
from funding.selectors import welfare as selectors


def yuan_text(amount: Decimal) -> str:
    """An amount for a message that says 元 after it: 12,345.60."""
    return f"{amount:,.2f}"


def _permission_check(user, permission: str, message: str) -> None:
    if user is not None and not has_permission(user, permission):
        raise ValidationError(message)


def _amount_check(amount, field: str, message: str) -> Decimal:
    if amount is None or Decimal(amount) <= 0:
        raise ValidationError({field: message})
    amount = fen(amount)
    if amount <= 0:
        raise ValidationError({field: message})
    return amount


def _text(value, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def allocation_check(*, year: int) -> Decimal:
    """F-WELFARE-FUND: the allocation of the year, or the refusal naming the fund's years."""
    fund = selectors.welfare_fund(year=year)
    if fund.allocation is None:
        raise ValidationError(
            {
                "year": _("The welfare project fund has no allocation in %(year)s: it runs from %(first)s to %(last)s.")
                % {"year": year, "first": fund.first_year, "last": fund.last_year}
            }
        )
    return fund.allocation


def _lock_place(organisation_id: int) -> Organisation:
    """Serialise the writes of one village's or community's fund (call inside transaction.atomic)."""
    return Organisation.objects.select_for_update().get(pk=organisation_id)


def welfare_project_propose(
    *, organisation: Organisation, year: int, name: str, budget, description: str = "", user=None
) -> WelfareProject:
    """F-WELFARE-FUND: a village's or community's organisation proposes a project for a year of the fund."""
    _permission_check(user, "edit", _("Welfare projects are proposed by the organisation of the village or community."))
    scoping.scope_check(user=user, organisation=organisation)
    if not selectors.is_welfare_place(organisation=organisation):
        raise ValidationError(
            _(
                "%(org)s is not the party organisation of a village or community; only villages and communities "
                "receive the welfare project fund."
            )
            % {"org": organisation.name}
        )
    allocation = allocation_check(year=year)
    name = _text(name, "name", _("Give the name of the project."))
    budget = _amount_check(budget, "budget", _("The budget of the project is more than 0 元."))
    if budget > allocation:
        raise ValidationError(
            {
                "budget": _(
                    "The budget of %(project)s (%(budget)s 元) is larger than the allocation of %(year)s "
                    "(%(allocation)s 元)."
                )
                % {"project": name, "budget": yuan_text(budget), "year": year, "allocation": yuan_text(allocation)}
            }
        )
    return WelfareProject.objects.create(
        organisation=organisation,
        year=year,
        name=name,
        budget=budget,
        description=(description or "").strip(),
        recorded_by=acting_user(user),
    )


@transaction.atomic
def welfare_project_decide(
    *, project: WelfareProject, approved: bool, decided_on: datetime.date, note: str = "", user
) -> WelfareProject:
    """F-WELFARE-FUND: the bureau approves a project, within what the year's allocation leaves, or rejects it."""
    _permission_check(user, "bureau", _("Welfare projects are approved by the organisation bureau."))
    _lock_place(project.organisation_id)
    project = WelfareProject.objects.select_related("organisation").get(pk=project.pk)
    if project.state != ProjectState.PROPOSED:
        raise ValidationError(
            _("%(project)s was already decided on %(date)s (%(state)s).")
            % {"project": project.name, "date": day_text(project.decided_on), "state": project.get_state_display()}
        )
    day_check(decided_on, "decided_on")
    note = (note or "").strip()
    if not approved and not note:
        raise ValidationError({"note": _("Say why %(project)s is rejected.") % {"project": project.name}})
    if approved:
        allocation = allocation_check(year=project.year)
        already = selectors.approved_total(organisation=project.organisation, year=project.year)
        if already + project.budget > allocation:
            raise ValidationError(
                _(
                    "Approving %(project)s (%(budget)s 元) would take the approved budgets of %(org)s in %(year)s over "
                    "the allocation of %(allocation)s 元: %(remaining)s 元 remain to approve."
                )
                % {
                    "project": project.name,
                    "budget": yuan_text(project.budget),
                    "org": project.organisation.name,
                    "year": project.year,
                    "allocation": yuan_text(allocation),
                    "remaining": yuan_text(allocation - already),
                }
            )
    project.state = ProjectState.APPROVED if approved else ProjectState.REJECTED
    project.decided_on, project.decided_by, project.decision_note = decided_on, acting_user(user), note
    project.save(update_fields=["state", "decided_on", "decided_by", "decision_note"])
    return project


def _receipt_check(receipt):
    """Issue 13: the scan is checked like every upload (core.uploads): a re-encoded photo or a
    plain PDF, stored under a name the server chose."""
    try:
        return upload_check(receipt).file
    except ValidationError as exc:
        raise ValidationError({"receipt": exc.messages}) from exc


@transaction.atomic
def welfare_payment_record(
    *, project: WelfareProject, paid_on: datetime.date, amount, payee: str, receipt_number: str, receipt=None, user
) -> WelfarePayment:
    """F-WELFARE-FUND: the bureau pays an approved project (按项目拨付), never beyond its budget nor
    beyond the village's or community's allocation for the year."""
    _permission_check(user, "bureau", _("Welfare project payments are recorded by the organisation bureau."))
    _lock_place(project.organisation_id)
    project = WelfareProject.objects.select_related("organisation").get(pk=project.pk)
    if project.state != ProjectState.APPROVED:
        raise ValidationError(
            _("%(project)s is not approved (%(state)s): only approved projects are paid.")
            % {"project": project.name, "state": project.get_state_display()}
        )
    day_check(paid_on, "paid_on")
    if paid_on.year < project.year:
        raise ValidationError(
            {
                "paid_on": _(
                    "%(project)s is paid from the allocation of %(year)s: the payment is made in %(year)s or later."
                )
                % {"project": project.name, "year": project.year}
            }
        )
    amount = _amount_check(amount, "amount", _("The amount paid is more than 0 元."))
    payee = _text(payee, "payee", _("Who received the payment?"))
    receipt_number = _text(receipt_number, "receipt_number", _("Give the number of the receipt."))
    if project.payments.filter(receipt_number=receipt_number).exists():
        raise ValidationError(
            {
                "receipt_number": _("Receipt %(number)s is already recorded for %(project)s.")
                % {"number": receipt_number, "project": project.name}
            }
        )
    if receipt:
        receipt = _receipt_check(receipt)
    allocation = allocation_check(year=project.year)
    paid_project = selectors.project_paid(project=project)
    if paid_project + amount > project.budget:
        raise ValidationError(
            {
                "amount": _(
                    "A payment of %(amount)s 元 would take %(project)s over its budget of %(budget)s 元 "
                    "(%(year)s, allocation %(allocation)s 元): %(remaining)s 元 of the budget remain."
                )
                % {
                    "amount": yuan_text(amount),
                    "project": project.name,
                    "budget": yuan_text(project.budget),
                    "year": project.year,
                    "allocation": yuan_text(allocation),
                    "remaining": yuan_text(project.budget - paid_project),
                }
            }
        )
    paid_year = selectors.paid_total(organisation=project.organisation, year=project.year)
    if paid_year + amount > allocation:
        raise ValidationError(
            {
                "amount": _(
                    "A payment of %(amount)s 元 to %(project)s would take %(org)s over its allocation of "
                    "%(allocation)s 元 for %(year)s: %(remaining)s 元 remain."
                )
                % {
                    "amount": yuan_text(amount),
                    "project": project.name,
                    "org": project.organisation.name,
                    "allocation": yuan_text(allocation),
                    "year": project.year,
                    "remaining": yuan_text(allocation - paid_year),
                }
            }
        )
    return WelfarePayment.objects.create(
        project=project,
        paid_on=paid_on,
        amount=amount,
        payee=payee,
        receipt_number=receipt_number,
        receipt=receipt or "",
        recorded_by=acting_user(user),
    )


@transaction.atomic
def venue_reward_pay(
    *, inspection: VenueInspection, paid_on: datetime.date, voucher_number: str, user
) -> VenueRewardPayment:
    """F-VENUE-REWARD: pay an inspection's entitlement, exactly and once (a re-grade's inspection
    carries only the difference, so a venue is never paid more than its best grade)."""
    _permission_check(user, "bureau", _("Venue rewards are paid by the organisation bureau."))
    inspection = VenueInspection.objects.select_for_update().select_related("venue").get(pk=inspection.pk)
    venue = inspection.venue.name
    if inspection.reward <= 0:
        raise ValidationError(
            _("The inspection of %(venue)s on %(date)s (%(grade)s) entitles no reward: there is nothing to pay.")
            % {"venue": venue, "date": day_text(inspection.inspected_on), "grade": inspection.get_grade_display()}
        )
    paid = VenueRewardPayment.objects.filter(inspection=inspection).first()
    if paid is not None:
        raise ValidationError(
            _("The reward of %(venue)s for the inspection on %(date)s was already paid on %(paid_on)s (%(amount)s 元).")
            % {
                "venue": venue,
                "date": day_text(inspection.inspected_on),
                "paid_on": day_text(paid.paid_on),
                "amount": yuan_text(paid.amount),
            }
        )
    day_check(paid_on, "paid_on")
    if paid_on < inspection.inspected_on:
        raise ValidationError(
            {
                "paid_on": _("The reward is paid on or after the inspection (%(date)s).")
                % {"date": day_text(inspection.inspected_on)}
            }
        )
    voucher_number = _text(voucher_number, "voucher_number", _("Give the number of the payment voucher."))
    return VenueRewardPayment.objects.create(
        inspection=inspection,
        amount=inspection.reward,
        paid_on=paid_on,
        voucher_number=voucher_number,
        paid_by=acting_user(user),
    )
