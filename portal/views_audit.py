"""The audit trail's pages (issue 7), read by bureau staff and auditors and by nobody else, and the
password confirmation that guards exports with ID numbers in full."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from core import audit, reauth
from core.enums import AuditAction
from core.models import AuditEntry
from core.paginator import CappedPaginator
from core.permissions import PermissionRequiredMixin
from portal.filters import AuditEntryFilter
from portal.forms import PasswordConfirmForm


class AuditListView(PermissionRequiredMixin, TemplateView):
    permission_required = "audit"
    template_name = "portal/audit/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = AuditEntryFilter(self.request.GET or None, queryset=AuditEntry.objects.all())
        form, entries = found.form, found.qs
        page = CappedPaginator(entries, 50).get_page(self.request.GET.get("page"))
        for entry in page:
            entry.model_label = audit.model_label(entry.model) if entry.model else ""
            entry.action_label = audit.action_label(entry.action)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, query_string=query.urlencode())
        return context


class AuditEntryView(PermissionRequiredMixin, TemplateView):
    permission_required = "audit"
    template_name = "portal/audit/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = get_object_or_404(AuditEntry, pk=self.kwargs["pk"])
        entry.model_label = audit.model_label(entry.model) if entry.model else ""
        entry.action_label = audit.action_label(entry.action)
        context.update(entry=entry, rows=audit.change_rows(entry), details=audit.detail_rows(entry))
        return context


class PasswordConfirmView(PermissionRequiredMixin, FormView):
    """The password again before an export with ID numbers in full; it holds for five minutes."""

    permission_required = "signed_in"
    template_name = "portal/account/password_confirm.html"
    form_class = PasswordConfirmForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def next_url(self) -> str:
        url = self.request.GET.get("next", "")
        allowed = url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return url if allowed else reverse("home")

    def form_valid(self, form):
        reauth.reauth_mark(self.request)
        audit.log_action(action=AuditAction.REAUTH, extra={"next": self.next_url()})
        return redirect(self.next_url())

    def form_invalid(self, form):
        if self.request.POST.get("password"):
            audit.log_action(action=AuditAction.REAUTH_FAILED, extra={"next": self.next_url()})
            if reauth.reauth_failure(self.request):
                logout(self.request)
                messages.error(self.request, _("Too many wrong passwords: log in again."))
                return redirect("login")
        return super().form_invalid(form)
