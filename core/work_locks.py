"""Work locks: held by a task for as long as it works on a record, released when its process dies.

On PostgreSQL a work lock is a session-level advisory lock of the task's database connection: a
worker killed with SIGKILL loses its connection, and PostgreSQL drops the lock with it, on every
host the workers run on. On SQLite (the embedded default, one machine) it is an flock on a file
under PORTAL_VAR_DIR, which the kernel drops with the process. So a record marked "running" whose
work lock is free was left behind by a dead worker (members.imports.roster_upload_abandoned_release,
assessments.compliance.engine). Needs a direct database connection (no pgbouncer in transaction mode).
"""

import contextlib
import fcntl
import hashlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection


def worker_name() -> str:
    """Which process works on a record (shown when it died): host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _key(name: str, key: int) -> int:
    """The lock's signed 64-bit advisory key."""
    return int.from_bytes(hashlib.blake2b(f"{name}:{key}".encode(), digest_size=8).digest(), "big", signed=True)


def _lock_file(name: str, key: int) -> Path:
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{key}.lock"


@contextlib.contextmanager
def work_lock(*, name: str, key: int) -> Iterator[bool]:
    """Hold the work lock of (name, key) while the block runs; yields False, holding nothing, when
    another live process holds it."""
    if connection.vendor == "postgresql":
        advisory = _key(name, key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [advisory])
                except DatabaseError:
                    connection.close()  # the session, and the lock with it, is gone
        return
    with open(_lock_file(name, key), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def work_lock_free(*, name: str, key: int) -> bool:
    """No live process holds the work lock of (name, key). PostgreSQL is asked without taking the
    lock, so a check never makes a starting task think another one is at work."""
    if connection.vendor == "postgresql":
        advisory = _key(name, key) & 0xFFFFFFFFFFFFFFFF
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1)",
                [advisory >> 32, advisory & 0xFFFFFFFF],
            )
            return cursor.fetchone()[0]
    with open(_lock_file(name, key), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True
