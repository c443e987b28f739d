"""The towns above each mobile record's home and receiving organisation, kept on the record for the
bureau's view by town (issue 18, members.mobile.mobile_zone), filled from the tree."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr

TOWN_PATH = 8  # the path of a depth-2 organisation (steplen 4)


def towns_fill(apps, schema_editor):
    """As members.mobile.mobile_towns_fill does: one UPDATE from the organisations' paths."""
    MobileRecord = apps.get_model("members", "MobileRecord")
    Organisation = apps.get_model("branches", "Organisation")

    def town(field):
        path = Organisation.objects.filter(pk=OuterRef(OuterRef(field))).values("path")[:1]
        return Subquery(
            Organisation.objects.filter(depth=2, path=Substr(Subquery(path), 1, TOWN_PATH)).values("pk")[:1]
        )

    MobileRecord.objects.update(home_town=town("home_organisation"), receiving_town=town("receiving_organisation"))


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0003_sector_town_street"),
        ("members", "0013_mobile_lost_contact_and_dues"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="mobilerecord",
            name="home_town",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="branches.organisation",
                verbose_name="town of the home organisation",
            ),
        ),
        migrations.AddField(
            model_name="mobilerecord",
            name="receiving_town",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="branches.organisation",
                verbose_name="town of the receiving organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="mobilerecord",
            index=models.Index(
                condition=models.Q(("member__isnull", False), ("returned_on__isnull", True)),
                fields=["home_town", "home_organisation"],
                include=("decision", "last_contact_on", "since", "receiving_organisation", "id"),
                name="mobile_open_out_town",
            ),
        ),
        migrations.AddIndex(
            model_name="mobilerecord",
            index=models.Index(
                condition=models.Q(("receiving_organisation__isnull", False), ("returned_on__isnull", True)),
                fields=["receiving_town"],
                include=("id",),
                name="mobile_open_in_town",
            ),
        ),
        migrations.AddIndex(
            model_name="mobilerecord",
            index=models.Index(
                condition=models.Q(
                    ("member__isnull", False), ("receiving_organisation__isnull", True), ("returned_on__isnull", True)
                ),
                fields=["place"],
                include=("id",),
                name="mobile_open_out_place",
            ),
        ),
        # Filled once the indexes stand: built on empty columns, they are usable at once (no pg_index.indcheckxmin).
        migrations.RunPython(towns_fill, migrations.RunPython.noop),
    ]
