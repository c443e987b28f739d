"""Funding records for the demo zone (issue 5), so every funding page has something to show:
activity-fund budgets of the funded units, a village's welfare projects of 2015-2017, the demo
branch's dues and an aid grant. Written through the services
where a secretary or the bureau would act (the budgets in bulk: there are hundreds)."""

import datetime
import random
from decimal import Decimal

from branches.enums import Sector
from branches.models import Organisation
from core.models import User
from core.policy import fen, policy_for_year
from funding.models import ActivityFundBudget
from funding.selectors import dues as dues_selectors
from funding.selectors.aid import aid_eligible_groups, member_record_groups
from funding.selectors.welfare import welfare_places
from funding.services import aid, dues, welfare
from funding.services.activity import activity_fund_range, formula_for, organisation_wage_figure
from members.models import Member
from members.selectors import branch_members_on


def funding_demo(*, seed: int, today: datetime.date) -> dict:
    """Write the demo's funding records; returns what was written, by kind."""
    rng = random.Random(f"{seed}:funding")
    bureau = User.objects.filter(username="bureau").first()
    written = {"budgets": _budgets(rng=rng, year=today.year - 1), "welfare_payments": 0, "dues_payments": 0}
    village = next(iter(welfare_places().filter(sector=Sector.VILLAGE).order_by("path")), None)
    if village is not None and bureau is not None:
        written["welfare_payments"] = _welfare(village=village, bureau=bureau)
    branch = User.objects.filter(username="branch1").values_list("organisation", flat=True).first()
    if branch:
        written["dues_payments"] = _dues(organisation=Organisation.objects.get(pk=branch), today=today)
    if bureau is not None:
        _aid(bureau=bureau, today=today)
    return written


def _budgets(*, rng: random.Random, year: int) -> int:
    """Last year's budgets of most funded units: most at or above the minimum, some short of it."""
    policy = policy_for_year(year)
    rows = []
    units = (
        Organisation.objects.active()
        .exclude(unit_name="")
        .filter(sector__in=["agency", "public_institution", "school", "soe", "non_public"])
    )
    for unit in units.order_by("path"):
        wage_bill = organisation_wage_figure(unit)
        if wage_bill is None or rng.random() < 0.1:
            continue  # no budget entered: flagged on the report
        minimum, maximum = activity_fund_range(formula=formula_for(unit.sector), wage_bill=wage_bill, policy=policy)
        factor = Decimal(rng.choice(["0.8", "1", "1", "1.1", "1.2"]))
        budget = fen(minimum * factor)
        if maximum is not None:
            budget = min(budget, maximum)
        rows.append(ActivityFundBudget(organisation=unit, year=year, wage_bill=wage_bill, budget=budget))
    ActivityFundBudget.objects.filter(year=year).delete()
    ActivityFundBudget.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _welfare(*, village: Organisation, bureau) -> int:
    """Two approved projects a year in 2015-2017, paid by instalments; the 2017 one not finished."""
    payments = 0
    plan = [("村道硬化", Decimal(120000)), ("便民服务站改造", Decimal(60000))]
    for year in (2015, 2016, 2017):
        for n, (name, budget) in enumerate(plan):
            project = welfare.welfare_project_propose(
                organisation=village,
                year=year,
                name=f"{year}年{name}",
                budget=budget,
                description="村民代表会议决议通过",
            )
            welfare.welfare_project_decide(
                project=project, approved=True, decided_on=datetime.date(year, 3, 10 + n), note="同意", user=bureau
            )
            instalments = [budget / 2, budget / 2] if year < 2017 else [budget / 2]
            for i, amount in enumerate(instalments):
                welfare.welfare_payment_record(
                    project=project,
                    paid_on=datetime.date(year, 5 + 4 * i, 15),
                    amount=amount,
                    payee=f"{village.name}村民委员会",
                    receipt_number=f"HM{year}{n}{i}",
                    user=bureau,
                )
                payments += 1
    return payments


def _dues(*, organisation: Organisation, today: datetime.date) -> int:
    """The demo branch's bases of this year (its party groups' members too) and its dues collected up to last month."""
    day = dues.dues_roster_day(year=today.year, today=today)
    people = list(branch_members_on(organisation=organisation, day=day))
    if not people:
        return 0
    rows = {}
    for i, member in enumerate(people):
        if member.life_status in ("retired",):
            rows[member.pk] = {"monthly_income": Decimal(3200 + 150 * i)}
        elif member.life_status in ("farmer",):
            rows[member.pk] = {"farmer_amount": Decimal("0.5")}
        elif member.life_status in ("student", "unemployed"):
            rows[member.pk] = {}
        else:
            rows[member.pk] = {"monthly_income": Decimal(2600 + 400 * (i % 12))}
    dues.dues_bases_record(organisation=organisation, year=today.year, rows=rows)
    months = [datetime.date(today.year, m, 1) for m in range(1, today.month)]
    # A fifth in arrears; the members paying a receiving branch by agreement (S-MOBILE) owe it, not this one.
    elsewhere = dues_selectors.dues_mobile(organisation=organisation, year=today.year, last=12).elsewhere
    payers = [m.pk for m in people[: max(1, len(people) * 4 // 5)] if m.pk not in elsewhere]
    if not months:
        return 0
    dues.dues_collect(organisation=organisation, months=months, member_ids=payers, paid_on=today)
    return len(months) * len(payers)


def _aid(*, bureau, today: datetime.date) -> None:
    """A grant to a member in hardship now and of one of the fund's groups (F-AID-FUND: the eligibility
    comes from the member record); none when the zone has no such member."""
    member = (
        Member.objects.filter(status="active", in_hardship=True).filter(aid_eligible_groups()).order_by("pk").first()
    )
    if member is None:
        return
    aid.aid_grant_record(
        member=member,
        group=member_record_groups(member=member)[0],
        amount=Decimal(1000),
        granted_on=datetime.date(today.year, 1, 20) if today.month > 1 else today,
        reason="春节慰问",
        user=bureau,
    )
