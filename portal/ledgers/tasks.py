"""Celery adapters of the printed ledgers (ids in, the service does the work)."""

import contextlib

from celery import shared_task
from django.db import transaction
from django.utils import translation

from assessments.models import MeetingAttachment
from branches.models import Organisation
from core import audit
from core.models import User
from core.task_dispatch import task_dispatch
from core.uploads import IMAGE_TYPES
from portal.ledgers import services
from portal.ledgers.images import PDF_TYPE, ScanUnreadable, image_for_print, scan_pages_for_print


@shared_task(name="ledgers.subtree_zip")
def subtree_zip(organisation_id: int, year: int, fmt: str, user_id: int | None) -> dict:
    """Every ledger under an organisation as one ZIP (a town's takes a minute: the page shows progress)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with translation.override("zh-hans"), audit.acting_as(user):
        return services.subtree_zip_write(organisation=organisation, year=year, fmt=fmt, user=user)


PRINTED_TYPES = IMAGE_TYPES | {PDF_TYPE}


@shared_task(name="ledgers.print_copies")
def print_copies(attachment_ids: list[int]) -> int:
    """The print copies of meeting photos and the rendered pages of PDF scans just stored; a file
    deleted meanwhile is skipped, a PDF that PDFium cannot read is named in the book instead."""
    made = 0
    for attachment in MeetingAttachment.objects.filter(pk__in=attachment_ids, content_type__in=PRINTED_TYPES):
        if attachment.content_type == PDF_TYPE:
            with contextlib.suppress(ScanUnreadable):
                scan_pages_for_print(attachment.file.path)
        else:
            image_for_print(attachment.file.path)
        made += 1
    return made


def print_copies_after_upload(sender, instance, created, raw=False, **kwargs):
    """post_save of a meeting attachment: its print copy is made by a task once the meeting is committed."""
    if created and not raw and instance.content_type in PRINTED_TYPES:
        transaction.on_commit(lambda: task_dispatch(task=print_copies, args=([instance.pk],), background=True))
