"""Account forms (bureau staff only)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Organisation
from portal.forms_base import submit_helper

from .enums import Role
from .models import User


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
