"""The audit trail's filters, declared with django-filter: who, what was done, to which type of record
and which one, between which days (both days included, in the zone's time)."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import action_choices, audited_models
from core.forms import DateInput
from core.models import AuditEntry


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _model_choices() -> list:
    from django.apps import apps

    labels = {
        m._meta.label_lower: f"{apps.get_app_config(m._meta.app_label).verbose_name} · {m._meta.verbose_name}"
        for m in audited_models()
    }
    return sorted(labels.items(), key=lambda item: str(item[1]))


class AuditFilterForm(forms.Form):
    """The filters' form: small Bootstrap inputs, and an end day not before the start."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end is before the start."))
        return data


class AuditEntryFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("Username"), max_length=150, method="stripped")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=action_choices, empty_label="—")
    model = django_filters.ChoiceFilter(label=_("Record type"), choices=_model_choices, empty_label="—")
    object_pk = django_filters.CharFilter(label=_("Record number"), max_length=64, method="stripped")
    date_from = django_filters.DateFilter(
        label=pgettext_lazy("date range", "From"), widget=DateInput, field_name="at", method="day_from"
    )
    date_to = django_filters.DateFilter(
        label=pgettext_lazy("date range", "To"), widget=DateInput, field_name="at", method="day_to"
    )

    class Meta:
        model = AuditEntry
        fields = ()
        form = AuditFilterForm

    def stripped(self, queryset, name, value):
        return queryset.filter(**{name: value.strip()})

    def day_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def day_to(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))

    @property
    def qs(self):
        """Newest first; a query with an error (an end before the start) shows nothing, not everything."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs.order_by("-at", "-pk")
