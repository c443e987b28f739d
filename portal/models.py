"""Accounts: every user has one role; an organisation administrator is bound to one organisation."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import AuditAction, Role


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes the system administrator (三员分立): the first account of an
        installation, who then opens the bureau's and the auditors' accounts. The role, not the flag,
        decides what the portal shows: a superuser sees no member data and no audit trail."""
        extra_fields.setdefault("role", Role.SYSADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ORG_ADMIN)
    organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="administrators",
        verbose_name=_("organisation"),
        help_text=_("An organisation administrator sees and edits this organisation and everything under it."),
    )
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.ORG_ADMIN) | models.Q(organisation__isnull=False),
                name="org_admin_has_organisation",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.first_name or self.username


class PolicyRevision(models.Model):
    """A revision of the policy parameters (portal/policy.py), in force from `effective_from` until
    the next revision's. The first one holds the 2015 opinion's values; a revision in force is
    never changed again, so past computations stay reproducible."""

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("in force from"), unique=True)
    source = models.CharField(_("source document"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        "portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("policy revision")
        verbose_name_plural = _("policy revisions")
        ordering = ["effective_from"]

    def __str__(self):
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"


class PolicyValue(models.Model):
    """One parameter's value in a revision; a parameter the revision leaves out keeps its earlier value.
    An empty value means the policy fixes no number (see the parameter's source)."""

    revision = models.ForeignKey(PolicyRevision, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(_("parameter"), max_length=64)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("policy value")
        verbose_name_plural = _("policy values")
        constraints = [models.UniqueConstraint(fields=["revision", "key"], name="policy_value_once")]

    def __str__(self):
        return f"{self.key} = {self.value}"


class AuditEntryQuerySet(models.QuerySet):
    """The trail is never changed: no update; deletion only by the retention purge (portal.audit)."""

    def update(self, **kwargs):
        raise PermissionError("Audit entries are never changed.")

    def delete(self):
        raise PermissionError("Audit entries are deleted only by the retention purge.")


class AuditEntry(models.Model):
    """One thing done in the portal (issue 7): who, when, from where, to which record, and each changed
    field's value before and after, as text. ID numbers and phones are kept masked: the trail is read
    by auditors, who see them masked everywhere; the member's own history keeps the full values.
    Written by portal.audit only; the database refuses changes to an entry (migration 0006)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No database constraint: the trail outlives a deleted account, and keeps the name it had then.
    user = models.ForeignKey(
        "portal.User", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True, blank=True,
        related_name="+", verbose_name=_("account"),
    )  # fmt: skip
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    model = models.CharField(_("record type"), max_length=100, blank=True)
    object_pk = models.CharField(_("record number"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["model", "object_pk"], name="audit_object"),
            models.Index(fields=["username", "at"], name="audit_username"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.model} {self.object_pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are deleted only by the retention purge.")
