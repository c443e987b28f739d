"""django-import-export's resource for the roster, in the roster template's columns. It has two uses:

- the **export** of the Django admin's member list (members/admin.py): .xlsx or .csv of the filtered
  list, with ID numbers and phones masked unless the resource is made with `unmasked=True` (the
  admin passes it only for roles that may see them, core.masking), each cell made safe from
  spreadsheet formulas, and each export written to the audit trail;
- the library's stock row-by-row **import**, which only the roster_import benchmark runs to compare
  it with the portal's bulk import (issue 3).

The admin has no import: a roster comes in only through the roster page (members.imports). It
checks every row, previews, keeps the member's history and audits the import, and the stock import
would skip all of that. The cells are read by the same parsers as the portal's own import
(members.roster), so both understand the same files.
"""

from import_export import fields, resources, widgets

from branches.models import Organisation
from core.excel import cell_safe
from core.masking import value_shown
from members import roster
from members.models import Member


class RosterCellWidget(widgets.Widget):
    """A roster cell read as members.roster reads it (Chinese labels, every date form)."""

    def __init__(self, field: str):
        super().__init__()
        self.field = field

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None if self.field in roster.DATE_FIELDS else ""
        values, errors = roster.row_values([value], {0: _COLUMNS[self.field]}, row_number=0)
        if errors:
            raise ValueError(errors[0].message)
        return values.get(self.field, "")

    def render(self, value, obj=None, **kwargs):
        """As the roster shows it: a choice by its label, a date as 2015-03-30."""
        if value in (None, ""):
            return ""
        return str(_labels(self.field).get(str(value), value))


def _labels(field: str) -> dict:
    return {str(k): v for k, v in Member._meta.get_field(field).flatchoices}


_COLUMNS = {c.field: c for c in roster.COLUMNS}


class MemberResource(resources.ModelResource):
    """The roster's columns. Exports mask ID numbers and phones unless made with `unmasked=True`."""

    organisation = fields.Field(
        attribute="organisation", column_name="组织代码", widget=widgets.ForeignKeyWidget(Organisation, "code")
    )

    class Meta:
        model = Member
        import_id_fields = ("id_number",)
        fields = (*(c.field for c in roster.COLUMNS if not c.field.startswith("organisation_")), "organisation")
        skip_unchanged = True

    def __init__(self, *, unmasked: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.unmasked = unmasked

    def export_field(self, field, instance, **kwargs):
        """One cell: masked where the reader may not see the value, never read as a formula."""
        value = super().export_field(field, instance, **kwargs)
        return cell_safe(value_shown(field=field.attribute or "", value=value, unmasked=self.unmasked))

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        return lambda **kwargs: RosterCellWidget(f.name) if f.name in _COLUMNS else default(**kwargs)

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if field_name in _COLUMNS:
            field.column_name = _COLUMNS[field_name].header
        return field
