"""Navigation by role, computed once per request for the base layout."""

from core.permissions import ADMIN_SITE_ROLES, has_permission


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "can_edit": has_permission(user, "edit"),
            "is_bureau": has_permission(user, "bureau"),
            "sees_zone": has_permission(user, "zone"),
            "sees_dashboard": has_permission(user, "dashboard"),
            # Separation of duties: the system administrator sees no records, only accounts and parameters.
            "sees_records": has_permission(user, "view"),
            "can_accounts": has_permission(user, "accounts"),
            "reads_audit": has_permission(user, "audit"),
            "uses_admin": user.role in ADMIN_SITE_ROLES,
        }
    }
