"""Forms of the welfare project fund (F-WELFARE-FUND) and the venue reward payments (F-VENUE-REWARD).
The rules live in funding/services/welfare.py; these only parse."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, SubmitHelperMixin
from core.uploads import MAX_UPLOAD_BYTES


class WelfareProjectForm(SubmitHelperMixin, forms.Form):
    name = forms.CharField(label=_("Project"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    budget = forms.DecimalField(label=_("Budget (yuan)"), max_digits=14, decimal_places=2)


class WelfareDecisionForm(SubmitHelperMixin, forms.Form):
    approved = forms.TypedChoiceField(
        label=_("Approve or reject"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("Approve the project")), ("no", _("Do not approve"))],
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class WelfarePaymentForm(SubmitHelperMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2)
    payee = forms.CharField(label=_("Payee"), max_length=200)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=50)
    receipt = forms.FileField(label=_("Scanned receipt"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].help_text = gettext("A JPEG or PNG photo or a PDF scan, at most %(mb)s MB.") % {
            "mb": MAX_UPLOAD_BYTES // 2**20
        }


class VenueRewardPaymentForm(SubmitHelperMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    voucher_number = forms.CharField(label=_("Voucher number"), max_length=50)
