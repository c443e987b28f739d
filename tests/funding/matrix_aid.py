"""Permission matrix of the member aid fund and the liaison funds (merged into tests/portal/test_permission_matrix.py)."""

import datetime

from assessments import services as assessment_services
from assessments.enums import ReportResult
from branches import services as branch_services
from branches.enums import OrganisationKind, PostKind
from funding.enums import AidGroup, LiaisonPayment
from funding.services import aid
from members.models import Member
from tests.factories import UserFactory, make_org

VIEWS = {
    "funding:aid": ("view", "org"),
    "funding:aid_grant": ("bureau", "member"),
    "funding:liaison": ("view", "org"),
    "funding:liaison_pay": ("bureau", "liaison_group"),
    "funding:instructor_allowance": ("bureau", "instructor_post"),
}
READ_ONLY = {"funding:aid", "funding:liaison"}
POST_ONLY = set()
EXTRA_KWARGS = {"funding:liaison": {"year": 2024}, "funding:liaison_pay": {"year": 2024}}
POST_PERMISSION = {}


def objects(zone) -> dict:
    """A liaison group and an instructor's post under T1 and under T2, each with a payment recorded
    through the services; B1's and B3's first members granted aid."""
    bureau = UserFactory(role="bureau")
    found = {"liaison_group": [], "instructor_post": []}
    for town, members in ((zone.t1, zone.b1_members), (zone.t2, zone.b3_members)):
        group = make_org(town, OrganisationKind.LIAISON_GROUP, name=f"{town.code}非公党建联组")
        branch_services.post_assign(
            organisation=group, member=members[1], kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
        )
        assessment_services.annual_report_record(
            organisation=group,
            year=2024,
            reported_on=datetime.date(2025, 1, 15),
            result=ReportResult.GOOD,
            published_on=datetime.date(2025, 1, 20),
            published_where="公开栏",
            text="述职报告",
        )
        aid.liaison_fund_pay(
            organisation=group,
            year=2024,
            kind=LiaisonPayment.WORK_FUND,
            amount=5000,
            paid_on=datetime.date(2025, 2, 1),
            user=bureau,
        )
        post = branch_services.post_assign(
            organisation=members[0].organisation,
            member=members[1],
            kind=PostKind.INSTRUCTOR,
            started_on=datetime.date(2024, 1, 1),
        )
        aid.instructor_allowance_pay(
            post=post,
            first_month=datetime.date(2024, 1, 1),
            last_month=datetime.date(2024, 3, 1),
            amount=1500,
            paid_on=datetime.date(2024, 4, 1),
            user=bureau,
        )
        Member.objects.filter(pk=members[0].pk).update(in_hardship=True, has_district_honours=True)
        members[0].refresh_from_db()
        aid.aid_grant_record(
            member=members[0],
            group=AidGroup.HONOURS,
            amount=800,
            granted_on=datetime.date(2024, 5, 1),
            reason="因病致困",
            user=bureau,
        )
        found["liaison_group"].append(group)
        found["instructor_post"].append(post)
    return {kind: tuple(pair) for kind, pair in found.items()}
