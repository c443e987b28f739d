"""Fast bulk writes of plain rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time building SQL for model instances; loading a
million demo members (and, later, large roster imports) needs the database's own bulk path.
Rows are tuples in the order of `columns`; values must already be what the column stores.
"""

import csv
import io
import json

from django.db import connection, models


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
            # Django's error classes (IntegrityError…) for COPY too, as for any other statement.
            with connection.wrap_database_errors:
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


def objects_copy(*, model, objects) -> int:
    """Insert unsaved model instances through `rows_copy`: every concrete field but the key, with the
    same defaults and database preparation as a save (auto_now, dates, booleans, JSON)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]

    def prepared(obj):
        values = []
        for field in fields:
            value = field.pre_save(obj, add=True)
            if isinstance(field, models.JSONField):
                values.append(json.dumps(value, ensure_ascii=False))
            else:
                values.append(field.get_db_prep_save(value, connection))
        return tuple(values)

    return rows_copy(
        table=model._meta.db_table, columns=[f.column for f in fields], rows=(prepared(o) for o in objects)
    )
