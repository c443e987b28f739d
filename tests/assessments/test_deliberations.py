"""S-FOUR-DELIBERATIONS: a village's major matter takes the four deliberations and the two
publications in order, each dated; a step out of order is refused with a Chinese message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.enums import DeliberationStep as S
from assessments.models import MatterStep

pytestmark = pytest.mark.django_db


def matter(zone, user=None):
    return services.village_matter_create(
        organisation=zone.v1, title="村部道路硬化", amount=120000, proposed_on=datetime.date(2024, 3, 1), user=user
    )


def test_steps_in_order_each_dated(zone, users):
    m = matter(zone, users.town_admin)
    for n, step in enumerate([S.CONSULTATION, S.REVIEW, S.RESOLUTION, S.RESOLUTION_PUBLISHED, S.RESULT_PUBLISHED], 2):
        assert selectors.matter_next_step(matter=m) == step
        services.village_matter_step(matter=m, step=step, done_on=datetime.date(2024, 3, n), user=users.town_admin)
    assert selectors.matter_next_step(matter=m) is None
    assert MatterStep.objects.filter(matter=m).count() == 6


def test_a_step_out_of_order_is_refused(zone):
    m = matter(zone)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.village_matter_step(matter=m, step=S.REVIEW, done_on=datetime.date(2024, 3, 5))
    assert exc.value.message_dict["step"] == ["须先完成“两委会商议”。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.village_matter_step(matter=m, step=S.CONSULTATION, done_on=datetime.date(2024, 2, 28))
    assert exc.value.message_dict["done_on"] == ["这一步不能早于“党组织提议”（2024年3月1日）。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.village_matter_step(matter=m, step=S.PROPOSAL, done_on=datetime.date(2024, 3, 5))
    assert exc.value.message_dict["step"] == ["“党组织提议”已有记录（2024年3月1日）。"]


def test_only_villages_deliberate_this_way(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.village_matter_create(organisation=zone.b3, title="x", proposed_on=datetime.date(2024, 3, 1))
    assert exc.value.messages == ["“四议两公开”是村级决策的方式。"]


def test_the_page_offers_only_the_next_step(zone, users, client_for):
    m = matter(zone)
    client = client_for(users.town_admin)
    page = client.get(reverse("assessments:deliberation", args=[m.pk]))
    assert page.context["next_step"] == S.CONSULTATION
    response = client.post(
        reverse("assessments:deliberation", args=[m.pk]), {"step": S.RESOLUTION, "done_on": "2024-03-04"}
    )
    assert response.status_code == 200  # refused: the resolution cannot come before the consultation
    response = client.post(
        reverse("assessments:deliberation", args=[m.pk]), {"step": S.CONSULTATION, "done_on": "2024-03-04"}
    )
    assert response.status_code == 302
    assert client_for(users.auditor).post(reverse("assessments:deliberation", args=[m.pk]), {}).status_code == 403
