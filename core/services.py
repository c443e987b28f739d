"""Accounts and policy revisions: created and changed by the system administrator only (三员分立); a
role is given by two of them (issue 13)."""

import datetime
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, policy
from core.concurrency import content_version, version_check
from core.dates import day_text
from core.enums import Role, RoleGrantState
from core.models import PolicyRevision, PolicyValue, RoleGrant, User
from core.permissions import ADMIN_SITE_ROLES, has_permission
from core.years import FIRST_YEAR

# A revision's values are written in bulk (issue 13, item 4): one entry with the values set and replaced.
REVISION_VALUES_SET = audit.named_action(
    "portal.policy.revision_values_set",
    label=gettext_lazy("Policy revision values set"),
    models=("portal.policyvalue",),
)
# Issue 13 (2, 三员分立): a role is proposed by one system administrator and confirmed by another; another
# account's password is set by a system administrator. Each on the account's own trail.
ROLE_PROPOSED = audit.named_action("portal.user.role_proposed", label=gettext_lazy("Role proposed"), models=())
ROLE_CONFIRMED = audit.named_action("portal.user.role_confirmed", label=gettext_lazy("Role confirmed"), models=())
ROLE_REFUSED = audit.named_action("portal.user.role_refused", label=gettext_lazy("Role refused"), models=())
PASSWORD_SET = audit.named_action(
    "portal.user.password_set", label=gettext_lazy("Password set by an administrator"), models=()
)


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
def account_create(*, username: str, full_name: str, role: str, organisation, password: str, by: User) -> User:
    """A new account has no role until a second system administrator confirms the one proposed here
    (issue 13, 三员分立), and must change the password it was given at first login."""
    _role_check(role=role, organisation=organisation)
    user = User(username=username, first_name=full_name, role="", organisation=None, must_change_password=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.is_staff = False
    user.full_clean()
    user.save()
    role_grant_propose(user=user, role=role, organisation=organisation, by=by)
    return user


@transaction.atomic
def account_update(*, user: User, full_name: str, role: str, organisation, is_active: bool, acting_user) -> User:
    """Name and activity change at once; a new role or organisation is proposed and waits for a second
    system administrator (role_grant_confirm): it would give access to records or to the trail."""
    _role_check(role=role, organisation=organisation)
    if user.pk == acting_user.pk and (not is_active or role != acting_user.role):
        raise ValidationError(_("You cannot deactivate your own account or change your own role."))
    user.first_name = full_name
    user.is_active = is_active
    user.save(update_fields=["first_name", "is_active"])
    if (role, organisation) != (user.role, user.organisation):
        role_grant_propose(user=user, role=role, organisation=organisation, by=acting_user)
    return user


def _accounts_check(by: User) -> None:
    if not has_permission(by, "accounts"):
        raise ValidationError(_("Accounts are managed by the system administrator only."))


@transaction.atomic
def role_grant_propose(*, user: User, role: str, organisation, by: User) -> RoleGrant:
    """Issue 13 (三员分立): a role is proposed by one system administrator, never for their own account;
    it is in force only once another confirms it. Proposing again what awaits confirmation changes nothing;
    a different proposal waits until the pending one is confirmed or refused."""
    _accounts_check(by)
    _role_check(role=role, organisation=organisation)
    if user.pk == by.pk:
        raise ValidationError(_("You cannot change your own role."))
    pending = RoleGrant.objects.select_for_update().filter(user=user, state=RoleGrantState.PROPOSED).first()
    if pending is not None:
        if (pending.role, pending.organisation_id) == (role, getattr(organisation, "pk", None)):
            return pending
        raise ValidationError(
            _("Another role for this account awaits confirmation: it must be confirmed or refused first.")
        )
    if (role, organisation) == (user.role, user.organisation):
        raise ValidationError(_("The account already has this role."))
    grant = RoleGrant.objects.create(user=user, role=role, organisation=organisation, proposed_by=by)
    _grant_log(grant, ROLE_PROPOSED, by=by)
    return grant


@transaction.atomic
def role_grant_confirm(*, grant: RoleGrant, by: User) -> RoleGrant:
    """Issue 13 (三员分立): the second person. The confirming system administrator is neither the one who
    proposed the grant nor its account, and the account has chosen its own password since an administrator
    last set one (must_change_password is off): nobody gives access to an account whose password they
    know. The account then holds the role, and the organisation for an organisation administrator."""
    _accounts_check(by)
    grant = RoleGrant.objects.select_for_update(of=("self",)).select_related("user", "organisation").get(pk=grant.pk)
    if grant.state != RoleGrantState.PROPOSED:
        raise ValidationError(_("This role grant was already confirmed or refused."))
    if by.pk in (grant.proposed_by_id, grant.user_id):
        raise ValidationError(
            _(
                "A role grant is confirmed by a second system administrator, not by the one who proposed it "
                "nor by its account."
            )
        )
    user = grant.user
    if user.must_change_password:
        raise ValidationError(
            _(
                "The account still has the password an administrator set: the user must choose their own "
                "password before the role is confirmed."
            )
        )
    _grant_log(grant, ROLE_CONFIRMED, by=by)
    user.role, user.organisation = grant.role, grant.organisation
    user.is_staff = grant.role in ADMIN_SITE_ROLES
    user.save(update_fields=["role", "organisation", "is_staff"])
    grant.state, grant.decided_by, grant.decided_at = RoleGrantState.CONFIRMED, by, timezone.now()
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    return grant


@transaction.atomic
def role_grant_refuse(*, grant: RoleGrant, by: User) -> RoleGrant:
    """A proposal is withdrawn by its proposer or refused by another system administrator; the account
    keeps the role it had."""
    _accounts_check(by)
    grant = RoleGrant.objects.select_for_update(of=("self",)).select_related("user", "organisation").get(pk=grant.pk)
    if grant.state != RoleGrantState.PROPOSED:
        raise ValidationError(_("This role grant was already confirmed or refused."))
    grant.state, grant.decided_by, grant.decided_at = RoleGrantState.REFUSED, by, timezone.now()
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    _grant_log(grant, ROLE_REFUSED, by=by)
    return grant


def _grant_log(grant: RoleGrant, action: str, *, by: User) -> None:
    """On the account's own trail: the role and organisation the grant gives, beside what the account has
    (logged before a confirmation applies it)."""
    user = grant.user
    audit.log_action(
        action=action,
        instance=user,
        user=by,
        changes={
            "role": [user.role or None, grant.role],
            "organisation": [
                str(user.organisation) if user.organisation else None,
                str(grant.organisation) if grant.organisation else None,
            ],
        },
        extra={"grant": grant.pk, "proposed_by": grant.proposed_by.username},
    )


def role_grant_pending(*, user: User) -> RoleGrant | None:
    return RoleGrant.objects.filter(user=user, state=RoleGrantState.PROPOSED).select_related("organisation").first()


@transaction.atomic
def account_password_set(*, user: User, password: str, by: User) -> User:
    """Issue 13 (2): a system administrator sets another account's password (never their own: that is
    the password page, which asks for the current one). The user must change it at next login, which
    also keeps a role grant from being confirmed meanwhile; the trail names who set it."""
    _accounts_check(by)
    if user.pk == by.pk:
        raise ValidationError({"password2": _("Change your own password on the password page.")})
    _password_save(user=user, password=password, field="password2", must_change=True)
    audit.log_action(action=PASSWORD_SET, instance=user, user=by)
    return user


@transaction.atomic
def account_password_change(*, user: User, password: str) -> User:
    """Issue 7: the user's own password, which ends the forced change of an account the bureau created.
    Neither the current password nor one of the last five again (PasswordHistoryValidator, issue 13)."""
    return _password_save(user=user, password=password, field="new_password2", must_change=False)


def _password_save(*, user: User, password: str, field: str, must_change: bool) -> User:
    """The validators once (each compares with the last five hashes: slow on purpose), then the save."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = must_change
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
        elif parameter.unit == policy.YEAR and not FIRST_YEAR <= value <= 2100:
            errors[key] = _("Enter a year from %(first)s to 2100.") % {"first": FIRST_YEAR}
        elif parameter.unit == policy.DAY_OF_MONTH and not 1 <= value <= 28:
            errors[key] = _("Enter a day from 1 to 28: every month has it.")
        elif parameter.unit == policy.MONTH and not 1 <= value <= 12:
            errors[key] = _("Enter a month from 1 to 12.")
        elif parameter.unit == policy.YUAN and value != policy.fen(value):
            errors[key] = _("An amount has at most two decimal places (fen).")
    for lower, upper in policy.ORDERED:
        low, high = values.get(lower), values.get(upper)
        if low is not None and high is not None and low > high and upper not in errors:
            errors[upper] = _("This must not be below “%(lower)s”.") % {"lower": policy.PARAMETERS[lower].label}
    if errors:
        raise ValidationError(errors)


def policy_revision_version(*, revision: PolicyRevision) -> str:
    """The version of a revision for its form (core.concurrency): it keeps no time of change, so a
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
            {
                "effective_from": _("A revision takes effect after today (%(today)s), never in the past.")
                % {"today": day_text(today)}
            }
        )
    clash = PolicyRevision.objects.filter(effective_from=effective_from).exclude(pk=getattr(revision, "pk", None))
    if clash.exists():
        raise ValidationError({"effective_from": _("Another revision takes effect on that day.")})
    if not name.strip() or not source.strip():
        raise ValidationError(_("Give the revision a name and the document it comes from."))
    unknown = set(values) - set(policy.PARAMETERS)
    if unknown:
        raise ValidationError(_("Unknown parameters: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    replaced = []
    if revision is not None:
        replaced = audit.rows_text(revision.values.order_by("key"), ("key", "value"))
        with audit.suppressed():  # in this call's entry, as "replaced"
            revision.values.all().delete()  # its own earlier values are not "what was in force before it"
    before = policy.policy_values(on=effective_from - datetime.timedelta(days=1))
    merged = {**before, **values}
    _policy_values_check(merged)
    if revision is None:
        revision = PolicyRevision(created_by=user)
    revision.name, revision.effective_from, revision.source, revision.note = (
        name.strip(),
        effective_from,
        source.strip(),
        note.strip(),
    )
    revision.save()
    written = PolicyValue.objects.bulk_create(
        PolicyValue(revision=revision, key=key, value=value) for key, value in values.items() if value != before[key]
    )
    policy.policy_changed()  # bulk_create sends no signal
    audit.log_action(
        action=REVISION_VALUES_SET,
        instance=revision,
        extra={"rows": len(written), "written": audit.rows_text(written, ("key", "value")), "replaced": replaced},
    )
    return revision
