"""The parameters of the catalogue's second edition join the 2015 revision (frozen here as first set):
Q-LIFE-MEETING, Q-FOUR-DELIBERATIONS and Q-WEAK-CRITERIA (issue 14)."""

import datetime
from decimal import Decimal

from django.db import migrations

VALUES = {
    "meetings.democratic_life_a_year": "1",
    "deliberations.stall_days": "60",
    "deliberations.result_days": "365",
    "weak.criteria_secretary_vacant_days": "180",
    "weak.criteria_days_without_meetings": "180",
}


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
    dependencies = [("portal", "0011_policy_pledge_due_month")]
    operations = [migrations.RunPython(forwards, backwards)]
