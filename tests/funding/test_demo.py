"""The demo's funding records (issue 5): every funding page of the demo has something to show."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import User
from devtools import demo
from devtools import demo_funding as funding_demo
from funding.models import ActivityFundBudget, DuesPayment, WelfarePayment
from funding.selectors.welfare import welfare_balance

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 5, 20)


def test_the_demo_writes_budgets_welfare_dues_and_aid(client):
    demo.demo_zone_build(seed=5, members=1500)
    written = funding_demo.funding_demo(seed=5, today=TODAY)
    assert written["budgets"] == ActivityFundBudget.objects.filter(year=2025).count() > 0
    payments = WelfarePayment.objects.select_related("project__organisation")
    assert written["welfare_payments"] == payments.count() == 10
    village = payments.first().project.organisation
    balance = welfare_balance(organisation=village, year=2017)
    assert (balance.paid, balance.remaining) == (Decimal(90000), Decimal(110000))
    branch = User.objects.get(username="branch1").organisation
    assert written["dues_payments"] == DuesPayment.objects.filter(organisation=branch).count() > 0
    client.force_login(User.objects.get(username="branch1"))
    assert client.get(reverse("funding:dues", args=[branch.pk, 2026])).status_code == 200
