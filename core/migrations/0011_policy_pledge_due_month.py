"""Q-INTEGRITY-PLEDGE's due date becomes a parameter (issue 14): the 2015 revision (frozen here as first
set) asks for the year's pledges from the end of June, as the rule did before."""

import datetime
from decimal import Decimal

from django.db import migrations

VALUES = {"pledge.due_month": "6"}


def forwards(apps, schema_editor):
    PolicyRevision = apps.get_model("portal", "PolicyRevision")
    PolicyValue = apps.get_model("portal", "PolicyValue")
    revision = PolicyRevision.objects.filter(effective_from=datetime.date(2015, 1, 1)).first()
    if revision is None:
        return
    PolicyValue.objects.bulk_create(
        PolicyValue(revision=revision, key=key, value=Decimal(value)) for key, value in VALUES.items()
    )


def backwards(apps, schema_editor):
    apps.get_model("portal", "PolicyValue").objects.filter(key__in=VALUES).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_policy_national_norms")]
    operations = [migrations.RunPython(forwards, backwards)]
