"""Celery adapters for members."""

from celery import shared_task

from . import services


@shared_task(name="members.member_counts_refresh")
def member_counts_refresh() -> int:
    """Nightly safety net: recount active members of every organisation."""
    return services.member_counts_refresh()
