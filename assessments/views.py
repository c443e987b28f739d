"""Pages of the meeting log and the study-hour ledger; each says which clause it serves."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from branches.models import Organisation
from members.models import Member
from portal.permissions import ScopedObjectMixin, has_permission
from portal.views_base import ServiceFormView

from . import selectors, services
from .enums import EVALUATING_KINDS, MEETING_KINDS_BY_ORGANISATION, STUDY_MEETING_KINDS
from .forms import EvaluationForm, MeetingForm, TalksForm, TrainingBatchForm, day_from
from .models import Evaluation, Meeting, MeetingAttachment, TrainingRecord
from .norms import STUDY_HOURS_LEADER, STUDY_HOURS_MEMBER


class OrganisationInUrlMixin(ScopedObjectMixin):
    scoped_name = "organisation"

    def get_scoped_queryset(self):
        return Organisation.objects.all()


def _year(value) -> int:
    today = timezone.localdate()
    return value if 2015 <= value <= today.year else today.year


class YearView(OrganisationInUrlMixin, TemplateView):
    """A branch's year: meetings against N-MEETINGS, the secretary's lecture, study hours."""

    template_name = "assessments/year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.kwargs["year"])
        organisation = self.organisation
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            holds_meetings=organisation.kind in MEETING_KINDS_BY_ORGANISATION,
            norms=selectors.meeting_norms(organisation=organisation, year=year),
            lectures=selectors.secretary_lectures(organisation=organisation, year=year),
            meetings=selectors.meetings_for_year(organisation=organisation, year=year),
            training=selectors.training_table(organisation=organisation, year=year),
            hours_member=STUDY_HOURS_MEMBER,
            hours_leader=STUDY_HOURS_LEADER,
            can_edit=has_permission(self.request.user, "edit"),
        )
        return context


class MeetingFormMixin:
    """The meeting form for the organisation and day: the roster of that day, the secretary."""

    template_name = "assessments/meeting_form.html"
    form_class = MeetingForm

    def meeting_day(self) -> datetime.date:
        if self.request.method == "POST":
            return day_from(self.request.POST.get("held_on"))
        if getattr(self, "meeting", None) is not None and not ({"date", "held_on"} & set(self.request.GET)):
            return self.meeting.held_on
        return day_from(self.request.GET.get("date") or self.request.GET.get("held_on"))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        day = self.meeting_day()
        self.roster = selectors.attendance_roster(organisation=self.meeting_organisation, day=day)
        kwargs.update(
            roster=self.roster,
            kinds=MEETING_KINDS_BY_ORGANISATION.get(self.meeting_organisation.kind, ()),
            secretary=selectors.secretary_on(organisation=self.meeting_organisation, day=day),
        )
        return kwargs

    def perform(self, form):
        members = {e.member.pk: e.member for e in self.roster}
        return services.meeting_record(
            organisation=self.meeting_organisation, data=form.meeting_data(members), attendance=form.attendance(),
            attachments=form.cleaned_data["attachments"], user=self.request.user,
            meeting=getattr(self, "meeting", None),
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting_organisation"] = self.meeting_organisation
        context["study_kinds"] = sorted(STUDY_MEETING_KINDS)
        return context

    def get_success_url(self):
        return reverse("assessments:meeting", args=[self.result.pk])


class MeetingCreateView(MeetingFormMixin, OrganisationInUrlMixin, ServiceFormView):
    """Q-THREE-MEETINGS: a new meeting with its attendance, one form."""

    permission_required = "edit"
    title = _("New meeting")
    success_message = _("The meeting was recorded.")

    @property
    def meeting_organisation(self):
        return self.organisation

    def get_initial(self):
        return {"held_on": self.meeting_day(), "kind": self.request.GET.get("kind", "")}


class MeetingMixin(ScopedObjectMixin):
    scoped_name = "meeting"

    def get_scoped_queryset(self):
        return Meeting.objects.select_related("organisation", "lecturer", "chaired_by", "recorded_by")


class MeetingDetailView(MeetingMixin, TemplateView):
    template_name = "assessments/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attendances"] = self.meeting.attendances.select_related("member").order_by(
            "status", "member__name_pinyin"
        )
        context["attachments"] = self.meeting.attachments.all()
        context["credits_hours"] = self.meeting.kind in STUDY_MEETING_KINDS
        context["can_edit"] = has_permission(self.request.user, "edit")
        return context


class MeetingUpdateView(MeetingFormMixin, MeetingMixin, ServiceFormView):
    permission_required = "edit"
    title = _("Correct the meeting")
    success_message = _("The meeting was corrected.")

    @property
    def meeting_organisation(self):
        return self.meeting.organisation

    def get_initial(self):
        meeting = self.meeting
        initial = {f: getattr(meeting, f) for f in ("kind", "place", "topic", "lecturer_name", "minutes",
                                                     "study_hours")}  # fmt: skip
        initial.update(held_on=self.meeting_day(), chaired_by=meeting.chaired_by_id, lecturer=meeting.lecturer_id)
        for attendance in meeting.attendances.all():
            initial[f"attendance_{attendance.member_id}"] = attendance.status
            initial[f"reason_{attendance.member_id}"] = attendance.reason
        return initial


class AttachmentView(ScopedObjectMixin, View):
    """An attachment, served only inside the user's scope (media files are not public)."""

    scoped_name = "attachment"

    def get_scoped_queryset(self):
        return MeetingAttachment.objects.select_related("meeting__organisation")

    def get(self, request, *args, **kwargs):
        try:
            handle = self.attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(handle, content_type=self.attachment.content_type, filename=self.attachment.file_name)


