"""What each role may do. One mechanism: views declare `permission_required`; scoping is separate
(branches/scoping.py) and answers 404 for objects outside the user's subtree."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from .enums import Role

PERMISSIONS = {
    # Read pages of the user's scope.
    "view": frozenset({Role.BUREAU, Role.ORG_ADMIN, Role.AUDITOR}),
    # Create and change records inside the user's scope.
    "edit": frozenset({Role.BUREAU, Role.ORG_ADMIN}),
    # Whole-zone decisions: accounts, dissolving top-level organisations, parameters.
    "bureau": frozenset({Role.BUREAU}),
}


def has_permission(user, permission: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.role in PERMISSIONS[permission]


class PermissionRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; a logged-in user without the permission gets 403."""

    permission_required = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_permission(request.user, self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
