"""Forms of the compliance pages: starting a run, waiving a finding."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SubmitHelperMixin


class RunStartForm(SubmitHelperMixin, forms.Form):
    submit_label = _("Start a run")
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in range(timezone.localdate().year, 2014, -1)]


class FindingWaiveForm(SubmitHelperMixin, forms.Form):
    submit_label = _("Waive")
    reason = forms.CharField(label=_("Reason for the waiver"), max_length=200)
