"""Celery adapters for members: each task calls one service."""

import logging

from celery import shared_task

from core import audit
from core.models import User
from members import imports, selectors, services
from members.models import RosterUpload

logger = logging.getLogger(__name__)


@shared_task(name="members.member_counts_refresh")
def member_counts_refresh() -> int:
    """Nightly safety net: recount active members of every organisation."""
    return services.member_counts_refresh()


@shared_task(name="members.member_history_check")
def member_history_check() -> dict:
    """Nightly: history rows whose member or recorder is gone (the database does not check them)."""
    orphans = selectors.member_history_orphans()
    if any(orphans.values()):
        logger.error("member history rows without their member or recorder: %s", orphans)
    return orphans


@shared_task(name="members.roster_upload_check")
def roster_upload_check(upload_id: int) -> dict:
    """The preview of an uploaded roster (large files take a while: the page shows progress)."""
    with imports.upload_work(upload_pk=upload_id) as held:
        upload = RosterUpload.objects.select_related("organisation").get(pk=upload_id)
        if held and upload.state == RosterUpload.State.CHECKING:  # else a duplicate, or released meanwhile
            upload = imports.roster_upload_check(upload=upload)
            imports.worker_memory_release(upload=upload)
        return {"state": upload.state, "counts": upload.counts}


@shared_task(name="members.roster_upload_import")
def roster_upload_import(upload_id: int, user_id: int | None) -> dict:
    """The confirmed import of an upload, by the user who confirmed it (their scope applies)."""
    with imports.upload_work(upload_pk=upload_id) as held:
        upload = RosterUpload.objects.select_related("organisation").get(pk=upload_id)
        if not held or upload.state != RosterUpload.State.IMPORTING:  # a duplicate, or released meanwhile
            return {}
        try:
            user = User.objects.get(pk=user_id) if user_id else None
            with audit.acting_as(user):
                return imports.roster_upload_import(upload=upload, user=user)
        except Exception:
            # Nothing was written and the upload may be confirmed again. The service has kept the
            # reason on the upload and logged the detail masked; a failure before it gets the generic
            # reason. Not raised again: the worker's log would quote the database's words in full,
            # ID numbers included (issue 13, item 9).
            RosterUpload.objects.filter(pk=upload_id, state=RosterUpload.State.IMPORTING).update(
                state=RosterUpload.State.CHECKED, failure=imports.import_failure_text(upload)
            )
            upload.refresh_from_db()
            return {"state": upload.state, "failure": upload.failure}
        finally:  # after the upload's state is saved (imported, or failed and confirmable again)
            imports.worker_memory_release(upload=upload)
