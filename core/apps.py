from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel every app stands on. Its label stays "portal": the user model, the audit trail and the
    policy parameters keep their tables, migrations and permissions from before the kernel moved here."""

    default = True
    name = "core"
    label = "portal"
    verbose_name = _("Portal and accounts")

    def ready(self):
        from django.urls import register_converter

        from core import audit
        from core.years import YearConverter

        register_converter(YearConverter, "year")

        from core.displays import displays_speed_up

        displays_speed_up()

        from django.db.models.signals import post_delete, post_save

        from core.models import PolicyRevision, PolicyValue
        from core.policy import policy_changed

        for model in (PolicyRevision, PolicyValue):
            post_save.connect(policy_changed, sender=model, dispatch_uid=f"core.policy_changed.save.{model.__name__}")
            post_delete.connect(
                policy_changed, sender=model, dispatch_uid=f"core.policy_changed.delete.{model.__name__}"
            )

        audit.connect()
        # Login receivers (issue 7): the session's login time, the username's lockout count cleared.
        from core import lockout, sessions  # noqa: F401


class CoreAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.BureauOnlyAdminSite"
