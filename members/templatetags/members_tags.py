from django import template
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.masking import cell_shown, id_number_masked, phone_masked, text_masked
from core.reversing import reverse_fast

register = template.Library()


@register.simple_tag
def member_rows(members, unmasked: bool):
    """The member list's rows (members/member/list.html), made in one pass: the list is the page
    town administrators open most, and the template loop spent some 200 template calls a row
    (issue 16). Each member's `mobile` as `mobile.mobile_marked` sets it. The labels (gender,
    category, status) are looked up and escaped once a page, dates formatted without Django's
    general formatter; only the members' own text is escaped row by row."""
    if not members:
        return format_html('<tr><td colspan="8" class="text-muted">{}</td></tr>', _("No member matches."))
    page = _PageText()
    return mark_safe("".join([_member_row(m, unmasked, page) for m in members]))  # each part escaped in _member_row


class _PageText:
    """What every row of a page shares: the labels of choices, escaped once; the date format."""

    def __init__(self):
        self.labels: dict = {}
        self.date = date_formatter()
        self.last_contact, self.lost, self.away = (
            escape(_("Last contact")),
            escape(_("Lost contact")),
            escape(_("Mobile")),
        )

    def label(self, member, field: str) -> str:
        key = (field, getattr(member, field))
        shown = self.labels.get(key)
        if shown is None:
            shown = self.labels[key] = escape(getattr(member, f"get_{field}_display")())
        return shown


def date_formatter():
    """A function giving a date as `formats.localize` does in the active language: the usual
    formats (Y年n月j日, Y-m-d) built directly, anything else left to Django."""
    pattern = formats.get_format("DATE_FORMAT")
    parts = {"Y": "{0.year}", "n": "{0.month}", "j": "{0.day}", "m": "{0.month:02d}", "d": "{0.day:02d}"}
    # Django reads every ASCII letter of a format as a code, anything else (年, -) as itself.
    if all(char in parts or not (char.isascii() and char.isalpha()) for char in pattern) and "\\" not in pattern:
        template = "".join(parts.get(char, char.replace("{", "{{").replace("}", "}}")) for char in pattern)
        return lambda day: "" if day is None else template.format(day)
    return lambda day: "" if day is None else formats.date_format(day)


def _member_row(member, unmasked: bool, page: _PageText) -> str:
    mobile = ""
    record = getattr(member, "mobile", None)
    if record is not None:
        lost = record.lost_contact
        reached = record.reached_on.isoformat() if record.reached_on else ""
        mobile = (
            f' <a class="badge {"text-bg-warning" if lost else "text-bg-info"} text-decoration-none" '
            f'href="{reverse_fast("members:mobile_detail", [record.pk])}" title="{page.last_contact}">'
            f"{page.lost if lost else page.away} · {reached}</a>"
        )
    return (
        f'<tr><td><a href="{reverse_fast("members:detail", [member.pk])}">{escape(member.name)}</a>{mobile}</td>'
        f"<td>{page.label(member, 'gender')}</td><td>{page.date(member.birth_date)}</td>"
        f'<td class="font-monospace">{escape(id_shown(member.id_number, unmasked))}</td>'
        f"<td>{page.label(member, 'category')}</td>"
        f'<td><a href="{reverse_fast("branches:detail", [member.organisation_id])}">'
        f"{escape(member.organisation.name)}</a></td>"
        f'<td class="font-monospace">{escape(phone_shown(member.phone, unmasked))}</td>'
        f"<td>{page.label(member, 'status')}</td></tr>"
    )


@register.filter
def id_shown(number: str, unmasked: bool) -> str:
    return number if unmasked else id_number_masked(number or "")


@register.filter
def phone_shown(phone: str, unmasked: bool) -> str:
    return phone if unmasked else phone_masked(phone or "")


@register.filter
def cell_value_shown(error: dict, unmasked: bool) -> str:
    """A rejected roster cell's value, masked in the ID number and phone columns (issue 13)."""
    column = error.get("field") or error.get("column", "")
    return cell_shown(column=column, value=error.get("value", ""), unmasked=unmasked)


@register.filter
def masked_text(text: str) -> str:
    """Free text (a failure) with any ID number or mobile number in it masked."""
    return text_masked(text or "")
