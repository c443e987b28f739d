"""Benchmark of the activity-fund report (issue 5), run by `manage.py bench funding_report`."""

import random
import time
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches.enums import Sector
from core.models import User
from core.policy import policy_for_year
from devtools.benchmarks import _timings, zone_ensure
from funding.models import ActivityFundBudget
from funding.selectors import activity as selectors
from funding.services import activity as services

BENCH_SHARE = 0.85  # units with a budget entered
BELOW_SHARE = 0.15  # of those, budgets under the minimum


def bench_funding_report(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 5: the zone's activity-fund report as the bureau (target <= 300 ms), with budgets for
    last year for about 85% of the funded units, some under the minimum; also with a sector
    filter (the drill-down list) and the export of every unit row."""
    zone = zone_ensure(members=members, seed=seed)
    year = timezone.localdate().year - 1
    policy = policy_for_year(year)
    rng = random.Random(seed)
    started = time.perf_counter()
    ActivityFundBudget.objects.filter(year=year).delete()
    units = selectors.activity_units().values_list("pk", "sector", "wage_bill", "standard_wage_bill")
    budgets = []
    for pk, sector, wage_bill, standard_wage_bill in units:
        if rng.random() > BENCH_SHARE:
            continue
        wage = services.wage_figure(sector=sector, wage_bill=wage_bill, standard_wage_bill=standard_wage_bill)
        wage = wage or Decimal(rng.randint(50, 500) * 10000)
        minimum, maximum = services.activity_fund_range(
            formula=services.FORMULA_BY_SECTOR[sector], wage_bill=wage, policy=policy
        )
        budget = minimum - Decimal("0.01") if rng.random() < BELOW_SHARE else (maximum or minimum * 2)
        budgets.append(ActivityFundBudget(organisation_id=pk, year=year, wage_bill=wage, budget=budget))
    ActivityFundBudget.objects.bulk_create(budgets, batch_size=5000)
    seeded = round(time.perf_counter() - started, 2)
    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    report_url = reverse("funding:activity_report", args=[year])

    def get(url, **params):
        def request():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            if response.get("Content-Type", "").startswith("application/vnd"):
                assert len(response.content) > 0

        return request

    return {
        "zone": zone,
        "year": year,
        "units": len(units),
        "budgets": len(budgets),
        "seed_seconds": seeded,
        "report": _timings(get(report_url), repeat),
        "report_sector_filter": _timings(get(report_url, sector=Sector.NON_PUBLIC.value), repeat),
        "report_flagged_filter": _timings(get(report_url, flagged="1"), repeat),
        "export": _timings(get(reverse("funding:activity_export", args=[year])), max(3, repeat // 10)),
    }
