"""Pages of the party dues ledger (N-DUES, 中组发〔2008〕3号) and of the collect-then-refund of
non-public enterprises' dues (F-DUES-REFUND); each names its clause."""

# ruff: noqa: RUF002 -- the source document is cited with its own brackets, as published

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from branches.enums import Sector
from branches.views import OrganisationMixin
from core.concurrency import VersionedFormViewMixin, version_of
from core.permissions import PermissionRequiredMixin
from core.policy import PARAMETERS, policy_for_year
from core.views import ServiceFormView
from core.years import years_back
from funding.forms.dues import DuesBasesForm, DuesCollectForm, DuesRefundForm
from funding.selectors import dues as selectors
from funding.services import dues as services

SOURCE = _("Rules on party dues (中组发〔2008〕3号)")
# A zone has hundreds of branches in arrears: the list is paged (issue 12), the totals are the whole list's.
ARREARS_PAGE_SIZE = 50


class YearMixin:
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "year": self.year, "years": years_back(), "source": SOURCE}


class DuesView(YearMixin, OrganisationMixin, TemplateView):
    """N-DUES: the branch's members x 12 months, each member's base and dues, the arrears."""

    permission_required = "view"

    template_name = "funding/dues/grid.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.dues_grid(organisation=self.organisation, year=self.year)
        context.update(
            rows=rows,
            months=selectors.MONTHS,
            paid_total=sum((r.paid for r in rows), Decimal(0)),
            owed_total=sum((r.owed or 0 for r in rows), Decimal(0)),
            months_owed=sum(r.months_owed for r in rows),
            in_arrears=sum(1 for r in rows if r.months_owed),
            without_base=sum(1 for r in rows if r.base is None),
        )
        return context


class DuesBasesView(YearMixin, OrganisationMixin, VersionedFormViewMixin, ServiceFormView):
    """N-DUES: the year's dues base of every member of the branch, on one form."""

    permission_required = "edit"
    template_name = "funding/dues/bases_form.html"
    form_class = DuesBasesForm
    title = _("Dues bases")

    def get_form_kwargs(self):
        day = services.dues_roster_day(year=self.year)
        self.rows = selectors.dues_base_rows(organisation=self.organisation, year=self.year, day=day)
        farmer_min = policy_for_year(self.year)["dues.farmer_min"]
        return {**super().get_form_kwargs(), "rows": self.rows, "farmer_min": farmer_min}

    def record_version(self):
        day = services.dues_roster_day(year=self.year)
        last = selectors.dues_bases_last(organisation=self.organisation, year=self.year, day=day)
        return version_of(last.recorded_at if last else None)

    def get_context_data(self, **kwargs):
        values = policy_for_year(self.year)
        parameters = [(p.label, values[key]) for key, p in PARAMETERS.items() if key.startswith("dues.")]
        return {**super().get_context_data(**kwargs), "parameters": parameters}

    def perform(self, form):
        return services.dues_bases_record(
            organisation=self.organisation,
            year=self.year,
            rows=form.bases(),
            user=self.request.user,
            version=self.opened_version(form),
        )

    def get_success_message(self):
        return _("The dues bases of %(n)s members were recorded.") % {"n": len(self.result)}

    def get_success_url(self):
        return reverse("funding:dues", args=[self.organisation.pk, self.year])


class DuesCollectView(YearMixin, OrganisationMixin, ServiceFormView):
    """N-DUES: one form collects a whole branch's dues for one or several months."""

    permission_required = "edit"
    template_name = "funding/dues/collect_form.html"
    form_class = DuesCollectForm
    title = _("Collect dues")

    def get_form_kwargs(self):
        self.rows = selectors.dues_grid(organisation=self.organisation, year=self.year)
        last = selectors.dues_last_month(year=self.year)
        return {**super().get_form_kwargs(), "year": self.year, "last_month": last, "rows": self.rows}

    def get_initial(self):
        return {"paid_on": min(timezone.localdate(), datetime.date(self.year, 12, 31))}

    def perform(self, form):
        return services.dues_collect(
            organisation=self.organisation,
            months=form.month_dates(),
            member_ids=form.cleaned_data["members"],
            paid_on=form.cleaned_data["paid_on"],
            user=self.request.user,
            amounts=form.amounts(),
        )

    def get_success_message(self):
        return _("%(n)s dues payments were recorded.") % {"n": len(self.result)}

    def get_success_url(self):
        return reverse("funding:dues", args=[self.organisation.pk, self.year])


