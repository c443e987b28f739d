"""What the compliance check hears from the floors below it: a change to a mobile member's record
(members.mobile sends it) checks N-MOBILE again for the home branch once the change commits, so a
contact recorded from the secretary's duties ends the duty at once (issue 18)."""

import datetime

from django.utils import timezone

from assessments.compliance.services import compliance_recheck_after
from members.mobile import mobile_record_changed
from members.models import MobileRecord

MOBILE_RULES = ("N-MOBILE",)


def mobile_recheck(sender, *, record: MobileRecord, day: datetime.date, **kwargs) -> None:
    """The years the change can alter (its day's to this one), for the home branch; nothing for in-flow."""
    if record.home_organisation_id is None:
        return
    this_year = timezone.localdate().year
    years = range(max(day.year, this_year - 1), this_year + 1)
    compliance_recheck_after(organisation=record.home_organisation, years=years, rules=MOBILE_RULES)


def connect() -> None:
    mobile_record_changed.connect(mobile_recheck, sender=MobileRecord, dispatch_uid="assessments.mobile_recheck")
