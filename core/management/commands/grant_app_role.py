"""Grant the portal's run-time database role what it needs, and on the audit trail only reading and
adding (README: "The audit trail's own database role"). Run as the tables' owner after `migrate`."""

from django.core.management.base import BaseCommand, CommandError

from core import dbroles


class Command(BaseCommand):
    help = (
        "Grant ROLE (the role in the portal's DATABASE_URL, not the owner) read and write on the records "
        "and SELECT, INSERT only on the audit trail. Run as the owner of the tables, after each migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the portal's run-time role, e.g. portal_app")
        parser.add_argument("--sql", action="store_true", help="print the statements instead of running them")

    def handle(self, *args, role: str, sql: bool, **options):
        try:
            statements = dbroles.app_role_grant(role=role, dry_run=sql)
        except dbroles.RoleError as exc:
            raise CommandError(str(exc)) from exc
        for statement in statements:
            self.stdout.write(f"{statement};" if sql else statement)
