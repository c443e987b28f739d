"""django-import-export's resource for the roster: the admin's import/export, and the stock
row-by-row path the benchmark compares the portal's bulk import with (issue 3).

The cells are read by the same parsers as the portal's own import (members.roster), so both
understand the same files; the bulk import (members.imports) is what secretaries use."""

from import_export import fields, resources, widgets

from branches.models import Organisation
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
        return "" if value is None else str(value)


_COLUMNS = {c.field: c for c in roster.COLUMNS}


class MemberResource(resources.ModelResource):
    organisation = fields.Field(
        attribute="organisation", column_name="组织代码", widget=widgets.ForeignKeyWidget(Organisation, "code")
    )

    class Meta:
        model = Member
        import_id_fields = ("id_number",)
        fields = (*(c.field for c in roster.COLUMNS if not c.field.startswith("organisation_")), "organisation")
        skip_unchanged = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        return lambda **kwargs: RosterCellWidget(f.name) if f.name in _COLUMNS else default(**kwargs)

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if field_name in _COLUMNS:
            field.column_name = _COLUMNS[field_name].header
        return field
