"""Pages of the party activity funds (F-ACTIVITY-AGENCY, F-ACTIVITY-SOE, F-ACTIVITY-NONPUBLIC):
the units under an organisation, a unit's budget form, the zone report with its drill-down and
its export."""

from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from branches.enums import Sector
from branches.models import Organisation
from branches.views import OrganisationMixin
from core import audit, scoping
from core.concurrency import VersionedFormViewMixin, version_of
from core.permissions import PermissionRequiredMixin
from core.policy import PolicyValues, policy_for_year
from core.views import ServiceFormView
from funding.forms.activity import ActivityBudgetForm, ActivityFilterForm
from funding.models import ActivityFundBudget
from funding.selectors import activity as selectors
from funding.selectors.applicability import ledger_applies
from funding.services import activity as services

PAGE_SIZE = 100
# A zone has hundreds of systems (each liaison group, incubator, enterprise committee at depth 2).
TOWN_PAGE_SIZE = 100


def _year(value: int) -> int:
    return value if services.FIRST_YEAR <= value <= services.last_year() else timezone.localdate().year


def _rates(policy: PolicyValues) -> dict:
    """The year's rates as people read them (0.003 → 0.3%), by formula."""

    def shown(key):
        value = policy[key] if key else None
        return "—" if value is None else f"{(value * 100).normalize():f}%"

    return {formula.value: (shown(low), shown(high)) for formula, (low, high) in services.RATE_KEYS.items()}


def _years():
    return range(services.last_year(), services.FIRST_YEAR - 1, -1)


class ActivityFiltersMixin:
    """The drill-down filters of the GET query: sector, town or system, flagged."""

    def filters(self) -> dict:
        if not hasattr(self, "_filters"):
            self._filters = ActivityFilterForm(self.request.GET).filters()
        return self._filters

    def query_string(self, *dropped: str) -> str:
        """The GET query without the page numbers named (the rows' `page` always)."""
        query = self.request.GET.copy()
        for key in ("page", *dropped):
            query.pop(key, None)
        return query.urlencode()


class ActivityView(ActivityFiltersMixin, OrganisationMixin, TemplateView):
    """F-ACTIVITY-*: the funded units under an organisation (itself if it is one) for a year."""

    permission_required = "view"

    template_name = "funding/activity/units.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.kwargs["year"])
        context.update(year=year, years=_years(), clauses=services.CLAUSES)
        if not ledger_applies(organisation=self.organisation, ledger="activity"):
            context["not_applicable"] = True  # issue 12: said plainly, not an empty table
            return context
        filters = self.filters()
        units = selectors.activity_units(within=self.organisation, sector=filters["sector"])
        rows = selectors.activity_rows(units=units, year=year, flagged=filters["flagged"])
        context.update(
            page=Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page")),
            filters=filters,
            sectors=[(s, Sector(s).label) for s in services.FUNDED_SECTORS],
            query_string=self.query_string(),
            rates=_rates(rows.policy),
        )
        return context


