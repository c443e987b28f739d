"""Money on the page: yuan with the fen and thousands separators (¥12,345.60)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in yuan as ¥1,234.50; empty for None."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):,.2f}"
