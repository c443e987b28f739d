"""Q-SERVICE-STATION (a 便民服务站 in every village and community) and Q-DEPUTY-STUDIO (a 党代表工作室 in
every town and street, a 党员中心户 in every village and community), read from the venue record."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext
from assessments.compliance.selectors import fix_url
from assessments.enums import VenueKind
from core.policy import policy_for_year

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)
MID_2024 = datetime.date(2024, 7, 1)
END_2024 = datetime.date(2024, 12, 31)
ONE, NONE = Decimal(1), Decimal(0)


def checks(clause, today=AFTER_2024):
    found = RULES[clause].evaluate(RunContext(year=2024, today=today, values=policy_for_year(2024)))
    return {(c.organisation_id, c.aspect): (c.measured, c.required, c.passed, c.due_on) for c in found}


def place(organisation, kind, opened_on=None, name="便民服务站"):
    return services.venue_create(
        organisation=organisation, data={"kind": kind, "name": name, "address": "村部一楼", "opened_on": opened_on}
    )


def test_every_village_and_community_needs_a_service_station(zone):
    """村(社区)普遍建立便民服务站(点),为群众提供综合性、一站式服务。"""
    assert RULES["Q-SERVICE-STATION"].sentence == "村(社区)普遍建立便民服务站(点),为群众提供综合性、一站式服务"
    place(zone.b1, VenueKind.CONVENIENCE_STATION)  # a station of the village's own branch is the village's
    assert checks("Q-SERVICE-STATION") == {
        (zone.v1.pk, ""): (ONE, ONE, True, END_2024),
        (zone.b3.pk, ""): (NONE, ONE, False, END_2024),
    }


def test_only_a_station_in_use_on_the_day_counted_and_of_that_kind_counts(zone):
    """普遍建立便民服务站: another kind of venue, or a station opened later, is not one."""
    place(zone.b3, VenueKind.SERVICE_CENTRE, name="党员服务中心")
    place(zone.b3, VenueKind.CONVENIENCE_STATION, opened_on=datetime.date(2024, 8, 1))
    assert checks("Q-SERVICE-STATION", today=MID_2024)[(zone.b3.pk, "")][2] is False
    assert checks("Q-SERVICE-STATION")[(zone.b3.pk, "")][2] is True


def test_towns_need_a_deputy_office_and_villages_a_member_household_post(zone):
    """在乡镇(街道)推动建立党代表工作室,在村(社区)建立党员中心户。"""
    assert RULES["Q-DEPUTY-STUDIO"].sentence.startswith("在乡镇(街道)推动建立党代表工作室,在村(社区)建立党员中心户")
    place(zone.t1, VenueKind.DEPUTY_OFFICE, name="麓谷街道党代表工作室")
    place(zone.v1, VenueKind.MEMBER_HOUSEHOLD, name="张家党员中心户")
    assert checks("Q-DEPUTY-STUDIO") == {
        (zone.t1.pk, "deputy_office"): (ONE, ONE, True, END_2024),
        (zone.t2.pk, "deputy_office"): (NONE, ONE, False, END_2024),
        (zone.v1.pk, "member_household"): (ONE, ONE, True, END_2024),
        (zone.b3.pk, "member_household"): (NONE, ONE, False, END_2024),
    }


def test_a_place_is_refused_where_the_opinion_does_not_set_it_up(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        place(zone.t1, VenueKind.CONVENIENCE_STATION)
    assert exc.value.message_dict["kind"] == [f"便民服务站设在村、社区；{zone.t1.name}属于“街道”领域。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        place(zone.v1, VenueKind.DEPUTY_OFFICE)
    assert exc.value.message_dict["kind"] == [f"党代表工作室设在镇、街道；{zone.v1.name}属于“村”领域。"]


def test_the_venues_page_lists_the_missing_places_with_a_form_for_each(zone, users, client_for):
    place(zone.v1, VenueKind.CONVENIENCE_STATION)
    page = client_for(users.town_admin).get(reverse("assessments:venues", args=[zone.t1.pk]))
    rows = [(r["organisation"], r["missing"]) for r in page.context["missing"]]
    assert rows == [(zone.t1, [VenueKind.DEPUTY_OFFICE]), (zone.v1, [VenueKind.MEMBER_HOUSEHOLD])]
    assert f"{reverse('assessments:venue_create', args=[zone.v1.pk])}?kind=member_household" in page.content.decode()
    assert selectors.places_missing(organisation=zone.t2) == [
        {"organisation": zone.t2, "missing": [VenueKind.DEPUTY_OFFICE]},
        {"organisation": zone.b3, "missing": [VenueKind.CONVENIENCE_STATION, VenueKind.MEMBER_HOUSEHOLD]},
    ]


def test_a_findings_form_asks_for_the_missing_kind(zone, users, client_for):
    url = fix_url(clause="Q-DEPUTY-STUDIO", organisation_id=zone.t2.pk, year=2024, aspect="deputy_office")
    assert url == f"{reverse('assessments:venue_create', args=[zone.t2.pk])}?kind=deputy_office"
    station = fix_url(clause="Q-SERVICE-STATION", organisation_id=zone.b3.pk, year=2024)
    assert station.endswith("?kind=convenience_station")
    page = client_for(users.other_admin).get(station)
    assert page.context["form"].initial == {"kind": "convenience_station"}
