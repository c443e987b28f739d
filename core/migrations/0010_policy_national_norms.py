"""National norms with their own effective dates (issue 14, items 7 and 8).

N-MEETINGS: migration 0003 put the monthly themed party day (主题党日) into the 2015 revision, a duty
that only 《中国共产党支部工作条例（试行）》 brought, in force from 28 October 2018. The 2015 value is
cleared here (no duty: the opinion of 2015 and the practice of the 三会一课 before 2018 fix none), and
the 条例's norms become a revision of their own on their effective date. The frequencies of the
three meetings, the lecture and the organisational life meeting stay what the practice of the
三会一课 was before (the 条例 confirmed them), now with the 条例 as their source from its day.

N-DEVELOPMENT: the numbers of 《中国共产党发展党员工作细则》(2014), in force before the opinion, join
the 2015 revision (frozen here as first set).
"""

import datetime
from decimal import Decimal

from django.db import migrations

FIRST_DAY = datetime.date(2015, 1, 1)
RULES_2018_DAY = datetime.date(2018, 10, 28)
RULES_2018_NAME = "支部工作条例（试行）"
RULES_2018_SOURCE = "《中国共产党支部工作条例（试行）》（2018年10月28日起施行）"
RULES_2018_VALUES = {
    "meetings.general_a_quarter": "1",
    "meetings.committee_a_month": "1",
    "meetings.group_a_month": "1",
    "meetings.themed_day_a_month": "1",
    "meetings.organisational_life_a_year": "1",
}
DEVELOPMENT_2014 = {
    "development.min_age": "18",
    "development.talk_within_months": "1",
    "development.review_every_months": "6",
    "development.activist_months": "12",
    "development.introducers": "2",
    "development.approval_within_months": "3",
    "development.probation_months": "12",
    "development.extension_min_months": "6",
    "development.extension_max_months": "12",
}


def forwards(apps, schema_editor):
    PolicyRevision = apps.get_model("portal", "PolicyRevision")
    PolicyValue = apps.get_model("portal", "PolicyValue")
    first = PolicyRevision.objects.filter(effective_from=FIRST_DAY).first()
    if first is None:
        return
    PolicyValue.objects.filter(revision=first, key="meetings.themed_day_a_month").update(value=None)
    PolicyValue.objects.bulk_create(
        PolicyValue(revision=first, key=key, value=Decimal(value)) for key, value in DEVELOPMENT_2014.items()
    )
    rules, _created = PolicyRevision.objects.get_or_create(
        effective_from=RULES_2018_DAY,
        defaults={
            "name": RULES_2018_NAME,
            "source": RULES_2018_SOURCE,
            "note": "N-MEETINGS: 主题党日每月相对固定1天，党员大会每季度1次，支委会、党小组会每月1次，组织生活会每年至少1次。",
        },
    )
    for key, value in RULES_2018_VALUES.items():
        PolicyValue.objects.update_or_create(revision=rules, key=key, defaults={"value": Decimal(value)})


def backwards(apps, schema_editor):
    PolicyRevision = apps.get_model("portal", "PolicyRevision")
    PolicyValue = apps.get_model("portal", "PolicyValue")
    PolicyValue.objects.filter(key__in=DEVELOPMENT_2014).delete()
    PolicyRevision.objects.filter(effective_from=RULES_2018_DAY, name=RULES_2018_NAME).delete()
    PolicyValue.objects.filter(revision__effective_from=FIRST_DAY, key="meetings.themed_day_a_month").update(
        value=Decimal(1)
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_policy_dues_collection_day")]
    operations = [migrations.RunPython(forwards, backwards)]
