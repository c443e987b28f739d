"""The years the portal keeps: from the opinion's first (2015, the first policy revision's year) to this
one. Named once here; views read a year from the URL with the `year` path converter and from a query
string with `year_clamped`, services refuse days outside it with `day_check`."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The first policy revision, written by migration 0003 with the 2015 opinion's values (its name shown translated).
FIRST_REVISION_NAME = "2015年意见"
FIRST_REVISION_DAY = datetime.date(2015, 1, 1)
FIRST_YEAR = FIRST_REVISION_DAY.year


def year_clamped(value) -> int:
    """A year asked for by a page: one from FIRST_YEAR to this year, else this year."""
    this_year = timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= this_year else this_year


def years_back() -> range:
    """This year down to the first, for a page's year picker."""
    return range(timezone.localdate().year, FIRST_YEAR - 1, -1)


class YearConverter:
    """`<year:year>` in a URL: any number, given to the view as a year the portal keeps."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return year_clamped(value)

    def to_url(self, value) -> str:
        return str(int(value))


def day_check(day: datetime.date, field: str = "held_on") -> None:
    """A day recorded on a page: not in the future, not before the opinion's first year."""
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
    if day.year < FIRST_YEAR:
        raise ValidationError({field: _("Records start in %(year)s, the year of the opinion.") % {"year": FIRST_YEAR}})
