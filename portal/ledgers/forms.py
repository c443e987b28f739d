from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import submit_helper


class SubtreeForm(forms.Form):
    """Which format the ZIP of every ledger under the organisation is printed in."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", _("PDF (archived as is)")), ("docx", _("Word (.docx, to edit and print)"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the format of the files: PDF or Word.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Print the ZIP"))
