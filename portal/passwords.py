"""Password rules beyond Django's (MLPS level 3): at least 8 characters, three character classes."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
