"""The admin site: open to bureau staff and the system administrator only, whatever Django's permission
tables say; each model admin decides which of them sees it (portal/admin.py)."""

from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from core.permissions import ADMIN_SITE_ROLES


class BureauOnlyAdminSite(admin.AdminSite):
    site_header = _("Grassroots party organisation portal")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.role in ADMIN_SITE_ROLES

    def password_change(self, request, extra_context=None):
        """One's own password is changed on the portal's page, where a wrong current password counts
        towards the lockout (issue 13, 8); the admin's own form would allow unlimited guesses."""
        return redirect("password_change")
