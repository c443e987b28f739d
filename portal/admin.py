"""The Django admin: domain records for bureau staff, accounts for the system administrator, the audit
trail read-only for bureau staff (their role, not Django's permission tables, decides)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .enums import Role
from .models import AuditEntry, User


class BureauModelAdmin(admin.ModelAdmin):
    """Every model admin of the portal: bureau staff may view and change; deletion goes through services."""

    admin_roles = frozenset({Role.BUREAU})

    def _is_bureau(self, request):
        return request.user.is_active and request.user.role in self.admin_roles

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
    """Accounts are the system administrator's (三员分立), not the bureau's."""

    admin_roles = frozenset({Role.SYSADMIN})
    list_display = ("username", "first_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name")
    raw_id_fields = ("organisation",)
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("role", "organisation", "must_change_password")}))


@admin.register(AuditEntry)
class AuditEntryAdmin(BureauModelAdmin):
    """Read only: nobody adds, changes or deletes an entry (the system administrator does not even see them)."""

    list_display = ("at", "username", "ip", "action", "model", "object_pk", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("username", "object_pk", "object_repr")
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False
