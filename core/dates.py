"""Dates inside messages built in Python, in the active language's format (issue 12).

`"%(date)s" % {"date": day}` would print the ISO form (2024-01-15) even in a Chinese sentence,
while templates show 2024年1月15日: these helpers give messages the templates' formats
(`portal/formats/<language>/formats.py`). Audit data, JSON, exports and logs keep ISO.
"""

import datetime

from django.utils import formats, timezone


def day_text(day: datetime.date | None) -> str:
    """A day as the active language writes it (DATE_FORMAT); "" for no day."""
    if day is None:
        return ""
    return formats.date_format(day, "DATE_FORMAT")


def moment_text(stamp: datetime.datetime | None) -> str:
    """A moment in local time as the active language writes it (DATETIME_FORMAT); "" for none."""
    if stamp is None:
        return ""
    if timezone.is_aware(stamp):
        stamp = timezone.localtime(stamp)
    return formats.date_format(stamp, "DATETIME_FORMAT")
