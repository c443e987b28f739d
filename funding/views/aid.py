"""Pages of the member aid fund (F-AID-FUND) and the liaison funds (F-LIAISON-FUND, S-INSTRUCTOR)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from branches.enums import OrganisationKind, PostKind
from branches.models import Post
from branches.views import OrganisationMixin
from core.permissions import ScopedObjectMixin
from core.views import ServiceFormView
from core.years import year_clamped, years_back
from funding.forms.aid import AidGrantForm, InstructorAllowanceForm, LiaisonPaymentForm
from funding.selectors import aid as selectors
from funding.selectors.applicability import ledger_applies
from funding.services import aid as services
from members.models import Member


class AidView(OrganisationMixin, TemplateView):
    """F-AID-FUND: the subtree's members eligible for aid, their groups and grants of the year."""

    permission_required = "view"

    template_name = "funding/aid/aid.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = year_clamped(self.request.GET.get("year"))
        context.update(
            year=year,
            years=years_back(),
            **selectors.aid_table(organisation=self.organisation, year=year),
        )
        return context


class AidGrantView(ScopedObjectMixin, ServiceFormView):
    """F-AID-FUND: the bureau's grant to a member, as one of the groups the record shows."""

    permission_required = "bureau"
    scoped_name = "member"
    template_name = "funding/aid/grant_form.html"
    form_class = AidGrantForm
    title = _("Aid grant")
    success_message = _("The aid grant was recorded.")

    def get_scoped_queryset(self):
        return Member.objects.select_related("organisation")

    def get_form_kwargs(self):
        self.groups = selectors.member_aid_groups(member=self.member)
        recipients = selectors.member_aid_recipients(member=self.member)
        return {**super().get_form_kwargs(), "groups": self.groups, "recipients": recipients}

    def get_initial(self):
        return {"granted_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(groups=self.groups, grants=selectors.member_aid_grants(member=self.member))
        return context

    def perform(self, form):
        return services.aid_grant_record(member=self.member, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        url = reverse("funding:aid", args=[self.member.organisation_id])
        return f"{url}?year={self.result.granted_on.year}"


class LiaisonView(OrganisationMixin, TemplateView):
    """F-LIAISON-FUND: a liaison group's report and the funds paid after it; the instructors posted
    in the subtree during the year with their allowances (S-INSTRUCTOR)."""

    permission_required = "view"

    template_name = "funding/aid/liaison.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        is_group = self.organisation.kind == OrganisationKind.LIAISON_GROUP
        context.update(
            year=year,
            years=years_back(),
            is_liaison_group=is_group,
            not_applicable=not is_group and not ledger_applies(organisation=self.organisation, ledger="liaison"),
            instructor_cap=selectors.liaison_caps(year=year)["instructor_month"],
            instructors=selectors.instructors_in_year(organisation=self.organisation, year=year),
        )
        if is_group:
            context.update(selectors.liaison_group_year(organisation=self.organisation, year=year))
        return context


class LiaisonPayView(OrganisationMixin, ServiceFormView):
    """F-LIAISON-FUND: the bureau pays a liaison group's work fund or head's allowance for a year."""

    permission_required = "bureau"
    template_name = "funding/aid/liaison_pay_form.html"
    form_class = LiaisonPaymentForm
    title = _("Liaison group funds")
    success_message = _("The payment was recorded.")

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().filter(kind=OrganisationKind.LIAISON_GROUP)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(year=self.year, **selectors.liaison_group_year(organisation=self.organisation, year=self.year))
        return context

    def perform(self, form):
        return services.liaison_fund_pay(
            organisation=self.organisation, year=self.year, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("funding:liaison", args=[self.organisation.pk, self.year])


class InstructorAllowanceView(ScopedObjectMixin, ServiceFormView):
    """F-LIAISON-FUND, S-INSTRUCTOR: the bureau pays an instructor's allowance for months of the post."""

    permission_required = "bureau"
    scoped_name = "post_record"
    template_name = "funding/aid/allowance_form.html"
    form_class = InstructorAllowanceForm
    title = _("Instructor's allowance")
    success_message = _("The allowance was recorded.")

    def get_scoped_queryset(self):
        return Post.objects.filter(kind=PostKind.INSTRUCTOR).select_related("member", "organisation")

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            allowances=selectors.post_allowances(post=self.post_record),
            monthly_cap=selectors.liaison_caps(year=timezone.localdate().year)["instructor_month"],
        )
        return context

    def perform(self, form):
        return services.instructor_allowance_pay(post=self.post_record, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("funding:liaison", args=[self.post_record.organisation_id, self.result.last_month.year])
