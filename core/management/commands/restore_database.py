"""Restore a backup made by backup_database into the configured database (README, "Backups")."""

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = "Restore a backup made by backup_database into the configured database, which must be empty unless --force."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to restore")
        parser.add_argument("--force", action="store_true", help="replace the contents of a database that is not empty")

    def handle(self, *args, path: str, force: bool, **options):
        try:
            backups.database_restore(path=path, force=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path} restored; run `manage.py migrate` if the code is newer than the backup.")
