"""Pages of the meeting log and the study-hour ledger; each says which clause it serves."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from assessments import selectors, services
from assessments.enums import (
    DELIBERATION_ORDER,
    EVALUATING_KINDS,
    LISTED_STATUSES,
    MEETING_KINDS_BY_ORGANISATION,
    STUDY_MEETING_KINDS,
    AttendanceStatus,
    DeliberationStep,
    LeadershipDayKind,
    MeetingKind,
    SixStandard,
    VenueKind,
    reports_annually,
)
from assessments.forms.records import (
    AnnualReportForm,
    CongressSessionForm,
    DoubleStrongApplyForm,
    DoubleStrongDecideForm,
    EvaluationForm,
    GridUnitForm,
    IntegrityPledgeForm,
    LeadershipDaysForm,
    MajorDecisionForm,
    MatterStepForm,
    MeetingForm,
    PairingForm,
    TalksForm,
    TrainingBatchForm,
    VenueChecksForm,
    VenueForm,
    VenueInspectionForm,
    VillageMatterForm,
    day_from,
)
from assessments.models import (
    AnnualReport,
    CongressSession,
    DoubleStrongApplication,
    Evaluation,
    GridUnit,
    IntegrityPledge,
    MajorDecision,
    Meeting,
    MeetingAttachment,
    Pairing,
    TrainingRecord,
    Venue,
    VenueCheck,
    VillageMatter,
)
from assessments.norms import study_targets
from branches.enums import OrganisationKind, Sector
from branches.models import Organisation
from branches.views import OrganisationMixin
from core.concurrency import VersionedFormViewMixin, version_of
from core.dates import day_text
from core.pending_uploads import (
    pending_upload_described,
    pending_upload_keep,
    pending_upload_open,
    pending_uploads_discard,
)
from core.permissions import ScopedObjectMixin, has_permission
from core.policy import policy_for_year, policy_values
from core.scoping import subtree
from core.uploads import IMAGE_TYPES
from core.views import ScopedFileView, ServiceFormView
from members.mobile import mobile_members_of
from members.models import Member


class FormDayMixin:
    """The day a form is for: the posted `held_on`, else ?date= (or ?held_on=), else `default_day()`.
    Who may be listed (members, attendance) depends on it."""

    def default_day(self) -> datetime.date:
        return timezone.localdate()

    def day(self) -> datetime.date:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        value = source.get("held_on") or source.get("date")
        return day_from(value) if value else self.default_day()


class YearView(OrganisationMixin, TemplateView):
    """A branch's year: meetings against N-MEETINGS, the secretary's lecture, study hours."""

    permission_required = "view"

    template_name = "assessments/year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        organisation = self.organisation
        targets = study_targets(policy_for_year(year))
        kinds = MEETING_KINDS_BY_ORGANISATION.get(organisation.kind, ())
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            holds_meetings=bool(kinds),
            norms=selectors.meeting_norms(organisation=organisation, year=year),
            # Q-LECTURE-SECRETARY: a party group has no secretary and holds no lecture (its branch does).
            lectures=selectors.secretary_lectures(organisation=organisation, year=year)
            if MeetingKind.LECTURE in kinds
            else None,
            meetings=selectors.meetings_for_year(organisation=organisation, year=year),
            training=selectors.training_table(organisation=organisation, year=year),
            mobile=self.mobile(year),
            hours_member=targets[0],
            hours_leader=targets[1],
        )
        return context

    def mobile(self, year: int) -> list:
        """S-MOBILE: the branch's mobile members with their last contact and the hours they earned at
        the receiving branch this year (in their study hours once, seen by both branches)."""
        records = mobile_members_of(organisation=self.organisation)
        hours = selectors.mobile_study_hours(records=records, year=year)
        for record in records:
            record.hours_there = hours.get(record.pk)
        return records


# The meeting form's file boxes: photos and sign-in sheets, each with the files kept from a failed post.
UPLOAD_FIELDS = ("attachments", "sign_in_sheets")


class MeetingFormMixin(FormDayMixin):
    """The meeting form for the organisation, day and kind: the roster of that day (for a committee
    meeting, the committee), the secretary."""

    template_name = "assessments/meeting_form.html"
    form_class = MeetingForm

    def default_day(self) -> datetime.date:
        meeting = getattr(self, "meeting", None)
        return meeting.held_on if meeting is not None else timezone.localdate()

    def meeting_kind(self) -> str:
        """The kind the attendance is listed for: the posted (or ?kind=) one, else the meeting's, else
        the first the form offers."""
        kinds = MEETING_KINDS_BY_ORGANISATION.get(self.meeting_organisation.kind, ())
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        if source.get("kind") in kinds:
            return source["kind"]
        meeting = getattr(self, "meeting", None)
        if meeting is not None:
            return meeting.kind
        return next((kind for kind in MeetingKind if kind in kinds), "")

    def get_form_kwargs(self):
        day = self.day()
        # The roster first: the initial values carry the choices made in it (carried_choices).
        self.roster = selectors.attendance_roster(
            organisation=self.meeting_organisation, day=day, kind=self.meeting_kind()
        )
        kwargs = super().get_form_kwargs()
        kwargs.update(
            roster=self.roster,
            kinds=MEETING_KINDS_BY_ORGANISATION.get(self.meeting_organisation.kind, ()),
            secretary=selectors.secretary_on(organisation=self.meeting_organisation, day=day),
        )
        return kwargs

    def carried_choices(self) -> dict:
        """The choices already made in the attendance list, sent along when the list reloads for
        another day or kind (htmx, issue 12): kept for those the new list still has."""
        if self.request.method != "GET":
            return {}
        source, initial = self.request.GET, {}
        for entry in self.roster:
            pk = entry.member.pk
            if entry.is_guest:
                if self.request.htmx:  # the reload sends the boxes ticked, not those unticked
                    initial[f"nonvoting_{pk}"] = f"nonvoting_{pk}" in source
                continue
            if source.get(f"attendance_{pk}") in LISTED_STATUSES:
                initial[f"attendance_{pk}"] = source[f"attendance_{pk}"]
            elif self.request.htmx:  # the reload sends only what differs from present (static/portal/forms.js)
                initial[f"attendance_{pk}"] = AttendanceStatus.PRESENT
            if f"reason_{pk}" in source or self.request.htmx:
                initial[f"reason_{pk}"] = source.get(f"reason_{pk}", "")[:200]
        return initial

    def perform(self, form):
        members = {e.member.pk: e.member for e in self.roster}
        kept_tokens, kept = {}, {}
        for field in UPLOAD_FIELDS:
            kept_tokens[field] = form.cleaned_data[f"kept_{field}"]
            try:
                kept[field] = [pending_upload_open(token=token, user=self.request.user) for token in kept_tokens[field]]
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from exc
        meeting = services.meeting_record(
            organisation=self.meeting_organisation,
            data=form.meeting_data(members),
            attendance=form.attendance(),
            attachments=[*kept["attachments"], *form.cleaned_data["attachments"]],
            sign_in_sheets=[*kept["sign_in_sheets"], *form.cleaned_data["sign_in_sheets"]],
            user=self.request.user,
            meeting=getattr(self, "meeting", None),
            version=form.cleaned_data.get("version"),
        )
        pending_uploads_discard(tokens=[t for tokens in kept_tokens.values() for t in tokens], user=self.request.user)
        return meeting

    def form_invalid(self, form):
        """Issue 12: the files already chosen are kept (checked, on the server) and offered back, so a
        mistake elsewhere on the page does not mean choosing them again."""
        user = self.request.user
        self.kept_uploads = {}
        for field in UPLOAD_FIELDS:
            kept = [pending_upload_described(token=token, user=user) for token in form.data.getlist(f"kept_{field}")]
            self.kept_uploads[field] = [upload for upload in kept if upload is not None]
            refused = []
            for upload in self.request.FILES.getlist(field):
                try:
                    self.kept_uploads[field].append(pending_upload_keep(upload=upload, user=user))
                except ValidationError as exc:
                    refused.extend(exc.messages)
            if refused and field not in form.errors:
                form.add_error(field, refused)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting_organisation"] = self.meeting_organisation
        context["study_kinds"] = sorted(STUDY_MEETING_KINDS)
        kept = getattr(self, "kept_uploads", {})
        context["kept_attachments"] = kept.get("attachments", [])
        context["kept_sign_in_sheets"] = kept.get("sign_in_sheets", [])
        context["attendance_for"] = {"held_on": self.day().isoformat(), "kind": self.meeting_kind()}
        return context

    def get_success_url(self):
        return reverse("assessments:meeting", args=[self.result.pk])


class MeetingCreateView(MeetingFormMixin, OrganisationMixin, ServiceFormView):
    """Q-THREE-MEETINGS: a new meeting with its attendance, one form."""

    permission_required = "edit"
    title = _("New meeting")
    success_message = _("The meeting was recorded.")

    @property
    def meeting_organisation(self):
        return self.organisation

    def get_initial(self):
        return {"held_on": self.day(), "kind": self.request.GET.get("kind", ""), **self.carried_choices()}


class MeetingMixin(ScopedObjectMixin):
    scoped_name = "meeting"

    def get_scoped_queryset(self):
        return Meeting.objects.select_related("organisation", "lecturer", "chaired_by", "recorded_by")


class MeetingDetailView(MeetingMixin, TemplateView):
    permission_required = "view"
    template_name = "assessments/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attendances"] = self.meeting.attendances.select_related("member").order_by(
            "status", "member__name_pinyin"
        )
        context["attachments"] = self.meeting.attachments.all()
        context["credits_hours"] = self.meeting.kind in STUDY_MEETING_KINDS
        return context


class MeetingUpdateView(MeetingFormMixin, MeetingMixin, VersionedFormViewMixin, ServiceFormView):
    permission_required = "edit"
    title = _("Correct the meeting")
    success_message = _("The meeting was corrected.")

    @property
    def meeting_organisation(self):
        return self.meeting.organisation

    def record_version(self):
        return version_of(self.meeting.updated_at)

    def get_initial(self):
        meeting = self.meeting
        initial = {
            f: getattr(meeting, f) for f in ("kind", "place", "topic", "lecturer_name", "minutes", "study_hours")
        }
        initial.update(held_on=self.day(), chaired_by=meeting.chaired_by_id, lecturer=meeting.lecturer_id)
        for attendance in meeting.attendances.all():
            if attendance.status == AttendanceStatus.ATTENDING_NONVOTING:
                initial[f"nonvoting_{attendance.member_id}"] = True
                continue
            initial[f"attendance_{attendance.member_id}"] = attendance.status
            initial[f"reason_{attendance.member_id}"] = attendance.reason
        initial["also_counts_as"] = meeting.also_counts_as
        initial.update(self.carried_choices())
        return initial


class AttachmentView(ScopedFileView):
    permission_required = "view"
    scoped_name = "attachment"

    def get_scoped_queryset(self):
        return MeetingAttachment.objects.select_related("meeting__organisation")

    def file(self):
        return self.attachment.file, self.attachment.file_name


class TrainingBatchView(FormDayMixin, OrganisationMixin, ServiceFormView):
    """Q-TRAINING-*: one course, many attendees, one form."""

    permission_required = "edit"
    template_name = "assessments/training_batch.html"
    form_class = TrainingBatchForm
    title = _("Study hours for a class")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "members": selectors.members_under_on(organisation=self.organisation, day=self.day()),
        }

    def get_initial(self):
        # ?members=… ticks the members concerned (the home page's link to those short of hours, issue 12).
        members = [int(pk) for pk in self.request.GET.getlist("members") if pk.isdigit()]
        return {"held_on": self.day(), "members": members}

    def perform(self, form):
        data = form.cleaned_data
        return services.training_batch_record(
            organisation=self.organisation,
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            hours=data["hours"],
            member_ids=data["members"],
            user=self.request.user,
        )

    def get_success_message(self):
        return _("Study hours recorded for %(n)s members.") % {"n": len(self.result)}

    def get_success_url(self):
        return reverse("assessments:year", args=[self.organisation.pk, self.result[0].held_on.year])


class MemberStudyView(ScopedObjectMixin, TemplateView):
    """One member's study hours of a year, entry by entry, against 32 h or 56 h."""

    permission_required = "view"

    template_name = "assessments/member_study.html"
    scoped_name = "member"

    def get_scoped_queryset(self):
        return Member.objects.select_related("organisation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        day = min(datetime.date(year, 12, 31), timezone.localdate())
        leader = self.member.pk in selectors.leaders_on(member_ids=[self.member.pk], day=day)
        context.update(
            year=year,
            entries=selectors.member_study_entries(member=self.member, year=year),
            hours=selectors.study_hours(member_ids=[self.member.pk], year=year)[self.member.pk],
            target=study_targets(policy_for_year(year))[1 if leader else 0],
            is_leader=leader,
        )
        return context


class TrainingRecordDeleteView(ScopedObjectMixin, View):
    permission_required = "edit"
    scoped_name = "record"

    def get_scoped_queryset(self):
        return TrainingRecord.objects.select_related("organisation")

    def post(self, request, *args, **kwargs):
        try:
            services.training_record_delete(record=self.record, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The entry was removed from the ledger."))
        return redirect("assessments:member_study", self.record.member_id, self.record.held_on.year)


class TalksView(OrganisationMixin, TemplateView):
    """Q-TALKS: the year's talks and the members not yet talked with."""

    permission_required = "view"

    template_name = "assessments/talks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            not_talked=selectors.members_not_talked_to(organisation=self.organisation, year=year),
            talks=selectors.talks_for_year(organisation=self.organisation, year=year),
        )
        return context


class TalksCreateView(FormDayMixin, OrganisationMixin, ServiceFormView):
    """Q-TALKS: one form for the talks one person held on one day."""

    permission_required = "edit"
    template_name = "assessments/talks_form.html"
    form_class = TalksForm
    title = _("Record heart-to-heart talks")

    def get_form_kwargs(self):
        day = self.day()
        members = list(selectors.members_under_on(organisation=self.organisation, day=day))
        self.talkers = {m.pk: m for m in members}
        not_talked = selectors.members_not_talked_to(organisation=self.organisation, year=day.year, today=day)
        return {
            **super().get_form_kwargs(),
            "members": members,
            "talkers": members,
            "not_talked": not_talked.values_list("pk", flat=True),
            "secretary": selectors.secretary_on(organisation=self.organisation, day=day),
        }

    def get_initial(self):
        # ?members=… ticks the members concerned (one talk with one member: the talks page's link).
        initial = {
            "held_on": self.day(),
            "members": [int(pk) for pk in self.request.GET.getlist("members") if pk.isdigit()],
        }
        if self.request.GET.get("pending"):  # ticks those not yet talked with (the home page's link, issue 12)
            day = self.day()
            pending = selectors.members_not_talked_to(organisation=self.organisation, year=day.year, today=day)
            initial["members"] = list(pending.values_list("pk", flat=True))
        return initial

    def perform(self, form):
        data = form.cleaned_data
        return services.talks_record(
            organisation=self.organisation,
            held_on=data["held_on"],
            topic=data["topic"],
            member_ids=data["members"],
            talker=self.talkers.get(data["talker"]),
            talker_name=data["talker_name"],
            user=self.request.user,
        )

    def get_success_message(self):
        return _("%(n)s talks recorded.") % {"n": len(self.result)}

    def get_success_url(self):
        return reverse("assessments:talks", args=[self.organisation.pk, self.result[0].held_on.year])


class EvaluationView(OrganisationMixin, TemplateView):
    """Q-EVALUATION: a branch's democratic evaluation of a year, with community service hours."""

    permission_required = "view"

    template_name = "assessments/evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        evaluation = Evaluation.objects.filter(organisation=self.organisation, year=year).first()
        day = evaluation.held_on if evaluation else min(datetime.date(year, 12, 31), timezone.localdate())
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            evaluation=evaluation,
            rows=selectors.evaluation_rows(organisation=self.organisation, year=year, day=day),
            can_edit=has_permission(self.request.user, "edit") and self.organisation.kind in EVALUATING_KINDS,
        )
        return context


