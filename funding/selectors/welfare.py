"""Reads of the welfare project fund (F-WELFARE-FUND) and of the venue rewards (F-VENUE-REWARD).

A village or community is represented by its top party organisation: an active organisation of
sector village or community whose parent is not of the same sector (a village general branch, not
each of its branches). Its allocation for a year comes from the policy in force on 1 January.
"""

import dataclasses
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Left

from assessments.models import VenueInspection
from branches.enums import Sector
from branches.models import Organisation
from core import scoping
from core.policy import fen, policy_for_year
from funding.enums import ProjectState
from funding.models import WelfarePayment, WelfareProject

PLACE_SECTORS = (Sector.VILLAGE, Sector.COMMUNITY)
# Projects whose budget counts against the allocation.
APPROVED_STATES = (ProjectState.APPROVED, ProjectState.CLOSED)
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def welfare_places(*, user=None) -> QuerySet:
    """F-WELFARE-FUND: the villages and communities (their top organisations), in the user's scope
    when a user is given. One query, whatever their number."""
    same_sector_parent = Organisation.objects.filter(
        path=Left(OuterRef("path"), (OuterRef("depth") - 1) * Organisation.steplen), sector=OuterRef("sector")
    )
    places = Organisation.objects.active().filter(sector__in=PLACE_SECTORS).filter(~Exists(same_sector_parent))
    return places if user is None else scoping.for_user(places, user)


def is_welfare_place(*, organisation: Organisation) -> bool:
    """Whether the organisation is the top organisation of a village or community."""
    return welfare_places().filter(pk=organisation.pk).exists()


@dataclasses.dataclass(frozen=True)
class Fund:
    """F-WELFARE-FUND as it stands for a year: the allocation (None outside the fund's years) and those years."""

    year: int
    allocation: Decimal | None
    first_year: int
    last_year: int

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


def welfare_fund(*, year: int) -> Fund:
    """The fund for a year under the policy in force on 1 January (one query)."""
    values = policy_for_year(year)
    first, last = values.whole("welfare_fund.first_year"), values.whole("welfare_fund.last_year")
    allocation = fen(values["welfare_fund.allocation"]) if first <= year <= last else None
    return Fund(year=year, allocation=allocation, first_year=first, last_year=last)


def welfare_allocation(*, year: int) -> Decimal | None:
    """F-WELFARE-FUND: a village's or community's allocation for the year, None outside the fund's years."""
    return welfare_fund(year=year).allocation


@dataclasses.dataclass(frozen=True)
class Balance:
    """A village's or community's year: the allocation, the approved budgets, what was paid and what remains."""

    year: int
    allocation: Decimal | None
    approved: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return (self.allocation or ZERO) - self.paid

    @property
    def unapproved(self) -> Decimal:
        """What later approvals may still take."""
        return (self.allocation or ZERO) - self.approved


def approved_total(*, organisation: Organisation, year: int) -> Decimal:
    rows = WelfareProject.objects.filter(organisation=organisation, year=year, state__in=APPROVED_STATES)
    return rows.aggregate(total=Sum("budget"))["total"] or ZERO


def paid_total(*, organisation: Organisation, year: int) -> Decimal:
    rows = WelfarePayment.objects.filter(project__organisation=organisation, project__year=year)
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def project_paid(*, project: WelfareProject) -> Decimal:
    return project.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def welfare_balance(*, organisation: Organisation, year: int, fund: Fund | None = None) -> Balance:
    """F-WELFARE-FUND: allocation, approved, paid and remaining of a village's or community's year."""
    return Balance(
        year=year,
        allocation=(fund or welfare_fund(year=year)).allocation,
        approved=approved_total(organisation=organisation, year=year),
        paid=paid_total(organisation=organisation, year=year),
    )


def welfare_projects(*, organisation: Organisation, year: int) -> QuerySet:
    """The projects of a village's or community's year, each with what was paid to it (`paid`)."""
    return (
        WelfareProject.objects.filter(organisation=organisation, year=year)
        .annotate(paid=Coalesce(Sum("payments__amount"), Value(ZERO), output_field=_MONEY))
        .order_by("pk")
    )


def welfare_payments(*, organisation: Organisation, year: int) -> QuerySet:
    return (
        WelfarePayment.objects.filter(project__organisation=organisation, project__year=year)
        .select_related("project", "recorded_by")
        .order_by("paid_on", "pk")
    )


def _sum_for_place(queryset: QuerySet, organisation_field: str, amount_field: str) -> Subquery:
    rows = (
        queryset.filter(**{organisation_field: OuterRef("pk")})
        .order_by()
        .values(organisation_field)
        .annotate(total=Sum(amount_field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


@dataclasses.dataclass(frozen=True)
class OverviewRow:
    organisation: Organisation
    allocation: Decimal | None
    approved: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return (self.allocation or ZERO) - self.paid


def welfare_overview(*, user, year: int, fund: Fund | None = None) -> list[OverviewRow]:
    """F-WELFARE-FUND: every village and community in the user's scope with its year's figures.
    Two queries (the policy unless given, then the places with their sums), whatever the number of places."""
    allocation = (fund or welfare_fund(year=year)).allocation
    projects = WelfareProject.objects.filter(year=year, state__in=APPROVED_STATES)
    payments = WelfarePayment.objects.filter(project__year=year)
    places = welfare_places(user=user).annotate(
        approved=_sum_for_place(projects, "organisation", "budget"),
        paid=_sum_for_place(payments, "project__organisation", "amount"),
    )
    return [OverviewRow(place, allocation, place.approved, place.paid) for place in places.order_by("path")]


def venue_reward_entitlements(*, user) -> QuerySet:
    """F-VENUE-REWARD: inspections in the user's scope that entitle a reward, the unpaid ones first.
    One query."""
    rows = VenueInspection.objects.filter(reward__gt=0).select_related("venue__organisation", "reward_payment")
    return scoping.for_user(rows, user).order_by(F("reward_payment__id").asc(nulls_first=True), "-inspected_on", "-pk")
