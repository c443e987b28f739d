"""Navigation by role, computed once per request for the base layout."""

from .permissions import has_permission


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "can_edit": has_permission(user, "edit"),
            "is_bureau": has_permission(user, "bureau"),
            "sees_zone": has_permission(user, "zone"),
        }
    }