class EvaluationEditView(FormDayMixin, OrganisationMixin, VersionedFormViewMixin, ServiceFormView):
    """Q-EVALUATION: every member graded on one page."""

    permission_required = "edit"
    template_name = "assessments/evaluation_form.html"
    form_class = EvaluationForm
    title = _("Democratic evaluation")
    success_message = _("The democratic evaluation was recorded.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]

    def evaluation(self):
        return Evaluation.objects.filter(organisation=self.organisation, year=self.year).first()

    def default_day(self) -> datetime.date:
        evaluation = self.evaluation()
        return evaluation.held_on if evaluation else min(datetime.date(self.year, 12, 31), timezone.localdate())

    def get_form_kwargs(self):
        self.rows = selectors.evaluation_rows(organisation=self.organisation, year=self.year, day=self.day())
        return {**super().get_form_kwargs(), "rows": self.rows}

    def get_initial(self):
        return {"held_on": self.day()}

    def record_version(self):
        evaluation = self.evaluation()
        return version_of(evaluation.updated_at if evaluation else None)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "year": self.year}

    def perform(self, form):
        return services.evaluation_record(
            organisation=self.organisation,
            year=self.year,
            held_on=form.cleaned_data["held_on"],
            results=form.results(rest_qualified="all_qualified" in self.request.POST),
            user=self.request.user,
            evaluation=self.evaluation(),
            version=self.opened_version(form),
        )

    def get_success_url(self):
        return reverse("assessments:evaluation", args=[self.organisation.pk, self.year])


