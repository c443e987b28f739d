from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = _("Portal and accounts")

    def ready(self):
        from . import audit

        audit.connect()
        # Login receivers (issue 7): the session's login time, the username's lockout count cleared.
        from . import lockout, sessions  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "portal.admin_site.BureauOnlyAdminSite"
