import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def service_env(**overrides) -> dict:
    """The environment for a child process of the portal: ours, minus what the test replaces."""
    # DJANGO_ALLOW_ASYNC_UNSAFE belongs to the browser tests' process only (tests/browser/conftest.py).
    dropped = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def manage(*args, env, timeout=120, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=check
    )


@pytest.fixture
def redis_url(settings):
    """Redis from REDIS_URL; a missing or unreachable Redis fails the test, never skips it."""
    import redis

    url = settings.REDIS_URL
    assert url, "REDIS_URL is not set: this test needs the Redis of the machine (make test sets it)"
    redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    return url
