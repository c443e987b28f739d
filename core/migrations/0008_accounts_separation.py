"""Issue 13 (2, 12): role grants proposed by one system administrator and confirmed by another (an account
waits without a role meanwhile), the last passwords' hashes, and when the password was last changed
(existing accounts count from this migration)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_initial'),
        ('portal', '0007_audit_truncate_guard'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='password_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='password changed at'),
        ),
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(blank=True, choices=[('bureau', 'Bureau staff'), ('org_admin', 'Organisation administrator'), ('auditor', 'Auditor'), ('sysadmin', 'System administrator')], default='org_admin', max_length=16, verbose_name='role'),
        ),
        migrations.CreateModel(
            name='PasswordHistory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('set_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-set_at', '-pk'],
                'indexes': [models.Index(fields=['user', '-set_at'], name='password_history_user')],
            },
        ),
        migrations.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('bureau', 'Bureau staff'), ('org_admin', 'Organisation administrator'), ('auditor', 'Auditor'), ('sysadmin', 'System administrator')], max_length=16, verbose_name='role')),
                ('state', models.CharField(choices=[('proposed', 'Awaiting confirmation'), ('confirmed', 'Confirmed'), ('refused', 'Refused')], default='proposed', max_length=16, verbose_name='state')),
                ('proposed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed or refused at')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed or refused by')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.organisation', verbose_name='organisation')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='role_grants', to=settings.AUTH_USER_MODEL, verbose_name='account')),
            ],
            options={
                'verbose_name': 'role grant',
                'verbose_name_plural': 'role grants',
                'ordering': ['-proposed_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'proposed')), fields=('user',), name='role_grant_one_proposed'), models.CheckConstraint(condition=models.Q(('proposed_by', models.F('user')), _negated=True), name='role_grant_not_own'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'confirmed'), _negated=True), models.Q(models.Q(('decided_by', models.F('proposed_by')), _negated=True), models.Q(('decided_by', models.F('user')), _negated=True)), _connector='OR'), name='role_grant_second_person')],
            },
        ),
    ]
