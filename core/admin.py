"""The Django admin, read-only (issue 13): records for bureau staff; accounts, role grants and the login
lockout for the system administrator; the audit trail for bureau staff (their role, not Django's
permission tables, decides). Records change on the pages, whose services keep the rules, the history and
the trail; in the admin the system administrator only sets another account's password, confirms or
refuses role grants, and clears a lockout, each through a service or into the trail."""

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import services
from core.audit import log_action
from core.enums import AuditAction, Role
from core.models import AuditEntry, RoleGrant, User

# Groups and Django's permissions decide nothing in the portal; roles do.
admin.site.unregister(Group)


class AccountPasswordSetForm(AdminPasswordChangeForm):
    """Another account's new password in the admin (issue 13), without Django's switch that turns password
    login off; core.services.account_password_set checks the rules and saves it, never the form."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True

    def validate_password_for_user(self, user, password_field_name="password2"):
        return None

    def save(self, commit=True):
        raise NotImplementedError("core.services.account_password_set saves the password.")


class BureauModelAdmin(admin.ModelAdmin):
    """Every model admin of the portal: the roles it names (bureau staff unless it says otherwise) read;
    nobody adds, changes or deletes (issue 13, 6: a change here would skip the services' checks, the
    member's history and the transfers)."""

    admin_roles = frozenset({Role.BUREAU})

    def _is_admin_role(self, request):
        return request.user.is_active and request.user.role in self.admin_roles

    def has_module_permission(self, request):
        return self._is_admin_role(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin_role(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class PortalUserAdmin(BureauModelAdmin, UserAdmin):
    """Accounts are the system administrator's (三员分立): read here and changed on /accounts/, a role only
    through a grant a second system administrator confirms. No page offers is_superuser, is_staff, groups
    or permissions. Here: another account's password, which the user must change at next login."""

    admin_roles = frozenset({Role.SYSADMIN})
    list_display = ("username", "first_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name")
    list_select_related = ("organisation",)
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "password_link")}),
        (_("Role"), {"fields": ("role", "organisation", "is_active")}),
        (_("Password"), {"fields": ("must_change_password", "password_changed_at")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("password_link", "password_changed_at")

    @admin.display(description=_("Password"))
    def password_link(self, obj):
        url = reverse(f"{self.admin_site.name}:auth_user_password_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Set a new password"))

    def user_change_password(self, request, id, form_url=""):
        """Issue 13 (2): through services.account_password_set, which forces a change at next login and
        logs who set it. One's own password is the password page's, which asks for the current one."""
        user = self.get_object(request, unquote(id))
        if not self._is_admin_role(request):
            raise PermissionDenied
        if user is None:
            raise Http404
        if user.pk == request.user.pk:
            raise PermissionDenied
        form = AccountPasswordSetForm(user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.account_password_set(user=user, password=form.cleaned_data["password1"], by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The password was set; the user must change it at next login."))
                return redirect(f"{self.admin_site.name}:portal_user_change", user.pk)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set password: %s") % user.get_username(),
            "adminForm": admin.helpers.AdminForm(form, [(None, {"fields": list(form.base_fields)})], {}),
            "form_url": form_url,
            "form": form,
            "is_popup": False,
            "is_popup_var": IS_POPUP_VAR,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
        }
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)


@admin.register(RoleGrant)
class RoleGrantAdmin(BureauModelAdmin):
    """Role grants (issue 13, 三员分立): proposed on /accounts/, confirmed or refused here by a system
    administrator; services.role_grant_confirm says who may confirm."""

    admin_roles = frozenset({Role.SYSADMIN})
    list_display = ("user", "role", "organisation", "state", "proposed_by", "proposed_at", "decided_by", "decided_at")
    list_filter = ("state", "role")
    search_fields = ("user__username", "user__first_name")
    list_select_related = ("user", "organisation", "proposed_by", "decided_by")
    actions = ["confirm", "refuse"]

    @admin.action(description=_("Confirm the selected role grants"))
    def confirm(self, request, queryset):
        self._decide(request, queryset, services.role_grant_confirm, _("Confirmed: %(grant)s."))

    @admin.action(description=_("Refuse the selected role grants"))
    def refuse(self, request, queryset):
        self._decide(request, queryset, services.role_grant_refuse, _("Refused: %(grant)s."))

    def _decide(self, request, queryset, service, done):
        for grant in queryset.select_related("user").order_by("pk"):
            try:
                service(grant=grant, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{grant}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, done % {"grant": grant}, messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(BureauModelAdmin):
    """Read only: nobody adds, changes or deletes an entry (the system administrator does not even see them)."""

    list_display = ("at", "username", "ip", "action", "model", "object_pk", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("username", "object_pk", "object_repr")
    date_hierarchy = "at"


@admin.register(AccessAttempt)
class AccessAttemptAdmin(BureauModelAdmin):
    """The login lockout's counts (django-axes, portal/lockout.py): the system administrator deletes one to
    unlock a username or an address before its 30 minutes are over; each deletion is in the audit trail."""

    admin_roles = frozenset({Role.SYSADMIN})
    list_display = ("attempt_time", "username", "ip_address", "failures_since_start")
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "user_agent", "failures_since_start", "attempt_time")

    def has_delete_permission(self, request, obj=None):
        return self._is_admin_role(request)

    def delete_model(self, request, obj):
        _attempt_cleared_log(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            _attempt_cleared_log(attempt)
        super().delete_queryset(request, queryset)


def _attempt_cleared_log(attempt) -> None:
    log_action(
        action=AuditAction.DELETE,
        model=attempt._meta.label_lower,
        object_pk=attempt.pk,
        object_repr=f"{attempt.username} {attempt.ip_address}"[:200],
        changes={
            "username": [attempt.username, None],
            "ip_address": [attempt.ip_address, None],
            "failures_since_start": [str(attempt.failures_since_start), None],
        },
    )
