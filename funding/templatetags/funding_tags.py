"""Money on the page: yuan with the fen and thousands separators (¥12,345.60); the ledgers that
apply to an organisation, for the links to them."""

from decimal import Decimal

from django import template

from funding.selectors.applicability import funding_applicable

register = template.Library()


@register.simple_tag
def funding_ledgers(organisation) -> dict[str, bool]:
    """Issue 12: ledger name -> whether it applies to the organisation (one query)."""
    return funding_applicable(organisation=organisation)


@register.filter
def yuan(value) -> str:
    """An amount in yuan as ¥1,234.50; empty for None."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):,.2f}"
