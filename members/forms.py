"""Member forms. Birth date and gender come from the ID number, so the form does not ask for them."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from import_export.forms import SelectableFieldsExportForm

from branches.models import Organisation
from core.concurrency import VersionedFormMixin
from core.forms import DateInput, submit_helper
from core.scoping import subtree
from members.enums import ContactMeans, LostContactDecision, MemberCategory, MemberStatus
from members.models import Member
from members.selectors import AGE_BAND_LABELS
from members.services import MEMBER_FIELDS

FORM_FIELDS = tuple(f for f in MEMBER_FIELDS if f not in ("birth_date", "gender"))


class MemberForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = FORM_FIELDS
        widgets = {
            "joined_on": DateInput(),
            "full_member_on": DateInput(),
            "probation_ends_on": DateInput(),
        }
        help_texts = {
            "id_number": _("Birth date and gender are read from the ID number."),
            "probation_ends_on": _("Left empty, one year after joining."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()

    def validate_unique(self):
        """Uniqueness of the ID number among active members is the service's rule (with its message)."""


class MemberStatusForm(VersionedFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("New status"), choices=[c for c in MemberStatus.choices if c[0] != MemberStatus.ACTIVE]
    )
    on = forms.DateField(label=_("Effective on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, pinyin initials or ID tail"), max_length=40, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *MemberCategory.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *MemberStatus.choices], required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        choices=[("", _("All ages")), *((band, label) for band, label in AGE_BAND_LABELS.items())],
        required=False,
    )
    mobile = forms.ChoiceField(
        label=_("Mobile"),
        choices=[("", _("All")), ("yes", _("Mobile members")), ("no", _("Not mobile"))],
        required=False,
    )
    org = forms.CharField(label=_("Organisation code"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"


class MemberTransferForm(forms.Form):
    """Transfer within the zone (receiving organisation's code) or out of it (its name)."""

    to_code = forms.CharField(
        label=_("Receiving organisation code"),
        max_length=32,
        required=False,
        help_text=_("For a transfer within the zone."),
    )
    external_organisation = forms.CharField(
        label=_("Receiving organisation outside the zone"), max_length=200, required=False
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=50)
    on = forms.DateField(label=_("Transferred on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Transfer"))

    def clean(self):
        cleaned = super().clean()
        code, external = cleaned.get("to_code", "").strip(), cleaned.get("external_organisation", "").strip()
        if code and external:
            raise forms.ValidationError(_("Give either a code in the zone or an organisation outside it, not both."))
        self.to_organisation = None
        if code:
            # Any organisation of the zone may receive: the sender need not administer it.
            self.to_organisation = Organisation.objects.active().filter(code=code).first()
            if self.to_organisation is None:
                self.add_error("to_code", _("There is no active organisation with the code %(code)s.") % {"code": code})
        return cleaned


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=20)
    applied_on = forms.DateField(label=_("Application submitted on"), widget=DateInput())
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    work_unit = forms.CharField(label=_("Work unit"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()


class CandidateStepForm(forms.Form):
    """The next step of a candidacy: one form for every step, the service checks the order and limits."""

    STEPS = [
        ("talk", _("Talk held")),
        ("activist", _("Made an activist")),
        ("review", _("Half-yearly review held")),
        ("target", _("Made a development target")),
        ("admit", _("Admitted by the branch general meeting")),
        ("approve", _("Approved by the higher party committee")),
        ("withdraw", _("Withdrawn")),
    ]
    step = forms.ChoiceField(label=_("Step"), choices=STEPS)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    talked_by = forms.CharField(label=_("Talk held by"), max_length=50, required=False)
    introducers = forms.ModelMultipleChoiceField(
        label=_("Introducers"), queryset=Member.objects.none(), required=False, help_text=_("Two full members.")
    )
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=200, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()
        self.fields["introducers"].queryset = (
            Member.objects.active()
            .filter(subtree(organisation, via="organisation"), category=MemberCategory.FULL)
            .order_by("name_pinyin")
        )


class MemberFullForm(forms.Form):
    on = forms.DateField(label=_("Full membership on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()


class MobileOutflowForm(forms.Form):
    since = forms.DateField(label=_("Away since"), widget=DateInput())
    place = forms.CharField(label=_("Where the member is"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    activity_card_number = forms.CharField(label=_("Activity card number"), max_length=50, required=False)
    receiving_code = forms.CharField(
        label=_("Receiving organisation code"),
        max_length=32,
        required=False,
        help_text=_("When a branch of the zone receives the member."),
    )
    receiving_organisation_name = forms.CharField(
        label=_("Receiving organisation outside the zone"), max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()

    def clean_receiving_code(self):
        code = self.cleaned_data["receiving_code"].strip()
        self.receiving_organisation = None
        if code:
            self.receiving_organisation = Organisation.objects.active().filter(code=code).first()
            if self.receiving_organisation is None:
                raise forms.ValidationError(
                    _("There is no active organisation with the code %(code)s.") % {"code": code}
                )
        return code


class MobileInflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=20)
    home_organisation_name = forms.CharField(label=_("Organisation keeping the relationship"), max_length=200)
    since = forms.DateField(label=_("Taking part since"), widget=DateInput())
    place = forms.CharField(label=_("Where the member lives or works"), max_length=200, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    activity_card_number = forms.CharField(label=_("Activity card number"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()


class MobileContactForm(forms.Form):
    contacted_on = forms.DateField(label=_("Contacted on"), widget=DateInput())
    means = forms.ChoiceField(label=_("Means"), choices=ContactMeans.choices)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Record the contact"))


class MobileReturnForm(forms.Form):
    on = forms.DateField(label=_("Returned on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Record the return"))


class MobileDecisionForm(forms.Form):
    """N-MOBILE: the home branch's decision about a member it could not reach."""

    decision = forms.ChoiceField(label=pgettext_lazy("lost contact", "Decision"), choices=LostContactDecision.choices)
    decided_on = forms.DateField(label=pgettext_lazy("lost contact", "Decided on"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Record the decision"))


class MobileDuesForm(forms.Form):
    """N-DUES: where a mobile member pays dues."""

    paid_to = forms.ChoiceField(
        label=_("Dues paid to"),
        choices=[("home", _("The home branch")), ("receiving", _("The receiving branch, by agreement"))],
        widget=forms.RadioSelect,
    )
    agreement = forms.CharField(label=_("Agreement (number or date)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Record where dues are paid"))


class CommunityRegisterForm(forms.Form):
    community_code = forms.CharField(
        label=_("Community organisation code"),
        max_length=32,
        help_text=_("The party organisation of the community where the member lives."),
    )
    on = forms.DateField(label=_("Registered on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()

    def clean_community_code(self):
        code = self.cleaned_data["community_code"].strip()
        self.community = Organisation.objects.active().filter(code=code).first()
        if self.community is None:
            raise forms.ValidationError(_("There is no active organisation with the code %(code)s.") % {"code": code})
        return code


class CommunityServiceForm(forms.Form):
    served_on = forms.DateField(label=_("Served on"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1)
    activity = forms.CharField(label=_("Activity"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file"), help_text=_(".xlsx, .xls or .csv (UTF-8 or GBK), at most 20 MB."))
    organisation_code = forms.CharField(
        label=_("Organisation code"),
        max_length=32,
        required=False,
        help_text=_("Rows without an organisation code go to this branch. Left empty: your own organisation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Check the file"))


# The library's export page says "Select all", which its own zh_Hans catalogue lacks; named here so
# that makemessages keeps our translation of it.
LIBRARY_MSGIDS = (gettext_noop("Select all"),)


class RosterExportForm(SelectableFieldsExportForm):
    """The admin's export form (members.admin): each column offered by its roster header (姓名, 公民身份号码…),
    not by the library's English rendering of the field name."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name
