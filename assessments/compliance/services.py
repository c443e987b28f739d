"""Writes of the compliance check besides the run itself: starting a run, waiving a finding."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.permissions import has_permission
from portal.task_dispatch import Dispatched, task_dispatch

from ..models import Finding


def compliance_run_start(*, year: int, user) -> Dispatched:
    """Start a run as a Celery task (in-process without a broker, in a background thread of the web
    process when the broker is down); the runs page shows its progress."""
    from ..tasks import compliance_run_task

    return task_dispatch(task=compliance_run_task, args=(year, user.pk if user else None), background=True)


def finding_waive(*, finding: Finding, reason: str, user) -> Finding:
    """The bureau waives an open finding with a reason; later runs keep it waived."""
    if not has_permission(user, "bureau"):
        raise ValidationError(_("Only the organisation bureau waives a finding."))
    if finding.status != Finding.Status.OPEN:
        raise ValidationError(_("Only an open finding can be waived."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the waiver."))
    finding.status = Finding.Status.WAIVED
    finding.waived_reason = reason.strip()
    finding.waived_by = user
    finding.waived_at = timezone.now()
    finding.save(update_fields=["status", "waived_reason", "waived_by", "waived_at"])
    return finding
