"""Roster pages: the member list, a member's page with history, and the forms that change them."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from branches.selectors import organisation_for_code
from branches.views import OrganisationMixin
from core import audit, reauth, scoping
from core.concurrency import VersionedFormViewMixin, version_of
from core.masking import sees_personal_data, text_masked
from core.paginator import CappedPaginator
from core.permissions import PermissionRequiredMixin, ScopedObjectMixin, has_permission
from core.task_dispatch import dispatch_notice, task_dispatch
from core.views import ServiceFormView
from members import community, development, imports, mobile, roster_template, selectors, services, tasks
from members.enums import MemberStatus
from members.forms import (
    CandidateForm,
    CandidateStepForm,
    CommunityRegisterForm,
    CommunityServiceForm,
    MemberFilterForm,
    MemberForm,
    MemberFullForm,
    MemberStatusForm,
    MemberTransferForm,
    MobileContactForm,
    MobileDecisionForm,
    MobileDuesForm,
    MobileInflowForm,
    MobileOutflowForm,
    MobileReturnForm,
    RosterUploadForm,
)
from members.models import Candidate, CommunityRegistration, Member, MobileRecord, RosterUpload


class MemberListView(PermissionRequiredMixin, TemplateView):
    permission_required = "view"
    template_name = "members/member/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        data.setdefault("status", MemberStatus.ACTIVE)
        form = MemberFilterForm(data)
        filters = form.cleaned_data if form.is_valid() else {"status": MemberStatus.ACTIVE}
        organisation = None
        if filters.get("org"):
            organisation = organisation_for_code(user=self.request.user, code=filters["org"])
            if organisation is None:
                form.add_error("org", _("No organisation with this code is within your responsibility."))
        members = selectors.member_list(
            user=self.request.user,
            organisation=organisation,
            text=filters.get("q", ""),
            category=filters.get("category", ""),
            status=filters.get("status", ""),
            age_band=filters.get("age_band", ""),
            mobile=filters.get("mobile", ""),
        )
        if form.errors:
            members = members.none()
        context["form"] = form
        context["page"] = CappedPaginator(members, 50).get_page(self.request.GET.get("page"))
        mobile.mobile_marked(members=list(context["page"]))
        context["unmasked"] = sees_personal_data(self.request.user)
        query = data.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class MemberMixin(ScopedObjectMixin):
    scoped_name = "member"

    def get_scoped_queryset(self):
        return Member.objects.select_related("organisation")

    def get_success_url(self):
        return reverse("members:detail", args=[self.member.pk])


class MemberDetailView(MemberMixin, TemplateView):
    permission_required = "view"
    template_name = "members/member/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unmasked"] = sees_personal_data(self.request.user)
        context["events"] = selectors.member_history(member=self.member, unmasked=context["unmasked"])
        context["transfers"] = selectors.member_transfers(member=self.member)
        context["registration"] = (
            self.member.community_registrations.filter(ended_on__isnull=True).select_related("community").first()
        )
        context["year"] = timezone.localdate().year
        context["service_hours"] = community.service_hours(member=self.member, year=context["year"])
        context["can_edit"] = has_permission(self.request.user, "edit") and self.member.status == MemberStatus.ACTIVE
        return context


class MemberCreateView(OrganisationMixin, ServiceFormView):
    """A new member in the organisation of the URL (a branch, joint branch or party group)."""

    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MemberForm
    title = _("New member")
    success_message = _("The member was recorded.")

    def perform(self, form):
        return services.member_create(organisation=self.organisation, data=form.cleaned_data, user=self.request.user)

    def get_success_url(self):
        return reverse("members:detail", args=[self.result.pk])


class MemberVersionMixin(VersionedFormViewMixin):
    """The member's forms carry the version of the record they were opened on (issue 7)."""

    def record_version(self):
        return version_of(self.member.updated_at)


