"""Read-only queries a step ahead, on a second database connection in a thread of its own.

A re-import's preview looks up the members on record for each chunk of rows: the server's work
(an index probe and a page read per row, about 15 ms a chunk of 2,000) is time the worker waits
for. Asked a chunk ahead, it runs while the worker takes the previous chunk further: psycopg2
lets go of the interpreter while it waits for the server, so the two overlap.

A second connection sees only what is committed. Inside a transaction (a caller's, a test's), and
wherever the caller says so, a query runs here instead, on the caller's connection, when its
answer is asked for; if the second connection fails (it cannot be opened, it is lost), its query
and every later one run here too. The answer is the same either way.
"""

import concurrent.futures
import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)


class SideQueries:
    """`answer = side.ask(function, *args)`; later `answer()` is `function(*args)`, run on the
    second connection meanwhile (`function` uses django.db.connection, which in that thread is the
    thread's own). `close()` ends the thread and its connection (`with SideQueries() as side:`)."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.using = using
        self.executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.broken = False  # the second connection failed once: the rest run here
        self.asked_ahead = 0  # queries sent to the second connection

    def __enter__(self) -> "SideQueries":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ask(self, function: Callable, *args, here: bool = False) -> Callable[[], object]:
        """`here`: run it here when asked for (say, before a fork: a process should not fork with
        a second thread running)."""
        if here or self.broken or connections[self.using].in_atomic_block:
            return lambda: function(*args)
        if self.executor is None:
            self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sidequery")
        future = self.executor.submit(function, *args)
        self.asked_ahead += 1

        def answer():
            try:
                return future.result()
            except (OperationalError, InterfaceError):  # the connection's fault; a query's own is raised
                logger.warning("sidequery: the second connection failed; the query runs here", exc_info=True)
                self.broken = True
                return function(*args)

        return answer

    def close(self) -> None:
        if self.executor is None:
            return
        executor, self.executor = self.executor, None
        try:
            executor.submit(lambda: connections[self.using].close()).result()  # the thread's own connection
        except Exception:
            logger.warning("sidequery: the second connection did not close cleanly", exc_info=True)
        finally:
            executor.shutdown(wait=True)
        logger.info("sidequery: %s queries ran a step ahead on a second connection", self.asked_ahead)
