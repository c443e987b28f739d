"""Login lockout (issue 7) on django-axes: 5 failures lock a username, and separately an address, for 30 minutes.
A wrong current password on the password page counts as a failure too (issue 13).

The counters are axes' AccessAttempt rows in the database, so they survive Redis being down.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.db.models import Max, Q
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit

PASSWORD_FAILED = audit.named_action(
    "portal.user.password_failed", label=gettext_lazy("Wrong current password on the password page"), models=()
)


def client_ip(request) -> str | None:
    """The address a lockout counts: behind the proxy, the one it appended to X-Forwarded-For (the last
    entry; earlier ones are whatever the client sent), else the connection's."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")


def lockout_minutes_left(*, username: str | None, ip_address: str | None) -> int:
    """Minutes until the latest failure counted against this username or address is 30 minutes old."""
    cool_off = get_cool_off()
    now = timezone.now()
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=ip_address), attempt_time__gte=now - cool_off
    ).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return 0
    return max(1, math.ceil((latest + cool_off - now).total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The login page again (HTTP 429), saying why and for how long, instead of axes' plain text."""
    username = get_client_username(request, credentials) or ""
    minutes = lockout_minutes_left(username=username, ip_address=request.axes_ip_address)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": next_url,
        "lockout_message": _(
            "Too many failed logins: logging in with this username or from this address is locked. "
            "Try again in %(minutes)s minute(s)."
        )
        % {"minutes": minutes},
    }
    return render(request, "portal/account/login.html", context, status=429)


@receiver(user_logged_in, dispatch_uid="core.lockout.username_reset")
def username_attempts_reset(sender, request, user, **kwargs):
    """A successful login clears the username's failures; the address keeps its own count."""
    AxesProxyHandler.reset_attempts(username=user.get_username())


def password_credentials(user) -> dict:
    """What a try at the user's password on a page counts against: their username, as a login would."""
    return {"username": user.get_username()}


def is_locked(*, request, credentials: dict) -> bool:
    return AxesProxyHandler.is_locked(request, credentials)


def current_password_failed(*, request, user) -> bool:
    """Issue 13 (8): a wrong current password on the password page counts against the username and the
    address like a failed login, and is audited; True when it locked them out."""
    AxesProxyHandler.user_login_failed(sender=__name__, credentials=password_credentials(user), request=request)
    audit.log_action(action=PASSWORD_FAILED, instance=user, user=user)
    return bool(getattr(request, "axes_locked_out", False))


def username_attempts_clear(*, user) -> None:
    """The right current password clears the username's failures, as a login does; the address keeps its own."""
    AxesProxyHandler.reset_attempts(username=user.get_username())
