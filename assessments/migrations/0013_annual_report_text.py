"""The special report itself (issue 12): its text and an optional file (a scan or a photo, core.uploads)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0012_attendance_nonvoting'),
    ]

    operations = [
        migrations.AddField(
            model_name='annualreport',
            name='attachment',
            field=models.FileField(blank=True, upload_to='reports/%Y/', verbose_name='report file'),
        ),
        migrations.AddField(
            model_name='annualreport',
            name='attachment_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='file name'),
        ),
        migrations.AddField(
            model_name='annualreport',
            name='text',
            field=models.TextField(blank=True, verbose_name='text of the report'),
        ),
    ]
