"""Community registration of in-service members and their service hours (Q-COMMUNITY-SERVICE, 二.3).

The hours a member served are recorded by the community, once, and read wherever they are needed:
the member's page now, the annual democratic evaluation (assessments) later.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.enums import Sector
from branches.models import Organisation
from core import scoping
from core.audit import acting_user
from core.scoping import subtree
from members.enums import LifeStatus, MemberStatus
from members.models import CommunityRegistration, CommunityService, Member

MAX_HOURS_A_DAY = Decimal(24)


@transaction.atomic
def community_register(
    *, member: Member, community: Organisation, on: datetime.date, user=None
) -> CommunityRegistration:
    """An in-service member reports to the community where they live (到社区报到)."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    if user is not None and not scoping.path_in_scope(user, member.organisation.path):
        raise ValidationError(_("This member is outside your responsibility."))
    if member.status != MemberStatus.ACTIVE or member.life_status != LifeStatus.IN_SERVICE:
        raise ValidationError(_("Community registration is for active in-service members (Q-COMMUNITY-SERVICE)."))
    if community.sector != Sector.COMMUNITY or community.is_dissolved:
        raise ValidationError(
            {"community": _("%(org)s is not an active community party organisation.") % {"org": community.name}}
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    open_registration = (
        CommunityRegistration.objects.filter(member=member, ended_on__isnull=True).select_related("community").first()
    )
    if open_registration is not None:
        raise ValidationError(
            _("%(name)s is registered with %(org)s already.")
            % {"name": member.name, "org": open_registration.community.name}
        )
    return CommunityRegistration.objects.create(
        member=member, community=community, registered_on=on, recorded_by=acting_user(user)
    )


@transaction.atomic
def community_service_record(
    *, registration: CommunityRegistration, served_on: datetime.date, hours: Decimal, activity: str, user=None
) -> CommunityService:
    """Hours served on one day: more than nothing, at most 24, within the registration."""
    errors = {}
    if hours <= 0 or hours > MAX_HOURS_A_DAY:
        errors["hours"] = _("Hours of one day are more than 0 and at most 24.")
    if served_on > timezone.localdate():
        errors["served_on"] = _("This date is in the future.")
    elif served_on < registration.registered_on or (registration.ended_on and served_on > registration.ended_on):
        errors["served_on"] = _("The member was not registered with the community on that day.")
    if not activity.strip():
        errors["activity"] = _("Say what the service was.")
    if errors:
        raise ValidationError(errors)
    day_total = CommunityService.objects.filter(
        registration__member=registration.member, served_on=served_on
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if day_total + hours > MAX_HOURS_A_DAY:
        raise ValidationError(
            {"hours": _("With the %(hours)s hours already recorded that day, this exceeds 24.") % {"hours": day_total}}
        )
    return CommunityService.objects.create(
        registration=registration,
        served_on=served_on,
        hours=hours,
        activity=activity.strip(),
        recorded_by=acting_user(user),
    )


def service_hours(*, member: Member, year: int) -> Decimal:
    """A member's community service hours in a calendar year."""
    total = CommunityService.objects.filter(registration__member=member, served_on__year=year).aggregate(
        total=Sum("hours")
    )
    return total["total"] or Decimal(0)


def community_registrations(*, user, community: Organisation, year: int) -> QuerySet:
    """Open registrations with the community (and its sub-organisations), with the year's hours; one query."""
    registrations = CommunityRegistration.objects.filter(subtree(community, via="community"), ended_on__isnull=True)
    return (
        scoping.for_user(registrations, user)
        .select_related("member", "member__organisation", "community")
        .annotate(year_hours=Sum("services__hours", filter=Q(services__served_on__year=year)))
        .order_by("member__name_pinyin", "pk")
    )
