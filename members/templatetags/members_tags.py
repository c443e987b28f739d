from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from core.masking import cell_shown, id_number_masked, phone_masked, text_masked
from core.reversing import reverse_fast

register = template.Library()


@register.simple_tag
def member_rows(members, unmasked: bool):
    """The member list's rows (members/member/list.html), made in one pass: the list is the page
    town administrators open most, and the template loop spent some 200 template calls a row
    (issue 16). Each member's `mobile` as `mobile.mobile_marked` sets it."""
    if not members:
        return format_html('<tr><td colspan="8" class="text-muted">{}</td></tr>', _("No member matches."))
    return format_html_join("", "{}", ((_member_row(m, unmasked),) for m in members))


def _member_row(member, unmasked: bool):
    mobile = ""
    record = getattr(member, "mobile", None)
    if record is not None:
        lost = record.lost_contact
        mobile = format_html(
            ' <a class="badge {} text-decoration-none" href="{}" title="{}">{} · {}</a>',
            "text-bg-warning" if lost else "text-bg-info",
            reverse_fast("members:mobile_detail", [record.pk]),
            _("Last contact"),
            _("Lost contact") if lost else _("Mobile"),
            formats.date_format(record.reached_on, "Y-m-d") if record.reached_on else "",
        )
    return format_html(
        '<tr><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td><td class="font-monospace">{}</td><td>{}</td>'
        '<td><a href="{}">{}</a></td><td class="font-monospace">{}</td><td>{}</td></tr>',
        reverse_fast("members:detail", [member.pk]),
        member.name,
        mobile,
        member.get_gender_display(),
        formats.localize(member.birth_date),
        id_shown(member.id_number, unmasked),
        member.get_category_display(),
        reverse_fast("branches:detail", [member.organisation_id]),
        member.organisation.name,
        phone_shown(member.phone, unmasked),
        member.get_status_display(),
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
