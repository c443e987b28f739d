"""The database's own guard on the audit trail (issue 13, item 7): the owner's TRUNCATE is refused by
a trigger, and the portal's run-time role, granted by `grant_app_role` as the README sets it up,
reads and adds entries and can neither change, delete, truncate nor unguard them."""

import io
import sqlite3
import uuid

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core import audit
from core.enums import AuditAction
from core.models import AuditEntry
from tests.portal.conftest import manage, service_env

TRAIL = AuditEntry._meta.db_table
INSUFFICIENT_PRIVILEGE = "42501"


@pytest.mark.django_db
def test_the_owner_cannot_truncate_the_trail():
    audit.log_action(action=AuditAction.LOGIN, username="someone")
    for statement in (f"TRUNCATE {TRAIL}", f"TRUNCATE {TRAIL} CASCADE", f"TRUNCATE {TRAIL}, django_session"):
        with (
            pytest.raises(DatabaseError, match="the audit trail is never truncated"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEntry.objects.filter(username="someone").count() == 1


@pytest.mark.django_db
def test_the_owner_cannot_be_the_portals_role():
    with pytest.raises(CommandError, match="owns the audit trail or can act as its owner"):
        call_command("grant_app_role", connection.settings_dict["USER"])
    with pytest.raises(CommandError, match="No role"):
        call_command("grant_app_role", f"nobody_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def app_role(transactional_db):
    """A role made and granted as the README says (roles are the cluster's: a name of its own), dropped after."""
    role, password = f"portal_app_test_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", [password])
    try:
        call_command("grant_app_role", role, stdout=io.StringIO())
        settings = connection.settings_dict
        app = psycopg2.connect(
            dbname=settings["NAME"],
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=role,
            password=password,
        )
        try:
            yield app
        finally:
            app.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def attempt(app, sql: str) -> str:
    """'ok', or the SQLSTATE of the refusal; nothing is kept either way."""
    try:
        with app.cursor() as cursor:
            cursor.execute(sql)
        return "ok"
    except psycopg2.Error as exc:
        return exc.pgcode
    finally:
        app.rollback()


def test_the_portals_role_adds_entries_and_changes_none(app_role):
    insert = (
        f"INSERT INTO {TRAIL} (at, username, action, model, object_pk, object_repr, changes, extra) "
        "VALUES (now(), 'app', 'login', '', '', '', '{}', '{}')"
    )
    assert {
        "insert": attempt(app_role, insert),
        "select": attempt(app_role, f"SELECT count(*) FROM {TRAIL}"),
        "purge": attempt(app_role, "SELECT portal_auditentry_purge(now())"),
        "records": attempt(app_role, "UPDATE branches_organisation SET name = name WHERE id < 0"),
        "update": attempt(app_role, f"UPDATE {TRAIL} SET username = 'x'"),
        "delete": attempt(app_role, f"DELETE FROM {TRAIL}"),
        "truncate": attempt(app_role, f"TRUNCATE {TRAIL}"),
        "disable": attempt(app_role, f"ALTER TABLE {TRAIL} DISABLE TRIGGER portal_auditentry_guard"),
        "disable_all": attempt(app_role, f"ALTER TABLE {TRAIL} DISABLE TRIGGER ALL"),
        "drop_trigger": attempt(app_role, f"DROP TRIGGER portal_auditentry_no_truncate ON {TRAIL}"),
        "replica": attempt(app_role, "SET session_replication_role = replica"),
    } == {
        "insert": "ok",
        "select": "ok",
        "purge": "ok",
        "records": "ok",
        "update": INSUFFICIENT_PRIVILEGE,
        "delete": INSUFFICIENT_PRIVILEGE,
        "truncate": INSUFFICIENT_PRIVILEGE,
        "disable": INSUFFICIENT_PRIVILEGE,
        "disable_all": INSUFFICIENT_PRIVILEGE,
        "drop_trigger": INSUFFICIENT_PRIVILEGE,
        "replica": INSUFFICIENT_PRIVILEGE,
    }


def test_the_portals_role_purges_only_entries_past_six_months(app_role):
    entry = audit.log_action(action=AuditAction.LOGIN, username="recent")
    with app_role.cursor() as cursor:
        cursor.execute("SELECT portal_auditentry_purge(now() + interval '1 day')")
        deleted = cursor.fetchone()[0]
    app_role.commit()
    assert (deleted, AuditEntry.objects.filter(pk=entry.pk).exists()) == (0, True)


def test_the_embedded_database_keeps_its_row_guard_after_the_column_is_widened(tmp_path):
    """SQLite rebuilds a table to widen a column (migration 0007), which drops its triggers: made again."""
    manage("migrate", "--noinput", "--verbosity", "0", env=service_env(PORTAL_VAR_DIR=str(tmp_path)))
    database = sqlite3.connect(tmp_path / "portal.sqlite3")
    database.execute(
        f"INSERT INTO {TRAIL} (at, username, action, model, object_pk, object_repr, changes, extra) "
        "VALUES (datetime('now'), 'x', 'assessments.meeting.attendance_recorded', '', '', '', '{}', '{}')"
    )
    refused = []
    for statement in (f"UPDATE {TRAIL} SET username = 'y'", f"DELETE FROM {TRAIL}"):
        try:
            database.execute(statement)
        except sqlite3.DatabaseError as exc:
            refused.append(str(exc))
    database.close()
    assert refused == ["audit entries are never changed", "audit entries are kept at least 183 days"]


def test_the_grants_print_for_a_database_administrator(app_role):
    out = io.StringIO()
    call_command("grant_app_role", app_role.info.user, "--sql", stdout=out)
    lines = out.getvalue().splitlines()
    assert (len(lines), all(line.endswith(";") for line in lines)) == (9, True)
    assert f'GRANT SELECT, INSERT ON TABLE "{TRAIL}" TO "{app_role.info.user}";' in lines
