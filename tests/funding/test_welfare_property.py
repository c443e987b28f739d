"""F-WELFARE-FUND, property-based: whatever the budgets proposed and the order and size of the payments
(in fen), the service keeps every project within its budget and the village's year within its allocation,
and the ledger holds exactly the payments it accepted: it accepts a payment exactly when it fits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.enums import ProjectState
from funding.models import WelfarePayment, WelfareProject
from funding.selectors import welfare as selectors
from funding.services import welfare as services

pytestmark = pytest.mark.django_db
YEAR = 2016
ALLOCATION_FEN = 20_000_000  # ¥200,000 in fen

budgets = st.lists(st.integers(min_value=1, max_value=ALLOCATION_FEN), min_size=1, max_size=4)
payments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=1, max_value=100_000) | st.integers(min_value=1, max_value=ALLOCATION_FEN),
    ),
    max_size=12,
)


def yuan(amount_fen: int) -> Decimal:
    return Decimal(amount_fen) / 100


def test_payments_never_overdraw_a_budget_or_the_allocation(zone, users):
    village, bureau = zone.v1, users.bureau
    seen = {"accepted": 0, "refused": 0}

    @settings(max_examples=40, deadline=None, database=None)
    @given(budgets=budgets, payments=payments)
    def check(budgets, payments):
        with transaction.atomic():
            projects = []
            for n, budget in enumerate(budgets):
                project = services.welfare_project_propose(
                    organisation=village, year=YEAR, name=f"项目{n}", budget=yuan(budget), user=bureau
                )
                try:
                    services.welfare_project_decide(
                        project=project, approved=True, decided_on=datetime.date(YEAR, 2, 1), user=bureau
                    )
                except ValidationError:
                    continue  # over what the allocation leaves: stays proposed
                projects.append(project)
            approved = WelfareProject.objects.filter(organisation=village, year=YEAR, state=ProjectState.APPROVED)
            assert sum(p.budget for p in approved) <= yuan(ALLOCATION_FEN)
            accepted = Decimal(0)
            for step, (index, amount) in enumerate(payments):
                if not projects:
                    break
                project = projects[index % len(projects)]
                before = selectors.welfare_balance(organisation=village, year=YEAR)
                fits = (
                    selectors.project_paid(project=project) + yuan(amount) <= project.budget
                    and before.paid + yuan(amount) <= before.allocation
                )
                try:
                    services.welfare_payment_record(
                        project=project,
                        paid_on=datetime.date(YEAR, 6, 1),
                        amount=yuan(amount),
                        payee="施工队",
                        receipt_number=f"R{step}",
                        user=bureau,
                    )
                    accepted += yuan(amount)
                    seen["accepted"] += 1
                    assert fits
                except ValidationError as exc:
                    assert list(exc.message_dict) == ["amount"]
                    seen["refused"] += 1
                    assert not fits
                balance = selectors.welfare_balance(organisation=village, year=YEAR)
                assert balance.paid <= balance.allocation
                assert balance.remaining >= 0
                for p in projects:
                    assert selectors.project_paid(project=p) <= p.budget
                ledger = WelfarePayment.objects.filter(project__organisation=village).aggregate(total=Sum("amount"))
                assert (ledger["total"] or 0) == accepted == balance.paid
            transaction.set_rollback(True)

    check()
    assert seen["accepted"] > 0 and seen["refused"] > 0  # both outcomes were exercised
