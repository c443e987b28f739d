from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # The tree asks, before dissolving or deleting an organisation, whether members still hang on it.
        from core.holds import hold_register
        from members.services import organisation_member_holds

        hold_register(organisation_member_holds)
