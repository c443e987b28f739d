from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """The printed ledgers (issue 17): the shell's one installed app, for its management command; no models."""

    name = "portal.ledgers"
    label = "ledgers"
    verbose_name = _("Printed ledgers")
