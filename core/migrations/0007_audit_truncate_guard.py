"""Issue 13 (7): the audit trail refuses TRUNCATE as well as row UPDATE and DELETE, and the retention
purge goes through a function owned by the trail's owner, so the portal's own database role needs
no DELETE on it (README: "The audit trail's own database role"). Issue 13 (4): an action is also a
service's dotted name (`assessments.meeting.attendance_recorded`), up to 100 characters.

SQLite has no TRUNCATE and no roles; but widening the column there rebuilds the table, which drops the
row guard of migration 0006: it is made again after."""

import importlib

from django.db import migrations, models

# Migration 0006's row guard, as (create, drop) statements by database.
ROW_GUARD = importlib.import_module("core.migrations.0006_audit_trail").GUARD

MIN_RETENTION_DAYS = 183  # as migration 0006

GUARD = {
    "postgresql": (
        [
            """CREATE FUNCTION portal_auditentry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit trail is never truncated';
            END $$""",
            "CREATE TRIGGER portal_auditentry_no_truncate BEFORE TRUNCATE ON portal_auditentry "
            "FOR EACH STATEMENT EXECUTE FUNCTION portal_auditentry_no_truncate()",
            # Runs as its owner (who runs the migrations); deletes only what the row guard lets go.
            f"""CREATE FUNCTION portal_auditentry_purge(cutoff timestamptz) RETURNS bigint
            LANGUAGE plpgsql SECURITY DEFINER AS $$
            DECLARE
                deleted bigint;
            BEGIN
                DELETE FROM portal_auditentry
                WHERE "at" < LEAST(cutoff, now() - interval '{MIN_RETENTION_DAYS} days');
                GET DIAGNOSTICS deleted = ROW_COUNT;
                RETURN deleted;
            END $$""",
            "REVOKE ALL ON FUNCTION portal_auditentry_purge(timestamptz) FROM PUBLIC",
        ],
        [
            "DROP FUNCTION IF EXISTS portal_auditentry_purge(timestamptz)",
            "DROP TRIGGER IF EXISTS portal_auditentry_no_truncate ON portal_auditentry",
            "DROP FUNCTION IF EXISTS portal_auditentry_no_truncate()",
        ],
    ),
}


def guard_create(apps, schema_editor):
    connection = schema_editor.connection
    for statement in GUARD.get(connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)
    if connection.vendor == "postgresql":
        # A function run as its owner finds the tables of the schema it was made in, temporary ones last.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = connection.ops.quote_name(cursor.fetchone()[0])
        schema_editor.execute(
            f"ALTER FUNCTION portal_auditentry_purge(timestamptz) SET search_path = {schema}, pg_temp"
        )


def guard_drop(apps, schema_editor):
    for statement in GUARD.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


def sqlite_row_guard(apps, schema_editor):
    """After a table rebuild on SQLite (the column widened, or narrowed again on the way back)."""
    if schema_editor.connection.vendor == "sqlite":
        create, drop = ROW_GUARD["sqlite"]
        for statement in (*drop, *create):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_audit_trail")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_row_guard),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("delete", "Deleted"),
                    ("login", "Logged in"),
                    ("login_failed", "Failed login"),
                    ("logout", "Logged out"),
                    ("reauth", "Password confirmed"),
                    ("reauth_failed", "Password confirmation failed"),
                    ("export", "Exported"),
                    ("import", "Imported"),
                    ("bulk", "Bulk operation"),
                    ("purge", "Old entries purged"),
                ],
                max_length=100,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(sqlite_row_guard, migrations.RunPython.noop),
        migrations.RunPython(guard_create, guard_drop),
    ]
