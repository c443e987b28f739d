"""Accounts: created and changed by bureau staff only."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .enums import Role
from .models import User


def _role_check(*, role: str, organisation) -> None:
    if role == Role.ORG_ADMIN and organisation is None:
        raise ValidationError(
            {"organisation_code": _("An organisation administrator must be bound to an organisation.")}
        )
    if role != Role.ORG_ADMIN and organisation is not None:
        raise ValidationError(
            {"organisation_code": _("Only organisation administrators are bound to an organisation.")}
        )


@transaction.atomic
def account_create(*, username: str, full_name: str, role: str, organisation, password: str) -> User:
    """A new account must change the password the bureau gave it at first login."""
    _role_check(role=role, organisation=organisation)
    user = User(
        username=username, first_name=full_name, role=role, organisation=organisation, must_change_password=True
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    # Bureau staff also use the Django admin.
    user.is_staff = role == Role.BUREAU
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def account_update(*, user: User, full_name: str, role: str, organisation, is_active: bool, acting_user) -> User:
    _role_check(role=role, organisation=organisation)
    if user.pk == acting_user.pk and (not is_active or role != Role.BUREAU):
        raise ValidationError(_("You cannot deactivate your own account or take away your own bureau role."))
    user.first_name = full_name
    user.role = role
    user.organisation = organisation
    user.is_active = is_active
    user.is_staff = role == Role.BUREAU
    user.save()
    return user