class MemberUpdateView(MemberMixin, MemberVersionMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MemberForm
    title = _("Edit member")
    success_message = _("The member's details were saved; the history keeps the previous values.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Member.objects.get(pk=self.member.pk)}

    def perform(self, form):
        return services.member_update(
            member=self.member, data=form.cleaned_data, user=self.request.user, version=self.opened_version(form)
        )


class MemberStatusView(MemberMixin, MemberVersionMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MemberStatusForm
    title = _("Change status")
    success_message = _("The status was changed; the record and its history are kept.")

    def perform(self, form):
        data = form.cleaned_data
        return services.member_status_change(
            member=self.member,
            status=data["status"],
            on=data["on"],
            reason=data["reason"],
            user=self.request.user,
            version=self.opened_version(form),
        )


class MemberTransferView(MemberMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MemberTransferForm
    title = _("Transfer")
    success_message = _("The transfer was recorded.")
    service_fields = {"to_organisation": "to_code"}

    def perform(self, form):
        data = form.cleaned_data
        return services.member_transfer(
            member=self.member,
            on=data["on"],
            letter_number=data["letter_number"],
            to_organisation=form.to_organisation,
            external_organisation=data["external_organisation"],
            reason=data["reason"],
            user=self.request.user,
        )

    def get_success_url(self):
        # Transferred out of the user's scope, the member's page may no longer be theirs to see.
        if scoping.path_in_scope(self.request.user, Member.objects.get(pk=self.member.pk).organisation.path):
            return reverse("members:detail", args=[self.member.pk])
        return reverse("members:list")


class PipelineView(OrganisationMixin, TemplateView):
    """S-DEVELOPMENT: who under an organisation is due for which step, overdue first."""

    permission_required = "view"

    template_name = "members/development/pipeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = development.pipeline(organisation=self.organisation, user=self.request.user)
        return context


class CandidateCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = CandidateForm
    title = _("New application to join")
    success_message = _("The application was recorded.")

    def perform(self, form):
        return development.candidate_apply(organisation=self.organisation, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("members:pipeline", args=[self.organisation.pk])


class CandidateStepView(ScopedObjectMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = CandidateStepForm
    title = _("Next step")
    success_message = _("The step was recorded.")

    scoped_name = "candidate"

    def get_scoped_queryset(self):
        return Candidate.objects.select_related("organisation")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.candidate.organisation}

    def perform(self, form):
        data, user, candidate = form.cleaned_data, self.request.user, self.candidate
        step, on = data["step"], data["on"]
        if step == "talk":
            return development.candidate_talk(candidate=candidate, on=on, by=data["talked_by"], user=user)
        if step == "activist":
            return development.candidate_make_activist(candidate=candidate, on=on, user=user)
        if step == "review":
            return development.candidate_review(candidate=candidate, on=on, user=user)
        if step == "target":
            return development.candidate_make_target(candidate=candidate, on=on, user=user)
        if step == "admit":
            return development.candidate_admit(
                candidate=candidate, on=on, introducers=list(data["introducers"]), user=user
            )
        if step == "approve":
            return development.candidate_approve(candidate=candidate, on=on, user=user)
        return development.candidate_withdraw(candidate=candidate, on=on, reason=data["reason"], user=user)

    def get_success_url(self):
        return reverse("members:pipeline", args=[self.candidate.organisation_id])

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "organisation": self.candidate.organisation,
            "subject": self.candidate,
        }


class MemberFullView(MemberMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MemberFullForm
    title = _("Full membership")
    success_message = _("The member is now a full member.")

    def perform(self, form):
        return development.member_make_full(member=self.member, on=form.cleaned_data["on"], user=self.request.user)


class MobileListView(PermissionRequiredMixin, TemplateView):
    """S-MOBILE: open out-flow and in-flow records, last contact first to be lost; lost contact flagged."""

    permission_required = "view"

    template_name = "members/mobile/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = None
        code = self.request.GET.get("org", "").strip()
        if code:
            organisation = organisation_for_code(user=self.request.user, code=code)
        records = mobile.mobile_list(user=self.request.user, organisation=organisation)
        page = CappedPaginator(records, 50).get_page(self.request.GET.get("page"))
        mobile.records_marked(page)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            records=page,
            page=page,
            query_string=query.urlencode(),
            organisation=organisation,
            code=code,
            unmasked=sees_personal_data(self.request.user),
        )
        return context


class MobileOrganisationView(OrganisationMixin, TemplateView):
    """S-MOBILE, N-MOBILE on a branch's own pages: its members away and the in-flow members it receives,
    each with the last contact; a lost contact is the home branch's duty until it is met."""

    permission_required = "view"
    template_name = "members/mobile/organisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["records"] = mobile.mobile_members_of(organisation=self.organisation)
        context["months"] = mobile.lost_contact_months(timezone.localdate())
        context["unmasked"] = sees_personal_data(self.request.user)
        context["can_edit"] = has_permission(self.request.user, "edit")
        return context


class MobileZoneView(PermissionRequiredMixin, TemplateView):
    """S-MOBILE, N-MOBILE for the bureau (a town's administrator sees their town): the mobile members by
    town, destination and home organisation, lost contacts counted; each row drills down to the records."""

    permission_required = "view"
    template_name = "members/mobile/zone.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["zone"] = mobile.mobile_zone(user=self.request.user)
        context["months"] = mobile.lost_contact_months(timezone.localdate())
        # Hundreds of rows link to an organisation's mobile page: the address is reversed once, not per row.
        context["organisation_url"] = reverse("members:mobile_organisation", args=[0]).removesuffix("0/")
        return context


class MobileExportView(PermissionRequiredMixin, View):
    """The open mobile records in the user's scope as .xlsx, masked as every list is; the export audited."""

    permission_required = "view"

    def get(self, request, *args, **kwargs):
        unmasked = sees_personal_data(request.user)
        if unmasked and not reauth.reauth_recent(request):
            return reauth.reauth_redirect(request)
        content, rows = mobile.mobile_xlsx(user=request.user, unmasked=unmasked)
        audit.export_log(request=request, model="members.mobilerecord", filters={}, rows=rows, unmasked=unmasked)
        return _xlsx_response(content, "流动党员.xlsx")


class MobileOutflowView(MemberMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MobileOutflowForm
    title = _("Record as mobile member")
    success_message = _("The mobile member was recorded.")
    service_fields = {"receiving_organisation": "receiving_code"}

    def perform(self, form):
        data = form.cleaned_data
        return mobile.mobile_outflow_record(
            member=self.member,
            since=data["since"],
            place=data["place"],
            reason=data["reason"],
            phone=data["phone"],
            activity_card_number=data["activity_card_number"],
            receiving_organisation=form.receiving_organisation,
            receiving_organisation_name=data["receiving_organisation_name"],
            user=self.request.user,
        )

    def get_success_url(self):
        return reverse("members:mobile_detail", args=[self.result.pk])


class MobileInflowView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MobileInflowForm
    title = _("Record an in-flow member")
    success_message = _("The in-flow member was recorded.")

    def perform(self, form):
        return mobile.mobile_inflow_record(
            receiving_organisation=self.organisation, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("members:mobile_detail", args=[self.result.pk])


class MobileRecordMixin(ScopedObjectMixin):
    scoped_name = "record"

    def get_scoped_queryset(self):
        return MobileRecord.objects.select_related("member", "home_organisation", "receiving_organisation")

    def get_success_url(self):
        return reverse("members:mobile_detail", args=[self.record.pk])


class MobileDetailView(MobileRecordMixin, ServiceFormView):
    """The record, its contacts, and the form to add one."""

    permission_required = "view"
    template_name = "members/mobile/detail.html"
    form_class = MobileContactForm
    success_message = _("The contact was recorded.")

    def post(self, request, *args, **kwargs):
        if not has_permission(request.user, "edit"):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"contacted_on": timezone.localdate()}

    def perform(self, form):
        return mobile.mobile_contact_record(record=self.record, user=self.request.user, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contacts"] = self.record.contacts.select_related("recorded_by")
        context["can_edit"] = has_permission(self.request.user, "edit") and self.record.returned_on is None
        context["unmasked"] = sees_personal_data(self.request.user)
        context["lost_contact"] = not self.record.is_inflow and mobile.is_lost_contact(self.record)
        return context


class MobileReturnView(MobileRecordMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MobileReturnForm
    title = _("Record the return")
    success_message = _("The return was recorded.")

    def perform(self, form):
        return mobile.mobile_return_record(record=self.record, on=form.cleaned_data["on"], user=self.request.user)


class MobileDecisionView(MobileRecordMixin, ServiceFormView):
    """N-MOBILE: the home branch records its decision about a member it could not reach."""

    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MobileDecisionForm
    title = _("Record the decision on a lost contact")
    success_message = _("The decision on the lost contact was recorded.")

    def perform(self, form):
        return mobile.mobile_decision_record(record=self.record, user=self.request.user, **form.cleaned_data)


class MobileDuesView(MobileRecordMixin, ServiceFormView):
    """N-DUES: where a mobile member pays dues (the home branch, or the receiving one by agreement)."""

    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MobileDuesForm
    title = _("Where the mobile member pays dues")
    success_message = _("Where the member pays dues was recorded.")

    service_fields = {"to_receiving": "paid_to"}

    def get_initial(self):
        paid_to = "receiving" if self.record.dues_to_receiving else "home"
        return {"paid_to": paid_to, "agreement": self.record.dues_agreement}

    def perform(self, form):
        return mobile.mobile_dues_arrangement_record(
            record=self.record,
            to_receiving=form.cleaned_data["paid_to"] == "receiving",
            agreement=form.cleaned_data["agreement"],
            user=self.request.user,
        )


class CommunityRegisterView(MemberMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = CommunityRegisterForm
    title = _("Register with the community")
    success_message = _("The community registration was recorded.")
    service_fields = {"community": "community_code"}

    def perform(self, form):
        return community.community_register(
            member=self.member, community=form.community, on=form.cleaned_data["on"], user=self.request.user
        )


class CommunityView(OrganisationMixin, TemplateView):
    """Q-COMMUNITY-SERVICE: the in-service members registered with a community, and their hours this year."""

    permission_required = "view"

    template_name = "members/community/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        context["year"] = year
        context["registrations"] = community.community_registrations(
            user=self.request.user, community=self.organisation, year=year
        )
        return context


class CommunityServiceView(ScopedObjectMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = CommunityServiceForm
    title = _("Record community service")
    success_message = _("The service was recorded.")

    scoped_name = "registration"

    def get_scoped_queryset(self):
        return CommunityRegistration.objects.select_related("member", "community")

    def perform(self, form):
        return community.community_service_record(
            registration=self.registration, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("members:community", args=[self.registration.community_id])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "subject": self.registration.member}


class RosterImportView(PermissionRequiredMixin, ServiceFormView):
    """Upload a roster and see its preview; nothing is written before the confirmation."""

    permission_required = "edit"
    template_name = "members/roster/upload.html"
    form_class = RosterUploadForm
    title = _("Import a roster")

    def perform(self, form):
        user = self.request.user
        code = form.cleaned_data["organisation_code"].strip()
        organisation = organisation_for_code(user=user, code=code) if code else scoping.scope_root(user)
        if organisation is None:
            raise ValidationError(
                {
                    "organisation_code": _("No organisation with this code is within your responsibility.")
                    if code
                    else _("Give the organisation code of the member's branch.")
                }
            )
        upload = form.cleaned_data["file"]
        record = imports.roster_upload_create(
            content=upload.read(), file_name=upload.name, organisation=organisation, user=user
        )
        if notice := dispatch_notice(task_dispatch(task=tasks.roster_upload_check, args=(record.pk,))):
            messages.warning(self.request, notice)
        return record

    def get_success_url(self):
        return reverse("members:roster_upload", args=[self.result.pk])


class RosterUploadView(ScopedObjectMixin, TemplateView):
    """The preview of an upload: counts, who is added and who changed (which fields), and each
    rejected row with its column, value and reason."""

    permission_required = "view"

    template_name = "members/roster/preview.html"
    scoped_name = "upload"

    def get_scoped_queryset(self):
        return RosterUpload.objects.select_related("organisation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.upload = imports.roster_upload_abandoned_release(upload=self.upload)
        context["can_confirm"] = (
            has_permission(self.request.user, "edit")
            and self.upload.state == RosterUpload.State.CHECKED
            and (self.upload.counts.get("new", 0) + self.upload.counts.get("changed", 0)) > 0
        )
        context["running"] = self.upload.state in RUNNING_STATES
        context["unmasked"] = sees_personal_data(self.request.user)
        if context["running"]:
            context["progress"] = imports.upload_progress(self.upload)
        else:
            context["listing"] = selectors.roster_upload_listing(upload=self.upload, unmasked=context["unmasked"])
        return context


class RosterConfirmView(ScopedObjectMixin, View):
    permission_required = "edit"
    scoped_name = "upload"

    def get_scoped_queryset(self):
        return RosterUpload.objects.select_related("organisation")

    def post(self, request, *args, **kwargs):
        try:
            imports.roster_upload_confirm(upload=self.upload)
            notice = dispatch_notice(
                task_dispatch(task=tasks.roster_upload_import, args=(self.upload.pk, request.user.pk))
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if notice:
                messages.warning(request, notice)
            self.upload.refresh_from_db()
            if self.upload.state == RosterUpload.State.IMPORTED:
                messages.success(
                    request, _("Imported: %(created)s new members, %(updated)s changed.") % self.upload.written
                )
            elif self.upload.state == RosterUpload.State.CHECKED and self.upload.failure:
                # The task ran in this request and failed; its transaction wrote nothing.
                reason = text_masked(self.upload.failure)
                messages.error(request, _("The import failed and wrote nothing: %(reason)s") % {"reason": reason})
        return redirect("members:roster_upload", pk=self.upload.pk)


class RosterProgressView(ScopedObjectMixin, TemplateView):
    """The progress bar of an upload being checked or imported (polled by htmx); once the task is
    done the page reloads to show the result."""

    permission_required = "view"

    template_name = "members/roster/_progress.html"
    scoped_name = "upload"

    def get_scoped_queryset(self):
        return RosterUpload.objects.select_related("organisation")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.upload.state not in RUNNING_STATES:
            response["HX-Refresh"] = "true"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.upload = imports.roster_upload_abandoned_release(upload=self.upload)
        context["progress"] = imports.upload_progress(self.upload)
        return context


RUNNING_STATES = (RosterUpload.State.CHECKING, RosterUpload.State.IMPORTING)


class RosterTemplateView(PermissionRequiredMixin, View):
    permission_required = "view"

    def get(self, request, *args, **kwargs):
        return _xlsx_response(roster_template.roster_template_xlsx(), "党员信息采集模板.xlsx")


class MemberExportView(MemberListView):
    """The filtered list as .xlsx in the template's columns, masked as on the page. With ID numbers in
    full, the user confirms their password first (once in five minutes); every export is logged with
    its filters and row count (issue 7)."""

    permission_required = "view"

    limit = 100_000

    def get(self, request, *args, **kwargs):
        if sees_personal_data(request.user) and not reauth.reauth_recent(request):
            return reauth.reauth_redirect(request)
        context = self.get_context_data(**kwargs)
        members = context["page"].paginator.object_list
        count = members[: self.limit + 1].count()
        if count > self.limit:
            messages.error(
                request, _("More than %(n)s members match: narrow the filters to export.") % {"n": self.limit}
            )
            return redirect(f"{reverse('members:list')}?{context['query_string']}")
        content = imports.members_export_xlsx(members=members, unmasked=context["unmasked"])
        filters = {key: value for key, value in QueryDict(context["query_string"]).items() if value}
        audit.export_log(
            request=request, model="members.member", filters=filters, rows=count, unmasked=context["unmasked"]
        )
        return _xlsx_response(content, "党员名册.xlsx")


def _xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response
