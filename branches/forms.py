"""Forms of the organisation tree. Context (the parent, the user) comes in as keyword arguments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from branches import selectors
from branches.enums import ALLOWED_PARENT_KINDS, OrganisationKind, PostKind
from branches.models import Organisation, Post
from branches.services import ORGANISATION_FIELDS
from core import scoping
from core.concurrency import VersionedFormMixin
from core.forms import DateInput, submit_helper
from core.idcard import IdNumberError, id_validate
from core.scoping import subtree


class OrganisationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, parent: Organisation | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper()
        if parent is not None:
            # Offer only the kinds that may stand under this parent (S-HIERARCHY).
            allowed = [k for k in OrganisationKind if parent.kind in ALLOWED_PARENT_KINDS[k]]
            self.fields["kind"].choices = [(k.value, k.label) for k in allowed]


class OrganisationMoveForm(forms.Form):
    target_code = forms.CharField(
        label=_("Code of the new superior organisation"),
        max_length=32,
        help_text=_("The organisation code (组织代码) of the organisation to move this one under."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_helper(_("Move"))

    def clean_target_code(self):
        code = self.cleaned_data["target_code"]
        target = selectors.organisation_for_code(user=self.user, code=code)
        if target is None:
            raise forms.ValidationError(
                _("No organisation with the code %(code)s is within your responsibility.") % {"code": code}
            )
        self.target = target
        return code


class OrganisationDissolveForm(forms.Form):
    on = forms.DateField(label=_("Dissolved on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Dissolve"))


class PostForm(forms.ModelForm):
    """Assign a post: pick a member of this organisation, or give the ID number of one elsewhere in scope.

    The tree sits below the members app, so the member model comes from the post's own relation.
    """

    member = forms.ModelChoiceField(label=_("Member"), queryset=None, required=False)
    id_number = forms.CharField(
        label=_("or ID number"),
        max_length=20,
        required=False,
        help_text=_("For a member of another organisation within your responsibility."),
    )

    class Meta:
        model = Post
        fields = ("kind", "member", "id_number", "started_on", "is_full_time")
        widgets = {"started_on": DateInput()}

    def __init__(self, *args, organisation: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_helper()
        member_model = Post._meta.get_field("member").related_model
        self.member_model = member_model
        nearby = member_model.objects.active().filter(
            subtree(organisation, via="organisation"), organisation__depth__lte=organisation.depth + 1
        )
        self.fields["member"].queryset = scoping.for_user(nearby, user).order_by("name")
        self.fields["kind"].choices = PostKind.choices

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"]
        if not raw:
            return ""
        try:
            return id_validate(raw)
        except IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        member, id_number = cleaned.get("member"), cleaned.get("id_number")
        if member and id_number:
            raise forms.ValidationError(_("Choose a member or give an ID number, not both."))
        if id_number:
            member = scoping.for_user(self.member_model.objects.active().filter(id_number=id_number), self.user).first()
            if member is None:
                self.add_error("id_number", _("No active member with this ID number is within your responsibility."))
            cleaned["member"] = member
        elif not member and not self.has_error("id_number"):
            self.add_error("member", _("Choose the member who takes up the post."))
        return cleaned


class PostEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("End post"))


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), max_length=100, required=False)
