"""Celery adapter: the subtree's ZIP, by the user who asked for it (ids in, the service does the work)."""

from celery import shared_task
from django.utils import translation

from branches.models import Organisation
from core import audit
from core.models import User
from portal.ledgers import services


@shared_task(name="ledgers.subtree_zip")
def subtree_zip(organisation_id: int, year: int, fmt: str, user_id: int | None) -> dict:
    """Every ledger under an organisation as one ZIP (a town's takes a minute: the page shows progress)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with translation.override("zh-hans"), audit.acting_as(user):
        return services.subtree_zip_write(organisation=organisation, year=year, fmt=fmt, user=user)
