"""The print buttons: the record book and the year ledger of an organisation's year, a member's card,
and the ZIP of a whole subtree made by a task with a progress bar (issue 17). Scoping as on the pages
(404 outside the user's subtree); every print is audited by the service."""

from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View

from branches.views import OrganisationMixin
from core import reauth
from core.masking import sees_personal_data
from core.permissions import ScopedObjectMixin
from core.task_dispatch import dispatch_notice, task_dispatch
from members.models import Member
from portal.ledgers import services, tasks
from portal.ledgers.forms import SubtreeForm


def _attachment(content: bytes, *, fmt: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=services.FORMATS[fmt][1])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response


class FormatMixin:
    """?format=pdf (the default) or docx; anything else goes back with a message naming both."""

    def chosen_format(self) -> str | None:
        fmt = self.request.GET.get("format", "pdf")
        if fmt in services.FORMATS:
            return fmt
        messages.error(
            self.request,
            _("The format %(format)s is not one the ledgers are printed in: choose PDF or Word (.docx).")
            % {"format": fmt[:20]},
        )
        return None


class OrganisationLedgerView(FormatMixin, OrganisationMixin, View):
    """An organisation's year as a document, for whoever may see the organisation."""

    permission_required = "view"
    kind = ""

    def get(self, request, *args, **kwargs):
        year = kwargs["year"]
        fmt = self.chosen_format()
        if fmt is None:
            return redirect("assessments:year", self.organisation.pk, year)
        content = services.ledger_print(kind=self.kind, organisation=self.organisation, year=year, fmt=fmt)
        name = services.ledger_file_name(kind=self.kind, organisation=self.organisation, year=year, fmt=fmt)
        return _attachment(content, fmt=fmt, file_name=name)


class RecordBookView(OrganisationLedgerView):
    kind = services.RECORD_BOOK


class YearLedgerView(OrganisationLedgerView):
    kind = services.YEAR_LEDGER


class MemberCardView(FormatMixin, ScopedObjectMixin, View):
    """The member's record card, masked as the member's page is; with the ID number in full the reader
    confirms their password first, as for every export of one (issue 7)."""

    permission_required = "view"
    scoped_name = "member"

    def get_scoped_queryset(self):
        return Member.objects.select_related("organisation")

    def get(self, request, *args, **kwargs):
        unmasked = sees_personal_data(request.user)
        if unmasked and not reauth.reauth_recent(request):
            return reauth.reauth_redirect(request)
        fmt = self.chosen_format()
        if fmt is None:
            return redirect("members:detail", self.member.pk)
        content = services.member_card_print(member=self.member, fmt=fmt, unmasked=unmasked)
        name = services.ledger_file_name(
            kind=services.MEMBER_CARD, organisation=self.member.organisation, year=None, fmt=fmt
        ).replace(f".{fmt}", f"-{self.member.name}.{fmt}")
        return _attachment(content, fmt=fmt, file_name=name)


class SubtreeMixin(OrganisationMixin):
    """The ZIP the user would get: with the members' cards masked or in full as their role sees them
    (two files, services.subtree_zip_path)."""

    permission_required = "view"

    def unmasked(self) -> bool:
        return services.subtree_unmasked(self.request.user)

    def progress(self) -> dict:
        year = self.kwargs["year"]
        return {
            fmt: services.subtree_progress(organisation=self.organisation, year=year, fmt=fmt, unmasked=self.unmasked())
            for fmt in services.FORMATS
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(year=self.kwargs["year"], progress=self.progress(), unmasked=self.unmasked())
        context["running"] = any(p["state"] == "running" for p in context["progress"].values())
        return context


class SubtreeView(SubtreeMixin, FormView):
    """Every ledger under the organisation, and its members' cards, as one ZIP: started here, made by a
    task, downloaded here. With ID numbers in full the reader confirms their password first, to start
    the ZIP and to download it, as for the member's card (issue 7)."""

    template_name = "ledgers/subtree.html"
    form_class = SubtreeForm

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("download")
        if fmt is None:
            return super().get(request, *args, **kwargs)
        if fmt not in services.FORMATS:
            raise Http404
        unmasked = self.unmasked()
        if unmasked and not reauth.reauth_recent(request):
            return reauth.reauth_redirect(request)
        year = kwargs["year"]
        path = services.subtree_zip_path(organisation=self.organisation, year=year, fmt=fmt, unmasked=unmasked)
        if not path.exists():
            raise Http404
        services.subtree_zip_read_log(organisation=self.organisation, year=year, fmt=fmt, unmasked=unmasked)
        name = f"{self.organisation.code}-{self.organisation.name}-{year}-{_('ledgers')}-{fmt}.zip"
        return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/zip")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisations"] = services.subtree_organisations(organisation=self.organisation).count()
        return context

    def form_valid(self, form):
        if self.unmasked() and not reauth.reauth_recent(self.request):
            return reauth.reauth_redirect(self.request)
        year, fmt = self.kwargs["year"], form.cleaned_data["format"]
        services.subtree_zip_start(organisation=self.organisation, year=year, fmt=fmt, unmasked=self.unmasked())
        outcome = task_dispatch(
            task=tasks.subtree_zip, args=(self.organisation.pk, year, fmt, self.request.user.pk), background=True
        )
        notice = dispatch_notice(outcome)
        if notice:
            messages.warning(self.request, notice)
        messages.success(self.request, _("The ZIP is being printed; this page shows when it is ready."))
        return redirect(reverse("ledgers:subtree", args=[self.organisation.pk, year]))


class SubtreeProgressView(SubtreeMixin, TemplateView):
    """The progress bars (polled by htmx); once no ZIP is being printed the page reloads."""

    template_name = "ledgers/_progress.html"
    show_breadcrumb = False

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not response.context_data["running"]:
            response["HX-Refresh"] = "true"
        return response
