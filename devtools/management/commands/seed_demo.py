"""Build the demo zone and print the demo logins."""

import calendar
import datetime
import json as jsonlib
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments.compliance.engine import compliance_run
from core import audit
from core.enums import AuditAction
from core.models import User
from devtools import demo
from devtools.demo_activity import activity_generate
from devtools.demo_funding import funding_demo


class Command(BaseCommand):
    help = "Build a realistic, deterministic demo zone (bulk inserts) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2015, help="random seed (same seed, same zone)")
        parser.add_argument(
            "--members",
            type=int,
            default=demo.DEFAULT_MEMBERS,
            help="number of members; the tree grows with it (about 20 members per organisation)",
        )
        parser.add_argument("--reset", action="store_true", help="delete the existing zone first")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, seed, members, reset, json: bool, **options):
        as_json = json
        if reset:
            with audit.suppressed():  # one audit entry for the operation, none per row (issue 7)
                demo.demo_zone_reset()
            audit.log_action(action=AuditAction.BULK, model="portal.demo", extra={"operation": "reset"})
        if demo.demo_zone_exists():
            result = {
                "organisations": None,
                "members": None,
                "posts": None,
                "seconds": 0.0,
                "logins": self._existing_logins(),
            }
            if not as_json:
                self.stdout.write("The demo zone is already in the database; use --reset to rebuild it.")
        else:
            started = time.perf_counter()
            say = None if as_json else self.stdout.write
            with audit.suppressed():
                result = demo.demo_zone_build(seed=seed, members=members, progress=say)
            result["seconds"] = round(time.perf_counter() - started, 2)
            if not as_json:
                self.stdout.write(
                    f"Built {result['organisations']} organisations, {result['members']} members, "
                    f"{result['posts']} posts in {result['seconds']} s."
                )
            with audit.suppressed():
                result["funding"] = funding_demo(seed=seed, today=timezone.localdate())
                result["activity"] = activity_and_checks(seed=seed)
            counts = {key: result[key] for key in ("organisations", "members", "posts")}
            audit.log_action(
                action=AuditAction.BULK, model="portal.demo", extra={"operation": "build", "seed": seed, **counts}
            )
            if not as_json:
                activity = result["activity"]
                self.stdout.write(
                    f"Generated {activity['meetings']} meetings and {activity['records']} other records of "
                    f"{' and '.join(str(y) for y in activity['years'])} in {activity['seconds']} s; "
                    f"ran {activity['runs']} compliance checks in {activity['checks_seconds']} s."
                )
                funding = result["funding"]
                self.stdout.write(
                    f"Funding: {funding['budgets']} activity-fund budgets, {funding['welfare_payments']} welfare "
                    f"payments, {funding['dues_payments']} dues payments."
                )
        if as_json:
            self.stdout.write(_json_dumps(result))
            return
        self.stdout.write("\nDemo logins (password for all: %s):" % demo.DEMO_PASSWORD)
        for login in result["logins"]:
            self.stdout.write(
                f"  {login['username']:<12} {login['role']:<10} {login['name']:<16} {login['organisation']}"
            )

    def _existing_logins(self):
        return [
            {
                "username": u.username,
                "password": demo.DEMO_PASSWORD,
                "name": u.display_name,
                "role": str(u.get_role_display()),
                "organisation": u.organisation.name if u.organisation else "",
            }
            for u in User.objects.select_related("organisation")
            .filter(username__in=["bureau", "auditor", "sysadmin", "town1", "branch1", "enterprise1"])
            .order_by("pk")
        ]


def activity_and_checks(*, seed: int) -> dict:
    """Last year's and this year's activity (the demo branch keeps its own), then the compliance
    check of last year, and of this year as of each month end so far and today (the dashboard's trend)."""

    today = timezone.localdate()
    started = time.perf_counter()
    years = [today.year - 1, today.year]
    generated = [activity_generate(year=year, seed=seed, today=today) for year in years]
    seconds = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    month_ends = [datetime.date(today.year, m, calendar.monthrange(today.year, m)[1]) for m in range(1, today.month)]
    days = [*month_ends, today]
    runs = [compliance_run(year=years[0], today=today, trigger="demo")]
    runs += [compliance_run(year=years[1], today=day, trigger="demo") for day in days]
    return {
        "years": years,
        "meetings": sum(g.get("meetings", 0) for g in generated),
        "records": sum(n for g in generated for k, n in g.items() if k not in ("year", "seconds", "steps", "meetings")),
        "seconds": seconds,
        "runs": len(runs),
        "failed_runs": sum(run.state != "done" for run in runs),
        "checks_seconds": round(time.perf_counter() - started, 2),
    }


def _json_dumps(value):
    return jsonlib.dumps(value, ensure_ascii=False, indent=2)