class VenueListView(OrganisationMixin, TemplateView):
    """S-VENUE, Q-VENUE-SIXHAVE: the venues under an organisation and the villages and communities
    whose venue is below standard."""

    permission_required = "view"

    template_name = "assessments/venues.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        venues = (
            Venue.objects.filter(subtree(self.organisation, via="organisation"))
            .select_related("organisation")
            .annotate(met=Count("checks", filter=Q(checks__is_met=True)))
            .order_by("organisation__path", "kind", "pk")
        )
        context.update(
            venues=venues[:500],
            below=selectors.venues_below_standard(organisation=self.organisation),
            missing=selectors.places_missing(organisation=self.organisation),
            standards=len(SixStandard),
            **selectors.venue_deadline_state(),
        )
        return context


class VenueCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = VenueForm
    title = _("New venue")
    success_message = _("The venue was recorded.")

    def get_initial(self):
        """The kind a finding's link asks for (Q-SERVICE-STATION, Q-DEPUTY-STUDIO)."""
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind in VenueKind.values else {}

    def perform(self, form):
        return services.venue_create(organisation=self.organisation, data=form.cleaned_data, user=self.request.user)

    def get_success_url(self):
        return reverse("assessments:venue", args=[self.result.pk])


class VenueMixin(ScopedObjectMixin):
    scoped_name = "venue"

    def get_scoped_queryset(self):
        return Venue.objects.select_related("organisation")


