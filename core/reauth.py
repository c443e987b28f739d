"""Confirming one's password again before an export with ID numbers in full (issue 7). A
confirmation holds for five minutes of the session; five wrong passwords in a row end the session."""

import time
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

CONFIRMED_AT = "portal_reauth_at"
FAILURES = "portal_reauth_failures"
VALID_SECONDS = 5 * 60
MAX_FAILURES = 5


def reauth_recent(request) -> bool:
    confirmed = request.session.get(CONFIRMED_AT)
    return confirmed is not None and 0 <= time.time() - confirmed < VALID_SECONDS


def reauth_mark(request) -> None:
    request.session[CONFIRMED_AT] = time.time()
    request.session.pop(FAILURES, None)


def reauth_failure(request) -> bool:
    """Count a wrong password; True when it was one too many and the session must end."""
    failures = request.session.get(FAILURES, 0) + 1
    request.session[FAILURES] = failures
    return failures >= MAX_FAILURES


def reauth_redirect(request):
    """To the password form, which comes back to this page once the password is confirmed."""
    return redirect(f"{reverse('password_confirm')}?{urlencode({'next': request.get_full_path()})}")
