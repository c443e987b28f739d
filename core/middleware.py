"""Chinese unless the user picked another language: browsers' Accept-Language is not asked.

An intranet PC set up in English should still show the portal in Chinese; English is a choice
made in the footer (Django's set_language view stores it in the language cookie).
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from core import sessions
from core.passwords import password_expired

security_log = logging.getLogger("django.security.NulByte")


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """Issue 7: every response, static files included, carries settings.CONTENT_SECURITY_POLICY (no inline
    script or style, no framing). Django 5.2 has no CSP of its own; 6.0's SECURE_CSP can replace this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class SessionLimitMiddleware:
    """Issue 7: logs out a session idle for 30 minutes or 12 hours old (portal/sessions.py); the page asked
    for then sends the user to the login page with a message saying why."""

    reasons = {
        "idle": _("You were logged out after 30 minutes without activity. Please log in again."),
        "absolute": _("You were logged out because you logged in more than 12 hours ago. Please log in again."),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = sessions.session_expiry(session=request.session, now=time.time())
            if reason:
                logout(request)
                messages.warning(request, self.reasons[reason])
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Issue 7: an account the bureau created (must_change_password) reaches only the password form, logout
    and the language switch until it has chosen its own password; so does one whose password is older than
    PASSWORD_MAX_AGE_DAYS (issue 13)."""

    allowed = frozenset({"password_change", "logout", "set_language"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and (user.must_change_password or password_expired(user))):
            return None
        if request.resolver_match.view_name in self.allowed:
            return None
        target = reverse("password_change")
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(target)
        return redirect(target)


class NulByteGuardMiddleware:
    """Issue 13 (11): a NUL byte in the path, a query parameter or a form field is never a real input (no
    browser sends one) and PostgreSQL refuses it inside a string, so the request is answered 400 here,
    once for every view, instead of 500 wherever the value reaches a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            security_log.warning("NUL byte in %s %r", request.method, request.path)
            return render(request, "400.html", status=400)
        return self.get_response(request)


def _holds_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
