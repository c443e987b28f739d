"""A real task through Redis to a real Celery worker process, against the test database."""

import subprocess
import time
import uuid

import pytest
from django.db import connection

from branches.tasks import tree_integrity_check
from tests.portal.conftest import PYTHON, ROOT, service_env

pytestmark = pytest.mark.services


def _database_url() -> str:
    s = connection.settings_dict
    assert s["ENGINE"] == "django.db.backends.postgresql", "the worker test runs on PostgreSQL (make test)"
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(redis_url, transactional_db, tmp_path):
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    env = service_env(DATABASE_URL=_database_url(), REDIS_URL=redis_url, CELERY_QUEUE=queue)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--without-gossip", "--without-mingle", "-Q", queue, "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
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


def test_tree_integrity_check_runs_on_real_worker(zone, worker, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    started = time.monotonic()
    result = tree_integrity_check.apply_async(queue=worker).get(timeout=90)
    assert result == {
        "organisations": 8,
        "problems": {"bad_characters": 0, "bad_step_length": 0, "orphans": 0, "wrong_depth": 0, "wrong_child_count": 0},
    }
    assert time.monotonic() - started < 90
