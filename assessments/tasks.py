"""Celery adapters for the compliance check: each task calls one service."""

from celery import shared_task
from django.utils import timezone

from assessments.compliance.engine import compliance_recheck, compliance_run
from assessments.compliance.rules_reports import REPORT_BY
from branches.models import Organisation
from core import audit
from core.models import User

# The report on a year may be given until the end of March of the next (Q-ANNUAL-REPORT), and the
# year is judged on it the day after: the nightly check finalises the year before until a week past
# that day (a night that fails has six more), so the beat itself makes that judgement.
PREVIOUS_YEAR_UNTIL = (REPORT_BY[0] + 1, 7)


@shared_task(name="assessments.compliance_nightly")
def compliance_nightly() -> list[dict]:
    """Celery beat, 02:00 Asia/Shanghai: the current year (and the previous one early in the year)."""
    today = timezone.localdate()
    years = [today.year]
    if (today.month, today.day) <= PREVIOUS_YEAR_UNTIL:
        years.insert(0, today.year - 1)
    return [_result(compliance_run(year=year, trigger="beat")) for year in years]


@shared_task(name="assessments.compliance_run")
def compliance_run_task(year: int, user_id: int | None = None) -> dict:
    """A run the bureau started from the runs page."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with audit.acting_as(user):
        return _result(compliance_run(year=year, user=user, trigger="bureau" if user else "manual"))


@shared_task(name="assessments.compliance_recheck")
def compliance_recheck_task(organisation_id: int, years: list[int], rules: list[str]) -> list[dict]:
    """Issue 12: the rules a saved record serves, checked again for its organisation right away."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return []
    return [compliance_recheck(organisation=organisation, year=year, rules=rules)._asdict() for year in years]


def _result(run) -> dict:
    return {
        "run": run.pk,
        "year": run.year,
        "state": run.state,
        "opened": run.opened,
        "resolved": run.resolved,
        "open": run.open_total,
    }
