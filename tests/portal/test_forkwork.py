"""core.forkwork: a chunk's tail computed by a helper process while the caller works on its head."""

import os

from core import forkwork


def _pids(chunk):
    return [(item, os.getpid()) for item in chunk]


def test_every_item_comes_back_once_in_order_the_tails_answered_by_another_process():
    chunks = [list(range(start, start + 10)) for start in range(0, 50, 10)]
    mapped = forkwork.ChunksMapped(iter(chunks), _pids, share=0.4)
    parts = list(mapped)

    assert [item for part, _answer in parts for item in part] == list(range(50))
    heads = [part for part, answer in parts if answer is None]
    tails = [(part, answer) for part, answer in parts if answer is not None]
    assert heads == [chunk[:4] for chunk in chunks]
    assert [part for part, _answer in tails] == [chunk[4:] for chunk in chunks]
    helpers = {pid for _part, answer in tails for _item, pid in answer}
    assert len(helpers) == 1 and os.getpid() not in helpers
    assert all([item for item, _pid in answer] == part for part, answer in tails)
    assert mapped.private_mb is None or mapped.private_mb > 0


def test_a_failing_helper_leaves_the_rest_to_the_caller_and_nothing_is_lost():
    def failing(chunk):
        if 21 in chunk:
            raise ValueError("a fault in the helper")
        return list(chunk)

    chunks = [list(range(start, start + 5)) for start in range(0, 40, 5)]
    parts = list(forkwork.ChunksMapped(iter(chunks), failing, share=0.2))

    assert [item for part, _answer in parts for item in part] == list(range(40))
    answered = [item for part, answer in parts if answer is not None for item in part]
    assert answered == [1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19]  # none from the failed tail on


def test_a_helper_that_dies_leaves_the_rest_to_the_caller():
    def dying(chunk):
        if 14 in chunk:
            os._exit(3)
        return list(chunk)

    chunks = [list(range(start, start + 4)) for start in range(0, 24, 4)]
    parts = list(forkwork.ChunksMapped(iter(chunks), dying, share=0.5))

    assert [item for part, _answer in parts for item in part] == list(range(24))
    assert [item for part, answer in parts if answer is not None for item in part] == [2, 3, 6, 7, 10, 11]


def test_no_chunks_starts_no_helper(monkeypatch):
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(AssertionError("forked")))
    assert list(forkwork.ChunksMapped(iter([]), _pids, share=0.4)) == []


def test_when_no_helper_can_start_the_caller_does_it_all(monkeypatch):
    def no_fork():
        raise OSError("no room for another process")

    monkeypatch.setattr(os, "fork", no_fork)
    parts = list(forkwork.ChunksMapped(iter([[1, 2, 3], [4, 5]]), _pids, share=0.5))
    assert [item for part, _answer in parts for item in part] == [1, 2, 3, 4, 5]
    assert all(answer is None for _part, answer in parts)


def test_a_helper_that_takes_too_long_is_given_up(monkeypatch):
    import time

    def slow(chunk):
        if 10 in chunk:
            time.sleep(5)
        return list(chunk)

    monkeypatch.setattr(forkwork, "ANSWER_SECONDS", 0.5)
    chunks = [list(range(start, start + 4)) for start in range(0, 20, 4)]
    started = time.monotonic()
    parts = list(forkwork.ChunksMapped(iter(chunks), slow, share=0.5))

    assert [item for part, _answer in parts for item in part] == list(range(20))
    assert [item for part, answer in parts if answer is not None for item in part] == [2, 3, 6, 7]
    assert time.monotonic() - started < 4  # the sleeping helper was not waited for


def test_a_loop_left_early_lets_the_helper_go():
    mapped = forkwork.ChunksMapped(iter([[1, 2], [3, 4], [5, 6]]), _pids, share=0.5)
    parts = iter(mapped)
    next(parts)
    helper = mapped.helper
    assert helper is not None
    parts.close()
    assert mapped.helper is None
    try:
        os.kill(helper.pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive
