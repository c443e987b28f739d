"""Writes of the compliance check besides the run itself: starting a run, checking again after a
record is saved, waiving a finding."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Finding
from assessments.tasks import compliance_recheck_task, compliance_run_task
from branches.models import Organisation
from core.permissions import has_permission
from core.task_dispatch import Dispatched, task_dispatch

# The rules each kind of record serves (issue 12: what a saved record may fix is checked again at once).
MEETING_RULES = ("Q-THREE-MEETINGS", "N-MEETINGS", "Q-LIFE-MEETING", "Q-LECTURE-SECRETARY")
DELIBERATION_RULES = ("Q-FOUR-DELIBERATIONS",)
STUDY_RULES = ("Q-TRAINING-MEMBER", "Q-TRAINING-LEADER")
TALK_RULES = ("Q-TALKS",)
EVALUATION_RULES = ("Q-EVALUATION",)


def compliance_run_start(*, year: int, user) -> Dispatched:
    """Start a run as a Celery task (in-process without a broker, in a background thread of the web
    process when the broker is down); the runs page shows its progress."""
    return task_dispatch(task=compliance_run_task, args=(year, user.pk if user else None), background=True)


def compliance_recheck_after(*, organisation: Organisation, years: Iterable[int], rules: Iterable[str]) -> None:
    """Once the transaction that saved a record commits, check the rules it serves again for its
    organisation (issue 12), as a task: queued for a worker, or run here without one (task_dispatch).
    The saves of one transaction ask for one recheck of an organisation (the demo's year of meetings)."""
    years, rules = sorted(set(years)), list(dict.fromkeys(rules))
    if connection.in_atomic_block:
        # A callback still waiting was asked for at this level, above it, or in a savepoint since released;
        # a rollback that would drop it drops this save too (Django removes a rolled-back savepoint's callbacks).
        for _savepoints, callback, _robust in connection.run_on_commit:
            if (
                isinstance(callback, _RecheckOnCommit)
                and callback.organisation_id == organisation.pk
                and not callback.done
            ):
                callback.add(years=years, rules=rules)
                return
    transaction.on_commit(_RecheckOnCommit(organisation.pk, years, rules), robust=True)


class _RecheckOnCommit:
    """The on-commit callback of `compliance_recheck_after`: ids in, the task out."""

    def __init__(self, organisation_id: int, years: list[int], rules: list[str]):
        self.organisation_id, self.years, self.rules = organisation_id, list(years), list(rules)
        self.done = False
        self.__qualname__ = "compliance_recheck_after"  # what Django logs if the callback fails

    def add(self, *, years, rules) -> None:
        self.years = sorted(set(self.years) | set(years))
        self.rules = list(dict.fromkeys([*self.rules, *rules]))

    def __call__(self) -> None:
        self.done = True
        task_dispatch(task=compliance_recheck_task, args=(self.organisation_id, self.years, self.rules))


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
