"""Forms of the weak-organisation pages (Q-WEAK-*): the proposal, the bureau's decision, remedies,
progress notes and the closing verdict."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Rectification, RectificationRemedy
from core.forms import DateInput, SubmitHelperMixin


class ProposalForm(SubmitHelperMixin, forms.Form):
    """Remaking the proposal replaces the ranking of the year: asked for explicitly."""

    submit_label = _("Rank and propose")
    confirm = forms.BooleanField(label=_("Rank every organisation again and replace the year's proposal"))


class DecideForm(SubmitHelperMixin, forms.Form):
    named = forms.TypedChoiceField(
        label=_("The bureau's decision"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("Name it a weak organisation")), ("no", _("Do not name it"))],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Required where the decision departs from the proposal."),
    )


def _post_label(post) -> str:
    return f"{post.member.name} · {post.get_kind_display()} · {post.organisation.name}"


class RemedyForm(SubmitHelperMixin, forms.Form):
    """The person's post is picked from those on record (collected once); a department by its code."""

    kind = forms.ChoiceField(label=_("Remedy"), choices=RectificationRemedy.Kind.choices)
    post = forms.TypedChoiceField(
        label=_("Person"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a leader liaison, an instructor or a first secretary."),
    )
    department_code = forms.CharField(
        label=_("Supporting department's organisation code"),
        max_length=32,
        required=False,
        help_text=_("For a department support."),
    )
    started_on = forms.DateField(label=_("In place since"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, leaders, sent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [
            ("", "—"),
            (_("Leadership members"), [(p.pk, _post_label(p)) for p in leaders]),
            (_("Instructors and first secretaries sent"), [(p.pk, _post_label(p)) for p in sent]),
        ]


class NoteForm(SubmitHelperMixin, forms.Form):
    written_on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))


class VerdictForm(SubmitHelperMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Closing verdict"), choices=Rectification.Verdict.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=_("Given on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
