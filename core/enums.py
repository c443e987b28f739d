"""Roles of the portal's accounts, the state of a role grant, and what the audit trail records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("Bureau staff")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    AUDITOR = "auditor", _("Auditor")
    # Separation of duties (三员分立): accounts and parameters, no member data, no audit trail.
    SYSADMIN = "sysadmin", _("System administrator")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    REAUTH = "reauth", _("Password confirmed")
    REAUTH_FAILED = "reauth_failed", _("Password confirmation failed")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    BULK = "bulk", _("Bulk operation")
    PURGE = "purge", _("Old entries purged")


class RoleGrantState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
