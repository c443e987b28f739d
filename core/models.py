"""Accounts: every user has one role; an organisation administrator is bound to one organisation."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.enums import AuditAction, Role, RoleGrantState
from core.years import FIRST_REVISION_DAY, FIRST_REVISION_NAME


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes the system administrator (三员分立): the first account of an
        installation, who then opens the bureau's and the auditors' accounts. The role, not the flag,
        decides what the portal shows: a superuser sees no member data and no audit trail."""
        extra_fields.setdefault("role", Role.SYSADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    # Empty while an account's first role awaits a second system administrator (RoleGrant): no access.
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ORG_ADMIN, blank=True)
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
    # Kept by core.passwords.PasswordHistoryValidator whenever a password is saved (PASSWORD_MAX_AGE_DAYS).
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now, editable=False)

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


class RoleGrant(models.Model):
    """A role (and for an organisation administrator, the organisation) for an account, proposed by one
    system administrator and in force only once a second one confirms it (issue 13, 三员分立; the rules
    are core.services.role_grant_confirm's). The database refuses a grant confirmed by its proposer or
    by the account itself, and a proposal for the proposer's own account."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("account"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    state = models.CharField(_("state"), max_length=16, choices=RoleGrantState.choices, default=RoleGrantState.PROPOSED)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or refused by"),
    )
    decided_at = models.DateTimeField(_("confirmed or refused at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(state=RoleGrantState.PROPOSED), name="role_grant_one_proposed"
            ),
            models.CheckConstraint(condition=~models.Q(proposed_by=models.F("user")), name="role_grant_not_own"),
            models.CheckConstraint(
                condition=~models.Q(state=RoleGrantState.CONFIRMED)
                | (~models.Q(decided_by=models.F("proposed_by")) & ~models.Q(decided_by=models.F("user"))),
                name="role_grant_second_person",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.get_role_display()}"


class PasswordHistory(models.Model):
    """The hashes of an account's last passwords, so none of them is chosen again (issue 13, 等保)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(_("password"), max_length=128)
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-pk"]
        indexes = [models.Index(fields=["user", "-set_at"], name="password_history_user")]

    def __str__(self):
        return f"{self.user_id} {self.set_at:%Y-%m-%d %H:%M}"


class PolicyRevision(models.Model):
    """A revision of the policy parameters (portal/policy.py), in force from `effective_from` until
    the next revision's. The first one holds the 2015 opinion's values; a revision in force is
    never changed again, so past computations stay reproducible."""

    name = models.CharField(pgettext_lazy("policy revision", "name"), max_length=100)
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

    @property
    def display_name(self) -> str:
        """The name in the page's language: the first revision's was written in Chinese by migration 0003."""
        if self.name == FIRST_REVISION_NAME and self.effective_from == FIRST_REVISION_DAY:
            return str(_("2015 opinion"))
        return self.name


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
    """The trail is never changed: no update; deletion only by the retention purge (core.audit)."""

    def update(self, **kwargs):
        raise PermissionError("Audit entries are never changed.")

    def delete(self):
        raise PermissionError("Audit entries are deleted only by the retention purge.")


class AuditEntry(models.Model):
    """One thing done in the portal (issue 7): who, when, from where, to which record, and each changed
    field's value before and after, as text. ID numbers and phones are kept masked: the trail is read
    by auditors, who see them masked everywhere; the member's own history keeps the full values.
    Written by core.audit only; the database refuses changes to an entry (migration 0006)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No database constraint: the trail outlives a deleted account, and keeps the name it had then.
    user = models.ForeignKey(
        "portal.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # A kind of AuditAction, or a service's named action (core.audit.named_action).
    action = models.CharField(_("action"), max_length=100, choices=AuditAction.choices)
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
