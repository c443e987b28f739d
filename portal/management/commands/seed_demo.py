"""Build the demo zone and print the demo logins."""

import json as jsonlib
import time

from django.core.management.base import BaseCommand

from portal import demo
from portal.models import User


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
            demo.demo_zone_reset()
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
            result = demo.demo_zone_build(seed=seed, members=members, progress=None if as_json else self.stdout.write)
            result["seconds"] = round(time.perf_counter() - started, 2)
            if not as_json:
                self.stdout.write(
                    f"Built {result['organisations']} organisations, {result['members']} members, "
                    f"{result['posts']} posts in {result['seconds']} s."
                )
        if as_json:
            self.stdout.write(_json_dumps(result))
            return
        self.stdout.write("\nDemo logins (password for all: %s):" % demo.DEMO_PASSWORD)
        for login in result["logins"]:
            self.stdout.write(f"  {login['username']:<12} {login['role']:<10} {login['organisation']}")

    def _existing_logins(self):
        return [
            {
                "username": u.username,
                "password": demo.DEMO_PASSWORD,
                "role": str(u.get_role_display()),
                "organisation": u.organisation.name if u.organisation else "",
            }
            for u in User.objects.select_related("organisation")
            .filter(username__in=["bureau", "auditor", "town1", "branch1", "enterprise1"])
            .order_by("pk")
        ]


def _json_dumps(value):
    return jsonlib.dumps(value, ensure_ascii=False, indent=2)
