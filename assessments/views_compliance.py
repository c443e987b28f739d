"""Pages of the compliance check (issue 6): the rules, the runs, the findings and their drill-down."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from branches.enums import Sector
from branches.models import Organisation
from branches.scoping import for_user
from branches.views import OrganisationMixin
from portal.permissions import PermissionRequiredMixin, ScopedObjectMixin, has_permission
from portal.policy import policy_for_year, value_display
from portal.task_dispatch import dispatch_notice

from .compliance import selectors, services
from .compliance.catalogue import RULES
from .compliance.engine import run_progress
from .forms_compliance import FindingWaiveForm, RunStartForm
from .models import ComplianceRun, Finding


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2015 <= year <= today.year else today.year


class RulesView(PermissionRequiredMixin, TemplateView):
    """Every rule with its clause, the opinion's sentence, whom it checks and the parameters in force."""

    template_name = "assessments/compliance/rules.html"

    def get_context_data(self, **kwargs):
        year = _year(self.request)
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "years": range(timezone.localdate().year, 2014, -1),
            "rows": selectors.rules_with_parameters(year=year),
        }


class RunsView(PermissionRequiredMixin, TemplateView):
    """The log of runs (start, end, counts, errors); the bureau starts a run for any year here."""

    template_name = "assessments/compliance/runs.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            self.permission_required = "bureau"
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = ComplianceRun.objects.select_related("started_by")
        context["page"] = Paginator(runs, 30).get_page(self.request.GET.get("page"))
        context["running"] = ComplianceRun.objects.filter(state=ComplianceRun.State.RUNNING).first()
        context.setdefault("form", RunStartForm(initial={"year": timezone.localdate().year}))
        context["can_start"] = has_permission(self.request.user, "bureau")
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

    template_name = "assessments/compliance/findings.html"

    def filters(self) -> dict:
        get = self.request.GET
        scope = for_user(Organisation.objects.all(), self.request.user)
        status = get.get("status", Finding.Status.OPEN)
        return {
            "year": _year(self.request),
            "rule": get.get("rule", "") if get.get("rule", "") in RULES else "",
            "status": status if status in Finding.Status.values else "",
            "sector": get.get("sector", "") if get.get("sector", "") in Sector.values else "",
            "organisation": scope.filter(pk=get.get("org")).first() if get.get("org", "").isdigit() else None,
            "town": scope.filter(pk=get.get("town")).first() if get.get("town", "").isdigit() else None,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.filters()
        findings = selectors.findings_for_user(user=self.request.user, **filters)
        grouped = self.request.GET.get("group") == "organisation"
        if grouped:
            rows = (
                findings.values("organisation", "organisation__name", "organisation__code")
                .annotate(n=Count("pk"))
                .order_by("-n", "organisation__code")
            )
            context["page"] = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        else:
            findings = findings.order_by("due_on", "rule", "organisation__path", "pk")
            page = Paginator(findings, 50).get_page(self.request.GET.get("page"))
            for finding in page.object_list:
                finding.aspect_text = selectors.aspect_label(finding)
                finding.title = RULES[finding.rule].title if finding.rule in RULES else finding.rule
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

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        from portal import audit

        filters = self.filters()
        findings = selectors.findings_for_user(user=request.user, **filters).order_by(
            "due_on", "rule", "organisation__path", "pk"
        )
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

    template_name = "assessments/compliance/finding.html"
    scoped_name = "finding"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            self.permission_required = "bureau"
        return super().dispatch(request, *args, **kwargs)

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

    template_name = "assessments/compliance/organisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings = list(
            Finding.objects.filter(organisation=self.organisation)
            .select_related("member")
            .order_by("-year", "due_on", "rule", "pk")[:500]
        )
        for finding in findings:
            finding.aspect_text = selectors.aspect_label(finding)
            finding.title = RULES[finding.rule].title if finding.rule in RULES else finding.rule
        context["findings"] = findings
        return context


urlpatterns = [
    path("compliance/rules/", RulesView.as_view(), name="rules"),
    path("compliance/runs/", RunsView.as_view(), name="runs"),
    path("compliance/runs/<int:pk>/progress/", RunProgressView.as_view(), name="run_progress"),
    path("compliance/findings/", FindingListView.as_view(), name="findings"),
    path("compliance/findings/export/", FindingExportView.as_view(), name="findings_export"),
    path("compliance/findings/<int:pk>/", FindingDetailView.as_view(), name="finding"),
    path("compliance/organisations/<int:pk>/", OrganisationFindingsView.as_view(), name="org_findings"),
]


class PerformanceView(OrganisationMixin, TemplateView):
    """S-ASSESSMENT: the party-building item of the performance assessment of the units under an
    organisation, computed from the findings and the special reports."""

    template_name = "assessments/compliance/performance.html"

    def get_context_data(self, **kwargs):
        from .performance import party_building_assessment

        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year = self.kwargs["year"] if 2015 <= self.kwargs["year"] <= today.year else today.year
        values = policy_for_year(year)
        context.update(
            year=year,
            years=range(today.year, 2014, -1),
            rows=party_building_assessment(year=year, within=self.organisation),
            share=value_display("assessment.daily_work_share", values["assessment.daily_work_share"]),
            points=values["assessment.points_open_clause"],
        )
        return context


urlpatterns.append(path("performance/<int:pk>/<int:year>/", PerformanceView.as_view(), name="performance"))
