"""Issue 7's load figures: wrk (Debian's package) against gunicorn with 4 workers serving the
benchmark zone, for the secretary's home page and the member list. Used by `bench load`."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(settings.BASE_DIR)
LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def session_cookie(user) -> str:
    """A logged-in session of the user, stored in the benchmark database (what the server reads)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def wrk_parse(output: str) -> dict:
    """Requests per second, latency percentiles (ms) and error counts from `wrk --latency`."""
    result = {"requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent, value, unit in LATENCY.findall(output):
        result[f"p{percent}_ms"] = round(float(value) * UNITS[unit], 2)
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["non_2xx"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    return result


def load_run(*, targets: list[tuple[str, str, str]], seconds: int = 20, connections: int = 16) -> dict:
    """Start gunicorn (4 workers, production settings) on the current database, then run wrk on
    each (name, path, cookie) target; the server is stopped whatever happens."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (Debian's package)")
    work = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "STATIC_ROOT": str(work / "static"),
        "PORTAL_VAR_DIR": str(work),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    port = _free_port()
    log = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    results = {"server": "gunicorn, 4 workers", "seconds": seconds, "connections": connections}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        for name, path, cookie in targets:
            url = f"http://127.0.0.1:{port}{path}"
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            status = urllib.request.urlopen(request, timeout=30).status  # the page answers before it is loaded
            command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            results[name] = {"path": path, "first_status": status, **wrk_parse(output)}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return results
