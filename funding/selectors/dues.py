"""Reads of the party dues ledger (N-DUES, 《关于中国共产党党费收缴、使用和管理的规定》中组发〔2008〕3号)
and of the collect-then-refund of non-public enterprises' dues (F-DUES-REFUND).

A month is due from a member at a branch when the member belonged to it, or to one of its party
groups (a 党小组 is a subdivision of its branch, which collects its members' dues), at some time in
that month (from January, or the month they joined, through the current month of the current year
or December of a past one) and no payment for that month is on record, wherever it was paid. Every
read is a constant number of queries, whatever the number of members.
"""

# ruff: noqa: RUF002 -- the source document is cited with its own brackets, as published

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.enums import OrganisationKind, Sector
from branches.models import Organisation
from branches.selectors import duty_holder, organisation_with_groups
from core import scoping
from core.models import PolicyRevision
from core.policy import PolicyValues, fen, policy_for_year, policy_values
from core.scoping import subtree
from funding.enums import DuesBasis
from funding.models import DuesBase, DuesPayment, DuesRefund
from members.enums import LifeStatus
from members.models import Member, Membership, MobileRecord
from members.selectors import branch_members_on

MONTHS = range(1, 13)

# N-DUES: what a member's life status puts their dues on; the secretary may switch anyone to the
# flat amount (on relief). "Other" is treated as income from work: the secretary declares it.
BASIS_BY_LIFE_STATUS = {
    LifeStatus.IN_SERVICE: DuesBasis.SALARY,
    LifeStatus.SELF_EMPLOYED: DuesBasis.SALARY,
    LifeStatus.OTHER: DuesBasis.SALARY,
    LifeStatus.RETIRED: DuesBasis.PENSION,
    LifeStatus.STUDENT: DuesBasis.FLAT,
    LifeStatus.UNEMPLOYED: DuesBasis.FLAT,
    LifeStatus.FARMER: DuesBasis.FARMER,
}
INCOME_BASES = frozenset({DuesBasis.SALARY, DuesBasis.PENSION})

# States of a month in the grid.
PAID, DUE, NOT_DUE = "paid", "due", "not_due"


def dues_basis_for(life_status: str) -> str:
    """N-DUES: the basis a member's life status gives (students and the unemployed pay the flat amount)."""
    return BASIS_BY_LIFE_STATUS.get(life_status, DuesBasis.SALARY)


def dues_monthly(*, basis: str, values: PolicyValues, monthly_income=None, farmer_amount=None) -> Decimal:
    """N-DUES (中组发〔2008〕3号): one month's dues.

    Salary: ≤ band 1 → rate 1, ≤ band 2 → rate 2, ≤ band 3 → rate 3, above → the top rate, the rate
    applied to the whole income (upper bounds inclusive); pension: ≤ the band → the low rate, above →
    the high rate; students, the unemployed and those on relief: the flat amount; farmers: the amount
    chosen in the range (the minimum when none is chosen). Rounded to the fen, half up."""
    if basis == DuesBasis.SALARY:
        income = Decimal(monthly_income)
        rate = values["dues.salary_rate_above"]
        for band, band_rate in (
            ("dues.salary_band_1", "dues.salary_rate_1"),
            ("dues.salary_band_2", "dues.salary_rate_2"),
            ("dues.salary_band_3", "dues.salary_rate_3"),
        ):
            if income <= values[band]:
                rate = values[band_rate]
                break
        return fen(income * rate)
    if basis == DuesBasis.PENSION:
        income = Decimal(monthly_income)
        low = income <= values["dues.pension_band"]
        return fen(income * values["dues.pension_rate_low" if low else "dues.pension_rate_high"])
    if basis == DuesBasis.FLAT:
        return fen(values["dues.flat_amount"])
    if basis == DuesBasis.FARMER:
        return fen(values["dues.farmer_min"] if farmer_amount is None else farmer_amount)
    raise ValueError(basis)


def dues_for_base(*, base: DuesBase, values: PolicyValues) -> Decimal:
    """A month's dues of a recorded base under the parameters in force that month: a revision changes
    them from its month on; a farmer's chosen amount stays, kept inside the range in force."""
    if base.basis == DuesBasis.FARMER:
        return fen(min(max(base.monthly_dues, values["dues.farmer_min"]), values["dues.farmer_max"]))
    return dues_monthly(basis=base.basis, values=values, monthly_income=base.monthly_income)


