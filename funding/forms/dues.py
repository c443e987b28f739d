"""Forms of the party dues ledger (N-DUES, F-DUES-REFUND): a whole branch on one page."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedFormMixin
from core.forms import DateInput, SubmitHelperMixin
from funding.enums import DuesBasis

AMOUNT = dict(max_digits=10, decimal_places=2, required=False)


class DuesBasesForm(VersionedFormMixin, forms.Form):
    """N-DUES: every member's basis (from the life status, or the flat amount on relief), monthly
    income after tax (salary, pension) or chosen amount (farmers), in one form."""

    def __init__(self, *args, rows, farmer_min, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            pk, base = row.member.pk, row.base
            choices = [(row.default, DuesBasis(row.default).label)]
            if row.default != DuesBasis.FLAT:
                choices.append((DuesBasis.FLAT, _("Flat amount (on relief)")))
            self.fields[f"basis_{pk}"] = forms.ChoiceField(
                label=_("Basis"), choices=choices, initial=base.basis if base else row.default
            )
            self.fields[f"income_{pk}"] = forms.DecimalField(
                label=_("Monthly income after tax (yuan)"), **AMOUNT, initial=base.monthly_income if base else None
            )
            farmer = base.monthly_dues if base and base.basis == DuesBasis.FARMER else farmer_min
            self.fields[f"farmer_{pk}"] = forms.DecimalField(
                label=_("Chosen monthly dues (yuan)"), **AMOUNT, initial=farmer
            )

    def clean(self):
        if not self.rows:
            raise forms.ValidationError(_("The branch has no members in this year."))
        return super().clean()

    def table(self):
        return [
            (row, self[f"basis_{row.member.pk}"], self[f"income_{row.member.pk}"], self[f"farmer_{row.member.pk}"])
            for row in self.rows
        ]

    def bases(self) -> dict:
        data = self.cleaned_data
        return {
            row.member.pk: {
                "basis": data[f"basis_{row.member.pk}"],
                "monthly_income": data[f"income_{row.member.pk}"],
                "farmer_amount": data[f"farmer_{row.member.pk}"],
            }
            for row in self.rows
        }


class DuesCollectForm(forms.Form):
    """N-DUES: one or several months (a quarter, say), the members ticked (all by default), and an
    amount a month only where a member pays more than the dues."""

    months = forms.TypedMultipleChoiceField(label=_("Months paid for"), coerce=int, widget=forms.CheckboxSelectMultiple)
    paid_on = forms.DateField(label=_("Dues paid on"), widget=DateInput())
    members = forms.TypedMultipleChoiceField(
        label=_("Members who paid"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, year, last_month, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.rows = rows
        self.fields["months"].choices = [(m, _("Month %(month)s") % {"month": m}) for m in range(1, last_month + 1)]
        self.fields["members"].choices = [(row.member.pk, row.member.name) for row in rows]
        self.fields["members"].initial = [row.member.pk for row in rows]
        for row in rows:
            self.fields[f"amount_{row.member.pk}"] = forms.DecimalField(
                label=_("Amount a month (blank: the dues)"), min_value=0.01, **AMOUNT
            )

    def table(self):
        picked = {str(v) for v in (self["members"].value() or ())}
        return [(row, str(row.member.pk) in picked, self[f"amount_{row.member.pk}"]) for row in self.rows]

    def month_dates(self) -> list[datetime.date]:
        return [datetime.date(self.year, m, 1) for m in self.cleaned_data["months"]]

    def amounts(self) -> dict:
        return {row.member.pk: self.cleaned_data[f"amount_{row.member.pk}"] for row in self.rows}


class DuesRefundForm(SubmitHelperMixin, forms.Form):
    """F-DUES-REFUND: one refund of a year's dues to a non-public enterprise's organisation."""

    amount = forms.DecimalField(label=_("Amount refunded (yuan)"), max_digits=14, decimal_places=2, min_value=0.01)
    refunded_on = forms.DateField(label=_("Refunded on"), widget=DateInput())
    voucher_number = forms.CharField(label=_("Voucher number"), max_length=50)