class ActivityBudgetView(OrganisationMixin, VersionedFormViewMixin, ServiceFormView):
    """F-ACTIVITY-*: a unit's activity funds in its budget for a year, beside the wage bill."""

    permission_required = "edit"
    template_name = "funding/activity/budget_form.html"
    form_class = ActivityBudgetForm
    title = _("Activity funds in the budget")
    success_message = _("The activity fund budget was recorded.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]

    def recorded(self) -> ActivityFundBudget | None:
        if not hasattr(self, "_recorded"):
            self._recorded = (
                ActivityFundBudget.objects.filter(organisation=self.organisation, year=self.year)
                .select_related("recorded_by")
                .first()
            )
        return self._recorded

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "is_soe": self.organisation.sector == Sector.SOE,
            "from_organisation": self.recorded() is None,
        }

    def get_initial(self):
        """The year's row if recorded, else the wage figure collected once on the organisation."""
        row = self.recorded()
        if row is not None:
            return {"wage_bill": row.wage_bill, "budget": row.budget}
        return {"wage_bill": services.organisation_wage_figure(self.organisation)}

    def record_version(self):
        row = self.recorded()
        return version_of(row.recorded_at if row else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.year
        funded = services.is_funded_unit(self.organisation)
        context.update(
            year=year,
            funded=funded,
            row=selectors.activity_unit_row(organisation=self.organisation, year=year) if funded else None,
            recorded=self.recorded(),
            rates=_rates(policy_for_year(_year(year))),
            clauses=services.CLAUSES,
        )
        return context

    def perform(self, form):
        return services.activity_budget_record(
            organisation=self.organisation,
            year=self.year,
            wage_bill=form.cleaned_data["wage_bill"],
            budget=form.cleaned_data["budget"],
            user=self.request.user,
            version=self.opened_version(form),
        )

    def get_success_url(self):
        return reverse("funding:activity", args=[self.organisation.pk, self.result.year])


class ActivityReportMixin(ActivityFiltersMixin, PermissionRequiredMixin):
    """The report's scope (the user's subtree) and the drill-down's units."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = _year(kwargs["year"])

    def town(self) -> Organisation | None:
        """The town or system filtered on: one the user's scope lies in or contains (else 404)."""
        pk = self.filters()["town"]
        if pk is None:
            return None
        town = Organisation.objects.filter(pk=pk, depth__lte=selectors.TOWN_DEPTH).first()
        root = scoping.scope_root(self.request.user)
        if town is None or not (
            scoping.path_in_scope(self.request.user, town.path) or (root and root.path.startswith(town.path))
        ):
            raise Http404
        return town

    def filtered_units(self, town):
        filters = self.filters()
        return selectors.activity_units(user=self.request.user, sector=filters["sector"], town=town)


class ActivityReportView(ActivityReportMixin, TemplateView):
    """F-ACTIVITY-*: the year's report by sector and by town or system, each count leading to the
    units it counts, and from a unit to its budget form."""

    permission_required = "view"

    template_name = "funding/activity/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.filters()
        town = self.town()
        scope_root = scoping.scope_root(self.request.user)
        if scope_root is not None and not ledger_applies(organisation=scope_root, ledger="activity"):
            context.update(
                year=self.year, years=_years(), scope_root=scope_root, clauses=services.CLAUSES, not_applicable=True
            )
            return context
        policy = policy_for_year(self.year)
        report = selectors.activity_report(
            units=selectors.activity_units(user=self.request.user), year=self.year, policy=policy
        )
        context.update(
            year=self.year,
            years=_years(),
            scope_root=scope_root,
            report=report,
            towns=Paginator(report.by_town, TOWN_PAGE_SIZE).get_page(self.request.GET.get("towns")),
            towns_query=self.query_string("towns"),
            export_query=self.query_string("towns"),
            filters=filters,
            town=town,
            filtered=bool(filters["sector"] or town or filters["flagged"]),
            sector_label=Sector(filters["sector"]).label if filters["sector"] else "",
            query_string=self.query_string(),
            rates=_rates(policy),
            clauses=services.CLAUSES,
        )
        if context["filtered"]:
            rows = selectors.ActivityRows(
                self.filtered_units(town), year=self.year, flagged=filters["flagged"], policy=policy
            )
            context["page"] = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return context


class ActivityExportView(ActivityReportMixin, View):
    """The report's unit rows, with the same filters, as .xlsx."""

    permission_required = "view"

    def get(self, request, *args, **kwargs):
        filters = self.filters()
        rows = selectors.activity_rows(
            units=self.filtered_units(self.town()), year=self.year, flagged=filters["flagged"]
        )
        counted = audit.RowCounter(rows)
        content = selectors.activity_export_xlsx(rows=counted, year=self.year)
        audit.export_log(
            request=request,
            model="funding.activityfundbudget",
            rows=counted.count,
            filters={**{k: v for k, v in filters.items() if v}, "year": self.year},
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        file_name = gettext("activity-funds-%(year)s.xlsx") % {"year": self.year}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
        return response
