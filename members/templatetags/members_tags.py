from django import template

from core.masking import cell_shown, id_number_masked, phone_masked, text_masked

register = template.Library()


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