class VenueDetailView(VenueMixin, TemplateView):
    permission_required = "view"
    template_name = "assessments/venue_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            standards=selectors.venue_standards(venue=self.venue),
            inspections=self.venue.inspections.select_related("inspector"),
        )
        return context


class VenueChecksView(VenueMixin, VersionedFormViewMixin, ServiceFormView):
    """Q-VENUE-SIXHAVE: the six standards, one form."""

    permission_required = "edit"
    template_name = "assessments/venue_checks.html"
    form_class = VenueChecksForm
    title = _("Six standards")
    success_message = _("The six standards were recorded.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "standards": selectors.venue_standards(venue=self.venue)}

    def get_initial(self):
        return {"checked_on": timezone.localdate()}

    def record_version(self):
        return version_of(self.venue.checks.aggregate(latest=Max("updated_at"))["latest"])

    def perform(self, form):
        checks, kept_tokens = form.checks(), []
        for standard, (met, note, photo) in checks.items():
            token = form.cleaned_data[f"kept_photo_{standard}"]
            if token and photo is None:  # kept from an earlier attempt, not replaced by a new choice
                try:
                    checks[standard] = (met, note, pending_upload_open(token=token, user=self.request.user))
                except ValidationError as exc:
                    raise ValidationError({"checks": exc.messages}) from exc
                kept_tokens.append(token)
        rows = services.venue_checks_record(
            venue=self.venue,
            checked_on=form.cleaned_data["checked_on"],
            checks=checks,
            user=self.request.user,
            version=self.opened_version(form),
        )
        pending_uploads_discard(tokens=kept_tokens, user=self.request.user)
        return rows

    def form_invalid(self, form):
        """Issue 12: the photos already chosen are kept (checked, on the server) and offered back."""
        user, self.kept_photos = self.request.user, {}
        for standard, _check in form.standards:
            upload = self.request.FILES.get(f"photo_{standard}")
            if upload is not None:
                try:
                    self.kept_photos[standard] = pending_upload_keep(upload=upload, user=user, types=IMAGE_TYPES)
                except ValidationError:
                    continue  # refused: the error is on the page
            elif token := form.data.get(f"kept_photo_{standard}"):
                kept = pending_upload_described(token=token, user=user)
                if kept is not None:
                    self.kept_photos[standard] = kept
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "kept_photos": getattr(self, "kept_photos", {})}

    def get_success_url(self):
        return reverse("assessments:venue", args=[self.venue.pk])


