"""Forms of the member aid fund (F-AID-FUND) and the liaison funds (F-LIAISON-FUND)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, SubmitHelperMixin
from funding.enums import LiaisonPayment

MONEY = dict(max_digits=14, decimal_places=2)


class MonthInput(forms.DateInput):
    """A native month picker (2024-03); a full date also parses, its month is taken."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


def month_field(label):
    return forms.DateField(label=label, widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y年%m月"])


class AidGrantForm(SubmitHelperMixin, forms.Form):
    """F-AID-FUND: the groups offered are those the member's record puts them in (with hardship now);
    the recipient is the member or the family (the family alone for a member killed acting bravely)."""

    group = forms.ChoiceField(label=_("Granted as"))
    recipient = forms.ChoiceField(label=_("Granted to"))
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    granted_on = forms.DateField(label=_("Granted on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, groups, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.value, g.label) for g in groups]
        if len(groups) == 1:
            self.fields["group"].initial = groups[0].value
        self.fields["recipient"].choices = [(r.value, r.label) for r in recipients]
        if recipients:
            self.fields["recipient"].initial = recipients[0].value


class LiaisonPaymentForm(SubmitHelperMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Payment"), choices=LiaisonPayment.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class InstructorAllowanceForm(SubmitHelperMixin, forms.Form):
    first_month = month_field(_("From month"))
    last_month = month_field(_("To month"))
    amount = forms.DecimalField(label=_("Amount (yuan)"), **MONEY)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
