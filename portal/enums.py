"""Roles of the portal's accounts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("Bureau staff")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    AUDITOR = "auditor", _("Auditor")
