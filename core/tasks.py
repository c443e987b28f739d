"""Celery adapters for the portal: each task calls one service."""

from celery import shared_task

from core import audit, pending_uploads


@shared_task(name="portal.audit_purge")
def audit_purge() -> int:
    """Nightly (beat, 03:30): audit entries past AUDIT_RETENTION_DAYS go; never one younger than six months."""
    return audit.audit_purge()


@shared_task(name="portal.pending_uploads_purge")
def pending_uploads_purge() -> int:
    """Nightly (beat, 03:45): files kept for a form that was never saved go once their reference expired."""
    return pending_uploads.pending_uploads_purge()
