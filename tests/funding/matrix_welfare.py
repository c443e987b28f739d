"""The welfare project fund's and the venue rewards' URLs for the permission matrix (F-WELFARE-FUND,
F-VENUE-REWARD). The pages need a village or community (its top organisation), so "village" is its
own object kind: inside, a community party group under B1 (its parent B1 is a village branch, so
the group is the top of its community and every role of T1 and B1 sees it); outside, B3 under T2."""

import datetime

from assessments import services as assessment_services
from assessments.enums import SixStandard, VenueGrade, VenueKind
from branches.enums import OrganisationKind, Sector
from core.enums import Role
from funding.services import welfare
from tests.factories import UserFactory, make_org
from tests.uploads import pdf

VIEWS = {
    "funding:welfare": ("view", "village"),
    "funding:welfare_project_create": ("edit", "village"),
    "funding:welfare_project": ("view", "welfare_project"),
    "funding:welfare_decide": ("bureau", "welfare_project"),
    "funding:welfare_pay": ("bureau", "welfare_project"),
    "funding:welfare_receipt": ("view", "welfare_payment"),
    "funding:welfare_overview": ("view", None),
    "funding:venue_rewards": ("view", None),
    "funding:venue_reward_pay": ("bureau", "venue_inspection"),
}
READ_ONLY = {
    "funding:welfare",
    "funding:welfare_project",
    "funding:welfare_receipt",
    "funding:welfare_overview",
    "funding:venue_rewards",
}
POST_ONLY = set()
EXTRA_KWARGS = {
    "funding:welfare": {"year": 2016},
    "funding:welfare_project_create": {"year": 2016},
    "funding:welfare_overview": {"year": 2016},
}
POST_PERMISSION = {}


def objects(zone) -> dict:
    """Object kind -> (inside B1's scope, under T2): a village, an approved project, a paid receipt,
    an inspection entitled to a reward."""
    bureau = UserFactory(role=Role.BUREAU)
    inside = make_org(
        zone.b1, OrganisationKind.PARTY_GROUP, sector=Sector.COMMUNITY, code="WF1", name="东村新居社区党小组"
    )
    found = {}
    for where, village, branch in (("inside", inside, zone.b1), ("outside", zone.b3, zone.b3)):
        project = welfare.welfare_project_propose(organisation=village, year=2016, name="修路", budget=10000, user=None)
        welfare.welfare_project_decide(
            project=project, approved=True, decided_on=datetime.date(2016, 3, 1), user=bureau
        )
        payment = welfare.welfare_payment_record(
            project=project,
            paid_on=datetime.date(2016, 4, 1),
            amount=5000,
            payee="施工队",
            receipt_number="R1",
            receipt=pdf("收据.pdf"),
            user=bureau,
        )
        venue = assessment_services.venue_create(
            organisation=branch, data={"kind": VenueKind.ACTIVITY_VENUE, "name": "活动室", "address": "村部"}
        )
        assessment_services.venue_checks_record(
            venue=venue, checked_on=datetime.date(2024, 3, 3), checks={s: (True, "已具备", None) for s in SixStandard}
        )
        inspection = assessment_services.venue_inspect(
            venue=venue, inspected_on=datetime.date(2024, 3, 4), grade=VenueGrade.CLASS_3, user=bureau
        )
        found[where] = {
            "village": village,
            "welfare_project": project,
            "welfare_payment": payment,
            "venue_inspection": inspection,
        }
    return {kind: (found["inside"][kind], found["outside"][kind]) for kind in found["inside"]}
