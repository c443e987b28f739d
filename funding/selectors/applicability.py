"""Which funding ledgers apply to an organisation (issue 12): each serves some sectors only, so a
ledger that can hold no row for an organisation is left out of its links, and its page says so
instead of showing an empty table.

Decided from the sectors and kinds in the organisation's subtree (itself included): a village
branch has no unit under an activity-fund formula and no non-public enterprise; a town committee
or the work committee has such units below it. One query, whatever the size of the subtree.
"""

from django.db.models import Exists, OuterRef, Q

from branches.enums import OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from core import scoping
from funding.services.activity import FUNDED_SECTORS

# Ledger -> the organisations it serves.
SERVED = {
    # F-ACTIVITY-*: agencies, public institutions, schools, state-owned and non-public enterprises.
    "activity": Q(sector__in=FUNDED_SECTORS),
    # F-DUES-REFUND: the dues of non-public enterprises' organisations are collected, then refunded.
    "dues_refund": Q(sector=Sector.NON_PUBLIC),
    # F-LIAISON-FUND: the liaison groups (the instructors' allowances: wherever one is posted, below).
    "liaison": Q(kind=OrganisationKind.LIAISON_GROUP),
    # F-WELFARE-FUND: villages and communities.
    "welfare": Q(sector__in=(Sector.VILLAGE, Sector.COMMUNITY)),
}


def funding_applicable(*, organisation: Organisation) -> dict[str, bool]:
    """Ledger name -> whether it applies to the organisation or to some organisation under it (one query)."""
    subtree = Organisation.objects.active().filter(scoping.subtree(OuterRef("path")))
    flags = {name: Exists(subtree.filter(served)) for name, served in SERVED.items()}
    # S-INSTRUCTOR: instructors are sent to enterprises and villages; their allowances are paid from the liaison funds.
    instructors = Post.objects.filter(scoping.subtree(OuterRef("path"), via="organisation"), kind=PostKind.INSTRUCTOR)
    row = Organisation.objects.filter(pk=organisation.pk).values(**flags, instructors=Exists(instructors)).first()
    if row is None:
        return dict.fromkeys(SERVED, False)
    row["liaison"] = row["liaison"] or row.pop("instructors")
    return row


def ledger_applies(*, organisation: Organisation, ledger: str) -> bool:
    """Whether one ledger applies to the organisation (its page says plainly when it does not)."""
    return funding_applicable(organisation=organisation)[ledger]
