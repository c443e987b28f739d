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
import urllib.error
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


# Every response wrk receives is checked (Lua, per thread, summed in done()): status 200 and both
# markers in the body — the signed-in user's name in the navigation bar and an element of the page
# itself — so a redirect to the login page or an error page counts as a failure, never as speed.
CHECK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  user_marker, page_marker = args[1], args[2]
  bad_status, bad_body, checked = 0, 0, 0
end
function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 then bad_status = bad_status + 1
  elseif not (string.find(body, user_marker, 1, true) and string.find(body, page_marker, 1, true)) then
    bad_body = bad_body + 1
  end
end
function done(summary, latency, requests)
  local s, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("bad_status"); b = b + t:get("bad_body"); c = c + t:get("checked")
  end
  io.write(string.format("Checked responses: %d, wrong status: %d, wrong page: %d\\n", c, s, b))
end
"""
CHECKED = re.compile(r"Checked responses: (\d+), wrong status: (\d+), wrong page: (\d+)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


def page_wait(url: str, seconds: float = 30) -> None:
    """Until a server just started answers `url`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def user_marker(user) -> str:
    """What only a page signed in as `user` shows: the name in the navigation bar (templates/base.html)."""
    from django.utils.html import escape

    return f'<span class="nav-user-name">{escape(user.display_name)}</span>'


def wrk_checked(*, url: str, cookie: str, markers: tuple[str, str], seconds: int, connections: int) -> dict:
    """wrk on one URL, every response checked by CHECK_SCRIPT; its figures and the checks' counts."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (Debian's package)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(CHECK_SCRIPT)
        script.flush()
        command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}"]
        command += ["-s", script.name, url, "--", *markers]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return wrk_parse(output)


def page_check(url: str, cookie: str, markers: tuple[str, str]) -> int:
    """The page as the first request gets it: 200, not a redirect, both markers in its body."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{url} answered {exc.code}, not the page") from exc
    body = response.read().decode()
    missing = [marker for marker in markers if marker not in body]
    if response.status != 200 or missing:
        raise RuntimeError(f"{url} answered {response.status} without {missing}: not the page under test")
    return response.status


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
    checked = CHECKED.search(output)
    if checked:
        result["responses_checked"], result["wrong_status"], result["wrong_page"] = map(int, checked.groups())
    return result


def load_run(*, targets: list[tuple], seconds: int = 20, connections: int = 16) -> dict:
    """Start gunicorn (4 workers, production settings) on the current database, then run wrk on
    each (name, path, cookie, (user marker, page marker)) target, every response checked; the server
    is stopped whatever happens."""
    if shutil.which("wrk") is None:
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
        page_wait(f"http://127.0.0.1:{port}/login/")
        for name, path, cookie, markers in targets:
            url = f"http://127.0.0.1:{port}{path}"
            status = page_check(url, cookie, markers)  # the page answers, and is the page, before it is loaded
            figures = wrk_checked(url=url, cookie=cookie, markers=markers, seconds=seconds, connections=connections)
            results[name] = {"path": path, "first_status": status, **figures}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return results
