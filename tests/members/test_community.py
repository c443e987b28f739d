import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from branches.enums import OrganisationKind, Sector
from members import community
from members.enums import LifeStatus
from tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def community_org(zone):
    return make_org(
        zone.t2, OrganisationKind.PARTY_COMMITTEE, sector=Sector.COMMUNITY, name="中共新康社区委员会", code="C1"
    )


def test_register_and_record_hours_counted_per_year(zone, users, community_org):
    member = zone.b1_members[0]
    registration = community.community_register(
        member=member, community=community_org, on=datetime.date(2024, 3, 1), user=users.town_admin
    )
    community.community_service_record(
        registration=registration, served_on=datetime.date(2024, 3, 5), hours=Decimal("2.5"), activity="垃圾分类宣传"
    )
    community.community_service_record(
        registration=registration, served_on=datetime.date(2025, 1, 5), hours=Decimal("3"), activity="敬老院"
    )
    assert community.service_hours(member=member, year=2024) == Decimal("2.5")
    assert community.service_hours(member=member, year=2025) == Decimal("3")
    # The community sees the member although the member's branch is outside its town.
    listed = community.community_registrations(user=users.other_admin, community=community_org, year=2024)
    assert [(r.member_id, r.year_hours) for r in listed] == [(member.pk, Decimal("2.5"))]


def test_register_retired_member_refused(zone, community_org):
    member = zone.b1_members[0]
    member.life_status = LifeStatus.RETIRED
    member.save()
    with pytest.raises(ValidationError):
        community.community_register(member=member, community=community_org, on=datetime.date(2024, 3, 1))


def test_register_with_non_community_refused(zone):
    with pytest.raises(ValidationError) as exc:
        community.community_register(member=zone.b1_members[0], community=zone.b2, on=datetime.date(2024, 3, 1))
    assert list(exc.value.message_dict) == ["community"]


def test_service_hours_bounds_in_chinese(zone, community_org):
    registration = community.community_register(
        member=zone.b1_members[0], community=community_org, on=datetime.date(2024, 3, 1)
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        community.community_service_record(
            registration=registration, served_on=datetime.date(2024, 3, 5), hours=Decimal("0"), activity="x"
        )
    assert exc.value.message_dict == {"hours": ["单日服务时长须大于0且不超过24小时。"]}
    community.community_service_record(
        registration=registration, served_on=datetime.date(2024, 3, 5), hours=Decimal("20"), activity="值守"
    )
    with pytest.raises(ValidationError) as exc:
        community.community_service_record(
            registration=registration, served_on=datetime.date(2024, 3, 5), hours=Decimal("5"), activity="值守"
        )
    assert list(exc.value.message_dict) == ["hours"]
    with pytest.raises(ValidationError) as exc:
        community.community_service_record(
            registration=registration, served_on=datetime.date(2024, 2, 28), hours=Decimal("1"), activity="x"
        )
    assert list(exc.value.message_dict) == ["served_on"]


def test_member_page_shows_year_hours_and_forms_work(zone, users, client_for, community_org):
    client = client_for(users.bureau)
    member = zone.b1_members[0]
    today = timezone.localdate()
    response = client.post(
        reverse("members:community_register", args=[member.pk]), {"community_code": "C1", "on": str(today)}
    )
    assert response.status_code == 302
    registration = member.community_registrations.get()
    response = client.post(
        reverse("members:community_service", args=[registration.pk]),
        {"served_on": str(today), "hours": "1.5", "activity": "义诊"},
    )
    assert response.status_code == 302
    page = client.get(reverse("members:detail", args=[member.pk]))
    assert page.context["service_hours"] == Decimal("1.5")
