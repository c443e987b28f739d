"""Celery adapters for the portal: each task calls one service."""

from celery import shared_task

from . import audit


@shared_task(name="portal.audit_purge")
def audit_purge() -> int:
    """Nightly (beat, 03:30): audit entries past AUDIT_RETENTION_DAYS go; never one younger than six months."""
    return audit.audit_purge()
