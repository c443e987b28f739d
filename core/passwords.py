"""Password rules beyond Django's (MLPS level 3): at least 8 characters, three character classes, none of
the last five passwords again, a maximum age."""

import datetime
import re

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import PasswordHistory

CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


class CharacterClassValidator:
    """At least three of: lowercase, uppercase, digits, symbols."""

    required = 3

    def validate(self, password, user=None):
        found = sum(1 for pattern in CLASSES if re.search(pattern, password))
        if found < self.required:
            raise ValidationError(
                _(
                    "The password must contain at least three of: lowercase letters, uppercase letters, digits, symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Use at least three of: lowercase letters, uppercase letters, digits, symbols.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message the portal's catalogue translates (Django 5.2's zh_Hans lacks its new msgid)."""

    def get_error_message(self):
        return _("The password is too short: it must contain at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }


class PasswordHistoryValidator:
    """Issue 13 (12, 等保): none of the account's last `count` passwords, the current one included, is
    chosen again. Django calls `password_changed` after every save of a new password (the pages, the
    admin, `changepassword`), so the history and the password's age are kept in one place."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if user.password and check_password(password, user.password):
            raise ValidationError(_("Choose a password different from the current one."), code="password_current")
        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
        # The current password, checked above, is usually the newest entry; each check is a slow hash.
        if any(check_password(password, encoded) for encoded in recent if encoded != user.password):
            raise ValidationError(
                _("This password was used recently: choose one that is not among your last %(count)d passwords.")
                % {"count": self.count},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, set_at=now)
        kept = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: self.count])
        PasswordHistory.objects.filter(user=user).exclude(pk__in=kept).delete()
        type(user).objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_help_text(self):
        return _("Do not reuse any of your last %(count)d passwords.") % {"count": self.count}


def password_expired(user) -> bool:
    """Issue 13 (12): a password older than PASSWORD_MAX_AGE_DAYS must be changed (0 turns the limit off)."""
    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days or user.password_changed_at is None:
        return False
    return user.password_changed_at < timezone.now() - datetime.timedelta(days=days)
