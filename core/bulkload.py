"""Fast bulk writes of plain rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time building SQL for model instances; loading a
million demo members (and, later, large roster imports) needs the database's own bulk path.
Rows are tuples in the order of `columns`; values must already be what the column stores.

COPY reads its text format, each value escaped (`copy_line`): a cell holding `\\N`, a backslash,
a tab or a line break is stored as typed, never taken for a null or a column or row boundary
(issue 13, item 9).
"""

import contextlib
import gc
import itertools
import json
from collections.abc import Sequence

from django.db import connection, models


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off while bulk work builds millions of objects that hold no
    cycle (a roster's rows: tuples, strings, dates), on again after, however the work ends. Each
    of its passes would walk them all, again and again as they grow (a 100,000-row preview: 5.2 s →
    4.3 s without). What cycles the work leaves (an exception's traceback) wait for the next pass."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def rows_copy(*, table: str, columns: list[str], rows, batch_size: int = 50_000) -> int:
    """Insert all rows into `table`; returns how many were written.

    On PostgreSQL the rows stream into one COPY as they are produced: the server inserts (and
    updates its indexes) while Python builds the next rows, so the two cores work at once."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        return lines_copy(table=table, columns=columns, lines=(copy_line(row) + "\n" for row in rows))
    written = 0
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for batch in _batched(rows, batch_size):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def lines_copy(*, table: str, columns: list[str], lines) -> int:
    """PostgreSQL only: COPY of lines already in its text format, each ending with a line break;
    returns how many were written. For rows of a fixed shape whose text is cheaper to build at
    once (constant columns joined once, `row_tail`) than value by value (`copy_line`)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    stream = _TextStream(lines)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Django's error classes (IntegrityError…) for COPY too, as for any other statement.
        cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT text)",
            stream,
            256 * 1024,  # the read size; positional, as Django's debug cursor (query capture) passes it on
        )
    return stream.count


def _batched(rows, size):
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# COPY's text format: backslash, tab, newline and carriage return escaped; None is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_value(value) -> str:
    """One value as COPY's text format reads it back unchanged (None is the null marker)."""
    return NULL if value is None else str(value).translate(_ESCAPES)


def copy_line(row) -> str:
    """One row as a line of COPY's text format, without the line break.

    Most rows hold no character to escape: joined at once, they are recognised by counting
    (each None gives one backslash, the columns one tab fewer than there are), so only the rare
    row with a backslash, a tab or a line break in a value is escaped value by value."""
    line = "\t".join([NULL if value is None else str(value) for value in row])
    if line.count("\\") != row.count(None) or line.count("\t") != len(row) - 1 or "\n" in line or "\r" in line:
        line = "\t".join([copy_value(value) for value in row])
    return line


class _TextStream:
    """A file-like object that psycopg2's COPY reads: text-format lines taken from `lines` on demand."""

    ROWS_PER_CHUNK = 2_000

    def __init__(self, lines):
        self.lines = iter(lines)
        self.pending = ""
        self.count = 0

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.pending) < size:
            chunk = list(itertools.islice(self.lines, self.ROWS_PER_CHUNK))
            if not chunk:
                break
            self.count += len(chunk)
            self.pending += "".join(chunk)
        if size < 0 or len(self.pending) <= size:
            text, self.pending = self.pending, ""
        else:
            text, self.pending = self.pending[:size], self.pending[size:]
        return text


def ids_reserve(*, model, count: int) -> Sequence[int]:
    """Primary keys for `count` rows about to be copied, so that rows which refer to them
    (memberships, events) can be copied in the same pass without reading keys back.

    On PostgreSQL each key is the sequence's own nextval (safe beside other inserts); only their
    range comes back when no other session took a value in between (the usual case: 100,000 keys
    in one row instead of 100,000 rows), else the keys themselves."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "WITH reserved AS (SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)) "
                "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL "
                "ELSE array_agg(v ORDER BY v) END FROM reserved",
                [sequence, count],
            )
            low, high, scattered = cursor.fetchone()
            return scattered if scattered is not None else range(low, high + 1)
        # SQLite (the embedded default, one process): the keys after the largest in use.
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _column_defaults(model, given: list, now) -> list[tuple[str, object]]:
    """(column, default) of each concrete column of `model`, in order, the default prepared as
    the column stores it (auto_now/auto_now_add take `now`); GIVEN for the `given` fields; an
    automatic primary key not given is left out."""
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field not in given:
            continue
        if field in given:
            default = GIVEN
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = field.get_db_prep_save(now, connection)
        elif isinstance(field, models.JSONField):
            default = json.dumps(field.get_default(), ensure_ascii=False)
        else:
            default = field.get_db_prep_save(field.get_default(), connection)
        out.append((field.column, default))
    return out


GIVEN = object()


def row_factory(*, model, fields: list[str], now):
    """(columns, make) for copying rows of `model` that give only `fields` (field names, in order):
    every other column gets its default, prepared once (auto_now/auto_now_add take `now`).
    `make(values)` returns a row; values must already be what the columns store."""
    by_name = {f.name: f for f in model._meta.concrete_fields}
    given = [by_name[name] for name in fields]
    defaults = _column_defaults(model, given, now)
    columns = [column for column, _default in defaults]
    template = [None if default is GIVEN else default for _column, default in defaults]
    positions = [columns.index(f.column) for f in given]

    def make(values) -> list:
        row = template.copy()
        for position, value in zip(positions, values, strict=True):
            row[position] = value
        return row

    return columns, make


def row_tail(*, model, fields: list[str], now) -> tuple[list[str], str]:
    """(columns, tail) for building COPY lines of `model` by hand: the columns of `fields` first,
    in order, then every other column; `tail` is those other columns' defaults as COPY text,
    joined once, with its leading tab ("" when there are none). A line is then the given values'
    text (`copy_line`), `tail` and a line break."""
    by_name = {f.name: f for f in model._meta.concrete_fields}
    given = [by_name[name] for name in fields]
    rest = [(column, default) for column, default in _column_defaults(model, given, now) if default is not GIVEN]
    columns = [f.column for f in given] + [column for column, _default in rest]
    tail = "".join("\t" + copy_value(default) for _column, default in rest)
    return columns, tail
