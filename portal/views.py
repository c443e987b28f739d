"""The home page, the bureau's account management and the policy parameters."""

import datetime

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from branches import selectors

from . import audit, policy, services
from .concurrency import VersionedFormViewMixin
from .forms import AccountCreateForm, AccountUpdateForm, PolicyRevisionForm
from .models import PolicyRevision, User
from .permissions import PermissionRequiredMixin, has_permission
from .views_base import ServiceFormView


class LoginView(auth_views.LoginView):
    """Django's login: a new session key, `next=` followed only to this site; axes locks (portal/lockout.py)."""

    template_name = "portal/account/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password; an account the bureau created sees only this page until then (issue 7)."""

    template_name = "portal/account/password.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        try:
            services.account_password_change(user=form.user, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field, errors)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password was changed."))
        return redirect(self.get_success_url())


class HomeView(PermissionRequiredMixin, TemplateView):
    permission_required = "signed_in"
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roots = list(selectors.organisation_tree_roots(user=self.request.user))
        context["roots"] = [
            {"organisation": root, "summary": selectors.organisation_summary(organisation=root)} for root in roots
        ]
        context["findings"] = self.open_findings()
        return context

    def open_findings(self) -> dict | None:
        """An organisation administrator's open findings (issue 6), soonest due first, each with the
        form that fixes it."""
        if self.request.user.role != "org_admin":
            return None
        from assessments.compliance import selectors as compliance

        findings = compliance.findings_for_user(user=self.request.user, status="open")
        rows = list(findings.order_by("due_on", "rule", "pk")[:20])
        for finding in rows:
            finding.links = compliance.finding_links(finding)
            finding.aspect_text = compliance.aspect_label(finding)
        return {"rows": rows, "total": findings.count()}


class AccountListView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts"
    template_name = "portal/account/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = User.objects.select_related("organisation").order_by("role", "username")
        context["page"] = Paginator(accounts, 50).get_page(self.request.GET.get("page"))
        return context


class AccountCreateView(PermissionRequiredMixin, ServiceFormView):
    permission_required = "accounts"
    template_name = "portal/account/form.html"
    title = _("New account")
    form_class = AccountCreateForm
    success_url = reverse_lazy("account_list")
    success_message = _("The account was created; the user must change the password at first login.")

    def perform(self, form):
        data = form.cleaned_data
        return services.account_create(
            username=data["username"],
            full_name=data["full_name"],
            role=data["role"],
            organisation=form.organisation,
            password=data["password"],
        )


class AccountUpdateView(PermissionRequiredMixin, ServiceFormView):
    permission_required = "accounts"
    template_name = "portal/account/form.html"
    form_class = AccountUpdateForm
    success_url = reverse_lazy("account_list")
    success_message = _("The account was saved.")

    @cached_property
    def account(self):
        return get_object_or_404(User.objects.select_related("organisation"), pk=self.kwargs["pk"])

    def get_initial(self):
        account = self.account
        return {
            "full_name": account.first_name,
            "role": account.role,
            "organisation_code": account.organisation.code if account.organisation else "",
            "is_active": account.is_active,
        }

    def perform(self, form):
        data = form.cleaned_data
        return services.account_update(
            user=self.account,
            full_name=data["full_name"],
            role=data["role"],
            organisation=form.organisation,
            is_active=data["is_active"],
            acting_user=self.request.user,
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Edit account %(name)s") % {"name": self.account.username},
        }


class PolicyView(PermissionRequiredMixin, TemplateView):
    """The policy parameters: every revision side by side and the values in force on a day (?on=)."""

    permission_required = "signed_in"
    template_name = "portal/policy/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        try:
            on = datetime.date.fromisoformat(self.request.GET.get("on", ""))
        except ValueError:
            on = today
        revisions = list(PolicyRevision.objects.prefetch_related("values"))
        in_force = policy.policy_values(on=on)
        set_by = {r.pk: {v.key: v.value for v in r.values.all()} for r in revisions}
        rows = [
            {
                "parameter": parameter,
                "in_force": policy.value_display(key, in_force[key]),
                "by_revision": [
                    policy.value_display(key, set_by[r.pk][key]) if key in set_by[r.pk] else "" for r in revisions
                ],
            }
            for key, parameter in policy.PARAMETERS.items()
        ]
        context.update(
            on=on, today=today, revisions=revisions, rows=rows,
            can_change=has_permission(self.request.user, "parameters"),
        )  # fmt: skip
        return context


