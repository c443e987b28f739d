"""Form pieces every app shares: the date widget and the crispy helper."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """A native date picker; typed dates in 2015-03-30, 2015/3/30, 2015.3.30 or 2015年3月30日 also parse."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def submit_helper(label=None) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label or _("Save")))
    return helper


class ConfirmForm(forms.Form):
    """A confirmation with no fields (delete pages)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Confirm"))
        self.helper.inputs[0].field_classes = "btn btn-danger"


class SubmitHelperMixin:
    """Forms rendered whole with {% crispy form %}: one helper with the Save button."""

    submit_label = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(self.submit_label)
