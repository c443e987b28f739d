"""Fast bulk writes of plain rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time building SQL for model instances; loading a
million demo members (and, later, large roster imports) needs the database's own bulk path.
Rows are tuples in the order of `columns`; values must already be what the column stores.
"""

import csv
import io

from django.db import connection


def rows_copy(*, table: str, columns: list[str], rows, batch_size: int = 50_000) -> int:
    """Insert all rows into `table`; returns how many were written."""
    written = 0
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            written += _write(table, columns, batch)
            batch = []
    if batch:
        written += _write(table, columns, batch)
    return written


def _write(table, columns, batch) -> int:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows(tuple(r"\N" if v is None else v for v in row) for row in batch)
            buffer.seek(0)
            cursor.copy_expert(
                f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                buffer,
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})", batch
            )
    return len(batch)
