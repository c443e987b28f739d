"""The portal's database role in production, apart from the role that owns the tables (issue 13,
item 7; README: "The audit trail's own database role").

The owner (`portal_owner`) runs the migrations and owns every table, the audit trail's triggers and
its purge function. The portal runs as another role (`portal_app`) that reads and writes the
records but may only read and add audit entries: no UPDATE, DELETE or TRUNCATE on the trail, and,
not owning it, no ALTER TABLE … DISABLE TRIGGER. The nightly purge reaches the old entries through
`portal_auditentry_purge()` (migration 0007), which runs as the owner and keeps six months."""

from django.db import connection, transaction

from core.models import AuditEntry

RECORD_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"
AUDIT_PRIVILEGES = "SELECT, INSERT"
PURGE_FUNCTION = "portal_auditentry_purge(timestamptz)"


class RoleError(Exception):
    pass


def app_role_statements(*, role: str, database: str, schema: str) -> list[str]:
    """The grants, run by the owner after each `migrate` (they are idempotent): everything the portal
    does at run time, tables the owner creates later included, but only reading and adding on the trail."""
    quote = connection.ops.quote_name
    role, database, schema, trail = quote(role), quote(database), quote(schema), quote(AuditEntry._meta.db_table)
    return [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT {RECORD_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {RECORD_PRIVILEGES} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role}",
        f"REVOKE ALL ON TABLE {trail} FROM {role}",
        f"GRANT {AUDIT_PRIVILEGES} ON TABLE {trail} TO {role}",
        f"GRANT EXECUTE ON FUNCTION {PURGE_FUNCTION} TO {role}",
    ]


def app_role_check(*, role: str) -> None:
    """Refuse a role that could change the trail anyway: its owner, a superuser, a member of the owner."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, c.relowner = r.oid, pg_has_role(r.oid, c.relowner, 'MEMBER') "
            "FROM pg_roles r, pg_class c WHERE r.rolname = %s AND c.oid = %s::regclass",
            [role, AuditEntry._meta.db_table],
        )
        found = cursor.fetchone()
    if found is None:
        raise RoleError(f"No role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD '…').")
    superuser, owner, member = found
    if superuser or owner or member:
        raise RoleError(f"{role} owns the audit trail or can act as its owner: the portal must run as another role.")


def app_role_grant(*, role: str, dry_run: bool = False) -> list[str]:
    """Check the role and grant it what the portal needs, in one transaction; returns the statements
    (only returns them with `dry_run`, for a database administrator to run)."""
    if connection.vendor != "postgresql":
        raise RoleError("Database roles are PostgreSQL's; the embedded SQLite has none.")
    app_role_check(role=role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    statements = app_role_statements(role=role, database=database, schema=schema)
    if dry_run:
        return statements
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
