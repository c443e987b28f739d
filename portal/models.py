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
