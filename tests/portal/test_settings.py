import os
import secrets

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.portal.conftest import manage, service_env


def test_check_deploy_clean_with_production_environment(tmp_path):
    env = service_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.zone.example",
        SECURE_COOKIES="true",
        DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
        REDIS_URL="redis://127.0.0.1:6379/0",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_embedded_default_is_sqlite_and_in_process_tasks(tmp_path):
    env = service_env(PORTAL_VAR_DIR=str(tmp_path))
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "Asia/Shanghai", "zh-hans"]
    # The generated secret key is kept private in the var folder.
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_from_environment_in_this_run():
    # make test points the suite at the real services.
    assert django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert django_settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.django_db
def test_login_page_in_chinese_by_default_and_english_on_request(client):
    assert '<h1 class="h3 mb-3">登录</h1>' in client.get(reverse("login")).content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<h1 class="h3 mb-3">Log in</h1>' in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.django_db
def test_english_browser_still_gets_chinese_until_english_is_chosen(client):
    page = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<h1 class="h3 mb-3">登录</h1>' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert '<h1 class="h3 mb-3">Log in</h1>' in client.get(reverse("login")).content.decode()


def test_a_test_run_keeps_its_cache_keys_apart_from_earlier_runs():
    """Keys such as a ZIP's progress name database pks, which a new test database hands out again."""
    from django.core.cache import cache

    prefix = os.environ["CACHE_KEY_PREFIX"]
    assert prefix.startswith("test-") and cache.make_key("ledgers:subtree:1").startswith(f"{prefix}:")
