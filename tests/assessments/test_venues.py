"""Venues (S-VENUE), the six standards with evidence (Q-VENUE-SIXHAVE), the bureau's acceptance and
its one-off reward (F-VENUE-REWARD)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.enums import SixStandard, VenueGrade, VenueKind
from assessments.models import VenueCheck
from branches.enums import OrganisationKind, Sector
from tests.concurrency import opened
from tests.factories import make_org
from tests.uploads import jpeg

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 5, 6)


def photo(name="照片.jpg"):
    return jpeg(name)


def venue(zone, organisation=None, kind=VenueKind.ACTIVITY_VENUE):
    return services.venue_create(
        organisation=organisation or zone.v1, data={"kind": kind, "name": "东村党员活动室", "address": "东村村部二楼"}
    )


def all_met(v):
    checks = {s: (True, "", photo()) for s in SixStandard}
    return services.venue_checks_record(venue=v, checked_on=DAY, checks=checks)


def test_a_standard_is_met_only_with_evidence(zone):
    v = venue(zone)
    checks = {SixStandard.PLACE: (True, "", photo()), SixStandard.FLAG: (True, "", None)}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.venue_checks_record(venue=v, checked_on=DAY, checks=checks)
    assert exc.value.message_dict["checks"] == ["“有党旗”须有佐证（照片或说明）才算达标。"]
    assert VenueCheck.objects.count() == 0
    checks[SixStandard.FLAG] = (True, "会议室正面墙悬挂党旗", None)
    services.venue_checks_record(venue=v, checked_on=DAY, checks=checks)
    assert dict(VenueCheck.objects.values_list("standard", "is_met")) == {
        **{s.value: False for s in SixStandard},
        "place": True,
        "flag": True,
    }
    # The photo on record still counts at the next check.
    services.venue_checks_record(venue=v, checked_on=DAY, checks={SixStandard.PLACE: (True, "", None)})
    assert VenueCheck.objects.get(standard="place").is_met is True


def test_acceptance_grades_only_a_venue_meeting_all_six(zone, users):
    v = venue(zone)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.CLASS_2, user=users.bureau)
    assert exc.value.message_dict["grade"][0].startswith("该场所未达到六有标准（缺：有场所、")
    failed = services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.FAILED, user=users.bureau)
    assert failed.reward == 0
    with pytest.raises(ValidationError):
        services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.FAILED, user=users.town_admin)


def test_reward_is_paid_once_and_a_better_grade_adds_the_difference(zone, users):
    v = venue(zone)
    all_met(v)
    first = services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.CLASS_3, user=users.bureau)
    again = services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.CLASS_3, user=users.bureau)
    better = services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.CLASS_1, user=users.bureau)
    worse = services.venue_inspect(venue=v, inspected_on=DAY, grade=VenueGrade.CLASS_2, user=users.bureau)
    assert [first.reward, again.reward, better.reward, worse.reward] == [Decimal(4000), 0, Decimal(4000), 0]


def test_villages_and_communities_below_standard(zone):
    community = make_org(zone.t2, OrganisationKind.BRANCH, sector=Sector.COMMUNITY, code="C1", name="新城社区党支部")
    below = selectors.venues_below_standard(organisation=zone.wc)
    tops = [row["organisation"] for row in below]
    assert zone.v1 in tops and zone.b1 not in tops  # the village once, not each of its branches
    assert zone.b3 in tops and community in tops
    v = venue(zone, organisation=zone.b1)  # a venue of a branch of the village serves the village
    assert {r["organisation"]: r["has_venue"] for r in selectors.venues_below_standard(organisation=zone.wc)}[zone.v1]
    all_met(v)
    tops = [row["organisation"] for row in selectors.venues_below_standard(organisation=zone.wc)]
    assert zone.v1 not in tops and zone.b3 in tops
    assert [r["organisation"] for r in selectors.venues_below_standard(organisation=zone.t1)] == []


def test_six_standards_form_and_photo_served_in_scope(zone, users, client_for):
    v = venue(zone)
    client = client_for(users.town_admin)
    data = {
        "checked_on": "2024-05-06",
        "met_place": "on",
        f"photo_{SixStandard.PLACE}": photo(),
        "met_sign": "on",
        "note_sign": "门口挂牌",
    }
    url = reverse("assessments:venue_checks", args=[v.pk])
    response = client.post(url, opened(client, url, data))
    assert response.status_code == 302
    check = VenueCheck.objects.get(standard="place")
    url = reverse("assessments:venue_photo", args=[check.pk])
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"\xff\xd8")
    page = client.get(reverse("assessments:venue", args=[v.pk]))
    assert [(s.value, bool(c and c.is_met)) for s, c in page.context["standards"]][:3] == [
        ("place", True),
        ("facilities", False),
        ("sign", True),
    ]
    assert client_for(users.other_admin).get(url).status_code == 404  # the same client, logged in as T2's admin


def test_venue_form_bad_area_in_chinese(zone, users, client_for):
    with translation.override("zh-hans"):
        response = client_for(users.town_admin).post(
            reverse("assessments:venue_create", args=[zone.v1.pk]),
            {"kind": "activity_venue", "name": "活动室", "address": "村部", "area": "0"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["area"] == ["面积须大于0。"]


def test_six_standards_post_with_an_error_keeps_the_photo_and_marks_the_row(zone, users, client_for):
    v = venue(zone)
    client, url = client_for(users.town_admin), reverse("assessments:venue_checks", args=[v.pk])
    data = {
        "checked_on": "2024-05-06",
        "met_place": "on",
        f"photo_{SixStandard.PLACE}": photo("活动室.jpg"),
        "met_flag": "on",
    }
    with translation.override("zh-hans"):
        response = client.post(url, opened(client, url, data))
    assert (response.status_code, VenueCheck.objects.count()) == (200, 0)
    kept = response.context["kept_photos"][SixStandard.PLACE]
    content = response.content.decode()
    assert '<tr id="standard-flag" class="table-danger" data-error-row>' in content
    assert f'name="kept_photo_place" value="{kept.token}" checked> 活动室.jpg（已上传，已保留）' in content
    data = {
        "checked_on": "2024-05-06",
        "met_place": "on",
        "kept_photo_place": kept.token,
        "met_flag": "on",
        "note_flag": "会议室悬挂党旗",
    }
    response = client.post(url, opened(client, url, data))
    assert response.status_code == 302
    assert VenueCheck.objects.get(standard=SixStandard.PLACE).photo.name.endswith(".jpg")
