"""Pairings (S-PAIRING), community grid units (S-GRID) and 双强六好 (S-DOUBLE-STRONG)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.enums import DoubleStrongStatus, PairingKind
from assessments.models import Pairing
from branches.enums import OrganisationKind, Sector
from core import scoping
from tests.factories import make_org

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 4, 1)


def test_pairings_by_kind_of_organisation(zone, users):
    agency = make_org(zone.t2, OrganisationKind.BRANCH, sector=Sector.AGENCY, code="AG1", name="区财政局机关党支部")
    pairing = services.pairing_record(
        organisation=agency, kind=PairingKind.AGENCY_VILLAGE, partner=zone.v1, started_on=DAY, content="帮建村部"
    )
    # The village's own administrators see the pairing too (it is in scope by its partner).
    assert list(scoping.for_user(Pairing.objects.all(), users.town_admin)) == [pairing]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.pairing_record(
            organisation=agency, kind=PairingKind.AGENCY_VILLAGE, partner=agency, started_on=DAY, content="x"
        )
    assert exc.value.message_dict["partner"] == ["请选择该类结对所需类型的对象。"]
    with pytest.raises(ValidationError):
        services.pairing_record(
            organisation=zone.b1, kind=PairingKind.SCHOOLS, partner=zone.v1, started_on=DAY, content="x"
        )


def test_member_linked_with_households(zone):
    member = zone.b1_members[1]
    pairing = services.pairing_record(
        organisation=zone.b1,
        kind=PairingKind.MEMBER_HOUSEHOLDS,
        member=member,
        households=5,
        started_on=DAY,
        content="联系五户群众",
    )
    assert (pairing.member, pairing.households, pairing.partner) == (member, 5, None)
    with pytest.raises(ValidationError):
        services.pairing_record(
            organisation=zone.b1,
            kind=PairingKind.MEMBER_HOUSEHOLDS,
            member=zone.b3_members[0],
            households=5,
            started_on=DAY,
            content="x",
        )


def test_grid_units_of_communities(zone):
    unit = services.grid_unit_record(organisation=zone.b3, name="第一网格", households=320, leader=zone.b3_members[0])
    assert unit.leader == zone.b3_members[0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.grid_unit_record(organisation=zone.b3, name="第一网格", households=100)
    assert exc.value.message_dict["name"] == ["该社区已有同名网格。"]
    with pytest.raises(ValidationError):
        services.grid_unit_record(organisation=zone.b1, name="x", households=10)  # a village


def test_double_strong_applied_once_and_decided_by_the_bureau_once(zone, users):
    enterprise = make_org(
        zone.t1, OrganisationKind.BRANCH, sector=Sector.NON_PUBLIC, code="NP1", name="某科技公司党支部"
    )
    application = services.double_strong_apply(organisation=enterprise, applied_on=DAY)
    with pytest.raises(ValidationError):
        services.double_strong_apply(organisation=enterprise, applied_on=DAY + datetime.timedelta(days=3))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.double_strong_decide(application=application, awarded=True, decided_on=DAY, user=users.town_admin)
    assert exc.value.messages == ["双强六好由组织人事局评定。"]
    services.double_strong_decide(application=application, awarded=True, decided_on=DAY, user=users.bureau)
    assert application.status == DoubleStrongStatus.AWARDED
    with pytest.raises(ValidationError):
        services.double_strong_decide(application=application, awarded=False, decided_on=DAY, user=users.bureau)


def test_pairing_form_finds_the_partner_by_code(zone, users, client_for):
    agency = make_org(zone.t1, OrganisationKind.BRANCH, sector=Sector.AGENCY, code="AG2", name="区教育局机关党支部")
    client = client_for(users.town_admin)
    url = reverse("assessments:pairing_create", args=[agency.pk])
    with translation.override("zh-hans"):
        response = client.post(
            url, {"kind": "agency_village", "partner_code": "NOPE", "started_on": "2024-04-01", "content": "共建"}
        )
    assert response.context["form"].errors["partner_code"] == ["没有该组织代码对应的组织。"]
    response = client.post(
        url, {"kind": "agency_village", "partner_code": "B3", "started_on": "2024-04-01", "content": "共建"}
    )
    assert response.status_code == 302
    assert Pairing.objects.get().partner == zone.b3


def test_grid_leader_belongs_to_the_community(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.grid_unit_record(organisation=zone.b3, name="第二网格", households=80, leader=zone.b1_members[0])
    assert exc.value.message_dict["leader"] == ["网格党员须是该社区党组织的党员。"]
