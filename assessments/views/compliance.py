"""Pages of the compliance check (issue 6): the rules, the runs, the findings and their drill-down."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from assessments.compliance import selectors, services
from assessments.compliance.catalogue import RULES
from assessments.compliance.engine import run_progress
from assessments.compliance.filters import FindingFilter
from assessments.forms.compliance import FindingWaiveForm, RunStartForm
from assessments.models import ComplianceRun, Finding
from assessments.performance import party_building_assessment
from branches.enums import Sector
from branches.views import OrganisationMixin
from core import audit
from core.permissions import PermissionRequiredMixin, ScopedObjectMixin, has_permission
from core.policy import policy_for_year, value_display
from core.task_dispatch import dispatch_notice
from core.years import year_clamped, years_back


class RulesView(PermissionRequiredMixin, TemplateView):
    """Every rule with its clause, the opinion's sentence, whom it checks and the parameters in force."""

    permission_required = "view"

    template_name = "assessments/compliance/rules.html"

    def get_context_data(self, **kwargs):
        year = year_clamped(self.request.GET.get("year"))
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "years": range(timezone.localdate().year, 2014, -1),
            "rows": selectors.rules_with_parameters(year=year),
        }


class RunsView(PermissionRequiredMixin, TemplateView):
    """The log of runs (start, end, counts, errors); the bureau starts a run for any year here."""

    permission_required = "view"

    template_name = "assessments/compliance/runs.html"

    write_permission_required = "bureau"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = ComplianceRun.objects.select_related("started_by")
        context["page"] = Paginator(runs, 30).get_page(self.request.GET.get("page"))
        context["running"] = ComplianceRun.objects.filter(state=ComplianceRun.State.RUNNING).first()
        context.setdefault("form", RunStartForm(initial={"year": timezone.localdate().year}))
        return context

    def post(self, request, *args, **kwargs):
        form = RunStartForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        year = form.cleaned_data["year"]

        def start():
            if notice := dispatch_notice(services.compliance_run_start(year=year, user=request.user)):
                messages.warning(request, notice)

        transaction.on_commit(start)
        messages.success(request, _("The compliance run of %(year)s has started.") % {"year": year})
        return redirect("assessments:runs")


class RunProgressView(PermissionRequiredMixin, TemplateView):
    """The progress bar of a run (polled by htmx); the page reloads when it is over. Runs cover the
    whole zone and say nothing of any organisation, so every role may watch one."""

    permission_required = "view"

    template_name = "assessments/compliance/_run_progress.html"

    @cached_property
    def run(self):
        return get_object_or_404(ComplianceRun, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "run": self.run, "progress": run_progress(self.run)}

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.run.state != ComplianceRun.State.RUNNING:
            response["HX-Refresh"] = "true"
        return response


class FindingListView(PermissionRequiredMixin, TemplateView):
    """The drill-down's list: findings (or, with group=organisation, the organisations with findings)
    for a rule, sector, town, status and year; what a chart's bar links to."""

    permission_required = "view"

    template_name = "assessments/compliance/findings.html"

    def filtered(self):
        """The user's findings of the year under the page's filters (assessments/compliance/filters.py)."""
        year = year_clamped(self.request.GET.get("year"))
        found = FindingFilter.from_request(self.request, selectors.findings_for_user(user=self.request.user, year=year))
        return found.qs, {"year": year, **found.chosen()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings, filters = self.filtered()
        grouped = self.request.GET.get("group") == "organisation"
        if grouped:
            rows = selectors.FindingsByOrganisation(findings)
            context["page"] = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        else:
            findings = findings.order_by("due_on", "rule", "organisation__path", "pk")
            page = Paginator(findings, 50).get_page(self.request.GET.get("page"))
            selectors.findings_labelled(page.object_list)
            context["page"] = page
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            grouped=grouped,
            query=query.urlencode(),
            rules=sorted(RULES),
            statuses=Finding.Status.choices,
            sectors=Sector.choices,
        )
        return context


class FindingExportView(FindingListView):
    """The drill-down's list as .xlsx, with the same filters (every finding, not one page); logged."""

    permission_required = "view"

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        findings, filters = self.filtered()
        findings = findings.order_by("due_on", "rule", "organisation__path", "pk")
        content, rows = selectors.findings_xlsx(findings=findings)
        audit.export_log(
            request=request,
            model="assessments.finding",
            rows=rows,
            filters={k: getattr(v, "pk", v) for k, v in filters.items() if v},
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="findings-{filters["year"]}.xlsx"'
        return response


class FindingDetailView(ScopedObjectMixin, TemplateView):
    """A finding: the clause and its sentence, measured against required, the records that prove it
    and the form that fixes it; the bureau may waive it with a reason."""

    permission_required = "view"

    template_name = "assessments/compliance/finding.html"
    scoped_name = "finding"

    write_permission_required = "bureau"

    def get_scoped_queryset(self):
        return Finding.objects.select_related("organisation", "member", "waived_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        finding = self.finding
        context.update(
            rule=RULES.get(finding.rule),
            aspect=selectors.aspect_label(finding),
            links=selectors.finding_links(finding),
            can_waive=has_permission(self.request.user, "bureau") and finding.status == Finding.Status.OPEN,
        )
        context.setdefault("form", FindingWaiveForm())
        return context

    def post(self, request, *args, **kwargs):
        form = FindingWaiveForm(request.POST)
        if form.is_valid():
            try:
                services.finding_waive(finding=self.finding, reason=form.cleaned_data["reason"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The finding was waived."))
                return redirect(reverse("assessments:finding", args=[self.finding.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class OrganisationFindingsView(OrganisationMixin, TemplateView):
    """An organisation's findings history, every year, newest first."""

    permission_required = "view"

    template_name = "assessments/compliance/organisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings = list(
            Finding.objects.filter(organisation=self.organisation)
            .select_related("member")
            .order_by("-year", "due_on", "rule", "pk")[:500]
        )
        context["findings"] = selectors.findings_labelled(findings)
        return context


class PerformanceView(OrganisationMixin, TemplateView):
    """S-ASSESSMENT: the party-building item of the performance assessment of the units under an
    organisation, computed from the findings and the special reports."""

    permission_required = "view"

    template_name = "assessments/compliance/performance.html"

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        values = policy_for_year(year)
        context.update(
            year=year,
            years=years_back(),
            rows=party_building_assessment(year=year, within=self.organisation),
            share=value_display("assessment.daily_work_share", values["assessment.daily_work_share"]),
            points=values["assessment.points_open_clause"],
        )
        return context
