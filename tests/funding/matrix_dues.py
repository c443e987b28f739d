"""Party dues (N-DUES) and collect-then-refund (F-DUES-REFUND) in the permission matrix.

"non_public" is an organisation of a non-public enterprise, which the refund pages need: inside, a
party group under B1 (so that B1's admin sees it too), outside a branch under T2. It is scoped like
"org" (404 outside an org admin's subtree)."""

import datetime
from decimal import Decimal

from branches.enums import OrganisationKind, Sector
from funding.services import dues as services
from members.models import Membership
from tests.factories import MemberFactory, make_org

YEAR = 2024

VIEWS = {
    "funding:dues": ("view", "org"),
    "funding:dues_bases": ("edit", "org"),
    "funding:dues_collect": ("edit", "org"),
    "funding:dues_arrears": ("view", None),
    "funding:dues_refunds": ("view", "non_public"),
    "funding:dues_refund_create": ("bureau", "non_public"),
}
READ_ONLY = {"funding:dues", "funding:dues_arrears", "funding:dues_refunds"}
POST_ONLY = set()
EXTRA_KWARGS = {name: {"year": YEAR} for name in VIEWS}
POST_PERMISSION = {}


def _collected(organisation, members):
    """A base of 6000 a month and January's dues for each member, through the services."""
    rows = {m.pk: {"monthly_income": Decimal(6000)} for m in members}
    services.dues_bases_record(organisation=organisation, year=YEAR, rows=rows)
    services.dues_collect(
        organisation=organisation,
        months=[datetime.date(YEAR, 1, 1)],
        member_ids=[m.pk for m in members],
        paid_on=datetime.date(YEAR, 1, 31),
    )


def objects(zone) -> dict:
    """Bases and January's dues in B1 and B3; a non-public enterprise's organisation with a member who
    paid, under B1 (inside) and under T2 (outside)."""
    _collected(zone.b1, zone.b1_members)
    _collected(zone.b3, zone.b3_members)
    found = {}
    for where, parent, kind, code in (
        ("inside", zone.b1, OrganisationKind.PARTY_GROUP, "DNP1"),
        ("outside", zone.t2, OrganisationKind.BRANCH, "DNP3"),
    ):
        branch = make_org(parent, kind, sector=Sector.NON_PUBLIC, code=code, name=f"{code}公司党组织")
        member = MemberFactory(organisation=branch)
        Membership.objects.create(member=member, organisation=branch)
        _collected(branch, [member])
        found[where] = branch
    return {"org": (zone.b1, zone.b3), "non_public": (found["inside"], found["outside"])}
