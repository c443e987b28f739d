"""The load benchmark's pieces (issue 7): wrk's output read right, and a short real run of wrk
against gunicorn on the test database (the figures themselves come from `bench load`)."""

import shutil

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
    result = loadtest.load_run(targets=[("home", "/", loadtest.session_cookie(user))], seconds=1, connections=2)
    assert result["home"]["first_status"] == 200
    assert result["home"]["requests"] > 0
    assert (result["home"]["non_2xx"], result["home"]["socket_errors"]) == (0, 0)
