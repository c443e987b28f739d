"""Backup and restore of the portal's database (README, "Backups"; `manage.py backup_database`,
`manage.py restore_database`).

PostgreSQL: pg_dump's custom format (compressed; restored by pg_restore in one transaction, so a
restore that fails leaves the database as it was). The client tools must be of the server's major
version or newer. SQLite (the embedded default): a consistent copy made with SQLite's online backup
API, safe while the portal runs. A restore goes into an empty database unless forced, never
silently over the portal's data. Uploaded files (MEDIA_ROOT) are files: copied beside the backup.
"""

import contextlib
import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


def _is_postgresql(database: dict) -> bool:
    return database["ENGINE"] == "django.db.backends.postgresql"


def database_backup(*, path: Path, force: bool = False, database: dict | None = None) -> Path:
    """Write a backup of the database (the configured one by default) to `path`: a temporary file
    renamed at the end, so a failed backup leaves no half file behind."""
    database, path = database or connection.settings_dict, Path(path)
    if path.exists() and not force:
        raise BackupError(_("%(path)s exists: give another path, or --force to overwrite it.") % {"path": path})
    partial = path.with_name(path.name + ".partial")
    try:
        if _is_postgresql(database):
            _pg_run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(partial),
                    database["NAME"],
                ],
                database,
            )
        else:
            with _sqlite(database["NAME"], read_only=True) as source, _sqlite(partial) as target:
                source.backup(target)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def database_restore(*, path: Path, force: bool = False, database: dict | None = None) -> None:
    """Restore a backup made by `database_backup` into the database (the configured one by default):
    only into an empty one unless `force`, which replaces what the backup holds."""
    database, path = database or connection.settings_dict, Path(path)
    if not path.is_file():
        raise BackupError(_("No backup file at %(path)s.") % {"path": path})
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    postgresql = _is_postgresql(database)
    if not head.startswith(PG_MAGIC if postgresql else SQLITE_MAGIC):
        raise BackupError(
            _("%(path)s is not a backup of a %(engine)s database made by backup_database.")
            % {"path": path, "engine": "PostgreSQL" if postgresql else "SQLite"}
        )
    tables = _table_count(database)
    if tables and not force:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(tables)s tables): restore into a new, empty database, "
                "or give --force to replace its contents."
            )
            % {"name": database["NAME"], "tables": tables}
        )
    connection.close()  # nothing of ours holds a lock on what the restore replaces
    if postgresql:
        clean = ["--clean", "--if-exists"] if tables else []
        _pg_run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *clean,
                "--dbname",
                database["NAME"],
                str(path),
            ],
            database,
        )
    else:
        with _sqlite(path, read_only=True) as source, _sqlite(database["NAME"]) as target:
            source.backup(target)


def _table_count(database: dict) -> int:
    if _is_postgresql(database):
        return len(connection.introspection.table_names())
    if not Path(database["NAME"]).exists():
        return 0
    with _sqlite(database["NAME"], read_only=True) as target:
        return target.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]


def _pg_run(command: list[str], database: dict) -> None:
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    if sslmode := database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(_("%(tool)s is not installed (the PostgreSQL client tools).") % {"tool": command[0]}) from exc
    if done.returncode:
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": command[0], "error": done.stderr.strip()})


def _sqlite(name, *, read_only: bool = False) -> contextlib.closing:
    """A plain sqlite3 connection to a file, closed on exit."""
    uri = Path(name).resolve().as_uri() + ("?mode=ro" if read_only else "")
    return contextlib.closing(sqlite3.connect(uri, uri=True))