class DuesArrearsView(YearMixin, PermissionRequiredMixin, TemplateView):
    """N-DUES: the branches in the user's scope with members in arrears."""

    permission_required = "view"

    template_name = "funding/dues/arrears.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.dues_arrears(user=self.request.user, year=self.year)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            rows=rows,
            page=Paginator(rows, ARREARS_PAGE_SIZE).get_page(self.request.GET.get("page")),
            query_string=query.urlencode(),
            members_total=sum(r.members for r in rows),
            months_total=sum(r.months for r in rows),
            owed_total=sum((r.owed for r in rows), Decimal(0)),
        )
        return context


class DuesRefundsView(YearMixin, OrganisationMixin, TemplateView):
    """F-DUES-REFUND: a non-public organisation's dues collected and refunded, or, above them, the
    reconciliation of every non-public enterprise's organisation under this one."""

    permission_required = "view"

    template_name = "funding/dues/refunds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        is_non_public = organisation.sector == Sector.NON_PUBLIC
        if is_non_public:
            context["reconciliation"] = selectors.dues_reconciliation(organisation=organisation, year=self.year)
            context["refunds"] = selectors.dues_refunds(organisation=organisation, year=self.year)
        else:
            tops = selectors.non_public_tops(organisation=organisation)
            rows = selectors.dues_reconciliations(organisations=tops, year=self.year)
            context.update(
                # Issue 12: no non-public enterprise in or under it: the page says so, no empty table.
                not_applicable=not tops,
                rows=rows,
                collected_total=sum((r.collected for r in rows), Decimal(0)),
                refunded_total=sum((r.refunded for r in rows), Decimal(0)),
                outstanding_total=sum((r.outstanding for r in rows), Decimal(0)),
            )
        context["is_non_public"] = is_non_public
        return context


class DuesRefundCreateView(YearMixin, OrganisationMixin, ServiceFormView):
    """F-DUES-REFUND: the bureau records a refund of a year's dues to a non-public organisation."""

    permission_required = "bureau"
    template_name = "funding/dues/refund_form.html"
    form_class = DuesRefundForm
    title = _("Refund dues")
    success_message = _("The refund was recorded.")

    def get_initial(self):
        return {"refunded_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_non_public"] = self.organisation.sector == Sector.NON_PUBLIC
        if context["is_non_public"]:
            context["reconciliation"] = selectors.dues_reconciliation(organisation=self.organisation, year=self.year)
        return context

    def perform(self, form):
        data = form.cleaned_data
        return services.dues_refund_record(
            organisation=self.organisation,
            year=self.year,
            amount=data["amount"],
            refunded_on=data["refunded_on"],
            voucher_number=data["voucher_number"],
            user=self.request.user,
        )

    def get_success_message(self):
        """F-DUES-REFUND: a refund that leaves part of the dues collected unrefunded is flagged at once."""
        figures = selectors.dues_reconciliation(organisation=self.organisation, year=self.year)
        if figures.partial:
            messages.warning(
                self.request,
                _(
                    "This refund is not the full amount collected: %(outstanding)s yuan of the %(collected)s yuan of "
                    "%(year)s dues collected are still to be refunded (F-DUES-REFUND: refunded in full, 全额返还)."
                )
                % {
                    "outstanding": f"{figures.outstanding:.2f}",
                    "collected": f"{figures.collected:.2f}",
                    "year": self.year,
                },
            )
        return super().get_success_message()

    def get_success_url(self):
        return reverse("funding:dues_refunds", args=[self.organisation.pk, self.year])
