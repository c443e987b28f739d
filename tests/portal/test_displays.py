"""core.displays: the same labels as Django's own get_<field>_display, in the language active."""

from functools import partialmethod

from django.apps import apps
from django.utils import translation

from core.displays import displays_speed_up
from members.enums import Gender, MemberCategory
from members.models import Member


def test_every_display_with_fixed_choices_is_replaced():
    assert displays_speed_up() == 0  # done at start-up; nothing left to replace
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            method = model.__dict__.get(f"get_{field.name}_display")
            if field.choices and method is not None:
                assert not isinstance(method, partialmethod), (model, field.name)


def test_labels_as_django_gives_them_in_the_active_language():
    member = Member(gender=Gender.FEMALE, category=MemberCategory.PROBATIONARY)
    field = Member._meta.get_field("gender")
    for language in ("en", "zh-hans"):
        with translation.override(language):
            expected = str(dict(field.flatchoices)[Gender.FEMALE])
            assert member.get_gender_display() == expected
            assert member._get_FIELD_display(field) == expected
    with translation.override("zh-hans"):
        assert member.get_gender_display() == "女"
        assert member.get_category_display() == "预备党员"
    member.gender = "unknown-value"
    assert member.get_gender_display() == "unknown-value"  # a value outside the choices shows as it is
    member.gender = None
    assert member.get_gender_display() is None
