"""Pages of the welfare project fund (F-WELFARE-FUND) and of the venue reward payments (F-VENUE-REWARD)."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from assessments.models import VenueInspection
from branches.views import OrganisationMixin
from core.permissions import PermissionRequiredMixin, ScopedObjectMixin, has_permission
from core.views import ScopedFileView, ServiceFormView
from funding.enums import ProjectState
from funding.forms.welfare import (
    VenueRewardPaymentForm,
    WelfareDecisionForm,
    WelfarePaymentForm,
    WelfareProjectForm,
)
from funding.models import WelfarePayment, WelfareProject
from funding.selectors import welfare as selectors
from funding.services import welfare as services


def _fund_context(fund: selectors.Fund) -> dict:
    """The year's allocation (None outside the fund) and the fund's years, for the year links."""
    return {"fund": fund, "year": fund.year, "allocation": fund.allocation, "fund_years": fund.years}


class WelfareView(OrganisationMixin, TemplateView):
    """A village's or community's year of the fund: its balance, projects and payments."""

    permission_required = "view"

    template_name = "funding/welfare/village.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation, year = self.organisation, self.kwargs["year"]
        fund = selectors.welfare_fund(year=year)
        context.update(
            _fund_context(fund),
            is_place=selectors.is_welfare_place(organisation=organisation),
            balance=selectors.welfare_balance(organisation=organisation, year=year, fund=fund),
            projects=selectors.welfare_projects(organisation=organisation, year=year),
            payments=selectors.welfare_payments(organisation=organisation, year=year),
        )
        return context


class WelfareProjectCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "funding/welfare/form.html"
    form_class = WelfareProjectForm
    title = _("New welfare project")
    success_message = _("The project was proposed.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            _fund_context(selectors.welfare_fund(year=self.kwargs["year"])),
            is_place=selectors.is_welfare_place(organisation=self.organisation),
        )
        return context

    def perform(self, form):
        return services.welfare_project_propose(
            organisation=self.organisation, year=self.kwargs["year"], user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("funding:welfare_project", args=[self.result.pk])


class WelfareProjectMixin(ScopedObjectMixin):
    scoped_name = "project"

    def get_scoped_queryset(self):
        return WelfareProject.objects.select_related("organisation", "recorded_by", "decided_by")

    def get_success_url(self):
        return reverse("funding:welfare_project", args=[self.project.pk])


class WelfareProjectView(WelfareProjectMixin, TemplateView):
    permission_required = "view"
    template_name = "funding/welfare/project.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.project
        payments = list(project.payments.select_related("recorded_by"))
        paid = sum((p.amount for p in payments), selectors.ZERO)
        user = self.request.user
        context.update(
            payments=payments,
            paid=paid,
            unpaid=project.budget - paid,
            balance=selectors.welfare_balance(organisation=project.organisation, year=project.year),
            can_decide=has_permission(user, "bureau") and project.state == ProjectState.PROPOSED,
            can_pay=has_permission(user, "bureau") and project.state == ProjectState.APPROVED,
        )
        return context


class WelfareDecideView(WelfareProjectMixin, ServiceFormView):
    permission_required = "bureau"
    template_name = "funding/welfare/form.html"
    form_class = WelfareDecisionForm
    title = _("Decide on a welfare project")
    success_message = _("The decision was recorded.")

    def get_initial(self):
        return {"decided_on": timezone.localdate()}

    def perform(self, form):
        return services.welfare_project_decide(project=self.project, user=self.request.user, **form.cleaned_data)


class WelfarePayView(WelfareProjectMixin, ServiceFormView):
    permission_required = "bureau"
    template_name = "funding/welfare/form.html"
    form_class = WelfarePaymentForm
    title = _("Pay a welfare project")
    success_message = _("The payment was recorded.")

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["balance"] = selectors.welfare_balance(organisation=self.project.organisation, year=self.project.year)
        context["unpaid"] = self.project.budget - selectors.project_paid(project=self.project)
        return context

    def perform(self, form):
        return services.welfare_payment_record(project=self.project, user=self.request.user, **form.cleaned_data)


class WelfareReceiptView(ScopedFileView):
    """The scanned receipt of a payment, only inside the user's scope."""

    permission_required = "view"

    scoped_name = "payment"

    def get_scoped_queryset(self):
        return WelfarePayment.objects.select_related("project__organisation").exclude(receipt="")

    def file(self):
        return self.payment.receipt, self.payment.receipt.name


class WelfareOverviewView(PermissionRequiredMixin, TemplateView):
    """Every village and community in the user's scope with its year's allocation, payments and balance."""

    permission_required = "view"

    template_name = "funding/welfare/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = selectors.welfare_fund(year=self.kwargs["year"])
        rows = selectors.welfare_overview(user=self.request.user, year=fund.year, fund=fund)
        context.update(
            _fund_context(fund),
            rows=rows,
            total_allocation=sum((r.allocation or selectors.ZERO for r in rows), selectors.ZERO),
            total_paid=sum((r.paid for r in rows), selectors.ZERO),
            total_remaining=sum((r.remaining for r in rows), selectors.ZERO),
        )
        return context


class VenueRewardsView(PermissionRequiredMixin, TemplateView):
    """F-VENUE-REWARD: the reward entitlements of acceptance inspections, the unpaid ones first."""

    permission_required = "view"

    template_name = "funding/welfare/venue_rewards.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.venue_reward_entitlements(user=self.request.user)
        context.update(
            page=Paginator(rows, 100).get_page(self.request.GET.get("page")),
        )
        return context


class VenueRewardPayView(ScopedObjectMixin, ServiceFormView):
    permission_required = "bureau"
    scoped_name = "inspection"
    template_name = "funding/welfare/venue_reward_pay.html"
    form_class = VenueRewardPaymentForm
    title = _("Pay a venue reward")
    success_message = _("The reward payment was recorded.")

    def get_scoped_queryset(self):
        return VenueInspection.objects.select_related("venue__organisation")

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def perform(self, form):
        return services.venue_reward_pay(inspection=self.inspection, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("funding:venue_rewards")
