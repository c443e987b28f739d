"""The party activity funds' URLs for the permission matrix (F-ACTIVITY-*). The budget form needs a
funded unit, so "activity_unit" is its own object kind: inside, a non-public enterprise's party
group under B1 (every role of T1 and B1 sees it); outside, a non-public enterprise's branch under T2.
The units list takes any organisation ("org": B1 inside, B3 outside)."""

from decimal import Decimal

from branches.enums import OrganisationKind, Sector
from funding.services import activity
from tests.factories import make_org

VIEWS = {
    "funding:activity": ("view", "org"),
    "funding:activity_budget": ("edit", "activity_unit"),
    "funding:activity_report": ("view", None),
    "funding:activity_export": ("view", None),
}
READ_ONLY = {"funding:activity", "funding:activity_report", "funding:activity_export"}
POST_ONLY = set()
EXTRA_KWARGS = {name: {"year": 2024} for name in VIEWS}
POST_PERMISSION = {}


def objects(zone) -> dict:
    """Object kind -> (inside B1's scope, under T2): a funded unit with its 2024 budget recorded."""
    inside = make_org(
        zone.b1,
        OrganisationKind.PARTY_GROUP,
        sector=Sector.NON_PUBLIC,
        code="AF1",
        name="东村合作社党小组",
        unit_name="东村农业合作社",
        wage_bill=Decimal("800000"),
    )
    outside = make_org(
        zone.t2,
        OrganisationKind.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="AF3",
        name="中共长沙某科技有限公司支部委员会",
        unit_name="长沙某科技有限公司",
        wage_bill=Decimal("1200000"),
    )
    for unit in (inside, outside):
        activity.activity_budget_record(organisation=unit, year=2024, wage_bill=unit.wage_bill, budget=Decimal("3000"))
    return {"activity_unit": (inside, outside)}
