"""Accounts: every user has one role; an organisation administrator is bound to one organisation."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import Role


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`createsuperuser` makes bureau staff: the role, not the flag, opens the portal."""
        extra_fields.setdefault("role", Role.BUREAU)
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
