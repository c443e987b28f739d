"""Resident ID numbers (GB 11643-1999): check digit, birth date and gender.

ISO 7064 MOD 11-2: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum mod 11 indexes
"10X98765432"; digits 7-14 are the birth date; digit 17 odd means male.
"""

import datetime
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """The ID number is malformed; the message says how, in the user's language."""


def id_check_digit(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


# Full-width ASCII (U+FF01-U+FF5E) and the ideographic space, as typed with a Chinese input method.
HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def half_width(raw) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms. Most cells have none: they
    are looked for first (a regular expression: a roster's cells 4 times faster than translating each)."""
    text = str(raw)
    return text.translate(HALF_WIDTH) if not text.isascii() and _FULL_WIDTH.search(text) else text


def id_normalise(raw: str) -> str:
    """Strip spaces, turn full-width digits and a lowercase x into the canonical form."""
    return "".join(half_width(raw).split()).upper()


def id_birth_date(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_is_male(number: str) -> bool:
    return int(number[16]) % 2 == 1


def id_validate(raw: str) -> str:
    """Return the normalised number, or raise IdNumberError with a message saying what is wrong."""
    from django.utils.translation import gettext as _

    number = id_normalise(raw)
    if not _SHAPE.match(number):
        raise IdNumberError(_("An ID number has 18 characters: 17 digits and a final digit or X."))
    try:
        born = id_birth_date(number)
    except ValueError as exc:
        raise IdNumberError(_("Digits 7 to 14 of the ID number are not a valid birth date.")) from exc
    if born.year < 1890:
        raise IdNumberError(_("Digits 7 to 14 of the ID number are not a valid birth date."))
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            _("The check digit of the ID number is wrong (the last character should be %(expected)s).")
            % {"expected": expected}
        )
    return number


def id_make(*, area: str, born: datetime.date, sequence: int, male: bool) -> str:
    """Build a valid number (demo data and tests): sequence 0-499 picks the order code."""
    order = sequence * 2 + (1 if male else 0)
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_digit(first17)