class TrainingBatchView(OrganisationInUrlMixin, ServiceFormView):
    """Q-TRAINING-*: one course, many attendees, one form."""

    permission_required = "edit"
    template_name = "assessments/training_batch.html"
    form_class = TrainingBatchForm
    title = _("Study hours for a class")

    def day(self) -> datetime.date:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return day_from(source.get("held_on") or source.get("date"))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "members": selectors.members_under_on(organisation=self.organisation, day=self.day())}  # fmt: skip

    def get_initial(self):
        return {"held_on": self.day()}

    def perform(self, form):
        data = form.cleaned_data
        return services.training_batch_record(
            organisation=self.organisation, kind=data["kind"], title=data["title"], held_on=data["held_on"],
            hours=data["hours"], member_ids=data["members"], user=self.request.user,
        )  # fmt: skip

    def get_success_message(self):
        return _("Study hours recorded for %(n)s members.") % {"n": len(self.result)}

    def get_success_url(self):
        return reverse("assessments:year", args=[self.organisation.pk, self.result[0].held_on.year])


class MemberStudyView(ScopedObjectMixin, TemplateView):
    """One member's study hours of a year, entry by entry, against 32 h or 56 h."""

    template_name = "assessments/member_study.html"
    scoped_name = "member"

    def get_scoped_queryset(self):
        return Member.objects.select_related("organisation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.kwargs["year"])
        day = min(datetime.date(year, 12, 31), timezone.localdate())
        leader = self.member.pk in selectors.leaders_on(member_ids=[self.member.pk], day=day)
        context.update(
            year=year,
            entries=selectors.member_study_entries(member=self.member, year=year),
            hours=selectors.study_hours(member_ids=[self.member.pk], year=year)[self.member.pk],
            target=STUDY_HOURS_LEADER if leader else STUDY_HOURS_MEMBER,
            is_leader=leader,
            can_edit=has_permission(self.request.user, "edit"),
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


class TalksView(OrganisationInUrlMixin, TemplateView):
    """Q-TALKS: the year's talks and the members not yet talked with."""

    template_name = "assessments/talks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.kwargs["year"])
        context.update(
            year=year,
            years=range(timezone.localdate().year, 2014, -1),
            not_talked=selectors.members_not_talked_to(organisation=self.organisation, year=year),
            talks=selectors.talks_for_year(organisation=self.organisation, year=year),
            can_edit=has_permission(self.request.user, "edit"),
        )
        return context


class TalksCreateView(OrganisationInUrlMixin, ServiceFormView):
    """Q-TALKS: one form for the talks one person held on one day."""

    permission_required = "edit"
    template_name = "assessments/talks_form.html"
    form_class = TalksForm
    title = _("Record heart-to-heart talks")

    def day(self) -> datetime.date:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return day_from(source.get("held_on") or source.get("date"))

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
        return {"held_on": self.day()}

    def perform(self, form):
        data = form.cleaned_data
        return services.talks_record(
            organisation=self.organisation, held_on=data["held_on"], topic=data["topic"], member_ids=data["members"],
            talker=self.talkers.get(data["talker"]), talker_name=data["talker_name"], user=self.request.user,
        )  # fmt: skip

    def get_success_message(self):
        return _("%(n)s talks recorded.") % {"n": len(self.result)}

    def get_success_url(self):
        return reverse("assessments:talks", args=[self.organisation.pk, self.result[0].held_on.year])


class EvaluationView(OrganisationInUrlMixin, TemplateView):
    """Q-EVALUATION: a branch's democratic evaluation of a year, with community service hours."""

    template_name = "assessments/evaluation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.kwargs["year"])
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


class EvaluationEditView(OrganisationInUrlMixin, ServiceFormView):
    """Q-EVALUATION: every member graded on one page."""

    permission_required = "edit"
    template_name = "assessments/evaluation_form.html"
    form_class = EvaluationForm
    title = _("Democratic evaluation")
    success_message = _("The democratic evaluation was recorded.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = _year(kwargs["year"])

    def evaluation(self):
        return Evaluation.objects.filter(organisation=self.organisation, year=self.year).first()

    def day(self) -> datetime.date:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        evaluation = self.evaluation()
        fallback = evaluation.held_on if evaluation else min(datetime.date(self.year, 12, 31), timezone.localdate())
        value = source.get("held_on") or source.get("date")
        return day_from(value) if value else fallback

    def get_form_kwargs(self):
        self.rows = selectors.evaluation_rows(organisation=self.organisation, year=self.year, day=self.day())
        return {**super().get_form_kwargs(), "rows": self.rows}

    def get_initial(self):
        return {"held_on": self.day()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "year": self.year}

    def perform(self, form):
        return services.evaluation_record(
            organisation=self.organisation, year=self.year, held_on=form.cleaned_data["held_on"],
            results=form.results(), user=self.request.user, evaluation=self.evaluation(),
        )  # fmt: skip

    def get_success_url(self):
        return reverse("assessments:evaluation", args=[self.organisation.pk, self.year])
