"""The pager of long lists (issue 12): the GET query a page link keeps, and the same query as hidden
fields of the form that jumps to a page."""

from urllib.parse import parse_qsl, urlencode

from django import template

register = template.Library()


@register.filter
def query_fields(query_string: str, param: str = "page") -> list[tuple[str, str]]:
    """The (name, value) pairs of a GET query without the page number `param`."""
    return [(key, value) for key, value in parse_qsl(query_string or "", keep_blank_values=True) if key != param]


@register.simple_tag
def page_url(query_string: str, number: int, param: str = "page") -> str:
    """`?<the query>&<param>=<number>`: a page of the same list."""
    return "?" + urlencode([*query_fields(query_string, param), (param, number)])


@register.filter
def search_query(query: str) -> str:
    """The GET query of a list searched by `q` (portal/_pager.html)."""
    return urlencode([("q", query)]) if query else ""
