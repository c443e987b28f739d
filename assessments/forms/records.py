"""Forms of the meeting log and the study-hour ledger: one form per task, however many people."""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.enums import (
    LISTED_STATUSES,
    THEMED_DAY_ALSO_COUNTS,
    AttendanceStatus,
    DeliberationStep,
    Disposal,
    Grade,
    LeadershipDayKind,
    MajorDecisionKind,
    MeetingKind,
    PairingKind,
    ReportResult,
    TrainingKind,
    VenueGrade,
)
from assessments.models import Venue
from assessments.norms import DEFAULT_STUDY_HOURS
from core.concurrency import VersionedFormMixin
from core.forms import DateInput, SubmitHelperMixin
from core.pending_uploads import PendingUploadsField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class MeetingForm(VersionedFormMixin, forms.Form):
    """A meeting and its attendance on one page: each member the meeting lists that day (a committee
    meeting: the committee) has a row (present / excused / absent, and the reason), present by
    default; at a committee meeting the others of the branch have a box for sitting in (列席),
    unticked by default."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    chaired_by = forms.TypedChoiceField(label=_("Chaired by"), coerce=int, required=False, empty_value=None)
    lecturer = forms.TypedChoiceField(label=_("Lecturer"), coerce=int, required=False, empty_value=None)
    lecturer_name = forms.CharField(label=_("Lecturer from outside"), max_length=100, required=False)
    study_hours = forms.DecimalField(
        label=_("Study hours credited"),
        max_digits=4,
        decimal_places=1,
        required=False,
        initial=DEFAULT_STUDY_HOURS,
        help_text=_("Party lectures and themed party days: credited to every member present."),
    )
    also_counts_as = forms.MultipleChoiceField(
        label=_("Also counts as"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A themed party day that includes a party lecture or is held as the branch general meeting is "
            "recorded once and counts for each; its study hours are credited once."
        ),
    )
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    # What a file is, said by where it is chosen: photos (the default box) or sign-in sheets (签到表); the
    # record book prints each under its own label.
    attachments = MultipleFileField(
        label=_("Photos of the meeting"), required=False, help_text=_("JPEG, PNG or PDF, at most 10 MB each.")
    )
    sign_in_sheets = MultipleFileField(
        label=_("Sign-in sheets"),
        required=False,
        help_text=_("The signed attendance sheet, photographed or scanned: JPEG, PNG or PDF, at most 10 MB each."),
    )
    # Files of an earlier post that failed validation, kept on the server (core.pending_uploads): ticked
    # ones are saved with the meeting, under the same kind, without being chosen again.
    kept_attachments = PendingUploadsField(required=False)
    kept_sign_in_sheets = PendingUploadsField(required=False)

    def __init__(self, *args, roster, kinds, secretary=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.fields["kind"].choices = [(k, label) for k, label in MeetingKind.choices if k in kinds]
        self.fields["also_counts_as"].choices = [
            (k, MeetingKind(k).label) for k in THEMED_DAY_ALSO_COUNTS if k in kinds
        ]
        people = [("", "—")] + [(e.member.pk, e.member.name) for e in roster]
        self.fields["chaired_by"].choices = people
        self.fields["lecturer"].choices = people
        if secretary is not None and not self.is_bound:
            # Posts tell who the secretary is: the usual chair and lecturer, already chosen.
            self.fields["chaired_by"].initial = secretary.pk
            self.fields["lecturer"].initial = secretary.pk
        statuses = [(status, AttendanceStatus(status).label) for status in LISTED_STATUSES]
        for entry in roster:
            pk = entry.member.pk
            if entry.is_guest:
                self.fields[f"nonvoting_{pk}"] = forms.BooleanField(
                    label=AttendanceStatus.ATTENDING_NONVOTING.label,
                    required=False,
                    initial=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )
                continue
            self.fields[f"attendance_{pk}"] = forms.ChoiceField(
                label=entry.member.name,
                choices=statuses,
                initial=AttendanceStatus.PRESENT,
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{pk}"] = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def attendance_rows(self):
        """(roster entry, status field, reason field) for the template's attendance table."""
        return [
            (e, self[f"attendance_{e.member.pk}"], self[f"reason_{e.member.pk}"]) for e in self.roster if not e.is_guest
        ]

    def rows_in_error(self) -> set:
        """Members whose row has an error (the service's errors name the member), highlighted and
        scrolled into view (issue 12)."""
        if not self.is_bound:
            return set()
        errors = self.errors.as_data()
        marked = {
            error.params["member"]
            for error in (*errors.get("attendance", ()), *errors.get(NON_FIELD_ERRORS, ()))
            if isinstance(error.params, dict) and "member" in error.params
        }
        for entry in self.roster:
            pk = entry.member.pk
            if any(f"{prefix}_{pk}" in self.errors for prefix in ("attendance", "reason", "nonvoting")):
                marked.add(pk)
        return marked

    def guest_rows(self):
        """(roster entry, sitting-in box) of those a committee meeting may add as sitting in (列席)."""
        return [(e, self[f"nonvoting_{e.member.pk}"]) for e in self.roster if e.is_guest]

    def guests_sitting_in(self) -> bool:
        """Whether any guest is ticked (the list of guests then opens)."""
        return any(box.value() for _entry, box in self.guest_rows())

    def attendance(self) -> dict:
        """member id -> (status, reason): everyone listed, and those ticked as sitting in."""
        taken = {
            e.member.pk: (self.cleaned_data[f"attendance_{e.member.pk}"], self.cleaned_data[f"reason_{e.member.pk}"])
            for e in self.roster
            if not e.is_guest
        }
        for e in self.roster:
            if e.is_guest and self.cleaned_data[f"nonvoting_{e.member.pk}"]:
                taken[e.member.pk] = (AttendanceStatus.ATTENDING_NONVOTING, "")
        return taken

    def meeting_data(self, members_by_pk: dict) -> dict:
        data = {
            k: self.cleaned_data[k]
            for k in ("kind", "held_on", "place", "topic", "lecturer_name", "minutes", "study_hours", "also_counts_as")
        }
        data["chaired_by"] = members_by_pk.get(self.cleaned_data["chaired_by"])
        data["lecturer"] = members_by_pk.get(self.cleaned_data["lecturer"])
        return data


