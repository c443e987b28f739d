"""Celery adapters for the organisation tree: ids in, call the selector or service."""

from celery import shared_task

from branches import selectors


@shared_task(name="branches.tree_integrity_check")
def tree_integrity_check() -> dict:
    """Nightly: the materialised paths must stay consistent after moves and bulk loads."""
    return selectors.tree_problems()
