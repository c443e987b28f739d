"""S-SECTOR: towns (乡镇) and streets (街道) are two sectors (issue 14): Q-TOWN-CONGRESS is the towns'
only ("在乡镇推行党代会年会制"). An organisation of the old joint sector "town" becomes a street when it
or an organisation above it of that sector is named as a street (街道 in its name or unit); the rest
stay towns (镇)."""

from django.db import migrations, models
from django.db.models import Q

STREET_WORD = "街道"


def forwards(apps, schema_editor):
    Organisation = apps.get_model("branches", "Organisation")
    towns = Organisation.objects.filter(sector="town")
    named = towns.filter(Q(name__contains=STREET_WORD) | Q(unit_name__contains=STREET_WORD))
    paths = sorted(named.values_list("path", flat=True))
    tops = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
    for path in tops:
        towns.filter(path__startswith=path).update(sector="street")


def backwards(apps, schema_editor):
    apps.get_model("branches", "Organisation").objects.filter(sector="street").update(sector="town")


class Migration(migrations.Migration):
    dependencies = [("branches", "0002_initial")]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="sector",
            field=models.CharField(
                blank=True,
                choices=[
                    ("agency", "Agency"),
                    ("public_institution", "Public institution"),
                    ("village", "Village"),
                    ("community", "Community"),
                    ("town", "Town"),
                    ("street", "Street (sub-district)"),
                    ("soe", "State-owned enterprise"),
                    ("non_public", "Non-public enterprise"),
                    ("social_organisation", "Social organisation"),
                    ("school", "School"),
                    ("incubator", "Incubator"),
                ],
                max_length=24,
                verbose_name="sector",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
