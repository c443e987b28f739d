"""Issue 7, reliability, with real processes: Redis down, a worker killed with SIGKILL, PostgreSQL
restarted under a running server, a backup restored into a fresh database."""

import datetime
import http.cookiejar
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from assessments.compliance.engine import compliance_run
from assessments.models import ComplianceRun, Finding, FindingStage
from core import backups
from core.idcard import id_make
from members import imports
from members.models import Member, Membership, RosterUpload
from tests.factories import PASSWORD
from tests.members.test_imports import sheet_rows, xlsx
from tests.portal.conftest import PYTHON, ROOT, manage, service_env
from tests.portal.test_celery_worker import _database_url
from tests.portal.test_embedded import _free_port

pytestmark = pytest.mark.services

REDIS_DOWN_NOTICE = "后台任务队列（Redis）无法连接"


def _wait(what: str, check, seconds: float = 30, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(every)
    raise AssertionError(f"{what}: not within {seconds} s")


class Browser:
    """A user's browser against a server in another process: cookies, CSRF, forms, uploads."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str) -> tuple[int, str, str]:
        with self.opener.open(f"{self.base}{url}", timeout=30) as response:
            return response.status, response.url, response.read().decode()

    def post(self, url: str, data: dict, *, token_from: str | None = None) -> tuple[int, str, str]:
        _status, _url, page = self.get(token_from or url)
        data = {**data, "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]}
        body = encode_multipart(BOUNDARY, data)
        request = urllib.request.Request(
            f"{self.base}{url}", data=body, headers={"Content-Type": MULTIPART_CONTENT, "Referer": f"{self.base}{url}"}
        )
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.url, response.read().decode()

    def login(self, username: str) -> None:
        status, url, _page = self.post("/login/", {"username": username, "password": PASSWORD})
        assert (status, url) == (200, f"{self.base}/")


def _server_user(user) -> None:
    """The server process checks passwords with the production hasher, not the tests' fast one."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "reliabilitysalt")
    user.save(update_fields=["password"])


def _gunicorn(tmp_path, env: dict, name: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    with (tmp_path / f"{name}.log").open("w") as log:
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return urllib.request.urlopen(f"{base}/login/", timeout=2).status == 200
        except OSError:
            assert server.poll() is None, (tmp_path / f"{name}.log").read_text()
            return False

    _wait("gunicorn answering", answers)
    return server, base


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- Redis down -------------------------------------------------------------------------------


def test_pages_work_and_say_so_when_redis_is_down(zone, users, transactional_db, tmp_path, settings):
    """Every page answers; the roster's check and import run in the request, the compliance run in
    the web process's background; each says so in Chinese. Nothing waits for Redis for long."""
    dead = _free_port()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", dead), timeout=1)
    _server_user(users.bureau)
    env = service_env(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        REDIS_URL=f"redis://127.0.0.1:{dead}/0",
        MEDIA_ROOT=str(tmp_path / "media"),
        PORTAL_VAR_DIR=str(tmp_path),
    )
    server, base = _gunicorn(tmp_path, env, "gunicorn-redis-down")
    try:
        browser = Browser(base)
        browser.login(users.bureau.username)
        for url in ("/", reverse("branches:tree"), reverse("members:list"), reverse("assessments:runs")):
            started = time.monotonic()
            assert browser.get(url)[0] == 200, url
            assert time.monotonic() - started < 3, url

        roster = SimpleUploadedFile("名册.xlsx", xlsx(sheet_rows(3)))
        status, url, page = browser.post(reverse("members:roster_import"), {"file": roster, "organisation_code": "B2"})
        upload = RosterUpload.objects.get()
        assert (status, url) == (200, f"{base}{reverse('members:roster_upload', args=[upload.pk])}")
        assert REDIS_DOWN_NOTICE in page and "已在本次请求中完成" in page
        assert (upload.state, upload.counts["new"]) == (RosterUpload.State.CHECKED, 3)
        assert browser.get(reverse("members:roster_progress", args=[upload.pk]))[0] == 200

        status, _url, page = browser.post(
            reverse("members:roster_confirm", args=[upload.pk]),
            {},
            token_from=reverse("members:roster_upload", args=[upload.pk]),
        )
        upload.refresh_from_db()
        assert (status, upload.state) == (200, RosterUpload.State.IMPORTED)
        assert upload.written == {"created": 3, "updated": 0}
        assert REDIS_DOWN_NOTICE in page
        assert Member.objects.filter(organisation=zone.b2).count() == 3

        year = datetime.date.today().year
        status, _url, page = browser.post(reverse("assessments:runs"), {"year": year})
        assert status == 200 and REDIS_DOWN_NOTICE in page and "在网页服务器后台运行" in page
        run = _wait(
            "the run in the web process",
            lambda: ComplianceRun.objects.filter(year=year).exclude(state=ComplianceRun.State.RUNNING).first(),
        )
        assert run.state == ComplianceRun.State.DONE
        assert browser.get(reverse("assessments:run_progress", args=[run.pk]))[0] == 200
    finally:
        _stop(server)


# --- a worker killed with SIGKILL ------------------------------------------------------------


class Worker:
    """A real Celery worker (one process: --pool=solo) in its own process group, like production's."""

    def __init__(self, tmp_path, redis_url: str, queue: str, name: str):
        self.log = tmp_path / f"{name}.log"
        env = service_env(
            DATABASE_URL=_database_url(),
            REDIS_URL=redis_url,
            CELERY_QUEUE=queue,
            MEDIA_ROOT=str(tmp_path / "media"),
            PORTAL_VAR_DIR=str(tmp_path),
        )
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "-Q",
                    queue,
                    "-l",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            _stop(self.process)


@pytest.fixture
def workers(redis_url, transactional_db, tmp_path, settings):
    """Start workers on a queue of the test's own; every one is stopped at the end."""
    from portal.celery import app

    app.conf.task_always_eager = False  # tests/conftest.py runs tasks in-process by default
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    settings.MEDIA_ROOT = str(tmp_path / "media")
    started = []

    def start() -> Worker:
        started.append(Worker(tmp_path, redis_url, queue, f"worker-{len(started)}"))
        return started[-1]

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
        app.conf.task_default_queue = "portal"


def _blocker(table: str):
    """Another session holding a SHARE lock on `table`: a task writing into it waits there, in the
    middle of its transaction, until this session ends. So the kill below lands mid-transaction."""
    s = connection.settings_dict
    blocker = psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"] or "postgres",
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        password=s["PASSWORD"] or None,
    )
    blocker.cursor().execute(f'LOCK TABLE "{table}" IN SHARE MODE')
    return blocker


def _waiting_on(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = %s AND NOT l.granted)",
            [table],
        )
        return cursor.fetchone()[0]


