"""A real task through Redis to a real Celery worker process, against the test database."""

import datetime
import re
import subprocess
import time
import uuid

import pytest
from django.db import connection

from branches.tasks import tree_integrity_check
from core.idcard import id_make
from tests.portal.conftest import PYTHON, ROOT, service_env

pytestmark = pytest.mark.services


def _database_url() -> str:
    s = connection.settings_dict
    assert s["ENGINE"] == "django.db.backends.postgresql", "the worker test runs on PostgreSQL (make test)"
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, transactional_db, tmp_path, settings):
    from portal.celery import app

    app.conf.task_always_eager = False  # tests/conftest.py runs tasks in-process by default
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    settings.MEDIA_ROOT = str(tmp_path / "media")
    env = service_env(
        DATABASE_URL=_database_url(), REDIS_URL=redis_url, CELERY_QUEUE=queue, MEDIA_ROOT=str(tmp_path / "media")
    )
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            # As in production (deploy/Procfile): tasks run in a forked pool child, which may fork
            # a helper of its own (core.forkwork: the roster check).
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        app.conf.task_default_queue = "portal"


def test_tree_integrity_check_runs_on_real_worker(zone, worker, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    started = time.monotonic()
    result = tree_integrity_check.apply_async(queue=worker).get(timeout=90)
    assert result == {
        "organisations": 8,
        "problems": {"bad_characters": 0, "bad_step_length": 0, "orphans": 0, "wrong_depth": 0, "wrong_child_count": 0},
    }
    assert time.monotonic() - started < 90


def test_large_roster_checked_and_imported_by_real_worker_with_progress(zone, worker, tmp_path):
    """A 12,000-row roster: the page's progress comes from the worker through Redis."""
    from members import imports, tasks
    from members.models import Member, RosterUpload
    from tests.members.test_imports import sheet_rows, xlsx

    rows = sheet_rows(12_000)
    for n, row in enumerate(rows[3:]):  # 12,000 different people
        row[3] = id_make(
            area="430111",
            born=datetime.date(1960, 1, 1) + datetime.timedelta(days=n // 400),
            sequence=n % 400,
            male=n % 2 == 1,
        )
        row[2] = "男" if n % 2 else "女"
    upload = imports.roster_upload_create(content=xlsx(rows), file_name="大名册.xlsx", organisation=zone.b2, user=None)
    seen = _follow(tasks.roster_upload_check.apply_async(args=[upload.pk], queue=worker), upload)
    upload.refresh_from_db()
    assert upload.state == RosterUpload.State.CHECKED
    assert upload.counts == {"new": 12_000, "changed": 0, "unchanged": 0, "rejected": 0}
    assert any(0 < p["done"] < p["total"] for p in seen), seen  # the bar moved while the worker checked
    # More than 10,000 rows: the pool child checked them with a helper process of its own, and
    # looked the members up a chunk ahead on a second connection of its own (core.sidequery).
    log = (tmp_path / "worker.log").read_text()
    assert "forkwork: helper process" in log and "done here instead" not in log
    assert re.search(r"sidequery: [1-9]\d* queries ran a step ahead", log)
    assert "the second connection failed" not in log and "did not close cleanly" not in log

    imports.roster_upload_confirm(upload=upload)
    _follow(tasks.roster_upload_import.apply_async(args=[upload.pk, None], queue=worker), upload)
    upload.refresh_from_db()
    assert (upload.state, upload.written) == (RosterUpload.State.IMPORTED, {"created": 12_000, "updated": 0})
    assert Member.objects.filter(organisation=zone.b2).count() == 12_000


def _follow(result, upload) -> list[dict]:
    """Poll the upload's progress as the page does, until the task ends."""
    from members import imports

    seen = []
    deadline = time.monotonic() + 120
    while not result.ready():
        assert time.monotonic() < deadline, "the worker did not finish in 120 s"
        seen.append(imports.upload_progress(upload))
        time.sleep(0.02)
    result.get(timeout=5)
    return seen
