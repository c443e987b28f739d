"""Personal data shown in full only to roles that need it (PIPL: ID numbers, phones)."""

from portal.enums import Role

FULL_VIEW_ROLES = frozenset({Role.BUREAU, Role.ORG_ADMIN})


def sees_personal_data(user) -> bool:
    """Bureau staff and organisation administrators (inside their scope) see ID numbers and phones in full."""
    return bool(user.is_authenticated and user.is_active and user.role in FULL_VIEW_ROLES)


def id_number_masked(number: str) -> str:
    """430104********123X: the region and the last four stay readable."""
    if len(number) < 10:
        return "*" * len(number)
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"


def phone_masked(phone: str) -> str:
    """138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
