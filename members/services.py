"""Writes to member records. Every service that adds, moves or changes the status of a member
calls `member_counts_refresh` for the organisations it touched."""

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from branches.models import Organisation

from .enums import MemberStatus
from .models import Member


def member_counts_refresh(*, organisation_ids=None) -> int:
    """Recount active members per organisation (all of them when no ids are given); one UPDATE."""
    counted = (
        Member.objects.filter(organisation=OuterRef("pk"), status=MemberStatus.ACTIVE)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    organisations = Organisation.objects.all()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=list(organisation_ids))
    return organisations.update(member_count=Coalesce(Subquery(counted), Value(0)))
