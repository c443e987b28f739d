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

        # A move of the tree carries the towns kept on the mobile records with it.
        from branches.models import Organisation
        from branches.services import organisation_moved
        from members.mobile import mobile_towns_after_move

        organisation_moved.connect(mobile_towns_after_move, sender=Organisation, dispatch_uid="members.mobile_towns")
