"""The home page and the bureau's account management."""

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from branches import selectors

from . import services
from .forms import AccountCreateForm, AccountUpdateForm
from .models import User
from .permissions import PermissionRequiredMixin
from .views_base import ServiceFormView


class LoginView(auth_views.LoginView):
    template_name = "portal/account/login.html"
    redirect_authenticated_user = True


class HomeView(PermissionRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roots = list(selectors.organisation_tree_roots(user=self.request.user))
        context["roots"] = [
            {"organisation": root, "summary": selectors.organisation_summary(organisation=root)} for root in roots
        ]
        return context


class AccountListView(PermissionRequiredMixin, TemplateView):
    permission_required = "bureau"
    template_name = "portal/account/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = User.objects.select_related("organisation").order_by("role", "username")
        context["page"] = Paginator(accounts, 50).get_page(self.request.GET.get("page"))
        return context


class AccountCreateView(PermissionRequiredMixin, ServiceFormView):
    permission_required = "bureau"
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
    permission_required = "bureau"
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
