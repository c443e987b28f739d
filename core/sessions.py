"""Session limits (issue 7): a session ends after SESSION_COOKIE_AGE (30 minutes) without a request and
SESSION_ABSOLUTE_AGE (12 hours) after login, however busy it is. Django's login() already gives the
session a new key."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

LOGIN_AT = "portal_login_at"
SEEN_AT = "portal_seen_at"
# The last-seen time is written at most once a minute, not on every request (one UPDATE saved per page).
SEEN_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="core.sessions.login_mark")
def session_login_mark(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def session_expiry(*, session, now: float) -> str | None:
    """Why this logged-in session has ended ("absolute", "idle"), or None after noting the request.

    A session without a login time predates these limits and ends too."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None or now - login_at >= settings.SESSION_ABSOLUTE_AGE:
        return "absolute"
    if now - seen_at >= settings.SESSION_COOKIE_AGE:
        return "idle"
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = int(now)
    return None
