"""The findings drill-down's filters (what a dashboard bar links to), declared once with django-filter.

A value that is not a choice (an unknown clause, an organisation outside the user's scope) is not
applied, as before: the list then shows what the other filters select. The year is not a filter here:
the view always narrows to one year (`core.years.year_clamped`)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from assessments.compliance.catalogue import RULES
from assessments.models import Finding
from branches.enums import Sector
from branches.models import Organisation
from core.scoping import for_user, subtree


def _organisations(request):
    return for_user(Organisation.objects.all(), request.user) if request is not None else Organisation.objects.none()


class FindingFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(label=_("Clause"), choices=[(clause, clause) for clause in sorted(RULES)])
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Finding.Status.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices, field_name="organisation__sector")
    org = django_filters.ModelChoiceFilter(queryset=_organisations, method="subtree")
    town = django_filters.ModelChoiceFilter(queryset=_organisations, method="subtree")

    class Meta:
        model = Finding
        fields = ()

    def subtree(self, queryset, name, organisation):
        """An organisation (or a town) stands for its whole subtree."""
        return queryset.filter(subtree(organisation, via="organisation"))

    @classmethod
    def from_request(cls, request, queryset):
        """The filters of the page's query string; the status is "open" unless the query says otherwise
        (an empty status is every status)."""
        data = request.GET.copy()
        data.setdefault("status", Finding.Status.OPEN)
        return cls(data, queryset=queryset, request=request)

    def chosen(self) -> dict:
        """What is applied, for the page's heading and its links: each filter's value or ""/None."""
        self.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {
            "rule": cleaned.get("rule") or "",
            "status": cleaned.get("status") or "",
            "sector": cleaned.get("sector") or "",
            "organisation": cleaned.get("org"),
            "town": cleaned.get("town"),
        }
