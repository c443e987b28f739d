"""core.sidequery: queries a step ahead on a second connection, or here inside a transaction."""

import logging
import threading

import pytest
from django.db import OperationalError, ProgrammingError, connection

from core.sidequery import SideQueries


def _who(value):
    """What a query sees of where it runs: this thread or not, its server process, and a value."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), %s", [value])
        pid, echoed = cursor.fetchone()
    return threading.current_thread() is threading.main_thread(), pid, echoed


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_inside_a_transaction_the_query_runs_here_when_its_answer_is_asked_for():
    ran = []
    with SideQueries() as side:
        answer = side.ask(lambda: ran.append(_who("a")) or ran[-1])
        assert ran == []  # not yet: a query here runs when its answer is needed, in order
        assert answer() == (True, _backend_pid(), "a")
        assert side.executor is None  # no thread, no second connection


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_outside_one_it_runs_on_a_second_connection_in_a_thread_which_close_ends():
    here = _backend_pid()
    before = _sessions()
    side = SideQueries()
    answers = [side.ask(_who, n) for n in range(3)]
    results = [answer() for answer in answers]
    assert [r[2] for r in results] == [0, 1, 2]  # in order
    assert {r[0] for r in results} == {False}  # not in this thread
    assert len({r[1] for r in results}) == 1 and results[0][1] != here  # one other server process
    assert _sessions() == before + 1
    side.close()
    assert side.executor is None
    assert _sessions() == before  # its connection closed with it
    assert side.ask(_who, "here", here=True)() == (True, here, "here")


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_second_connection_that_fails_sends_its_queries_here(caplog):
    def query(value):
        if threading.current_thread() is not threading.main_thread():
            raise OperationalError("the server refused a second connection")
        return _who(value)

    with caplog.at_level(logging.WARNING, logger="core.sidequery"), SideQueries() as side:
        assert side.ask(query, "a")() == (True, _backend_pid(), "a")
        assert side.broken
        assert side.ask(query, "b")() == (True, _backend_pid(), "b")  # the rest run here at once
    assert "the second connection failed" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_failing_query_fails_here_too():
    """A fault of the query's own (not of the connection) is raised, not hidden by the second try."""

    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM pg_class")

    with SideQueries() as side:
        with pytest.raises(ProgrammingError, match="no_such_column"):
            side.ask(query)()
        assert not side.broken
        in_this_thread, _pid, echoed = side.ask(_who, "next")()
        assert (in_this_thread, echoed) == (False, "next")  # the second connection goes on
