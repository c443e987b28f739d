"""The load benchmark's pieces (issue 7): wrk's output read right, and a short real run of wrk
against gunicorn on the test database (the figures themselves come from `bench load`)."""

import functools
import shutil
import subprocess
import sys

import pytest

from devtools import loadtest
from tests.factories import UserFactory

SAMPLE = """Running 20s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    41.20ms   12.31ms 190.55ms   78.12%
    Req/Sec   194.84     22.66   250.00     70.25%
  Latency Distribution
     50%   39.02ms
     75%   46.11ms
     90%   55.50ms
     99%    1.02s
  7771 requests in 20.01s, 120.41MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    388.37
Transfer/sec:      6.02MB
"""


def test_wrk_output_is_read_with_units():
    assert loadtest.wrk_parse(SAMPLE) == {
        "requests_per_second": 388.37,
        "p50_ms": 39.02,
        "p75_ms": 46.11,
        "p90_ms": 55.5,
        "p99_ms": 1020.0,
        "requests": 7771,
        "non_2xx": 3,
        "socket_errors": 0,
    }


@pytest.mark.services
def test_a_short_load_run_serves_the_home_page_without_errors(transactional_db, zone):
    assert shutil.which("wrk"), "Debian's wrk is not installed (make bench NAME=load installs it)"
    user = UserFactory(role="org_admin", organisation=zone.b1)
    markers = (loadtest.user_marker(user), 'id="todo"')
    result = loadtest.load_run(
        targets=[("home", "/", loadtest.session_cookie(user), markers)], seconds=1, connections=2
    )
    home = result["home"]
    assert home["first_status"] == 200
    assert home["requests"] > 0
    assert (home["non_2xx"], home["socket_errors"]) == (0, 0)
    # Every response wrk got was checked to be this user's home page.
    assert home["responses_checked"] >= home["requests"]
    assert (home["wrong_status"], home["wrong_page"]) == (0, 0)


@pytest.mark.services
def test_a_load_run_refuses_a_page_that_is_not_the_one_under_test(transactional_db, zone):
    """A lapsed session (the login page) or another page is not measured as if it were the page."""
    user = UserFactory(role="org_admin", organisation=zone.b1)
    signed_in = loadtest.session_cookie(user)
    for cookie, markers in (
        ("sessionid=lapsed", (loadtest.user_marker(user), 'id="todo"')),
        (signed_in, (loadtest.user_marker(user), 'id="member-list"')),
    ):
        with pytest.raises(RuntimeError, match=r"not the page|answered 302"):
            loadtest.load_run(targets=[("home", "/", cookie, markers)], seconds=1, connections=2)


def test_wrk_counts_every_response_that_is_not_the_page(tmp_path):
    """The Lua check itself, against a plain file server: a body without a marker is a wrong page,
    a missing file a wrong status."""
    assert shutil.which("wrk"), "Debian's wrk is not installed (make bench NAME=load installs it)"
    (tmp_path / "index.html").write_text('<span class="nav-user-name">甲</span><table id="member-list">')
    port = loadtest._free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        loadtest.page_wait(f"http://127.0.0.1:{port}/")
        url = f"http://127.0.0.1:{port}/index.html"
        run = functools.partial(loadtest.wrk_checked, cookie="a=b", seconds=1, connections=2)
        right = run(url=url, markers=('<span class="nav-user-name">甲</span>', 'id="member-list"'))
        wrong = run(url=url, markers=('<span class="nav-user-name">甲</span>', 'id="todo"'))
        missing = run(url=f"http://127.0.0.1:{port}/gone.html", markers=("甲", "乙"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert right["responses_checked"] > 0 and (right["wrong_status"], right["wrong_page"]) == (0, 0)
    assert wrong["responses_checked"] == wrong["wrong_page"] > 0
    assert missing["responses_checked"] == missing["wrong_status"] > 0
