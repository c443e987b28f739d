"""Pages of the weak organisations (软弱涣散党组织, Q-WEAK-*): the year's ranking and the bureau's
selection, and each named organisation's rectification. The URL patterns are at the bottom."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from assessments import weak
from assessments.forms.weak import DecideForm, NoteForm, ProposalForm, RemedyForm, VerdictForm
from assessments.models import Rectification, WeakSelection
from branches.enums import Sector
from branches.models import Organisation
from branches.selectors import work_committee
from branches.views import OrganisationMixin
from core.permissions import PermissionRequiredMixin, ScopedObjectMixin
from core.policy import policy_for_year
from core.views import ServiceFormView
from core.years import years_back

# Rows of a type shown on a year page besides the proposed and named ones (the others through the
# year page of an organisation further down).
ROWS_SHOWN = 100
ALL_CLAUSES = ("Q-WEAK-VILLAGE", "Q-WEAK-COMMUNITY", "Q-WEAK-OTHER", "Q-WEAK-REMEDY", "Q-WEAK-CRITERIA")
DEDUCTION_LABELS = {
    "open_clause": _("Clauses with open findings"),
    "waived_clause": _("Clauses with waived findings"),
    "no_meetings": _("No meeting logged"),
    "no_evaluation": _("No democratic evaluation"),
    "no_secretary": _("No secretary in post"),
}


class WeakYearView(OrganisationMixin, TemplateView):
    """Q-WEAK-*: per type, the ranking from the bottom with scores, the proposed and the named, and
    the number named against the number the clause requires (zone-wide); rows of the organisation's
    subtree."""

    permission_required = "view"

    template_name = "assessments/weak/year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        sections = weak.weak_year_sections(year=year, within=self.organisation, rows_shown=ROWS_SHOWN)
        values = policy_for_year(year)
        for section in sections:  # Q-WEAK-CRITERIA: why a row is on the proposal beside its rank
            for row in section["rows"]:
                criteria = (row.deductions or {}).get("criteria", [])
                row.criteria = weak.criteria_words(criteria, year=year, values=values) if criteria else []
        context.update(
            year=year,
            years=years_back(),
            sections=sections,
            confirmed=weak.weak_year_confirmed(year=year),
            clauses=ALL_CLAUSES,
            rows_shown=ROWS_SHOWN,
        )
        return context


class WeakProposeView(PermissionRequiredMixin, ServiceFormView):
    """Q-WEAK-*: the bureau (re)makes the year's ranking and proposal."""

    permission_required = "bureau"
    template_name = "assessments/weak/form.html"
    form_class = ProposalForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]

    def get_title(self):
        return _("Weak organisations of %(year)s: rank and propose") % {"year": self.year}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.get_title(), "clauses": ALL_CLAUSES[:3]}

    def perform(self, form):
        return weak.weak_proposal_make(year=self.year, user=self.request.user)

    def get_success_message(self):
        return _("%(n)s organisations ranked, %(p)s proposed.") % {
            "n": len(self.result),
            "p": sum(s.proposed for s in self.result),
        }

    def get_success_url(self):
        return reverse("assessments:weak_year", args=[work_committee().pk, self.year])


class SelectionMixin(ScopedObjectMixin):
    scoped_name = "selection"

    def get_scoped_queryset(self):
        return WeakSelection.objects.select_related("organisation")

    def get_success_url(self):
        return reverse("assessments:weak_rectification", args=[self.selection.pk])


class SelectionFormMixin(SelectionMixin):
    template_name = "assessments/weak/form.html"
    clauses = ("Q-WEAK-REMEDY",)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "clauses": self.clauses}


class WeakDecideView(SelectionFormMixin, ServiceFormView):
    """Q-WEAK-*: the bureau names an organisation weak or leaves it off, with a reason where it
    departs from the proposal."""

    permission_required = "bureau"
    form_class = DecideForm
    title = _("Name a weak organisation")
    success_message = _("The decision was recorded.")

    @property
    def clauses(self):
        return (weak.type_clause(self.selection.type),)

    def get_initial(self):
        named = self.selection.named if self.selection.decided_at else self.selection.proposed
        return {"named": "yes" if named else "no", "reason": self.selection.reason}

    def perform(self, form):
        return weak.weak_selection_decide(selection=self.selection, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("assessments:weak_year", args=[work_committee().pk, self.selection.year])


class RectificationView(SelectionMixin, TemplateView):
    """Q-WEAK-REMEDY: why the organisation was ranked where it was, the decision, the remedies, the
    progress notes and the closing verdict."""

    permission_required = "view"

    template_name = "assessments/weak/rectification.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = self.selection
        rectification = Rectification.objects.filter(selection=selection).select_related("verdict_by").first()
        deductions = selection.deductions or {}
        context.update(
            rectification=rectification,
            remedies=rectification.remedies.select_related("post__member", "post__organisation", "department")
            if rectification
            else [],
            notes=rectification.notes.select_related("recorded_by") if rectification else [],
            deductions=[(label, deductions[key]) for key, label in DEDUCTION_LABELS.items() if key in deductions],
            deducted_clauses=deductions.get("clauses", []),
            criteria=weak.criteria_words(deductions.get("criteria", []), year=selection.year),
            clause=weak.type_clause(selection.type),
            type_label=Sector(selection.type).label,
            root=work_committee(),
        )
        return context


class RemedyAddView(SelectionFormMixin, ServiceFormView):
    """Q-WEAK-REMEDY: the bureau assigns a remedy, picking the person's post (collected once)."""

    permission_required = "bureau"
    form_class = RemedyForm
    title = _("New remedy")
    success_message = _("The remedy was recorded.")
    service_fields = {"department": "department_code"}

    def get_form_kwargs(self):
        today = timezone.localdate()
        leaders = list(weak.leadership_posts(day=today))
        sent = list(weak.sent_posts(organisation=self.selection.organisation, day=today))
        self.posts = {p.pk: p for p in leaders + sent}
        return {**super().get_form_kwargs(), "leaders": leaders, "sent": sent}

    def get_initial(self):
        return {"started_on": timezone.localdate()}

    def perform(self, form):
        data = dict(form.cleaned_data)
        code = data.pop("department_code").strip()
        department = Organisation.objects.filter(code=code).first() if code else None
        if code and department is None:
            raise ValidationError({"department": _("No organisation has the code %(code)s.") % {"code": code}})
        return weak.rectification_remedy_add(
            selection=self.selection,
            kind=data["kind"],
            started_on=data["started_on"],
            note=data["note"],
            post=self.posts.get(data["post"]),
            department=department,
            user=self.request.user,
        )


class NoteAddView(SelectionFormMixin, ServiceFormView):
    """Q-WEAK-REMEDY: the organisation writes how its rectification is going."""

    permission_required = "edit"
    form_class = NoteForm
    title = _("Progress note")
    success_message = _("The progress note was recorded.")

    def get_initial(self):
        return {"written_on": timezone.localdate()}

    def perform(self, form):
        return weak.rectification_note_add(selection=self.selection, user=self.request.user, **form.cleaned_data)


class VerdictView(SelectionFormMixin, ServiceFormView):
    """Q-WEAK-REMEDY: the bureau closes the rectification: rectified or not."""

    permission_required = "bureau"
    form_class = VerdictForm
    title = _("Closing verdict")
    success_message = _("The closing verdict was recorded.")

    def get_initial(self):
        return {"decided_on": timezone.localdate()}

    def perform(self, form):
        return weak.rectification_verdict(selection=self.selection, user=self.request.user, **form.cleaned_data)
