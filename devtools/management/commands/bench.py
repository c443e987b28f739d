"""Run one benchmark by name: `manage.py bench tree_page [--members N] [--json]`."""

import json

from django.core.management.base import BaseCommand, CommandError

from devtools import benchmarks


class Command(BaseCommand):
    help = "Measure one figure named by an issue, in a throwaway benchmark database."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(benchmarks.BENCHMARKS), help="which figure")
        parser.add_argument(
            "--members", type=int, default=1_000_000, help="zone size (about 20 members per organisation)"
        )
        parser.add_argument("--seed", type=int, default=2015)
        parser.add_argument("--repeat", type=int, default=30, help="timed runs per measurement")
        parser.add_argument("--json", action="store_true", dest="as_json", help="machine-readable output")

    def handle(self, *args, name, members, seed, repeat, as_json, **options):
        if members < 1:
            raise CommandError("--members must be positive")
        database = benchmarks.bench_database_open(getattr(benchmarks.BENCHMARKS[name], "database", None))
        result = {
            "benchmark": name,
            "database": database,
            "vendor": _vendor(),
            **benchmarks.BENCHMARKS[name](members=members, seed=seed, repeat=repeat),
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2, default=str))


def _vendor():
    from django.db import connection

    return connection.vendor
