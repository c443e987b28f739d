"""Issue 7: login lockout, password rules, session limits, forced password change, security headers,
same-site `next=` and closed mass assignment."""

import datetime
import importlib
import pkgutil
import time

import pytest
from axes.models import AccessAttempt
from django import forms
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core import services, sessions
from core.enums import Role
from core.models import AuditEntry, PasswordHistory, User
from members.models import Member
from tests.factories import PASSWORD, UserFactory
from tests.portal.conftest import manage, service_env

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，该用户名或该地址已被锁定，请在{}分钟后再试。"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


def login_post(client, username, password, address="10.0.0.1", **data):
    return client.post(reverse("login"), {"username": username, "password": password, **data}, REMOTE_ADDR=address)


def lockout_text(response) -> str | None:
    return response.context.get("lockout_message") if response.context else None


def attempts():
    return sorted(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start"))


# Lockout (django-axes, counters in the database)


def test_login_fifth_failure_locks_username_for_30_minutes(db, client):
    user = UserFactory(role=Role.AUDITOR)
    for _ in range(4):
        response = login_post(client, user.username, "wrong")
        assert (response.status_code, lockout_text(response)) == (200, None)
    response = login_post(client, user.username, "wrong")
    assert (response.status_code, lockout_text(response)) == (429, LOCKED.format(30))
    assert '<div class="alert alert-danger" role="alert" id="lockout">' in response.content.decode()
    # Even the right password is refused now, and from another address too.
    assert login_post(client, user.username, PASSWORD).status_code == 429
    assert login_post(client, user.username, PASSWORD, address="10.0.0.2").status_code == 429
    assert SESSION_KEY not in client.session
    assert attempts() == [(user.username, "10.0.0.1", 5)]


def test_login_lockout_ends_30_minutes_after_the_fifth_failure(db, client):
    user = UserFactory(role=Role.AUDITOR)
    for _ in range(5):
        login_post(client, user.username, "wrong")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=29))
    response = login_post(client, user.username, PASSWORD)
    assert (response.status_code, lockout_text(response)) == (429, LOCKED.format(1))
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=1, seconds=1))
    response = login_post(client, user.username, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_login_five_failures_from_one_address_lock_the_address(db, client):
    victims = UserFactory.create_batch(5, role=Role.AUDITOR)
    other = UserFactory(role=Role.AUDITOR)
    for victim in victims:
        response = login_post(client, victim.username, "wrong", address="10.0.0.9")
    assert (response.status_code, lockout_text(response)) == (429, LOCKED.format(30))
    assert login_post(client, other.username, PASSWORD, address="10.0.0.9").status_code == 429
    assert login_post(client, other.username, PASSWORD, address="10.0.0.10").status_code == 302


def test_login_success_clears_the_username_count(db, client):
    user = UserFactory(role=Role.AUDITOR)
    for _ in range(4):
        login_post(client, user.username, "wrong", address="10.0.0.1")
    assert login_post(client, user.username, PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    for _ in range(4):
        response = login_post(client, user.username, "wrong", address="10.0.0.3")
    assert (response.status_code, attempts()) == (200, [(user.username, "10.0.0.3", 4)])


def test_login_success_keeps_the_address_failures_against_others(db, client):
    """One's own account cannot reset an address that guessed at other accounts."""
    first, second, third, own = UserFactory.create_batch(4, role=Role.AUDITOR)
    for victim in (first, first, second, second):
        login_post(client, victim.username, "wrong", address="10.0.0.5")
    assert login_post(client, own.username, PASSWORD, address="10.0.0.5").status_code == 302
    client.logout()
    response = login_post(client, third.username, "wrong", address="10.0.0.5")
    assert (response.status_code, lockout_text(response)) == (429, LOCKED.format(30))


def test_login_lockout_counts_without_redis(db, client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    user = UserFactory(role=Role.AUDITOR)
    for _ in range(5):
        response = login_post(client, user.username, "wrong")
    assert (response.status_code, attempts()) == (429, [(user.username, "10.0.0.1", 5)])


def test_login_behind_proxy_counts_the_address_the_proxy_appended(db, client, settings):
    settings.BEHIND_PROXY = True
    user = UserFactory(role=Role.AUDITOR)
    client.post(
        reverse("login"),
        {"username": user.username, "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 10.20.30.40",
    )
    assert attempts() == [(user.username, "10.20.30.40", 1)]


def test_lockout_settings_use_the_database():
    assert (
        django_settings.AXES_HANDLER,
        django_settings.AXES_FAILURE_LIMIT,
        django_settings.AXES_COOLOFF_TIME,
        django_settings.AXES_LOCKOUT_PARAMETERS,
        django_settings.AUTHENTICATION_BACKENDS[0],
    ) == (
        "axes.handlers.database.AxesDatabaseHandler",
        5,
        datetime.timedelta(minutes=30),
        ["username", "ip_address"],
        "axes.backends.AxesStandaloneBackend",
    )


# Password rules


@pytest.mark.parametrize(
    ("password", "errors"),
    [
        ("Qz7mWpx2", []),
        ("qz7m#px2", []),
        ("Qz7mWp2", ["密码太短：至少需要8个字符。"]),
        ("qz7mwpx2", ["密码须至少包含小写字母、大写字母、数字、符号中的三类。"]),
        ("QZMWPX#!", ["密码须至少包含小写字母、大写字母、数字、符号中的三类。"]),
    ],
)
def test_password_rules_length_and_three_classes(password, errors):
    with translation.override("zh-hans"):
        try:
            validate_password(password)
            found = []
        except ValidationError as exc:
            found = exc.messages
    assert found == errors


# Sessions


def test_login_gives_a_new_session_key(db, client):
    user = UserFactory(role=Role.AUDITOR)
    before = client.session
    before["language_seen"] = True
    before.save()
    old_key = before.session_key
    assert login_post(client, user.username, PASSWORD).status_code == 302
    new_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert (new_key != old_key, Session.objects.filter(session_key=old_key).exists()) == (True, False)


def test_login_session_cookie_lasts_30_minutes_and_is_http_only(db, client):
    user = UserFactory(role=Role.AUDITOR)
    response = login_post(client, user.username, PASSWORD)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert (cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (1800, True, "Lax")


def _age_session(client, *, login_ago: float, seen_ago: float):
    session = client.session
    now = time.time()
    session[sessions.LOGIN_AT] = int(now - login_ago)
    session[sessions.SEEN_AT] = int(now - seen_ago)
    session.save()


def test_session_idle_30_minutes_logs_out_with_a_message(zone, users, client):
    client.force_login(users.bureau)
    _age_session(client, login_ago=3600, seen_ago=30 * 60)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain == [(f"{reverse('login')}?next=/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["您已30分钟无操作，已自动退出，请重新登录。"]
    assert SESSION_KEY not in client.session


def test_session_idle_29_minutes_stays_and_counts_the_request(zone, users, client):
    client.force_login(users.bureau)
    _age_session(client, login_ago=3600, seen_ago=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[sessions.SEEN_AT] < 5


def test_session_12_hours_after_login_ends_however_active(zone, users, client):
    client.force_login(users.bureau)
    _age_session(client, login_ago=12 * 3600, seen_ago=10)
    response = client.get(reverse("home"), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["您登录已超过12小时，已自动退出，请重新登录。"]
    assert SESSION_KEY not in client.session


def test_session_without_login_time_ends(zone, users, client):
    client.force_login(users.bureau)
    session = client.session
    del session[sessions.LOGIN_AT]
    session.save()
    assert client.get(reverse("home"))["Location"] == f"{reverse('login')}?next=/"


# Forced password change


@pytest.fixture
def newcomer(zone):
    return UserFactory(role=Role.ORG_ADMIN, organisation=zone.b1, must_change_password=True)


def test_forced_password_change_guards_every_page(newcomer, client):
    client.force_login(newcomer)
    target = reverse("password_change")
    for url in (reverse("home"), reverse("members:list"), reverse("branches:tree"), reverse("dashboard")):
        assert client.get(url)["Location"] == target
    htmx = client.get(reverse("branches:children", args=[newcomer.organisation.pk]), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == target
    page = client.get(target)
    assert (page.status_code, 'id="password-required"' in page.content.decode()) == (200, True)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_password_change_page_for_every_signed_in_role(zone, users, client):
    assert client.get(reverse("password_change"))["Location"] == f"{reverse('login')}?next=/password/"
    codes = []
    for user in (users.bureau, users.auditor, users.sysadmin, users.town_admin):
        client.force_login(user)
        codes.append(client.get(reverse("password_change")).status_code)
    assert codes == [200, 200, 200, 200]


def test_forced_password_change_refuses_the_same_password(newcomer, client):
    client.force_login(newcomer)
    data = {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    response = client.post(reverse("password_change"), data)
    assert response.context["form"].errors == {"new_password2": ["新密码不能与当前密码相同。"]}
    newcomer.refresh_from_db()
    assert newcomer.must_change_password is True


def test_forced_password_change_then_pages_open(newcomer, client):
    client.force_login(newcomer)
    data = {"old_password": PASSWORD, "new_password1": "Mine@2025pw", "new_password2": "Mine@2025pw"}
    response = client.post(reverse("password_change"), data)
    assert response["Location"] == reverse("home")
    newcomer.refresh_from_db()
    assert (newcomer.must_change_password, newcomer.check_password("Mine@2025pw")) == (False, True)
    assert client.get(reverse("home")).status_code == 200  # still logged in


def test_password_change_weak_password_refused_in_chinese(newcomer, client):
    client.force_login(newcomer)
    data = {"old_password": PASSWORD, "new_password1": "mine2025pw", "new_password2": "mine2025pw"}
    response = client.post(reverse("password_change"), data)
    assert response.context["form"].errors == {
        "new_password2": ["密码须至少包含小写字母、大写字母、数字、符号中的三类。"]
    }


# Security headers and production settings


@pytest.mark.parametrize("url", ["/login/", "/", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    headers = [response.headers.get(h) for h in ("Content-Security-Policy", "X-Frame-Options")]
    headers += [response.headers.get(h) for h in ("X-Content-Type-Options", "Referrer-Policy")]
    assert headers == [CSP, "DENY", "nosniff", "same-origin"]


def test_https_redirect_hsts_and_secure_cookies_when_asked(db, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    user = UserFactory(role=Role.AUDITOR)
    assert client.get("/login/")["Location"] == "https://testserver/login/"
    page = client.get("/login/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page.cookies[django_settings.CSRF_COOKIE_NAME]["secure"] is True
    response = client.post("/login/", {"username": user.username, "password": PASSWORD}, secure=True)
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["secure"] is True


SECURE_SETTINGS = (
    "from django.conf import settings as s;"
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
    " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
)


@pytest.mark.parametrize(
    ("secure_cookies", "expected"),
    [("true", ["True", "True", "True", "31536000", "True", "True"]), (None, ["False"] * 3 + ["0"] + ["False"] * 2)],
)
def test_secure_cookies_switches_production_settings(tmp_path, secure_cookies, expected):
    env = service_env(PORTAL_VAR_DIR=str(tmp_path))
    env.pop("SECURE_COOKIES", None)
    if secure_cookies:
        env["SECURE_COOKIES"] = secure_cookies
    result = manage("shell", "--verbosity", "0", "-c", SECURE_SETTINGS, env=env)
    assert result.stdout.split() == expected


# next= only to this site


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("///evil.example/", "/"),
        ("https:evil.example", "/"),
        ("/members/", "/members/"),
    ],
)
def test_login_next_only_to_this_site(db, client, next_url, landing):
    user = UserFactory(role=Role.AUDITOR)
    response = login_post(client, user.username, PASSWORD, next=next_url)
    assert response["Location"] == landing


def test_login_page_when_logged_in_ignores_foreign_next(zone, users, client):
    client.force_login(users.bureau)
    assert client.get(reverse("login"), {"next": "//evil.example"})["Location"] == "/"


# Mass assignment

APPS = ("portal", "branches", "members", "assessments", "funding")


def _project_model_forms():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part.startswith("forms") or part == "admin" for part in module.name.split(".")[1:]):
                importlib.import_module(module.name)
    found, pending = [], [forms.ModelForm]
    while pending:
        for cls in pending.pop().__subclasses__():
            pending.append(cls)
            if cls.__module__.split(".")[0] in APPS:
                found.append(cls)
    return found


def test_model_forms_list_their_fields():
    model_forms = _project_model_forms()
    names = {cls.__name__ for cls in model_forms}
    assert {"MemberForm", "OrganisationForm", "PostForm", "VenueForm"} <= names
    loose = [
        cls.__qualname__
        for cls in model_forms
        if not isinstance(getattr(cls.Meta, "fields", None), list | tuple) or getattr(cls.Meta, "exclude", None)
    ]
    assert loose == []


def test_member_edit_ignores_organisation_and_status_posted(zone, users, client_for):
    member = zone.b1_members[0]
    client = client_for(users.branch_admin)
    url = reverse("members:update", args=[member.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(name="改名", organisation=zone.b3.pk, status="deceased", name_pinyin="hacked")
    response = client.post(url, data)
    assert response.status_code == 302
    member = Member.objects.get(pk=member.pk)
    assert (member.name, member.organisation_id, member.status, member.name_pinyin) == (
        "改名",
        zone.b1.pk,
        "active",
        "gaiming",
    )


def test_password_change_ignores_role_and_flags_posted(newcomer, client):
    username = newcomer.username
    client.force_login(newcomer)
    data = {
        "old_password": PASSWORD,
        "new_password1": "Mine@2025pw",
        "new_password2": "Mine@2025pw",
        "role": Role.BUREAU,
        "is_staff": "on",
        "is_superuser": "on",
        "username": "boss",
        "organisation": "",
    }
    assert client.post(reverse("password_change"), data).status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.role, newcomer.is_staff, newcomer.is_superuser, newcomer.username, newcomer.organisation_id) == (
        Role.ORG_ADMIN,
        False,
        False,
        username,
        newcomer.organisation.pk,
    )


# Issue 13 (8): the current password on the password page counts towards the lockout.

WRONG_CURRENT = "你的旧密码不正确。请重新输入。"


def _password_post(client, current, new="Mine@2025pw", address="10.0.0.1"):
    data = {"old_password": current, "new_password1": new, "new_password2": new}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=address)


def test_password_page_fifth_wrong_current_password_locks_the_account(db, client):
    user = UserFactory(role=Role.AUDITOR)
    client.force_login(user)
    for _ in range(4):
        response = _password_post(client, "wrong")
        assert (response.status_code, response.context["form"].errors["old_password"]) == (200, [WRONG_CURRENT])
    response = _password_post(client, "wrong")
    assert (response.status_code, lockout_text(response)) == (429, LOCKED.format(30))
    assert f'<form method="post" action="{reverse("login")}">' in response.content.decode()
    assert SESSION_KEY not in client.session
    assert attempts() == [(user.username, "10.0.0.1", 5)]
    # The right password no longer logs in, from any address.
    assert login_post(client, user.username, PASSWORD, address="10.0.0.2").status_code == 429
    trail = AuditEntry.objects.filter(action="portal.user.password_failed").values_list("username", "ip", "object_pk")
    assert list(trail) == [(user.username, "10.0.0.1", str(user.pk))] * 5
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_page_refused_while_the_username_is_locked(db, client):
    user = UserFactory(role=Role.AUDITOR)
    client.force_login(user)  # a session opened before someone else's five failed logins
    for _ in range(5):
        login_post(Client(), user.username, "wrong", address="10.0.0.7")
    response = _password_post(client, PASSWORD)
    assert (response.status_code, lockout_text(response)) == (429, LOCKED.format(30))
    assert SESSION_KEY not in client.session
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_page_right_password_clears_the_username_count(db, client):
    user = UserFactory(role=Role.AUDITOR)
    client.force_login(user)
    for _ in range(4):
        _password_post(client, "wrong")
    assert _password_post(client, PASSWORD).status_code == 302
    assert attempts() == []


# Issue 13 (12): no reuse of the last five passwords; a maximum age.

PASSWORDS = ["Pass@2025no1", "Pass@2025no2", "Pass@2025no3", "Pass@2025no4", "Pass@2025no5"]
REUSED = "该密码近期使用过：新密码不能与最近5次使用过的密码相同。"


def _errors(password, user):
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return exc.messages
    return []


def test_password_history_refuses_the_last_five(db):
    user = UserFactory(role=Role.AUDITOR)  # PASSWORD, then five more: PASSWORD is the sixth-last
    for password in PASSWORDS:
        services.account_password_change(user=user, password=password)
    assert [_errors(p, user) for p in PASSWORDS] == [[REUSED]] * 4 + [["新密码不能与当前密码相同。"]]
    assert _errors(PASSWORD, user) == []
    assert PasswordHistory.objects.filter(user=user).count() == 5


def test_password_page_refuses_a_recent_password_in_chinese(db, client):
    user = UserFactory(role=Role.AUDITOR)
    services.account_password_change(user=user, password=PASSWORDS[0])
    client.force_login(user)
    response = _password_post(client, PASSWORDS[0], new=PASSWORD)
    assert response.context["form"].errors == {"new_password2": [REUSED]}


def test_password_older_than_the_maximum_age_must_be_changed(db, client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = UserFactory(role=Role.AUDITOR)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    client.force_login(user)
    assert client.get(reverse("audit"))["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert 'id="password-expired"' in page.content.decode()
    assert _password_post(client, PASSWORD)["Location"] == reverse("home")
    assert client.get(reverse("audit")).status_code == 200


def test_password_89_days_old_or_no_maximum_age_is_kept(db, client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = UserFactory(role=Role.AUDITOR)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=89))
    client.force_login(user)
    assert client.get(reverse("audit")).status_code == 200
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=900))
    settings.PASSWORD_MAX_AGE_DAYS = 0
    assert client.get(reverse("audit")).status_code == 200


def test_password_age_setting_defaults_to_90_days():
    assert django_settings.PASSWORD_MAX_AGE_DAYS == 90
