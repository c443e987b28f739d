"""Personal data shown in full only to roles that need it (PIPL: ID numbers, phones).

One rule for every place a value is shown (issue 13, item 3): the member's page and its history,
the roster preview's rejected cells, the failure text of an upload, exports. Bureau staff and
organisation administrators see the values in full; everyone else (the auditor) sees them masked.
Text that is not a field's value (an error, a log line) has every ID number and mobile number in
it masked (`text_masked`), whoever reads it.
"""

import re

from core.enums import Role

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


# The fields, roster columns and history entries that hold an ID number or a phone.
MASKERS = {"id_number": id_number_masked, "phone": phone_masked}
COLUMN_FIELDS = {"公民身份号码": "id_number", "联系电话": "phone"}


def value_shown(*, field: str, value, unmasked: bool):
    """A field's value as a user sees it: masked if it is an ID number or a phone and the user may
    not see those in full."""
    masker = MASKERS.get(field)
    if unmasked or masker is None or value in (None, ""):
        return value
    return masker(str(value))


def cell_shown(*, column: str, value, unmasked: bool):
    """A roster cell named by its column header (公民身份号码, 联系电话), as a user sees it."""
    return value_shown(field=COLUMN_FIELDS.get(column, ""), value=value, unmasked=unmasked)


# An 18-character (or old 15-digit) ID number, or an 11-digit mobile number, standing alone.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def text_masked(text: str) -> str:
    """Free text (a database error, a log line) with every ID number and mobile number masked."""
    text = _ID_IN_TEXT.sub(lambda match: id_number_masked(match.group(1)), str(text))
    return _MOBILE_IN_TEXT.sub(lambda match: phone_masked(match.group(1)), text)