class VenueInspectView(VenueMixin, ServiceFormView):
    """F-VENUE-REWARD: the bureau's acceptance inspection."""

    permission_required = "bureau"
    template_name = "members/member/form.html"
    form_class = VenueInspectionForm
    title = _("Acceptance inspection")
    success_message = _("The inspection was recorded.")

    def get_initial(self):
        return {"inspected_on": timezone.localdate()}

    def perform(self, form):
        return services.venue_inspect(venue=self.venue, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("assessments:venue", args=[self.venue.pk])


class VenuePhotoView(ScopedFileView):
    """The evidence photo of one standard."""

    permission_required = "view"

    scoped_name = "check"

    def get_scoped_queryset(self):
        return VenueCheck.objects.select_related("venue__organisation").exclude(photo="")

    def file(self):
        return self.check.photo, self.check.photo.name


class LeadershipView(OrganisationMixin, TemplateView):
    """Q-RESEARCH-*, Q-CONTACT-TOWN, Q-INTEGRITY-PLEDGE, S-THREE-MAJOR: a leadership team's year."""

    permission_required = "view"

    template_name = "assessments/leadership.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        target = services.leadership_target(organisation=self.organisation, year=year)
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            target=target,
            day_kind=LeadershipDayKind(services.leadership_day_kind(clause=target[1])).label if target else "",
            leaders=selectors.leadership_table(
                organisation=self.organisation,
                year=year,
                target=target[0],
                kind=services.leadership_day_kind(clause=target[1]),
            )
            if target
            else [],
            pledges=IntegrityPledge.objects.filter(organisation=self.organisation, year=year).select_related("member"),
            decisions=MajorDecision.objects.filter(organisation=self.organisation, decided_on__year=year),
        )
        return context


