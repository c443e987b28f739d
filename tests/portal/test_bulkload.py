import datetime

import pytest
from django.db import connection

from core.bulkload import copy_line, rows_copy

pytestmark = pytest.mark.django_db

AWKWARD = ["\\N", "\\.", "a\tb", "line 1\nline 2", "cr\r", "back\\slash", "", "普通文字", '"quoted", comma']


def test_copy_stores_every_awkward_text_as_typed_and_none_as_null():
    """Issue 13, item 9: COPY's null marker, its escape character and its separators inside values."""
    assert connection.vendor == "postgresql"
    rows = [(n, text, None if n % 2 else datetime.date(2024, 1, n + 1), n % 3 == 0) for n, text in enumerate(AWKWARD)]
    rows.append((len(AWKWARD), None, None, None))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copy_probe (n integer, text text, day date, flag boolean)")
        written = rows_copy(table="copy_probe", columns=["n", "text", "day", "flag"], rows=iter(rows))
        cursor.execute("SELECT n, text, day, flag FROM copy_probe ORDER BY n")
        stored = cursor.fetchall()
        cursor.execute("DROP TABLE copy_probe")
    assert written == len(rows)
    assert stored == rows


def test_a_line_needs_no_escape_only_when_no_value_holds_a_special_character():
    assert copy_line((1, None, "张三", True)) == "1\t\\N\t张三\tTrue"
    assert copy_line((1, None, "\\N", "a\tb\nc\r")) == "1\t\\N\t\\\\N\ta\\tb\\nc\\r"
