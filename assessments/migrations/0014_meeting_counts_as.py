"""One activity, several duties (issue 12): a themed party day that includes a party lecture or is held
as the branch general meeting counts for each kind it covers."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0013_annual_report_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='counts_as_general',
            field=models.BooleanField(default=False, verbose_name='also counts as the branch general meeting'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='counts_as_lecture',
            field=models.BooleanField(default=False, verbose_name='also counts as a party lecture'),
        ),
    ]
