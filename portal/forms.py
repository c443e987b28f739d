"""Account forms (the system administrator's), the policy revision, the audit trail's filters and the
password confirmation."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Organisation
from core import policy
from core.concurrency import VersionedFormMixin
from core.enums import Role
from core.forms import DateInput, SubmitHelperMixin, submit_helper
from core.models import User


class _AccountFields(forms.Form):
    full_name = forms.CharField(label=pgettext_lazy("person", "Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation_code = forms.CharField(
        label=_("Organisation code"),
        max_length=32,
        required=False,
        help_text=_("For an organisation administrator: the code of the organisation they administer."),
    )

    def clean_organisation_code(self):
        code = self.cleaned_data["organisation_code"].strip()
        self.organisation = None
        if code:
            self.organisation = Organisation.objects.active().filter(code=code).first()
            if self.organisation is None:
                raise forms.ValidationError(
                    _("There is no active organisation with the code %(code)s.") % {"code": code}
                )
        return code


class AccountCreateForm(_AccountFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        help_text=_("The user must change it at first login."),
    )
    field_order = ["username", "full_name", "role", "organisation_code", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class AccountUpdateForm(_AccountFields):
    is_active = forms.BooleanField(label=pgettext_lazy("account", "Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()


class PolicyRevisionForm(VersionedFormMixin, SubmitHelperMixin, forms.Form):
    """A policy revision: when it takes effect, where it comes from, and every parameter (shares in
    percent), prefilled with the values in force."""

    name = forms.CharField(label=pgettext_lazy("policy revision", "Name"), max_length=100)
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput)
    source = forms.CharField(label=_("Source document"), max_length=200)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, values, **kwargs):
        super().__init__(*args, **kwargs)
        for key, parameter in policy.PARAMETERS.items():
            value = values[key]
            is_rate = parameter.unit == policy.RATE
            label = f"{parameter.label}（%）" if is_rate else parameter.label
            self.fields[key] = forms.DecimalField(
                label=label,
                required=parameter.default is not None,
                max_digits=18,
                decimal_places=4 if is_rate else 2,
                help_text=f"{parameter.clause} · {parameter.source}"
                if parameter.source != parameter.clause
                else parameter.clause,
                initial=None if value is None else (value * 100 if is_rate else value).normalize(),
            )

    def parameter_values(self) -> dict:
        """The parameters as the policy stores them: shares as fractions."""
        values = {}
        for key, parameter in policy.PARAMETERS.items():
            value = self.cleaned_data[key]
            if value is not None and parameter.unit == policy.RATE:
                value = value / 100
            values[key] = value
        return values


class PasswordConfirmForm(forms.Form):
    """The user's password again, before an export with ID numbers in full."""

    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_helper(_("Confirm"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The user's own password (issue 7): Django's form, the rules checked once, by
    core.services.account_password_change (each of the last passwords costs a deliberately slow hash)."""

    def validate_password_for_user(self, user, password_field_name="password2"):
        return None
