"""The first policy revision: the 2015 opinion's values (frozen here as they were issued)."""

import datetime
from decimal import Decimal

from django.db import migrations

VALUES_2015 = {
    "activity_fund.agency_min_rate": '0.02',
    "activity_fund.soe_min_rate": '0.005',
    "activity_fund.soe_max_rate": '0.01',
    "activity_fund.non_public_min_rate": '0.003',
    "activity_fund.non_public_max_rate": '0.005',
    "welfare_fund.allocation": '200000',
    "welfare_fund.first_year": '2015',
    "welfare_fund.last_year": '2017',
    "venue_reward.class_1": '8000',
    "venue_reward.class_2": '6000',
    "venue_reward.class_3": '4000',
    "liaison_fund.work_fund_cap": None,
    "liaison_fund.head_allowance_cap": None,
    "liaison_fund.instructor_monthly_cap": None,
    "dues.salary_band_1": '3000',
    "dues.salary_band_2": '5000',
    "dues.salary_band_3": '10000',
    "dues.salary_rate_1": '0.005',
    "dues.salary_rate_2": '0.01',
    "dues.salary_rate_3": '0.015',
    "dues.salary_rate_above": '0.02',
    "dues.pension_band": '5000',
    "dues.pension_rate_low": '0.005',
    "dues.pension_rate_high": '0.01',
    "dues.flat_amount": '0.2',
    "dues.farmer_min": '0.2',
    "dues.farmer_max": '1',
    "weak.village_share": '0.10',
    "weak.community_share": '0.05',
    "weak.other_share": '0.05',
    "leadership.research_days_work_committee": '60',
    "leadership.research_days_department": '90',
    "leadership.contact_days_town": '120',
    "reserve_cadres.minimum": '2',
    "staff_ratio.agency": '0.01',
    "staff_ratio.soe": '0.01',
    "town.full_time_cadres": '1',
    "venue.six_standard_deadline": '2017',
    "lectures.secretary_a_year": '1',
    "talks.per_member_a_year": '1',
    "training.member_hours": '32',
    "training.leader_hours": '56',
    "meetings.general_a_quarter": '1',
    "meetings.committee_a_month": '1',
    "meetings.group_a_month": '1',
    "meetings.themed_day_a_month": '1',
    "meetings.organisational_life_a_year": '1',
    "meetings.lecture_a_quarter": '1',
}


def forwards(apps, schema_editor):
    PolicyRevision = apps.get_model("portal", "PolicyRevision")
    PolicyValue = apps.get_model("portal", "PolicyValue")
    revision = PolicyRevision.objects.create(
        name="2015年意见",
        effective_from=datetime.date(2015, 1, 1),
        source="长高新区发〔2015〕1号《关于加强基层服务型党组织建设的意见》",
    )
    PolicyValue.objects.bulk_create(
        PolicyValue(revision=revision, key=key, value=None if value is None else Decimal(value))
        for key, value in VALUES_2015.items()
    )


def backwards(apps, schema_editor):
    apps.get_model("portal", "PolicyRevision").objects.filter(effective_from=datetime.date(2015, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_policy_revisions")]
    operations = [migrations.RunPython(forwards, backwards)]
