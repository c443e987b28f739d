from django import template

from members.masking import id_number_masked, phone_masked

register = template.Library()


@register.filter
def id_shown(number: str, unmasked: bool) -> str:
    return number if unmasked else id_number_masked(number or "")


@register.filter
def phone_shown(phone: str, unmasked: bool) -> str:
    return phone if unmasked else phone_masked(phone or "")
