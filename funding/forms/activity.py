"""Forms of the party activity funds (F-ACTIVITY-*): a unit's budget for a year and the report's
filters. The rules live in funding/services/activity.py; these only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.enums import Sector
from core.concurrency import VersionedFormMixin
from core.forms import SubmitHelperMixin
from funding.services.activity import FUNDED_SECTORS


class ActivityBudgetForm(VersionedFormMixin, SubmitHelperMixin, forms.Form):
    wage_bill = forms.DecimalField(label=_("Total wage bill (yuan)"), max_digits=14, decimal_places=2)
    budget = forms.DecimalField(label=_("Activity funds in the budget (yuan)"), max_digits=14, decimal_places=2)

    def __init__(self, *args, is_soe: bool, from_organisation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if is_soe:
            self.fields["wage_bill"].label = _("Standard wage bill (yuan)")
        if from_organisation:
            self.fields["wage_bill"].help_text = _(
                "Prefilled from the figure on the organisation; correct it if this year's differs."
            )


class ActivityFilterForm(forms.Form):
    """The report's drill-down: a sector, a town or system (an organisation's pk), only flagged units."""

    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", "—")] + [(s, Sector(s).label) for s in FUNDED_SECTORS]
    )
    town = forms.IntegerField(label=_("Town or system"), required=False, widget=forms.HiddenInput)
    flagged = forms.BooleanField(label=_("Only units without a budget or below the minimum"), required=False)

    def filters(self) -> dict:
        """The valid filters; a malformed one is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "sector": data.get("sector") or "",
            "town": data.get("town"),
            "flagged": bool(data.get("flagged")),
        }
