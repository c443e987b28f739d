"""Reversing a URL name once per shape instead of once per link (issue 16).

Django's `reverse` walks the resolver for every call (30 to 100 µs here); a page of 50 members with
two links a row spent 5 to 10 ms on it, and the secretary's to-do list as much. A name reversed with
whole-number arguments is reversed once with sentinel numbers, and later calls put their numbers
in the sentinels' places: the same URL, at the cost of a string replace. Anything else (keyword
arguments, text arguments, a converter that refuses the sentinel) goes to `reverse` as before.
"""

import functools

from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Numbers no path of this portal holds by chance: one per positional argument.
SENTINELS = tuple(str(987_654_321_000 + n) for n in range(6))


@functools.lru_cache(maxsize=1024)
def _shape(viewname: str, arity: int, current_app: str | None, prefix: str, urlconf: str | None) -> str | None:
    """The URL of `viewname` with the sentinels as its arguments, or None when it cannot be made so."""
    try:
        url = reverse(viewname, args=SENTINELS[:arity], current_app=current_app)
    except NoReverseMatch:
        return None
    if any(url.count(sentinel) != 1 for sentinel in SENTINELS[:arity]):
        return None  # an argument not in the path as typed (a converter that reshapes it)
    return url


def reverse_fast(viewname: str, args=(), current_app: str | None = None) -> str:
    """`reverse(viewname, args=args)`, the same URL, for names whose arguments are whole numbers."""
    if len(args) <= len(SENTINELS) and all(type(a) is int and a >= 0 for a in args):
        url = _shape(viewname, len(args), current_app, get_script_prefix(), get_urlconf())
        if url is not None:
            for sentinel, arg in zip(SENTINELS, args, strict=False):
                url = url.replace(sentinel, str(arg))
            return url
    return reverse(viewname, args=args, current_app=current_app)


def shapes_forget(**kwargs) -> None:
    """Another URL configuration (tests override ROOT_URLCONF): the shapes are made again."""
    _shape.cache_clear()


setting_changed.connect(shapes_forget, dispatch_uid="core.reversing.shapes_forget")