def dues_values_by_month(*, year: int) -> dict[int, PolicyValues]:
    """The parameters of each month of a year, read on its first day: one query, plus one for each
    month a revision took effect before (a revision of 15 July applies from August)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    changes = set(
        PolicyRevision.objects.filter(effective_from__gt=start, effective_from__lte=end).values_list(
            "effective_from", flat=True
        )
    )
    values = {1: policy_for_year(year)}
    for month in MONTHS[1:]:
        first, previous = datetime.date(year, month, 1), datetime.date(year, month - 1, 1)
        if any(previous < day <= first for day in changes):
            values[month] = policy_values(on=first)
        else:
            values[month] = values[month - 1]
    return values


def dues_last_month(*, year: int, today: datetime.date | None = None) -> int:
    """The last month due in a year: the current month this year, December of a past one, none ahead."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def dues_owed_through(*, year: int, values: dict[int, PolicyValues], today: datetime.date | None = None) -> int:
    """N-DUES: the last month whose dues are owed (a month not yet owed may still be paid early): December
    of a past year; this year, the current month once its collection day (`dues.collection_day` in force
    that month) has passed, else the month before; none ahead. `values`: `dues_values_by_month`."""
    today = today or timezone.localdate()
    last = dues_last_month(year=year, today=today)
    if year != today.year:
        return last
    return last if today.day > values[last].whole("dues.collection_day") else last - 1


def _spans_in_year(year: int) -> Q:
    return (Q(started_on__isnull=True) | Q(started_on__lte=datetime.date(year, 12, 31))) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 1, 1))
    )


def _months_of_span(started_on, ended_on, year: int, last: int) -> set[int]:
    """The months of a year, through `last`, in which a membership span covers at least one day."""
    first = 1 if started_on is None or started_on.year < year else started_on.month
    end = last if ended_on is None or ended_on.year > year else min(last, ended_on.month)
    return set(range(first, end + 1))


@dataclasses.dataclass
class MobileDues:
    """N-DUES with S-MOBILE: mobile members who pay dues to the receiving branch by agreement, seen from
    one branch: those it receives (`received`) and its own who pay elsewhere (`elsewhere`), each as
    member id → the months of the year the agreement covers; `records` by member id."""

    received: dict
    elsewhere: dict
    records: dict


def dues_mobile(*, organisation: Organisation, year: int, last: int) -> MobileDues:
    """The branch's (and its party groups') mobile members paying dues by agreement to the receiving
    branch, the months of their absence through `last`; one query."""
    within = set(organisation_with_groups(organisation=organisation).values_list("pk", flat=True))
    records = (
        MobileRecord.objects.filter(member__isnull=False, dues_to_receiving=True, since__year__lte=year)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__year__gte=year))
        .filter(Q(receiving_organisation__in=within) | Q(home_organisation__in=within))
        .select_related("home_organisation", "receiving_organisation")
    )
    found = MobileDues(defaultdict(set), defaultdict(set), {})
    for record in records:
        months = _months_of_span(record.since, record.returned_on, year, last)
        if record.receiving_organisation_id in within:
            found.received[record.member_id] |= months
        if record.home_organisation_id in within:
            found.elsewhere[record.member_id] |= months
        found.records[record.member_id] = record
    return found


def dues_months_due(
    *, organisation: Organisation, year: int, today: datetime.date | None = None, mobile: MobileDues | None = None
) -> dict[int, set]:
    """member id → the months of the year (through the last month due) the member owes the branch: the
    months the member belonged to it (or one of its party groups), but for those paid to a receiving
    branch by agreement; and the months of the mobile members it receives who pay here by agreement
    (N-DUES, S-MOBILE). Two queries."""
    last = dues_last_month(year=year, today=today)
    months = defaultdict(set)
    within = organisation_with_groups(organisation=organisation).values("pk")
    spans = Membership.objects.filter(_spans_in_year(year), organisation__in=within)
    for member_id, started_on, ended_on in spans.values_list("member_id", "started_on", "ended_on"):
        months[member_id] |= _months_of_span(started_on, ended_on, year, last)
    mobile = mobile or dues_mobile(organisation=organisation, year=year, last=last)
    for member_id, away in mobile.elsewhere.items():
        months[member_id] -= away
    for member_id, away in mobile.received.items():
        months[member_id] |= away
    return months


def dues_members(*, organisation: Organisation, year: int) -> QuerySet:
    """The members who belonged to the branch (or one of its party groups) at some time in the year, and
    the mobile members it receives who pay their dues here by agreement, in pinyin order (one query)."""
    within = organisation_with_groups(organisation=organisation).values("pk")
    spans = Membership.objects.filter(_spans_in_year(year), organisation__in=within).values("member_id")
    received = MobileRecord.objects.filter(
        member__isnull=False, dues_to_receiving=True, receiving_organisation__in=within, since__year__lte=year
    ).filter(Q(returned_on__isnull=True) | Q(returned_on__year__gte=year))
    return Member.objects.filter(Q(pk__in=spans) | Q(pk__in=received.values("member_id"))).order_by("name_pinyin", "pk")


