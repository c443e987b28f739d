"""What each role may do. One mechanism: views declare `permission_required`; scoping is separate
(branches/scoping.py) and answers 404 for objects outside the user's subtree."""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from core.enums import Role
from core.scoping import get_in_scope_or_404

# Separation of duties (三员分立): the system administrator keeps accounts and the policy parameters
# and sees no member data and no audit trail; the auditor reads everything, the trail included, and
# changes nothing; bureau staff and organisation administrators do the business.
PERMISSIONS = {
    # Pages every role sees: the home page, the policy parameters in force, confirming one's password.
    "signed_in": frozenset({Role.BUREAU, Role.ORG_ADMIN, Role.AUDITOR, Role.SYSADMIN}),
    # Read pages of the user's scope.
    "view": frozenset({Role.BUREAU, Role.ORG_ADMIN, Role.AUDITOR}),
    # Create and change records inside the user's scope.
    "edit": frozenset({Role.BUREAU, Role.ORG_ADMIN}),
    # The zone-wide dashboards: those who see the whole zone.
    "zone": frozenset({Role.BUREAU, Role.AUDITOR}),
    # The compliance dashboard: the whole zone's for those who see it, a subtree's for its administrator
    # (its figures come by town or system, so a town's administrator gets their town's; issue 12).
    "dashboard": frozenset({Role.BUREAU, Role.ORG_ADMIN, Role.AUDITOR}),
    # Whole-zone business decisions: dissolving top-level organisations, approvals, payments, waivers.
    "bureau": frozenset({Role.BUREAU}),
    # Accounts and roles.
    "accounts": frozenset({Role.SYSADMIN}),
    # Revisions of the policy parameters (portal/policy.py).
    "parameters": frozenset({Role.SYSADMIN}),
    # The audit trail (issue 7): read, never changed.
    "audit": frozenset({Role.BUREAU, Role.AUDITOR}),
}

# Who enters the Django admin (each model admin then says what they see there).
ADMIN_SITE_ROLES = frozenset({Role.BUREAU, Role.SYSADMIN})
PERMISSIONS["admin_site"] = ADMIN_SITE_ROLES


def has_permission(user, permission: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.role in PERMISSIONS[permission]


class PasswordBackend(ModelBackend):
    """Django's password check, granting none of Django's permission tables: roles decide (RoleBackend),
    so asking a permission never queries those tables."""

    def get_user(self, user_id):
        """The signed-in user with their organisation, which nearly every page reads: one query, not two."""
        from django.contrib.auth import get_user_model

        user = get_user_model()._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()


class RoleBackend(BaseBackend):
    """The role table above as Django permissions: `user.has_perm("portal.edit")`, and so
    `{% if perms.portal.edit %}` in a template, asks `has_permission(user, "edit")`. Authenticates no one."""

    def has_perm(self, user_obj, perm, obj=None):
        app_label, _, name = perm.partition(".")
        return app_label == "portal" and name in PERMISSIONS and has_permission(user_obj, name)


class PermissionRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; a logged-in user without the permission gets 403.

    Fails closed: a view that declares no `permission_required` raises ImproperlyConfigured (as Django's
    own mixin does) instead of opening to anyone who can view. A view whose writes need more than its
    reads declares `write_permission_required`, asked for every method but GET, HEAD and OPTIONS.
    """

    permission_required: str | None = None
    write_permission_required: str | None = None
    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def required_permission(self, method: str) -> str:
        if self.permission_required is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no permission_required.")
        if method not in self.SAFE_METHODS and self.write_permission_required is not None:
            return self.write_permission_required
        return self.permission_required

    def dispatch(self, request, *args, **kwargs):
        required = self.required_permission(request.method)
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_permission(request.user, required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin(PermissionRequiredMixin):
    """Loads the object named by the URL's pk, within the user's scope, before anything else runs.

    An object outside the scope answers 404 whatever the method or the role's permissions, so a
    page never tells whether something exists beyond the user's subtree. Set `scoped_name` (the
    attribute and template name) and `get_scoped_queryset()`.
    """

    scoped_name = "object"

    def get_scoped_queryset(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            found = get_in_scope_or_404(self.get_scoped_queryset(), request.user, pk=kwargs["pk"])
            setattr(self, self.scoped_name, found)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), self.scoped_name: getattr(self, self.scoped_name)}
