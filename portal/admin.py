"""The Django admin, for bureau staff only (their role, not Django's permission tables, decides)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .enums import Role
from .models import User


class BureauModelAdmin(admin.ModelAdmin):
    """Every model admin of the portal: bureau staff may view and change; deletion goes through services."""

    def _is_bureau(self, request):
        return request.user.is_active and request.user.role == Role.BUREAU

    def has_module_permission(self, request):
        return self._is_bureau(request)

    def has_view_permission(self, request, obj=None):
        return self._is_bureau(request)

    def has_change_permission(self, request, obj=None):
        return self._is_bureau(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class PortalUserAdmin(BureauModelAdmin, UserAdmin):
    list_display = ("username", "first_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name")
    raw_id_fields = ("organisation",)
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("role", "organisation", "must_change_password")}))
