"""Issue 12: a date inside a message built in Python reads as the page's dates do, one format per
language (2024年1月15日 in Chinese, 2024-01-15 in English), never the ISO form in a Chinese sentence."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from assessments import services
from assessments.enums import ReportResult
from core.dates import day_text, moment_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 1, 15)


def reporter_refusal(zone, language):
    _, other, _ = zone.b1_members
    with translation.override(language), pytest.raises(ValidationError) as exc:
        services.annual_report_record(
            organisation=zone.b1,
            year=2023,
            reported_on=DAY,
            reporter=other,
            result=ReportResult.GOOD,
            published_on=datetime.date(2024, 1, 20),
            published_where="村务公开栏",
            text="一年来……",
        )
    return other, exc.value.message_dict["reporter"]


def test_a_service_message_shows_the_chinese_date_in_chinese(zone):
    other, messages = reporter_refusal(zone, "zh-hans")
    assert messages == [f"2024年1月15日，{other.name}不是东村第1党支部的书记。"]


def test_a_service_message_shows_the_english_date_in_english(zone):
    other, messages = reporter_refusal(zone, "en")
    assert messages == [f"{other.name} was not the secretary of 东村第1党支部 on 2024-01-15."]


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "2024年1月15日"), ("en", "2024-01-15")])
def test_day_text_follows_the_language(language, expected):
    with translation.override(language):
        assert (day_text(DAY), day_text(None)) == (expected, "")


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "2024年1月15日 09:05"), ("en", "2024-01-15 09:05")])
def test_moment_text_is_local_time_in_the_language(language, expected):
    stamp = timezone.make_aware(datetime.datetime(2024, 1, 15, 9, 5))
    with translation.override(language):
        assert (moment_text(stamp.astimezone(datetime.UTC)), moment_text(None)) == (expected, "")
