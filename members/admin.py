from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from core import audit, reauth, scoping
from core.admin import BureauModelAdmin
from core.masking import sees_personal_data
from members.forms import RosterExportForm
from members.models import Member
from members.resources import MemberResource


@admin.register(Member)
class MemberAdmin(ExportMixin, BureauModelAdmin):
    """Members, read only; the filtered list exported as .xlsx or .csv in the roster's columns (issue 15).
    The export gets the same checks as the member list's: ID numbers in full only after the password is
    confirmed again, masked for a role that may not see them, at most `export_limit` rows, and every export
    logged. There is no import here. Rosters come in through the roster page (members.imports), which
    checks each row."""

    list_display = ("name", "organisation", "category", "status")
    list_filter = ("category", "status")
    search_fields = ("name", "id_number")
    raw_id_fields = ("organisation",)
    resource_classes = [MemberResource]
    export_formats = [XLSX, CSV]
    export_form_class = RosterExportForm
    export_limit = 100_000  # as members.views.MemberExportView

    def get_export_queryset(self, request):
        """The list as filtered on the page, narrowed to the user's scope (the admin's pages check the role)."""
        return scoping.for_user(super().get_export_queryset(request).select_related("organisation"), request.user)

    def has_export_permission(self, request):
        return self._is_admin_role(request)

    def export_action(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        if sees_personal_data(request.user) and not reauth.reauth_recent(request):
            return reauth.reauth_redirect(request)
        return super().export_action(request)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"unmasked": sees_personal_data(request.user)}

    def get_data_for_export(self, request, queryset, **kwargs):
        if queryset[: self.export_limit + 1].count() > self.export_limit:
            # The export form shows it (import-export turns a ValueError into a message).
            raise ValueError(
                _("More than %(n)s members match: narrow the filters to export.") % {"n": self.export_limit}
            )
        data = super().get_data_for_export(request, queryset, **kwargs)
        form = kwargs.get("export_form")
        file_format = self.get_export_formats()[int(form.cleaned_data["format"])]().get_title() if form else ""
        audit.export_log(
            request=request,
            model="members.member",
            rows=len(data),
            unmasked=sees_personal_data(request.user),
            format=file_format,
            via="admin",
        )
        return data
