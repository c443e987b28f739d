"""The pager of long lists (issue 12, portal/templatetags/pager.py): a page link and the jump form keep
the list's filters, whatever the page's name in the query."""

from django.template import Context, Template
from django.utils import translation

from core.templatetags.pager import page_url, query_fields, search_query


def test_a_page_link_keeps_the_filters_and_drops_the_old_page():
    assert page_url("sector=soe&page=3&flagged=1", 4) == "?sector=soe&flagged=1&page=4"
    assert page_url("towns=2&page=5", 3, "towns") == "?page=5&towns=3"
    assert query_fields("q=%E7%8E%8B+%E4%BA%94&page=2") == [("q", "王 五")]
    assert search_query("王&五") == "q=%E7%8E%8B%26%E4%BA%94" and search_query("") == ""


class _Page:
    """Enough of a Django Page for the template."""

    def __init__(self, number, pages):
        self.number, self.pages = number, pages
        self.paginator = type("P", (), {"num_pages": pages, "capped": False})()

    def has_other_pages(self):
        return self.pages > 1

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def test_the_pager_shows_where_the_user_is_and_jumps_anywhere():
    template = Template('{% include "portal/_query_pager.html" %}')
    with translation.override("zh-hans"):
        html = template.render(Context({"page": _Page(3, 12), "query_string": "status=active&page=3"}))
    assert "第3页，共12页" in html
    assert 'href="?status=active&amp;page=1"' in html and 'href="?status=active&amp;page=12"' in html
    assert '<input type="hidden" name="status" value="active">' in html
    assert 'name="page" min="1" max="12" value="3"' in html
    assert Template('{% include "portal/_query_pager.html" %}').render(Context({"page": _Page(1, 1)})).strip() == ""
