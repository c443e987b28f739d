"""The production stack as the README documents it: gunicorn with collected static files, Celery beat."""

import http.cookiejar
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from core.enums import Role
from tests.factories import PASSWORD, UserFactory
from tests.portal.conftest import PYTHON, ROOT, manage, service_env
from tests.portal.test_embedded import _free_port

pytestmark = pytest.mark.services


def _production_env(tmp_path, redis_url):
    s = connection.settings_dict
    return service_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        REDIS_URL=redis_url,
        STATIC_ROOT=str(tmp_path / "static"),
        PORTAL_VAR_DIR=str(tmp_path / "var"),
    )


def _wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_gunicorn_serves_login_home_and_hashed_static(transactional_db, tmp_path, redis_url):
    user = UserFactory(role=Role.BUREAU, username="prod-bureau")
    # The server process checks passwords with the production hasher, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "prodtestsalt")
    user.save(update_fields=["password"])
    env = _production_env(tmp_path, redis_url)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = _wait_for(f"{base}/login/").read().decode()
        css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page).group(1)
        static = urllib.request.urlopen(f"{base}{css}")
        assert static.status == 200
        assert "immutable" in static.headers["Cache-Control"]
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', opener.open(f"{base}/login/").read().decode()
        ).group(1)
        form = urllib.parse.urlencode(
            {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        home = opener.open(urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}))
        assert home.url == f"{base}/"
        assert "审计日志" in home.read().decode()  # the bureau's navigation
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_celery_beat_starts_with_the_versioned_schedule(tmp_path, redis_url, db):
    env = _production_env(tmp_path, redis_url)
    log_path = tmp_path / "beat.log"
    log = log_path.open("w")
    beat = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "beat", "-l", "info", "--schedule", str(tmp_path / "beat-schedule")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while "beat: Starting..." not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "beat: Starting..." in log_path.read_text()
        assert beat.poll() is None
    finally:
        beat.terminate()
        beat.wait(timeout=20)
        log.close()
