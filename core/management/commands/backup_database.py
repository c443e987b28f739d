"""Back up the portal's database to a file (README, "Backups")."""

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = "Back up the configured database: pg_dump's custom format on PostgreSQL, a copy of the file on SQLite."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")

    def handle(self, *args, path: str, force: bool, **options):
        try:
            written = backups.database_backup(path=path, force=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{written} ({written.stat().st_size:,} bytes)")
