"""S-SECTOR split into town and street (branches 0003): the sector choices of weak selections, and the
compliance tallies of streets' organisations counted under the street's sector from now on."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    RuleTally = apps.get_model("assessments", "RuleTally")
    RuleTally.objects.filter(sector="town", town__sector="street").update(sector="street")


def backwards(apps, schema_editor):
    apps.get_model("assessments", "RuleTally").objects.filter(sector="street").update(sector="town")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0014_meeting_counts_as"), ("branches", "0003_sector_town_street")]

    operations = [
        migrations.AlterField(
            model_name="weakselection",
            name="type",
            field=models.CharField(
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
                verbose_name="type of organisation",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