def dues_bases(*, member_ids, year: int) -> dict[int, DuesBase]:
    return {b.member_id: b for b in DuesBase.objects.filter(year=year, member_id__in=member_ids)}


def dues_paid(*, member_ids, year: int) -> dict[tuple[int, int], DuesPayment]:
    """(member id, month number) → the payment of that month, wherever it was collected."""
    payments = DuesPayment.objects.filter(member_id__in=member_ids, month__year=year)
    return {(p.member_id, p.month.month): p for p in payments}


@dataclasses.dataclass
class DuesRow:
    """One member's year in a branch: the base, each month's state, what is owed."""

    member: Member
    basis: str
    base: DuesBase | None
    cells: list  # (month number, state: paid / due / not_due, amount: paid or due, None when unknown)
    months_owed: int
    owed: Decimal | None  # None: no base yet, the amount is unknown
    paid: Decimal
    mobile: str = ""  # S-MOBILE: where a mobile member pays dues by agreement

    @property
    def default(self) -> str:
        return dues_basis_for(self.member.life_status)


@dataclasses.dataclass
class BaseRow:
    """A member on the bases form: the basis the life status gives and the base on record, if any."""

    member: Member
    base: DuesBase | None

    @property
    def default(self) -> str:
        return dues_basis_for(self.member.life_status)


def dues_base_rows(*, organisation: Organisation, year: int, day: datetime.date) -> list[BaseRow]:
    """The branch's members on the day (its party groups' too) with their base of the year; two queries."""
    members = list(branch_members_on(organisation=organisation, day=day))
    bases = dues_bases(member_ids=[m.pk for m in members], year=year)
    return [BaseRow(member=m, base=bases.get(m.pk)) for m in members]


def dues_bases_last(*, organisation: Organisation, year: int, day: datetime.date) -> DuesBase | None:
    """The base of the year recorded last among the branch's members on the day: the version of the
    bases form (core.concurrency); one query."""
    members = branch_members_on(organisation=organisation, day=day).order_by().values("pk")
    bases = DuesBase.objects.filter(member__in=members, year=year).select_related("recorded_by")
    return bases.order_by("-recorded_at", "-pk").first()


