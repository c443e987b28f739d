"""The audit trail (issue 7), and the database's own guard on it: an entry is never updated, and
none younger than 183 days (six months) is deleted, whoever holds the database account the portal
uses. The retention purge (core.audit.audit_purge) deletes only older ones."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MIN_RETENTION_DAYS = 183

GUARD = {
    "postgresql": (
        [
            f"""CREATE FUNCTION portal_auditentry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION 'audit entries are never changed';
                END IF;
                IF OLD."at" > now() - interval '{MIN_RETENTION_DAYS} days' THEN
                    RAISE EXCEPTION 'audit entries are kept at least {MIN_RETENTION_DAYS} days';
                END IF;
                RETURN OLD;
            END $$""",
            "CREATE TRIGGER portal_auditentry_guard BEFORE UPDATE OR DELETE ON portal_auditentry "
            "FOR EACH ROW EXECUTE FUNCTION portal_auditentry_guard()",
        ],
        [
            "DROP TRIGGER IF EXISTS portal_auditentry_guard ON portal_auditentry",
            "DROP FUNCTION IF EXISTS portal_auditentry_guard()",
        ],
    ),
    "sqlite": (
        [
            "CREATE TRIGGER portal_auditentry_no_update BEFORE UPDATE ON portal_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END",
            f"""CREATE TRIGGER portal_auditentry_keep BEFORE DELETE ON portal_auditentry
            WHEN OLD."at" > datetime('now', '-{MIN_RETENTION_DAYS} days')
            BEGIN SELECT RAISE(ABORT, 'audit entries are kept at least {MIN_RETENTION_DAYS} days'); END""",
        ],
        [
            "DROP TRIGGER IF EXISTS portal_auditentry_no_update",
            "DROP TRIGGER IF EXISTS portal_auditentry_keep",
        ],
    ),
}


def guard_create(apps, schema_editor):
    for statement in GUARD.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement)


def guard_drop(apps, schema_editor):
    for statement in GUARD.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0005_policy_assessment'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(choices=[('bureau', 'Bureau staff'), ('org_admin', 'Organisation administrator'), ('auditor', 'Auditor'), ('sysadmin', 'System administrator')], default='org_admin', max_length=16, verbose_name='role'),
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                ('username', models.CharField(blank=True, max_length=150, verbose_name='username')),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('action', models.CharField(choices=[('create', 'Created'), ('update', 'Changed'), ('delete', 'Deleted'), ('login', 'Logged in'), ('login_failed', 'Failed login'), ('logout', 'Logged out'), ('reauth', 'Password confirmed'), ('reauth_failed', 'Password confirmation failed'), ('export', 'Exported'), ('import', 'Imported'), ('bulk', 'Bulk operation'), ('purge', 'Old entries purged')], max_length=16, verbose_name='action')),
                ('model', models.CharField(blank=True, max_length=100, verbose_name='record type')),
                ('object_pk', models.CharField(blank=True, max_length=64, verbose_name='record number')),
                ('object_repr', models.CharField(blank=True, max_length=200, verbose_name='record')),
                ('changes', models.JSONField(blank=True, default=dict, verbose_name='changes')),
                ('extra', models.JSONField(blank=True, default=dict, verbose_name='details')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='account')),
            ],
            options={
                'verbose_name': 'audit entry',
                'verbose_name_plural': 'audit trail',
                'indexes': [models.Index(fields=['model', 'object_pk'], name='audit_object'), models.Index(fields=['username', 'at'], name='audit_username')],
            },
        ),
        migrations.RunPython(guard_create, guard_drop),
    ]
