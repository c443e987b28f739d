"""The dues collection day joins the 2015 revision (frozen here as first set): the zone's own choice,
the rules on party dues fix no day (issue 12)."""

import datetime
from decimal import Decimal

from django.db import migrations

VALUES = {"dues.collection_day": "25"}


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
    dependencies = [("portal", "0008_accounts_separation")]
    operations = [migrations.RunPython(forwards, backwards)]
