from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """The printed ledgers (issue 17): the shell's one installed app, for its management command; no models."""

    name = "portal.ledgers"
    label = "ledgers"
    verbose_name = _("Printed ledgers")

    def ready(self):
        # A meeting's photo gets its print copy when it is stored (a task after the commit), so the
        # record book need not shrink a hundred photos while the secretary waits (portal/ledgers/images.py).
        from assessments.models import MeetingAttachment
        from portal.ledgers.tasks import print_copies_after_upload

        post_save.connect(print_copies_after_upload, sender=MeetingAttachment, dispatch_uid="ledgers_print_copies")
