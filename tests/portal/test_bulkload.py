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


def test_lines_built_from_a_tail_store_the_defaults_and_awkward_values_as_typed():
    """row_tail's constant columns, joined once, land in their columns; copy_line escapes the rest."""
    from core.bulkload import lines_copy, row_tail
    from members.models import Membership

    columns, tail = row_tail(model=Membership, fields=["member", "organisation"], now=None)
    assert columns == ["member_id", "organisation_id", "started_on", "ended_on"]
    assert tail == "\t\\N\t\\N"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE tail_probe (n integer, text text, day date)")
        lines = [f"{copy_line((n, text))}\t\\N\n" for n, text in enumerate(AWKWARD)]
        assert lines_copy(table="tail_probe", columns=["n", "text", "day"], lines=iter(lines)) == len(AWKWARD)
        cursor.execute("SELECT n, text, day FROM tail_probe ORDER BY n")
        stored = cursor.fetchall()
        cursor.execute("DROP TABLE tail_probe")
    assert stored == [(n, text, None) for n, text in enumerate(AWKWARD)]


def test_reserved_keys_are_the_sequence_values_a_range_when_unbroken():
    from core.bulkload import ids_reserve
    from members.models import MemberEvent

    keys = ids_reserve(model=MemberEvent, count=1000)
    assert isinstance(keys, range)
    assert len(keys) == 1000
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('members_memberevent', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass)", [sequence])
        assert cursor.fetchone()[0] == keys[-1] + 1
        # Values taken between ours (as by other sessions) leave gaps: the keys themselves come back.
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 3")
        scattered = ids_reserve(model=MemberEvent, count=5)
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
    assert scattered == [keys[-1] + 1 + 3 * n for n in range(1, 6)]
