"""Issue 12, labels: a word shared by two meanings gets a context (a date range is no transfer's
"from", a revision or a venue has a name, not a person's full name), what the demo wrote reads as
demo data, the months and the 2015 revision follow the page's language, and each language shows
its dates one way."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.enums import AuditAction

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_audit_date_filters_are_dates_not_organisations(users, client_for):
    form = client_for(users.auditor).get(reverse("audit")).context["form"]
    assert (str(form["date_from"].label), str(form["date_to"].label)) == ("起始日期", "截止日期")


def test_the_leadership_days_are_dated_from_and_to(zone, users, client_for):
    form = client_for(users.town_admin).get(reverse("assessments:leadership_days", args=[zone.t1.pk])).context["form"]
    assert (str(form["started_on"].label), str(form["ended_on"].label)) == ("起始日期", "截止日期")


def test_the_demo_writes_read_as_demo_data(users, client_for):
    audit.log_action(action=AuditAction.BULK, model="portal.demo", extra={"operation": "build"})
    text = client_for(users.auditor).get(reverse("audit")).content.decode()
    assert "演示数据" in text and "portal.demo" not in text


def test_a_policy_revision_has_a_name_not_a_full_name(users, client_for):
    form = client_for(users.sysadmin).get(reverse("policy_revision_create")).context["form"]
    assert str(form["name"].label) == "名称"


def test_a_venue_has_a_name_not_a_full_name(zone, users, client_for):
    client = client_for(users.branch_admin)
    form = client.get(reverse("assessments:venue_create", args=[zone.b1.pk])).context["form"]
    assert str(form["name"].label) == "名称"
    assert "<th>名称</th>" in client.get(reverse("assessments:venues", args=[zone.b1.pk])).content.decode()


def test_the_2015_revision_reads_in_english(users, client_for):
    text = english(client_for(users.bureau)).get(reverse("policy"), {"on": "2016-01-01"}).content.decode()
    assert "2015 opinion" in text and "2015年意见" not in text


def test_the_months_and_the_whole_year_read_in_english(zone, users, client_for):
    client = client_for(users.branch_admin)
    zh = client.get(reverse("assessments:year", args=[zone.b1.pk, 2024])).content.decode()
    en = english(client).get(reverse("assessments:year", args=[zone.b1.pk, 2024])).content.decode()
    assert 'title="1月"' in zh and 'title="全年"' in zh
    assert 'title="Month 1"' in en and 'title="Whole year"' in en and "月" not in en.split("<main", 1)[1]


def test_each_language_shows_its_dates_one_way(users, client_for):
    client = client_for(users.bureau)
    zh = client.get(reverse("policy"), {"on": "2016-01-01"}).content.decode()
    assert "2015年1月1日" in zh and "2016年1月1日" in zh and "2015-01-01" not in zh
    en = english(client).get(reverse("policy"), {"on": "2016-01-01"}).content.decode()
    assert "2015-01-01" in en and "2015年1月1日" not in en


def test_the_audit_trail_dates_follow_the_language(users, client_for):
    audit.log_action(action=AuditAction.BULK, model="portal.demo", extra={"operation": "build"})
    client = client_for(users.auditor)
    today = timezone.localdate()
    zh = client.get(reverse("audit")).content.decode()
    assert (
        f"{today.year}年{today.month}月{today.day}日" in zh and today.isoformat() not in zh.split('id="audit-table"')[1]
    )
    en = english(client).get(reverse("audit")).content.decode()
    assert today.isoformat() in en.split('id="audit-table"')[1]
