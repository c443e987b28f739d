"""Choices of the member record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberCategory(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class MemberStatus(models.TextChoices):
    """Where a member stands; a record is never deleted, its status changes."""

    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    LEFT = "left", _("Left the party")
    EXPELLED = "expelled", _("Expelled")
