"""core.reversing and the {% url %} builtin: the same URLs as Django's reverse, for every route."""

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from core import reversing


def _routes(patterns=None, namespace=""):
    """(name, number of arguments) of every named route, namespaces included."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", len(entry.pattern.converters)


ROUTES = sorted(set(_routes()))


def test_every_route_with_numbers_reverses_as_django_does():
    compared = 0
    for name, arity in ROUTES:
        for args in ([7] * arity, [2025 + n for n in range(arity)], [0] * arity):
            try:
                expected = reverse(name, args=args)
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    reversing.reverse_fast(name, args)
                continue
            assert reversing.reverse_fast(name, args) == expected, (name, args)
            compared += 1
    assert compared > 100  # the portal's routes, not an empty list


def test_other_arguments_go_to_django_reverse():
    assert reversing.reverse_fast("members:detail", ["12"]) == reverse("members:detail", args=["12"])
    with pytest.raises(NoReverseMatch):
        reversing.reverse_fast("members:detail", [-1])
    with pytest.raises(NoReverseMatch):
        reversing.reverse_fast("no-such-route", [1])


def test_the_url_tag_is_the_fast_one_and_keeps_djangos_forms():
    engine = Engine.get_default()
    assert "core.templatetags.urls_fast" in engine.builtins
    template = Template(
        "{% url 'members:detail' pk %}|{% url 'members:detail' text %}|"
        "{% url 'no-such-route' pk as missing %}[{{ missing }}]|{% url 'members:detail' pk=pk %}|{% url 'home' %}"
    )
    rendered = template.render(Context({"pk": 42, "text": "43"}))
    assert rendered == "|".join(
        [
            reverse("members:detail", args=[42]),
            reverse("members:detail", args=["43"]),
            "[]",
            reverse("members:detail", kwargs={"pk": 42}),
            reverse("home"),
        ]
    )
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-route' 1 %}").render(Context())


def test_another_urlconf_is_reversed_again():
    assert reversing.reverse_fast("home", []) == "/"
    with override_settings(ROOT_URLCONF="tests.portal.urls_other"), pytest.raises(NoReverseMatch):
        reversing.reverse_fast("home", [])
    assert reversing.reverse_fast("home", []) == "/"