class TrainingBatchForm(forms.Form):
    """One course, many attendees: tick the members who attended."""

    kind = forms.ChoiceField(label=_("Kind of study"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("Course or activity"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(label=_("Study hours each"), max_digits=4, decimal_places=1, min_value=0.1, max_value=24)
    members = forms.TypedMultipleChoiceField(
        label=_("Members who attended"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, m.name) for m in members]


def day_from(value) -> datetime.date:
    """The day a form is for (?date=2016-05-04), today when missing or not a date."""
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


class TalksForm(forms.Form):
    """Q-TALKS: the talks one person held on one day, one with each member ticked (one member: one
    talk); those not yet talked with this year come first, marked (issue 12)."""

    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    talker = forms.TypedChoiceField(label=_("Held by"), coerce=int, required=False, empty_value=None)
    talker_name = forms.CharField(label=_("Held by (outside the zone)"), max_length=100, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    members = forms.TypedMultipleChoiceField(
        label=_("Members talked with"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, talkers, not_talked=(), secretary=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talker"].choices = [("", "—")] + [(m.pk, m.name) for m in talkers]
        pending = set(not_talked)
        due = _("%(name)s (not yet talked with this year)")
        self.fields["members"].choices = [
            (m.pk, due % {"name": m.name} if m.pk in pending else m.name)
            for m in sorted(members, key=lambda m: m.pk not in pending)  # stable: the roster's order within each
        ]
        if secretary is not None and not self.is_bound:
            self.fields["talker"].initial = secretary.pk


class EvaluationForm(VersionedFormMixin, forms.Form):
    """Q-EVALUATION: every member's four evaluations, final grade and disposal on one page. A member
    without a result yet starts at qualified (issue 12): the secretary changes only the exceptions."""

    held_on = forms.DateField(label=_("Held on"), widget=DateInput())

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        grades = [("", "—"), *Grade.choices]
        for row in rows:
            pk, result = row["member"].pk, row["result"]
            for field in GRADE_FIELDS:
                self.fields[f"{field}_{pk}"] = forms.ChoiceField(
                    choices=grades, required=False, initial=getattr(result, field, Grade.QUALIFIED)
                )
            self.fields[f"disposal_{pk}"] = forms.ChoiceField(
                choices=[("", "—"), *Disposal.choices], required=False, initial=getattr(result, "disposal", "")
            )

    def table(self):
        return [
            (row, [self[f"{f}_{row['member'].pk}"] for f in GRADE_FIELDS], self[f"disposal_{row['member'].pk}"])
            for row in self.rows
        ]

    def results(self, *, rest_qualified: bool = False) -> dict:
        """member id -> grades and disposal; `rest_qualified` (the "all qualified" button) gives every
        grade left empty, a member's who was not on the page included, as qualified."""
        results = {
            row["member"].pk: {f: self.cleaned_data[f"{f}_{row['member'].pk}"] for f in (*GRADE_FIELDS, "disposal")}
            for row in self.rows
        }
        if rest_qualified:
            for grades in results.values():
                grades.update({f: grades[f] or Grade.QUALIFIED for f in GRADE_FIELDS})
        return results


GRADE_FIELDS = ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")


class VenueForm(SubmitHelperMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = ("kind", "name", "address", "area", "opened_on")
        widgets = {"opened_on": DateInput()}


class VenueChecksForm(VersionedFormMixin, forms.Form):
    """Q-VENUE-SIXHAVE: the six standards of a venue on one page, each with its evidence."""

    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput())

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards = standards
        for standard, check in standards:
            self.fields[f"met_{standard}"] = forms.BooleanField(
                label=standard.label, required=False, initial=bool(check and check.is_met)
            )
            self.fields[f"note_{standard}"] = forms.CharField(
                label=_("Evidence note"), max_length=200, required=False, initial=check.note if check else ""
            )
            self.fields[f"photo_{standard}"] = forms.FileField(
                label=_("Photo"),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
            )
            # A photo of an earlier post that failed validation, kept on the server (core.pending_uploads).
            self.fields[f"kept_photo_{standard}"] = forms.CharField(required=False)

    def rows(self):
        return [
            (standard, check, self[f"met_{standard}"], self[f"note_{standard}"], self[f"photo_{standard}"])
            for standard, check in self.standards
        ]

    def rows_in_error(self) -> set:
        """Standards a validation error names (the service's errors carry the standard), highlighted."""
        if not self.is_bound:
            return set()
        return {
            error.params["row"]
            for error in self.non_field_errors().as_data()
            if isinstance(error.params, dict) and "row" in error.params
        }

    def checks(self) -> dict:
        data = self.cleaned_data
        return {s: (data[f"met_{s}"], data[f"note_{s}"], data[f"photo_{s}"]) for s, _check in self.standards}


class VenueInspectionForm(SubmitHelperMixin, forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    grade = forms.ChoiceField(label=_("Grade"), choices=VenueGrade.choices)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LeadershipDaysForm(SubmitHelperMixin, forms.Form):
    member = forms.TypedChoiceField(label=_("Leadership member"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=LeadershipDayKind.choices)
    started_on = forms.DateField(label=pgettext_lazy("date range", "From"), widget=DateInput())
    ended_on = forms.DateField(label=pgettext_lazy("date range", "To"), widget=DateInput())
    place = forms.CharField(label=_("Where"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in leaders]


class IntegrityPledgeForm(SubmitHelperMixin, forms.Form):
    member = forms.TypedChoiceField(
        label=_("Member (empty: the whole team)"), coerce=int, required=False, empty_value=None
    )
    pledged_on = forms.DateField(label=_("Pledged on"), widget=DateInput())
    published_on = forms.DateField(label=_("Published on"), widget=DateInput())
    published_where = forms.CharField(label=_("Published where"), max_length=200)

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in leaders]


class MajorDecisionForm(SubmitHelperMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MajorDecisionKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, required=False)


class VillageMatterForm(SubmitHelperMixin, forms.Form):
    title = forms.CharField(label=_("Matter"), max_length=200)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, required=False)
    proposed_on = forms.DateField(label=_("Proposed by the party organisation on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MatterStepForm(forms.Form):
    """The next step only: the order is the rule's, not the user's."""

    step = forms.ChoiceField(label=_("Step"), choices=DeliberationStep.choices, widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, next_step, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].initial = next_step


class AnnualReportForm(SubmitHelperMixin, forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput())
    text = forms.CharField(
        label=_("Text of the report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("The report as given; or attach a scan of it below, or both."),
    )
    attachment = forms.FileField(
        label=_("Scan or photo of the report"),
        required=False,
        help_text=_("A PDF scan or a JPEG or PNG photo, at most 10 MB."),
    )
    result = forms.ChoiceField(label=_("Evaluation"), choices=ReportResult.choices)
    published_on = forms.DateField(label=_("Evaluation published on"), widget=DateInput())
    published_where = forms.CharField(label=_("Published where"), max_length=200)


class CongressSessionForm(SubmitHelperMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    deputies = forms.IntegerField(label=_("Deputies"), min_value=1)
    deputies_present = forms.IntegerField(label=_("Deputies present"), min_value=0)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}))


class PairingForm(SubmitHelperMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of pairing"), choices=PairingKind.choices)
    partner_code = forms.CharField(
        label=_("Partner's organisation code"),
        max_length=30,
        required=False,
        help_text=_("For a pairing of organisations."),
    )
    member = forms.TypedChoiceField(
        label=_("Member"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a member linked with households."),
    )
    households = forms.IntegerField(label=_("Households"), min_value=1, required=False)
    started_on = forms.DateField(label=_("Since"), widget=DateInput())
    content = forms.CharField(label=_("What they do together"), max_length=200)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.name) for m in members]


class GridUnitForm(SubmitHelperMixin, forms.Form):
    name = forms.CharField(label=_("Grid unit"), max_length=100)
    households = forms.IntegerField(label=_("Households"), min_value=1)
    leader = forms.TypedChoiceField(label=_("Member in charge"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "—")] + [(m.pk, m.name) for m in members]


class DoubleStrongApplyForm(SubmitHelperMixin, forms.Form):
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DoubleStrongDecideForm(SubmitHelperMixin, forms.Form):
    awarded = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "yes", choices=[("yes", _("Award")), ("no", _("Do not award"))]
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
