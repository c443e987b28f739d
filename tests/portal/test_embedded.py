"""The embedded default, end to end: SQLite, in-process tasks, the demo zone, a real server."""

import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from devtools.demo import DEMO_PASSWORD
from tests.portal.conftest import PYTHON, ROOT, manage, service_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    var = tmp_path_factory.mktemp("embedded")
    env = service_env(PORTAL_VAR_DIR=str(var), STATIC_ROOT=str(var / "static"))
    manage("migrate", "--noinput", "--verbosity", "0", env=env)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    seeded = manage("seed_demo", "--members", "400", env=env)
    port = _free_port()
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    yield {"base": base, "env": env, "var": var, "seed_output": seeded.stdout}
    server.terminate()
    server.wait(timeout=20)
    log.close()


def test_embedded_seed_prints_logins(embedded):
    assert f"Demo logins (password for all: {DEMO_PASSWORD}):" in embedded["seed_output"]
    assert re.search(r"^  bureau\s", embedded["seed_output"], re.MULTILINE)
    assert (embedded["var"] / "portal.sqlite3").exists()


def test_embedded_seed_again_keeps_the_zone(embedded):
    again = manage("seed_demo", env=embedded["env"])
    assert "The demo zone is already in the database" in again.stdout


def test_embedded_task_runs_in_process(embedded):
    code = "from branches.tasks import tree_integrity_check as t; r = t.delay().get(); print(r['problems'])"
    result = manage("shell", "--verbosity", "0", "-c", code, env=embedded["env"])
    assert (
        result.stdout.strip()
        == "{'bad_characters': 0, 'bad_step_length': 0, 'orphans': 0, 'wrong_depth': 0, 'wrong_child_count': 0}"
    )


def test_embedded_server_login_and_home_in_chinese(embedded):
    base = embedded["base"]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": "town1", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    home = (
        opener.open(urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}))
        .read()
        .decode()
    )
    assert "欢迎" in home
    assert "中共麓谷街道工作委员会" in home
    css = opener.open(f"{base}/static/vendor/bootstrap/bootstrap.min.css")
    assert css.status == 200