def dues_grid(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> list[DuesRow]:
    """N-DUES: the branch's members x 12 months, paid / due / not due; five queries or so (more only
    in a year a policy revision took effect)."""
    members = list(dues_members(organisation=organisation, year=year))
    ids = [m.pk for m in members]
    mobile = dues_mobile(organisation=organisation, year=year, last=dues_last_month(year=year, today=today))
    due = dues_months_due(organisation=organisation, year=year, today=today, mobile=mobile)
    for member_id, away in mobile.elsewhere.items():  # owed to the receiving branch: shown here too
        due[member_id] = due[member_id] | away
    bases = dues_bases(member_ids=ids, year=year)
    paid = dues_paid(member_ids=ids, year=year)
    values = dues_values_by_month(year=year)
    owed_through = dues_owed_through(year=year, values=values, today=today)
    rows = []
    for member in members:
        base = bases.get(member.pk)
        cells, owed, months_owed, total = [], Decimal(0), 0, Decimal(0)
        for month in MONTHS:
            payment = paid.get((member.pk, month))
            if payment is not None:
                cells.append((month, PAID, payment.amount))
                total += payment.amount
            elif month <= owed_through and month in due.get(member.pk, ()):
                amount = dues_for_base(base=base, values=values[month]) if base else None
                cells.append((month, DUE, amount))
                months_owed += 1
                owed += amount or 0
            else:
                cells.append((month, NOT_DUE, None))
        rows.append(
            DuesRow(
                member=member,
                basis=base.basis if base else dues_basis_for(member.life_status),
                base=base,
                cells=cells,
                months_owed=months_owed,
                owed=owed if base or not months_owed else None,
                paid=total,
                mobile=_mobile_note(mobile, member.pk),
            )
        )
    return rows


def _mobile_note(mobile: MobileDues, member_id: int) -> str:
    record = mobile.records.get(member_id)
    if record is None:
        return ""
    if member_id in mobile.received:
        return _("Mobile member of %(home)s, pays dues here by agreement (%(agreement)s)") % {
            "home": record.home_organisation.name,
            "agreement": record.dues_agreement,
        }
    return _("Mobile member, pays dues to %(receiving)s by agreement (%(agreement)s)") % {
        "receiving": record.receiving_organisation.name,
        "agreement": record.dues_agreement,
    }


@dataclasses.dataclass
class ArrearsRow:
    organisation: Organisation
    members: int  # members in arrears
    months: int  # unpaid member-months
    owed: Decimal  # of the members with a base
    without_base: int  # members in arrears with no base: their amount is not known


def dues_arrears(*, user, year: int, today: datetime.date | None = None) -> list[ArrearsRow]:
    """N-DUES: the branches in the user's scope with members in arrears in a year, with the months and
    the amount owed (a party group's members in their branch's, unless the user sees only the group);
    set-based (four queries, plus one per policy revision of the year)."""
    values = dues_values_by_month(year=year)
    last = dues_owed_through(year=year, values=values, today=today)
    spans = scoping.for_user(Membership.objects.filter(_spans_in_year(year)), user)
    root = scoping.scope_root(user)
    holder = "organisation_id" if root is not None and root.kind == OrganisationKind.PARTY_GROUP else "holder"
    due = defaultdict(set)  # (organisation id, member id) → months
    for org_id, member_id, started_on, ended_on in spans.annotate(holder=duty_holder()).values_list(
        holder, "member_id", "started_on", "ended_on"
    ):
        due[org_id, member_id] |= _months_of_span(started_on, ended_on, year, last)
    member_ids = spans.values("member_id")
    bases = {b.member_id: b for b in DuesBase.objects.filter(year=year, member_id__in=member_ids)}
    paid = set(
        DuesPayment.objects.filter(month__year=year, member_id__in=member_ids)
        .values_list("member_id", "month__month")
        .order_by()
    )
    totals = {}
    for (org_id, member_id), months in due.items():
        unpaid = [m for m in months if (member_id, m) not in paid]
        if not unpaid:
            continue
        row = totals.setdefault(org_id, {"members": 0, "months": 0, "owed": Decimal(0), "without_base": 0})
        row["members"] += 1
        row["months"] += len(unpaid)
        base = bases.get(member_id)
        if base is None:
            row["without_base"] += 1
        else:
            row["owed"] += sum((dues_for_base(base=base, values=values[m]) for m in unpaid), Decimal(0))
    organisations = Organisation.objects.filter(pk__in=totals).order_by("path")
    return [ArrearsRow(organisation=org, **totals[org.pk]) for org in organisations]


# F-DUES-REFUND: collect first, refund in full.


@dataclasses.dataclass
class Reconciliation:
    """F-DUES-REFUND: a non-public enterprise's organisation's dues of a year, collected and refunded."""

    organisation: Organisation
    collected: Decimal
    refunded: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.collected - self.refunded

    @property
    def reconciled(self) -> bool:
        return self.collected == self.refunded

    @property
    def partial(self) -> bool:
        """F-DUES-REFUND flags it: something was refunded, but not the full amount collected (全额返还)."""
        return Decimal(0) < self.refunded < self.collected


def _sums_by_top(queryset, path_field: str, tops: dict[str, Organisation]) -> dict[str, Decimal]:
    """Sum the amounts of a queryset by the top organisation above each row's organisation (one query)."""
    step = Organisation.steplen
    sums = defaultdict(Decimal)
    for path, total in queryset.values_list(path_field).annotate(total=Sum("amount")).order_by():
        for depth in range(1, len(path) // step + 1):
            prefix = path[: step * depth]
            if prefix in tops:
                sums[prefix] += total
                break
    return sums


def non_public_tops(*, organisation: Organisation) -> list[Organisation]:
    """The organisations of non-public enterprises at or under `organisation`, each the highest of its
    own enterprise (a branch under an enterprise's party committee counts with the committee); one query."""
    tops = []
    for org in Organisation.objects.filter(subtree(organisation), sector=Sector.NON_PUBLIC):
        if tops and org.path.startswith(tops[-1].path):
            continue
        tops.append(org)
    return tops


def dues_reconciliations(*, organisations: list[Organisation], year: int) -> list[Reconciliation]:
    """F-DUES-REFUND: for each organisation (none inside another), the dues of the year collected by
    organisations in its subtree and the refunds recorded in it; two queries."""
    tops = {org.path: org for org in organisations}
    if not tops:
        return []
    under = Q()
    for path in tops:
        under |= subtree(path, via="organisation")
    collected = _sums_by_top(DuesPayment.objects.filter(under, month__year=year), "organisation__path", tops)
    refunded = _sums_by_top(DuesRefund.objects.filter(under, year=year), "organisation__path", tops)
    return [
        Reconciliation(
            organisation=org, collected=collected.get(path, Decimal(0)), refunded=refunded.get(path, Decimal(0))
        )
        for path, org in tops.items()
    ]


def dues_reconciliation(*, organisation: Organisation, year: int) -> Reconciliation:
    return dues_reconciliations(organisations=[organisation], year=year)[0]


def dues_refunds(*, organisation: Organisation, year: int) -> QuerySet:
    return (
        DuesRefund.objects.filter(subtree(organisation, via="organisation"), year=year)
        .select_related("organisation", "recorded_by")
        .order_by("refunded_on", "pk")
    )
