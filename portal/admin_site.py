"""The admin site: open to bureau staff only, whatever Django's permission tables say."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .enums import Role


class BureauOnlyAdminSite(admin.AdminSite):
    site_header = _("Grassroots party organisation portal")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.role == Role.BUREAU
