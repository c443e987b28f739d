"""Accounts and policy revisions: created and changed by the system administrator only (三员分立)."""

import datetime
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .concurrency import content_version, version_check
from .enums import Role
from .models import PolicyRevision, PolicyValue, User
from .permissions import ADMIN_SITE_ROLES, has_permission


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
    """A new account must change the password the system administrator gave it at first login."""
    _role_check(role=role, organisation=organisation)
    user = User(
        username=username, first_name=full_name, role=role, organisation=organisation, must_change_password=True
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    # Bureau staff and system administrators also use the Django admin.
    user.is_staff = role in ADMIN_SITE_ROLES
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def account_update(*, user: User, full_name: str, role: str, organisation, is_active: bool, acting_user) -> User:
    _role_check(role=role, organisation=organisation)
    if user.pk == acting_user.pk and (not is_active or role != acting_user.role):
        raise ValidationError(_("You cannot deactivate your own account or change your own role."))
    user.first_name = full_name
    user.role = role
    user.organisation = organisation
    user.is_active = is_active
    user.is_staff = role in ADMIN_SITE_ROLES
    user.save()
    return user


@transaction.atomic
def account_password_change(*, user: User, password: str) -> User:
    """Issue 7: the user's own password, which ends the forced change of an account the bureau created."""
    if user.check_password(password):
        raise ValidationError({"new_password2": _("Choose a password different from the current one.")})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password2": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def _policy_values_check(values: dict) -> None:
    """Each value within what its unit allows; ordered pairs (minimum ≤ maximum, bands rising) kept."""
    errors = {}
    for key, value in values.items():
        parameter = policy.PARAMETERS[key]
        if value is None:
            if parameter.default is not None:
                errors[key] = _("Enter a value: this number is set by the policy.")
            continue
        if value < 0:
            errors[key] = _("A value cannot be negative.")
        elif parameter.unit == policy.RATE and value > 1:
            errors[key] = _("A share cannot be above 100%.")
        elif parameter.is_whole and value != value.to_integral_value():
            errors[key] = _("Enter a whole number.")
        elif parameter.unit == policy.YEAR and not 2015 <= value <= 2100:
            errors[key] = _("Enter a year from 2015 to 2100.")
        elif parameter.unit == policy.YUAN and value != policy.fen(value):
            errors[key] = _("An amount has at most two decimal places (fen).")
    for lower, upper in policy.ORDERED:
        low, high = values.get(lower), values.get(upper)
        if low is not None and high is not None and low > high and upper not in errors:
            errors[upper] = _("This must not be below “%(lower)s”.") % {"lower": policy.PARAMETERS[lower].label}
    if errors:
        raise ValidationError(errors)


def policy_revision_version(*, revision: PolicyRevision) -> str:
    """The version of a revision for its form (portal.concurrency): it keeps no time of change, so a
    digest of its fields and values."""
    values = sorted(revision.values.values_list("key", "value"))
    return content_version(revision.name, revision.effective_from, revision.source, revision.note, *values)


@transaction.atomic
def policy_revision_save(
    *,
    name: str,
    effective_from: datetime.date,
    source: str,
    values: dict[str, Decimal | None],
    note: str = "",
    revision: PolicyRevision | None = None,
    user=None,
    today: datetime.date | None = None,
    version: str | None = None,
) -> PolicyRevision:
    """A new revision (or a change to one not yet in force). It takes effect after today, never in
    the past, so what was computed for an earlier year stays as it was; it stores only the
    parameters it changes against the values in force the day before it. A change is refused if the
    revision changed after its form was opened (`version`, issue 7)."""
    today = today or timezone.localdate()
    if user is not None and not has_permission(user, "parameters"):
        raise ValidationError(_("Policy parameters are changed by the system administrator only."))
    if revision is not None:
        revision = PolicyRevision.objects.select_for_update().get(pk=revision.pk)
        version_check(opened=version, current=policy_revision_version(revision=revision))
    if revision is not None and revision.effective_from <= today:
        raise ValidationError(_("This revision is in force: it can no longer be changed. Add a new revision instead."))
    if effective_from <= today:
        raise ValidationError(
            {"effective_from": _("A revision takes effect after today (%(today)s), never in the past.")
             % {"today": today.isoformat()}}
        )  # fmt: skip
    clash = PolicyRevision.objects.filter(effective_from=effective_from).exclude(pk=getattr(revision, "pk", None))
    if clash.exists():
        raise ValidationError({"effective_from": _("Another revision takes effect on that day.")})
    if not name.strip() or not source.strip():
        raise ValidationError(_("Give the revision a name and the document it comes from."))
    unknown = set(values) - set(policy.PARAMETERS)
    if unknown:
        raise ValidationError(_("Unknown parameters: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    if revision is not None:
        revision.values.all().delete()  # its own earlier values are not "what was in force before it"
    before = policy.policy_values(on=effective_from - datetime.timedelta(days=1))
    merged = {**before, **values}
    _policy_values_check(merged)
    if revision is None:
        revision = PolicyRevision(created_by=user)
    revision.name, revision.effective_from, revision.source, revision.note = (
        name.strip(), effective_from, source.strip(), note.strip()
    )  # fmt: skip
    revision.save()
    PolicyValue.objects.bulk_create(
        PolicyValue(revision=revision, key=key, value=value) for key, value in values.items() if value != before[key]
    )
    return revision