class PolicyRevisionFormMixin(PermissionRequiredMixin):
    permission_required = "parameters"
    template_name = "portal/policy/form.html"
    form_class = PolicyRevisionForm
    success_url = reverse_lazy("policy")
    success_message = _("The policy revision was saved; it takes effect on its date.")
    revision = None

    def values_shown(self) -> dict:
        on = self.revision.effective_from if self.revision else timezone.localdate()
        return policy.policy_values(on=on)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "values": self.values_shown()}

    def perform(self, form):
        data = form.cleaned_data
        return services.policy_revision_save(
            name=data["name"], effective_from=data["effective_from"], source=data["source"], note=data["note"],
            values=form.parameter_values(), revision=self.revision, user=self.request.user,
            version=form.cleaned_data.get("version"),
        )  # fmt: skip


class PolicyRevisionCreateView(PolicyRevisionFormMixin, ServiceFormView):
    title = _("New policy revision")


class PolicyRevisionUpdateView(PolicyRevisionFormMixin, VersionedFormViewMixin, ServiceFormView):
    """A revision not yet in force may still change; one in force is shown, and a POST refused."""

    @cached_property
    def revision(self):
        return get_object_or_404(PolicyRevision, pk=self.kwargs["pk"])

    def get_initial(self):
        r = self.revision
        return {"name": r.name, "effective_from": r.effective_from, "source": r.source, "note": r.note}

    def record_version(self):
        return services.policy_revision_version(revision=self.revision)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Policy revision %(name)s") % {"name": self.revision},
            "locked": self.revision.effective_from <= timezone.localdate(),
        }


class DashboardView(PermissionRequiredMixin, TemplateView):
    """The bureau's compliance dashboard (issue 6): every chart drills down to the findings."""

    permission_required = "zone"
    template_name = "portal/dashboard.html"

    def year(self) -> int:
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year", today.year))
        except ValueError:
            return today.year
        return year if 2015 <= year <= today.year else today.year

    def get_context_data(self, **kwargs):
        from . import dashboards

        context = super().get_context_data(**kwargs)
        dashboard = dashboards.compliance_dashboard(year=self.year())
        context.update(dashboard=dashboard, years=range(timezone.localdate().year, 2014, -1),
                       towns_shown=dashboard["towns"][: dashboards.SHOWN], weak_shown=dashboard["weak"][: dashboards.SHOWN],
                       shown=dashboards.SHOWN)  # fmt: skip
        root = selectors.work_committee()
        if root is not None:
            context["weak_year_url"] = reverse("assessments:weak_year", args=[root.pk, dashboard["year"]])
        if dashboard["run"] is not None:
            context["chart_data"] = dashboards.chart_data(dashboard)
        return context


class DashboardExportView(DashboardView):
    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        from . import dashboards

        year = self.year()
        dashboard = dashboards.compliance_dashboard(year=year)
        labels = {
            "name": _("Rule, sector or organisation"), "checked": _("Checks"), "passed": _("Met"), "rate": _("Compliance rate (%)"),
            "open": _("Open findings"), "by_rule": _("By rule"), "by_sector": _("By sector"),
            "by_town": _("By town or system"), "top": _("Most open findings"),
            "weak": _("Weak-organisation candidates"), "type": _("Type"), "score": _("Score"),
        }  # fmt: skip
        content = dashboards.dashboard_xlsx(dashboard, labels={k: str(v) for k, v in labels.items()})
        rows = sum(len(dashboard[key]) for key in ("rules", "sectors", "towns", "top"))
        audit.export_log(request=request, model="portal.dashboard", filters={"year": year}, rows=rows)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="compliance-{year}.xlsx"'
        return response
