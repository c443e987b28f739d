"""The home page, the bureau's account management and the policy parameters."""

import datetime

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from assessments.compliance import selectors as compliance
from branches import selectors
from core import audit, lockout, policy, services
from core.concurrency import VersionedFormViewMixin
from core.enums import RoleGrantState
from core.models import PolicyRevision, RoleGrant, User
from core.passwords import password_expired
from core.permissions import PermissionRequiredMixin
from core.scoping import sees_whole_zone
from core.views import ServiceFormView
from core.years import year_clamped
from portal import dashboards
from portal.forms import AccountCreateForm, AccountUpdateForm, PasswordChangeForm, PolicyRevisionForm


class LoginView(auth_views.LoginView):
    """Django's login: a new session key, `next=` followed only to this site; axes locks (portal/lockout.py)."""

    template_name = "portal/account/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password; an account the bureau created, or whose password is older than
    PASSWORD_MAX_AGE_DAYS, sees only this page until then (issues 7 and 13). A wrong current password
    counts like a failed login (issue 13, 8): the fifth locks the username and ends the session."""

    template_name = "portal/account/password.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def post(self, request, *args, **kwargs):
        credentials = lockout.password_credentials(request.user)
        if lockout.is_locked(request=request, credentials=credentials):
            logout(request)
            return lockout.lockout_response(request, credentials=credentials)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            user = self.request.user
            if lockout.current_password_failed(request=self.request, user=user):
                logout(self.request)
                return lockout.lockout_response(self.request, credentials=lockout.password_credentials(user))
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_expired": password_expired(self.request.user)}

    def form_valid(self, form):
        try:
            services.account_password_change(user=form.user, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field, errors)
            return super().form_invalid(form)
        lockout.username_attempts_clear(user=form.user)
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
        context["todo"] = self.todo()
        context["glance"] = self.glance()
        return context

    def glance(self):
        """The zone at a glance for the bureau and the auditor (issue 12): this year's rates, the
        organisations with most open findings, the latest runs and roster imports."""
        if not sees_whole_zone(self.request.user):
            return None
        return dashboards.zone_glance(year=timezone.localdate().year)

    def todo(self):
        """An organisation administrator's duties (issue 12): this month's and the missed ones, most
        urgent first, each with its form filled in; earlier years' findings counted, not listed."""
        user = self.request.user
        if user.role != "org_admin" or user.organisation is None:
            return None

        return compliance.secretary_todo(organisation=user.organisation, today=timezone.localdate())


class AccountListView(PermissionRequiredMixin, TemplateView):
    permission_required = "accounts"
    template_name = "portal/account/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = RoleGrant.objects.filter(state=RoleGrantState.PROPOSED).select_related("organisation")
        accounts = (
            User.objects.select_related("organisation")
            .prefetch_related(Prefetch("role_grants", queryset=pending, to_attr="pending_grants"))
            .order_by("role", "username")
        )
        context["page"] = Paginator(accounts, 50).get_page(self.request.GET.get("page"))
        context["pending_count"] = pending.count()
        return context


class AccountCreateView(PermissionRequiredMixin, ServiceFormView):
    permission_required = "accounts"
    template_name = "portal/account/form.html"
    title = _("New account")
    form_class = AccountCreateForm
    success_url = reverse_lazy("account_list")
    success_message = _(
        "The account was created without a role: the user must change the password at first login, then a "
        "second system administrator confirms the role."
    )

    def perform(self, form):
        data = form.cleaned_data
        return services.account_create(
            username=data["username"],
            full_name=data["full_name"],
            role=data["role"],
            organisation=form.organisation,
            password=data["password"],
            by=self.request.user,
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
        """The role and organisation awaiting confirmation if there are, else those in force."""
        account = self.account
        shown = services.role_grant_pending(user=account) or account
        return {
            "full_name": account.first_name,
            "role": shown.role,
            "organisation_code": shown.organisation.code if shown.organisation else "",
            "is_active": account.is_active,
        }

    def get_success_message(self):
        if services.role_grant_pending(user=self.account) is not None:
            return _("The account was saved; its new role awaits confirmation by a second system administrator.")
        return super().get_success_message()

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
            on=on,
            today=today,
            revisions=revisions,
            rows=rows,
        )
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
            name=data["name"],
            effective_from=data["effective_from"],
            source=data["source"],
            note=data["note"],
            values=form.parameter_values(),
            revision=self.revision,
            user=self.request.user,
            version=form.cleaned_data.get("version"),
        )


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
            "title": _("Policy revision %(name)s") % {"name": self.revision.display_name},
            "locked": self.revision.effective_from <= timezone.localdate(),
        }


class DashboardView(PermissionRequiredMixin, TemplateView):
    """The compliance dashboard (issue 6): every chart drills down to the findings. The bureau and the
    auditor see the zone; an organisation's administrator their subtree (issue 12)."""

    permission_required = "dashboard"
    template_name = "portal/dashboard.html"

    def year(self) -> int:
        return year_clamped(self.request.GET.get("year"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = dashboards.compliance_dashboard(year=self.year(), user=self.request.user)
        context.update(
            dashboard=dashboard,
            years=range(timezone.localdate().year, 2014, -1),
            towns_shown=dashboard["towns"][: dashboards.SHOWN],
            weak_shown=dashboard["weak"][: dashboards.SHOWN],
            shown=dashboards.SHOWN,
        )
        root = selectors.work_committee() if dashboard["whole_zone"] else None
        if root is not None:
            context["weak_year_url"] = reverse("assessments:weak_year", args=[root.pk, dashboard["year"]])
        if dashboard["run"] is not None:
            context["chart_data"] = dashboards.chart_data(dashboard)
        return context


class DashboardExportView(DashboardView):
    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        year = self.year()
        dashboard = dashboards.compliance_dashboard(year=year, user=request.user)
        labels = {
            "name": _("Rule, sector or organisation"),
            "checked": _("Checks"),
            "passed": _("Met"),
            "rate": _("Compliance rate (%)"),
            "open": _("Open findings"),
            "by_rule": _("By rule"),
            "by_sector": _("By sector"),
            "by_town": _("By town or system"),
            "top": _("Most open findings"),
            "weak": _("Weak-organisation candidates"),
            "type": _("Type"),
            "score": _("Score"),
        }
        content = dashboards.dashboard_xlsx(dashboard, labels={k: str(v) for k, v in labels.items()})
        rows = sum(len(dashboard[key]) for key in ("rules", "sectors", "towns", "top"))
        audit.export_log(request=request, model="portal.dashboard", filters={"year": year}, rows=rows)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="compliance-{year}.xlsx"'
        return response