class LeadersFormMixin(OrganisationMixin):
    """Forms that name a leadership member: those holding a committee post of the organisation now."""

    permission_required = "edit"
    template_name = "members/member/form.html"

    def get_form_kwargs(self):
        self.leaders = {
            row.member.pk: row.member
            for row in selectors.leadership_table(
                organisation=self.organisation, year=timezone.localdate().year, target=0
            )
        }
        return {**super().get_form_kwargs(), "leaders": self.leaders.values()}

    def get_success_url(self):
        return reverse("assessments:leadership", args=[self.organisation.pk, timezone.localdate().year])


class LeadershipDaysCreateView(LeadersFormMixin, ServiceFormView):
    form_class = LeadershipDaysForm
    title = _("Days at the grassroots")
    success_message = _("The days were recorded.")

    def get_initial(self):
        """The kind the team's clause counts: research for the work committee and departments, contact for towns."""
        target = services.leadership_target(organisation=self.organisation)
        return {**super().get_initial(), "kind": services.leadership_day_kind(clause=target[1])} if target else {}

    def perform(self, form):
        data = {**form.cleaned_data, "member": self.leaders[form.cleaned_data["member"]]}
        return services.leadership_days_record(organisation=self.organisation, user=self.request.user, **data)


class IntegrityPledgeCreateView(LeadersFormMixin, ServiceFormView):
    form_class = IntegrityPledgeForm
    title = _("Integrity pledge")
    success_message = _("The pledge was recorded.")

    def perform(self, form):
        data = form.cleaned_data
        return services.integrity_pledge_record(
            organisation=self.organisation,
            year=data["pledged_on"].year,
            pledged_on=data["pledged_on"],
            published_on=data["published_on"],
            published_where=data["published_where"],
            member=self.leaders.get(data["member"]),
            user=self.request.user,
        )


class MajorDecisionCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = MajorDecisionForm
    title = _("Major decision")
    success_message = _("The decision was recorded.")

    def perform(self, form):
        return services.major_decision_record(
            organisation=self.organisation, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("assessments:leadership", args=[self.organisation.pk, self.result.decided_on.year])


class VillageMattersView(OrganisationMixin, TemplateView):
    """S-FOUR-DELIBERATIONS: a village's major matters and where each stands."""

    permission_required = "view"

    template_name = "assessments/deliberations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matters = VillageMatter.objects.filter(subtree(self.organisation, via="organisation")).prefetch_related("steps")
        today = timezone.localdate()
        values = policy_values(on=today)
        rows = []
        for m in matters[:200]:
            # Q-FOUR-DELIBERATIONS: the deadline of the next step when it is past (the rule's own reading).
            stalled = selectors.matter_stalled_on(
                steps={s.step: s.done_on for s in m.steps.all()}, values=values, as_of=today
            )
            rows.append((m, _step_label(selectors.matter_next_step(matter=m)), stalled))
        context.update(
            matters=rows,
            is_village=self.organisation.sector == "village",
            stall_days=values.whole("deliberations.stall_days"),
            result_days=values.whole("deliberations.result_days"),
        )
        return context


def _step_label(step):

    return DeliberationStep(step).label if step else None


class VillageMatterCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = VillageMatterForm
    title = _("New village major matter")
    success_message = _("The matter was recorded with its proposal.")

    def get_initial(self):
        return {"proposed_on": timezone.localdate()}

    def perform(self, form):
        return services.village_matter_create(
            organisation=self.organisation, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("assessments:deliberation", args=[self.result.pk])


class VillageMatterMixin(ScopedObjectMixin):
    scoped_name = "matter"

    def get_scoped_queryset(self):
        return VillageMatter.objects.select_related("organisation")


class VillageMatterView(VillageMatterMixin, ServiceFormView):
    """The steps so far and, for editors, the form of the next one (the only one that can come)."""

    permission_required = "view"

    template_name = "assessments/deliberation.html"
    form_class = MatterStepForm
    success_message = _("The step was recorded.")

    write_permission_required = "edit"

    def get_form_kwargs(self):
        self.next_step = selectors.matter_next_step(matter=self.matter)
        return {**super().get_form_kwargs(), "next_step": self.next_step}

    def get_initial(self):
        return {"done_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        done = {s.step: s for s in self.matter.steps.all()}
        context.update(
            steps=[(step, done.get(step)) for step in DELIBERATION_ORDER],
            next_step=self.next_step,
        )
        return context

    def perform(self, form):
        return services.village_matter_step(matter=self.matter, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("assessments:deliberation", args=[self.matter.pk])


class ReportsView(OrganisationMixin, TemplateView):
    """Q-ANNUAL-REPORT and, for a town, Q-TOWN-CONGRESS: the year's special report and session."""

    permission_required = "view"

    template_name = "assessments/reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        organisation = self.organisation
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            reports_here=reports_annually(organisation),
            is_town=organisation.sector == Sector.TOWN and organisation.kind == OrganisationKind.PARTY_COMMITTEE,
            report=AnnualReport.objects.filter(organisation=organisation, year=year).select_related("reporter").first(),
            session=CongressSession.objects.filter(organisation=organisation, year=year).first(),
        )
        return context


class AnnualReportFileView(ScopedFileView):
    """Q-ANNUAL-REPORT: the scan or photo of a special report, inside the user's scope."""

    permission_required = "view"

    scoped_name = "report"

    def get_scoped_queryset(self):
        return AnnualReport.objects.select_related("organisation").exclude(attachment="")

    def file(self):
        return self.report.attachment, self.report.attachment_name


class AnnualReportCreateView(OrganisationMixin, ServiceFormView):
    """Q-ANNUAL-REPORT: the reporter is the secretary on the day, from the posts: not asked."""

    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = AnnualReportForm
    title = _("Special report on party building")
    success_message = _("The report was recorded.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = kwargs["year"]

    def get_initial(self):
        return {"reported_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        secretary = selectors.secretary_on(organisation=self.organisation, day=data["reported_on"])
        if secretary is None:
            raise ValidationError(
                {
                    "reported_on": _("%(org)s had no secretary on %(date)s.")
                    % {"org": self.organisation.name, "date": day_text(data["reported_on"])}
                }
            )
        return services.annual_report_record(
            organisation=self.organisation, year=self.year, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("assessments:reports", args=[self.organisation.pk, self.year])


class CongressSessionCreateView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = CongressSessionForm
    title = _("Annual party-congress session")
    success_message = _("The session was recorded.")

    def perform(self, form):
        return services.congress_session_record(
            organisation=self.organisation, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("assessments:reports", args=[self.organisation.pk, self.result.year])


class PartnershipsView(OrganisationMixin, TemplateView):
    """S-PAIRING, S-GRID, S-DOUBLE-STRONG for an organisation and its subtree."""

    permission_required = "view"

    template_name = "assessments/partnerships.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        path = self.organisation.path
        context.update(
            pairings=Pairing.objects.filter(
                subtree(path, via="organisation") | subtree(path, via="partner")
            ).select_related("organisation", "partner", "member")[:300],
            grid_units=GridUnit.objects.filter(subtree(path, via="organisation")).select_related(
                "organisation", "leader"
            )[:300],
            applications=DoubleStrongApplication.objects.filter(subtree(path, via="organisation")).select_related(
                "organisation"
            )[:300],
        )
        return context


class MembersFormMixin(OrganisationMixin):
    """Forms that name a member of the organisation (today)."""

    permission_required = "edit"
    template_name = "members/member/form.html"

    def get_form_kwargs(self):
        self.members = {
            m.pk: m for m in selectors.members_under_on(organisation=self.organisation, day=timezone.localdate())
        }
        return {**super().get_form_kwargs(), "members": self.members.values()}

    def get_success_url(self):
        return reverse("assessments:partnerships", args=[self.organisation.pk])


class PairingCreateView(MembersFormMixin, ServiceFormView):
    form_class = PairingForm
    title = _("New pairing")
    success_message = _("The pairing was recorded.")
    service_fields = {"partner": "partner_code"}

    def perform(self, form):
        data = dict(form.cleaned_data)
        code = data.pop("partner_code").strip()
        partner = Organisation.objects.active().filter(code=code).first() if code else None
        if code and partner is None:
            raise ValidationError({"partner": _("No organisation has this code.")})
        data["member"] = self.members.get(data["member"])
        return services.pairing_record(organisation=self.organisation, partner=partner, user=self.request.user, **data)


class GridUnitCreateView(MembersFormMixin, ServiceFormView):
    form_class = GridUnitForm
    title = _("New grid unit")
    success_message = _("The grid unit was recorded.")

    def perform(self, form):
        data = {**form.cleaned_data, "leader": self.members.get(form.cleaned_data["leader"])}
        return services.grid_unit_record(organisation=self.organisation, user=self.request.user, **data)


class DoubleStrongApplyView(OrganisationMixin, ServiceFormView):
    permission_required = "edit"
    template_name = "members/member/form.html"
    form_class = DoubleStrongApplyForm
    title = _("Apply for 双强六好")
    success_message = _("The application was recorded.")

    def get_initial(self):
        return {"applied_on": timezone.localdate()}

    def perform(self, form):
        return services.double_strong_apply(organisation=self.organisation, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("assessments:partnerships", args=[self.organisation.pk])


class DoubleStrongDecideView(ScopedObjectMixin, ServiceFormView):
    permission_required = "bureau"
    scoped_name = "application"
    template_name = "members/member/form.html"
    form_class = DoubleStrongDecideForm
    title = _("Decide on 双强六好")
    success_message = _("The decision was recorded.")

    def get_scoped_queryset(self):
        return DoubleStrongApplication.objects.select_related("organisation")

    def get_initial(self):
        return {"decided_on": timezone.localdate()}

    def perform(self, form):
        return services.double_strong_decide(application=self.application, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("assessments:partnerships", args=[self.application.organisation_id])
