"""The lost-contact period of mobile members joins the 2015 revision (frozen here as first set):
six months, N-MOBILE (issue 18)."""

import datetime
from decimal import Decimal

from django.db import migrations

VALUES = {"mobile.lost_contact_months": "6"}


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
    dependencies = [("portal", "0012_policy_second_edition")]
    operations = [migrations.RunPython(forwards, backwards)]