def _large_roster(rows: int) -> bytes:
    sheet = sheet_rows(rows)
    for n, row in enumerate(sheet[3:]):
        row[3] = id_make(
            area="430112",
            born=datetime.date(1960, 1, 1) + datetime.timedelta(days=n // 400),
            sequence=n % 400,
            male=n % 2 == 1,
        )
        row[2] = "男" if n % 2 else "女"
    return xlsx(sheet)


def test_a_work_lock_is_free_once_its_holder_is_killed(db, settings):
    from core.work_locks import work_lock, work_lock_free

    database_url = _database_url() if connection.vendor == "postgresql" else None
    env = service_env(DATABASE_URL=database_url, PORTAL_VAR_DIR=str(settings.VAR_DIR))
    code = (
        "import django, time; django.setup()\nfrom core.work_locks import work_lock\n"
        "with work_lock(name='test', key=7) as held:\n    print(held, flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([PYTHON, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "True\n"
        assert work_lock_free(name="test", key=7) is False
        assert work_lock_free(name="test", key=8) is True
        with work_lock(name="test", key=7) as held:
            assert held is False
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert _wait("the lock released", lambda: work_lock_free(name="test", key=7), 10) is True


def test_import_killed_with_its_worker_writes_nothing_and_is_confirmed_again(zone, users, client, workers):
    rows = 6_000  # more than PROGRESS_EVERY: the bar moves before the kill
    upload = imports.roster_upload_preview(
        content=_large_roster(rows), file_name="大名册.xlsx", organisation=zone.b2, user=users.town_admin
    )
    assert upload.counts["new"] == rows
    client.force_login(users.town_admin)
    page_url = reverse("members:roster_upload", args=[upload.pk])
    worker = workers()
    blocker = _blocker(Membership._meta.db_table)
    try:
        assert client.post(reverse("members:roster_confirm", args=[upload.pk])).status_code == 302
        _wait("the worker inside the import's transaction", lambda: _waiting_on(Membership._meta.db_table), 60)
        progress = imports.upload_progress(upload)
        assert (progress["phase"], progress["done"] >= 5_000) == ("importing", True)
        worker.kill()
    finally:
        blocker.close()

    # The page finds the upload's worker gone and releases it; not one member of the file was written.
    _wait("the page releasing the upload", lambda: client.get(page_url).context["upload"].state == "checked", 20)
    upload.refresh_from_db()
    assert upload.failure.endswith(f":{worker.process.pid}）在导入完成前停止，请重新确认导入。")
    assert Member.objects.filter(organisation=zone.b2).count() == 0
    assert "上次导入失败，未写入任何数据" in client.get(page_url).content.decode()

    workers()  # a restarted worker; the user confirms again
    assert client.post(reverse("members:roster_confirm", args=[upload.pk])).status_code == 302
    _wait("the import on the new worker", lambda: RosterUpload.objects.get(pk=upload.pk).state == "imported", 60)
    assert Member.objects.filter(organisation=zone.b2).count() == rows


def test_compliance_run_killed_with_its_worker_keeps_the_findings_and_is_taken_over(zone, users, client, workers):
    year = datetime.date.today().year - 1
    first = compliance_run(year=year, trigger="test")
    before = sorted(Finding.objects.values_list("pk", "rule", "organisation_id", "period", "aspect", "status"))
    assert first.state == ComplianceRun.State.DONE and before
    client.force_login(users.bureau)
    worker = workers()
    blocker = _blocker(FindingStage._meta.db_table)
    try:
        assert client.post(reverse("assessments:runs"), {"year": year}).status_code == 302
        _wait("the run inside its transaction", lambda: _waiting_on(FindingStage._meta.db_table), 60)
        killed = ComplianceRun.objects.get(state=ComplianceRun.State.RUNNING)
        worker.kill()
    finally:
        blocker.close()

    progress_url = reverse("assessments:run_progress", args=[killed.pk])
    _wait("the page marking the run failed", lambda: client.get(progress_url).get("HX-Refresh") == "true", 20)
    killed.refresh_from_db()
    assert killed.state == ComplianceRun.State.FAILED
    assert killed.error == f"stale: the worker {killed.summary['worker']} stopped before the run finished"
    assert killed.summary["worker"].endswith(f":{worker.process.pid}")
    assert sorted(Finding.objects.values_list("pk", "rule", "organisation_id", "period", "aspect", "status")) == before
    assert FindingStage.objects.count() == 0

    workers()
    assert client.post(reverse("assessments:runs"), {"year": year}).status_code == 302
    again = _wait(
        "the run on the new worker",
        lambda: ComplianceRun.objects.filter(year=year, state=ComplianceRun.State.DONE).exclude(pk=first.pk).first(),
        60,
    )
    assert (again.opened, again.resolved, again.open_total) == (0, 0, first.open_total)


# --- PostgreSQL restarted --------------------------------------------------------------------


@pytest.fixture
def own_postgresql(tmp_path):
    """A PostgreSQL server of the test's own (the machine's version, a temporary data directory), so
    restarting it disturbs no other test or session using the machine's server."""
    bindir = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-", dir="/tmp"))
    port = _free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres")
    data = folder / "data"

    def pg_ctl(*args):
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    subprocess.run(
        [
            *as_postgres,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl("-o", options, "start")
    try:
        yield port, lambda: pg_ctl("-o", options, "-m", "fast", "restart")
    finally:
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _server_sessions(database_url: str) -> int:
    db = psycopg2.connect(database_url)
    try:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]
    finally:
        db.close()


def test_requests_after_a_postgresql_restart_succeed(zone, users, transactional_db, tmp_path, settings, own_postgresql):
    port, restart = own_postgresql
    _server_user(users.bureau)
    copy = tmp_path / "copy.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(copy), _database_url()], check=True)
    own_url = f"postgres://postgres@127.0.0.1:{port}/portal"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "portal"], check=True)
    subprocess.run(["pg_restore", "--no-owner", "--dbname", own_url, str(copy)], check=True)
    env = service_env(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=own_url,
        CONN_MAX_AGE="600",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    server, base = _gunicorn(tmp_path, env, "gunicorn-pg-restart")  # one worker: its persistent connection dies
    try:
        browser = Browser(base)
        browser.login(users.bureau.username)
        assert browser.get(reverse("members:list"))[0] == 200
        assert _server_sessions(own_url) == 1  # the worker kept its connection (CONN_MAX_AGE): the restart breaks it
        restart()
        for url in ("/", reverse("members:list"), reverse("branches:tree")):
            assert browser.get(url)[0] == 200, url
    finally:
        _stop(server)


# --- backups ---------------------------------------------------------------------------------

COUNTED = [
    "branches_organisation",
    "members_member",
    "members_membership",
    "members_memberevent",
    "portal_user",
    "django_migrations",
    "django_content_type",
]


def _counts(database_url: str) -> dict:
    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        counts = {}
        for table in COUNTED:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    db.close()
    return counts


def _admin(statement: str) -> None:
    db = psycopg2.connect(_database_url())
    try:
        db.autocommit = True
        db.cursor().execute(statement)
    finally:
        db.close()


def test_a_backup_restores_into_a_fresh_database(zone, users, transactional_db, tmp_path):
    backup = tmp_path / "portal.dump"
    call_command("backup_database", str(backup), stdout=io.StringIO())
    fresh = f"portal_restore_{uuid.uuid4().hex[:8]}"
    fresh_url = _database_url().rsplit("/", 1)[0] + f"/{fresh}"
    _admin(f'CREATE DATABASE "{fresh}"')
    try:
        env = service_env(DATABASE_URL=fresh_url)
        restored = manage("restore_database", str(backup), env=env)
        assert restored.returncode == 0, restored.stderr
        expected = _counts(_database_url())
        assert expected["members_member"] == 5 and expected["branches_organisation"] == 8
        assert _counts(fresh_url) == expected

        refused = manage("restore_database", str(backup), env=env, check=False)
        assert refused.returncode == 1
        assert f"数据库{fresh}不是空的" in refused.stderr
        assert manage("restore_database", str(backup), "--force", env=env).returncode == 0
        assert _counts(fresh_url) == expected
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_a_sqlite_backup_restores_into_a_fresh_file(tmp_path):
    import sqlite3

    source = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "portal.sqlite3")}
    with sqlite3.connect(source["NAME"]) as db:
        db.execute("CREATE TABLE member (name TEXT)")
        db.executemany("INSERT INTO member VALUES (?)", [("党员甲",), ("党员乙",)])
    db.close()
    backup = backups.database_backup(path=tmp_path / "portal.backup", database=source)
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
    backups.database_restore(path=backup, database=target)
    with sqlite3.connect(target["NAME"]) as db:
        assert db.execute("SELECT name FROM member ORDER BY name").fetchall() == [("党员乙",), ("党员甲",)]
    db.close()
    with pytest.raises(backups.BackupError, match="不是空的"):
        backups.database_restore(path=backup, database=target)
    with pytest.raises(backups.BackupError, match="已存在"):
        backups.database_backup(path=backup, database=source)
