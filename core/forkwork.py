"""Work shared with a forked helper process: the second core takes the pure part of each chunk.

A large roster's checks are Python (one core); PostgreSQL sits idle while they run. A helper forked
from the worker applies a pure function to each chunk while the worker reads the next one and
takes the previous one's answers further (lookups, bookkeeping). Chunks go one at a time, strictly
in turn (the worker sends a chunk only when the helper waits for one), so neither side can block
the other on a full pipe, and the answers come back in order.

The helper runs nothing but the function: it never touches a database connection or a file it
inherited, and leaves with os._exit, so nothing of the worker's is closed or flushed twice. If it
cannot start, fails or dies, the chunk it had is answered None and so is every later one: the
caller then does the work itself, and the outcome is the same.
"""

import contextlib
import gc
import logging
import multiprocessing.connection
import os
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator

logger = logging.getLogger(__name__)
# How long an answer may take before the helper is given up (a chunk takes it a fraction of a second).
ANSWER_SECONDS = 60


class _Helper:
    def __init__(self, function: Callable):
        here, there = multiprocessing.Pipe(duplex=True)
        # The objects there are at the fork are frozen out of the collector, in both processes,
        # until the helper leaves: a full collection on either side writes to every page holding
        # them, and each page written is copied (measured on a 100,000-row roster: the helper's own
        # memory 80 → 29 MB).
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            raise
        if pid == 0:  # the helper
            here.close()
            _serve(there, function)  # never returns
        there.close()
        self.pid, self.connection = pid, here
        self.private_mb: float | None = None
        self.stuck = False  # gave no answer in time: stopped, not asked to leave

    def send(self, chunk) -> bool:
        try:
            self.connection.send(chunk)
            return True
        except (OSError, ValueError):
            return False

    def receive(self):
        """The answer to the chunk sent last, or None if the helper failed, is gone or takes too long."""
        try:
            if not self.connection.poll(ANSWER_SECONDS):
                logger.warning("forkwork: the helper process gave no answer; its work is done here instead")
                self.stuck = True
                return None
            state, value = self.connection.recv()
        except (EOFError, OSError):
            logger.warning("forkwork: the helper process stopped; its work is done here instead")
            return None
        if state == "failed":
            logger.warning("forkwork: the helper failed; its work is done here instead:\n%s", value)
            return None
        return value

    def close(self) -> None:
        try:
            if not self.stuck:
                self._leave()
        finally:
            self.connection.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            gc.unfreeze()

    def _leave(self) -> None:
        """Ask the helper to leave, and what memory of its own it had."""
        try:
            self.connection.send(None)
            if self.connection.poll(5):
                state, value = self.connection.recv()
                if state == "left":
                    self.private_mb = value
        except (EOFError, OSError, ValueError):
            return
        logger.info("forkwork: helper process %s done, %s MB of its own", self.pid, self.private_mb)


def _private_mb() -> float | None:
    """The helper's own memory (pages it wrote, not those it still shares with the worker)."""
    try:
        with open("/proc/self/smaps_rollup") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
        kilobytes = sum(int(fields[k].split()[0]) for k in ("Private_Clean", "Private_Dirty"))
    except (OSError, KeyError, ValueError):
        return None
    return round(kilobytes / 1024, 1)


def _peak_mb() -> float | None:
    try:
        with open("/proc/self/status") as handle:
            line = next(line for line in handle if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None
    return round(int(line.split()[1]) / 1024, 1)


def _serve(connection, function: Callable) -> None:
    code = 0
    try:
        while (chunk := connection.recv()) is not None:
            try:
                answer = ("done", function(chunk))
            except Exception:
                answer = ("failed", traceback.format_exc())
            connection.send(answer)
        connection.send(("left", _private_mb()))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


class ChunksMapped:
    """`for part, answer in ChunksMapped(chunks, function, share=0.4)`: each chunk in two parts, in
    order: its head (the first `share` of its items) with answer None, for the caller to work on
    while a helper process computes `function(tail)` on the rest; then the tail with that answer.
    The caller reads the next chunk while the helper is still busy. An answer is None also wherever
    there is no helper (it could not start, failed or died): the caller then does the work itself.
    `private_mb` afterwards: the helper's own memory when it left (and `last_private_mb`, the last
    helper's of this process, for the benchmark of a flow that uses it deep down)."""

    last_private_mb: float | None = None
    last_peak_mb: float | None = None  # this process's peak (VmHWM) as the last helper left

    def __init__(self, chunks: Iterable[list], function: Callable, *, share: float):
        self.chunks, self.function, self.share = iter(chunks), function, share
        self.private_mb: float | None = None
        self.helper: _Helper | None = None

    def _split(self, chunk: list) -> tuple[list, list]:
        cut = round(len(chunk) * self.share)
        return chunk[:cut], chunk[cut:]

    def _send(self, tail: list) -> bool:
        if self.helper is not None and not self.helper.send(tail):
            self._close()
        return self.helper is not None

    def __iter__(self) -> Iterator[tuple[list, object]]:
        chunk = next(self.chunks, None)
        if chunk is None:
            return
        if hasattr(os, "fork"):
            try:
                self.helper = _Helper(self.function)
            except OSError:
                logger.warning("forkwork: no helper process could be started", exc_info=True)
        try:
            head, tail = self._split(chunk)
            sent = self._send(tail)
            while head or tail:
                if head:
                    yield head, None  # the caller's work on the head overlaps the helper's on the tail
                following = next(self.chunks, None)
                answer = self.helper.receive() if sent else None
                if answer is None:
                    self._close()
                if following is not None:
                    head_next, tail_next = self._split(following)
                    sent = self._send(tail_next)
                else:
                    head_next = tail_next = []
                if tail:
                    yield tail, answer  # and its work on the tail with the helper's on the next one
                head, tail = head_next, tail_next
        finally:
            self._close()

    def _close(self) -> None:
        if self.helper is not None:
            self.helper.close()
            self.private_mb = ChunksMapped.last_private_mb = self.helper.private_mb
            ChunksMapped.last_peak_mb = _peak_mb()
            self.helper = None
