"""Run the compliance check in-process (no broker needed) and print the findings' counts per rule."""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.compliance.catalogue import RULES
from assessments.compliance.engine import compliance_run
from assessments.models import ComplianceRun


class Command(BaseCommand):
    help = "Evaluate every rule of the 2015 opinion for a year and merge the findings (what beat runs nightly)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="the year to check (default: this year)")
        parser.add_argument("--rule", action="append", default=[], help="only this clause (repeatable)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, year, rule, json: bool, **options):
        year = year or timezone.localdate().year
        unknown = sorted(set(rule) - set(RULES))
        if unknown:
            raise CommandError(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(sorted(RULES))}")
        run = compliance_run(year=year, rules=rule, trigger="command")
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        result = {
            "run": run.pk,
            "year": year,
            "state": run.state,
            "seconds": round(seconds, 2) if seconds else None,
            "checked": run.checked,
            "opened": run.opened,
            "resolved": run.resolved,
            "open": run.open_total,
            "rules": run.summary.get("rules", {}),
            "error": run.error.splitlines()[-1] if run.error else "",
        }
        if json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"Compliance run {run.pk} of {year}: {run.state} in {result['seconds']} s")
            self.stdout.write(f"{'rule':28} {'checked':>9} {'failed':>9} {'open':>9} {'seconds':>8}")
            for clause, counts in sorted(result["rules"].items()):
                self.stdout.write(
                    f"{clause:28} {counts['checked']:>9} {counts['failed']:>9} {counts['open']:>9} "
                    f"{counts['seconds']:>8}"
                )
            self.stdout.write(f"opened {run.opened}, resolved {run.resolved}, open {run.open_total}")
            if run.error:
                self.stderr.write(run.error)
        if run.state != ComplianceRun.State.DONE:
            raise SystemExit(1)
