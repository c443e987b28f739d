"""Sending a task to the Celery workers, and what happens instead when the broker (Redis) is down.

A page that starts background work calls `task_dispatch`: with a reachable broker the task is
queued for a worker; with no broker configured (the embedded default) it runs in-process as it
always did. When the broker is configured but unreachable (settings: a dead Redis fails in about a
second) the work is not lost and the page does not fail:

- `background=False` (a roster's check and import): the task runs in this request, as on the
  embedded default; the page says so.
- `background=True` (the bureau's compliance run, minutes on a large zone, longer than a request
  may take): the task runs in a background thread of this web process; the page says so. Its work
  lock (core.work_locks) still keeps it the only run of its year, and if the web process is
  restarted meanwhile the run is found abandoned and taken over (assessments.compliance.engine).

Tasks are sent with `ignore_result`: pages read the database, never a task's result, and so the
result store (Redis pub/sub) is never touched on the way (with Redis down, Celery retries it for
about 20 s and then refuses to send anything until restarted).
"""

import enum
import logging
import threading

from django.db import connections
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)


class Dispatched(enum.Enum):
    QUEUED = "queued"  # a worker will run it
    IN_PROCESS = "in_process"  # no broker configured: it ran in this process
    RAN_HERE = "ran_here"  # broker unreachable: it ran in this request instead
    RUNNING_HERE = "running_here"  # broker unreachable: it runs in a background thread of this process


def task_dispatch(*, task, args: tuple = (), background: bool = False) -> Dispatched:
    """Queue `task(*args)` for a worker; run it here when the broker cannot be reached (module docstring)."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return Dispatched.IN_PROCESS
    try:
        task.apply_async(args=args, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning("broker unreachable (%s): %s runs in this process", exc, task.name)
    else:
        return Dispatched.QUEUED
    if background:
        threading.Thread(target=_run_in_thread, args=(task, args), name=f"fallback {task.name}", daemon=True).start()
        return Dispatched.RUNNING_HERE
    task.apply(args=args, throw=True)
    return Dispatched.RAN_HERE


def _run_in_thread(task, args: tuple) -> None:
    try:
        result = task.apply(args=args)
        if result.failed():
            logger.error("%s failed in the fallback thread: %r", task.name, result.result)
    finally:
        connections.close_all()


def dispatch_notice(outcome: Dispatched) -> str | None:
    """What the page tells the user when the task queue could not be reached, else None."""
    if outcome == Dispatched.RAN_HERE:
        return _("The task queue (Redis) cannot be reached: the work was done in this request instead.")
    if outcome == Dispatched.RUNNING_HERE:
        return _(
            "The task queue (Redis) cannot be reached: the work runs in the background of the web server "
            "instead; this page shows when it is done."
        )
    return None
