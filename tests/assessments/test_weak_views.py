"""The weak-organisation pages (Q-WEAK-*): the year's ranking, the proposal, the bureau's decision and
the rectification forms; scoping; the permission matrix of tests/assessments/matrix_weak.py."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessments import weak
from assessments.models import Rectification, RectificationNote, RectificationRemedy, WeakSelection
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from core.models import PolicyValue
from tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ranking_alone(db):
    """These tests are about the bottom-share ranking (Q-WEAK-VILLAGE/-COMMUNITY/-OTHER): the days of the
    criteria of Q-WEAK-CRITERIA (tested in test_rules_weak_criteria.py) are lengthened so that no
    organisation of the small zone, without meetings or a village secretary, meets one."""
    PolicyValue.objects.filter(key__in=weak.CRITERIA_PARAMETERS.values()).update(value=100000)


YEAR = 2024


def selection(organisation):
    return WeakSelection.objects.select_related("organisation").get(year=YEAR, organisation=organisation)


def year_url(organisation, year=YEAR):
    return reverse("assessments:weak_year", args=[organisation.pk, year])


def test_the_bureau_ranks_and_proposes_from_the_year_page(zone, users, client_for):
    client = client_for(users.bureau)
    page = client.get(year_url(zone.wc))
    assert page.status_code == 200
    assert page.context["sections"] == []
    response = client.post(reverse("assessments:weak_propose", args=[YEAR]), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == year_url(zone.wc)
    assert sorted(WeakSelection.objects.values_list("organisation__code", "proposed", "recorded_by")) == [
        ("B3", True, users.bureau.pk),
        ("V1", True, users.bureau.pk),
    ]
    with translation.override("zh-hans"):
        page = client.get(year_url(zone.wc), HTTP_ACCEPT_LANGUAGE="zh-hans")
    village = page.context["sections"][0]
    assert (village["type"], village["n"], village["required"], village["proposed"], village["named"]) == (
        "village",
        1,
        1,
        1,
        0,
    )
    assert village["share"] == "10%"
    text = page.content.decode()
    assert "Q-WEAK-VILLAGE" in text and "Q-WEAK-COMMUNITY" in text and "Q-WEAK-REMEDY" in text


def test_the_proposal_needs_confirming(zone, users, client_for):
    client = client_for(users.bureau)
    response = client.post(reverse("assessments:weak_propose", args=[YEAR]), {})
    assert response.status_code == 200
    assert WeakSelection.objects.count() == 0
    with translation.override("zh-hans"):
        response = client.post(
            reverse("assessments:weak_propose", args=[2014]), {"confirm": "on"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.context["form"].non_field_errors() == ["软弱涣散党组织排名的年度为2015年至今年，不能是2014年。"]


def test_the_decision_form_asks_a_reason_when_departing(zone, users, client_for):
    weak.weak_proposal_make(year=YEAR)
    client = client_for(users.bureau)
    url = reverse("assessments:weak_decide", args=[selection(zone.v1).pk])
    with translation.override("zh-hans"):
        response = client.post(url, {"named": "no", "reason": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [f"{zone.v1.name}在建议名单中：不确定其为整顿对象须说明理由。"]
    response = client.post(url, {"named": "yes", "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == year_url(zone.wc)
    assert (selection(zone.v1).named, selection(zone.v1).decided_by) == (True, users.bureau)


def test_the_rectification_pages(zone, users, client_for):
    weak.weak_proposal_make(year=YEAR)
    weak.weak_selection_decide(selection=selection(zone.v1), named=True, user=users.bureau)
    chosen = selection(zone.v1)
    post = branch_services.post_assign(
        organisation=zone.v1,
        member=zone.b1_members[2],
        kind=PostKind.FIRST_SECRETARY,
        started_on=datetime.date(2024, 6, 1),
    )
    department = make_org(zone.wc, K.BRANCH, sector=Sector.AGENCY, code="AG1", unit_name="区财政局")
    client = client_for(users.bureau)
    day = timezone.localdate().isoformat()
    remedy_url = reverse("assessments:weak_remedy", args=[chosen.pk])
    form = client.get(remedy_url).context["form"]
    sent = form.fields["post"].choices[2]
    assert (str(sent[0]), sent[1]) == (
        "选派的党建指导员和第一书记",
        [(post.pk, f"{post.member.name} · 第一书记 · {zone.v1.name}")],
    )
    response = client.post(remedy_url, {"kind": "first_secretary", "post": post.pk, "started_on": day})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:weak_rectification", args=[chosen.pk])
    with translation.override("zh-hans"):
        response = client.post(
            remedy_url,
            {"kind": "department_support", "department_code": "NOPE", "started_on": day},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.context["form"].errors["department_code"] == ["没有组织代码为NOPE的党组织。"]
    client.post(remedy_url, {"kind": "department_support", "department_code": "AG1", "started_on": day})
    assert list(RectificationRemedy.objects.values_list("kind", "post", "department")) == [
        ("first_secretary", post.pk, None),
        ("department_support", None, department.pk),
    ]
    # The town's administrator writes progress; the bureau gives the verdict.
    town = client_for(users.town_admin)
    note_url = reverse("assessments:weak_note", args=[chosen.pk])
    assert town.post(note_url, {"written_on": day, "text": "调整班子"}).status_code == 302
    assert list(RectificationNote.objects.values_list("text", "recorded_by")) == [("调整班子", users.town_admin.pk)]
    assert town.get(reverse("assessments:weak_verdict", args=[chosen.pk])).status_code == 403
    client = client_for(users.bureau)
    response = client.post(
        reverse("assessments:weak_verdict", args=[chosen.pk]), {"verdict": "rectified", "decided_on": day}
    )
    assert response.status_code == 302
    assert Rectification.objects.get().verdict == "rectified"
    page = client.get(reverse("assessments:weak_rectification", args=[chosen.pk]))
    assert page.status_code == 200
    assert [r.kind for r in page.context["remedies"]] == ["first_secretary", "department_support"]
    text = page.content.decode()
    assert "Q-WEAK-VILLAGE" in text and "Q-WEAK-REMEDY" in text and "调整班子" in text


def test_another_towns_admin_gets_404(zone, users, client_for):
    weak.weak_proposal_make(year=YEAR)
    client = client_for(users.other_admin)
    pk = selection(zone.v1).pk
    for name in ("weak_rectification", "weak_decide", "weak_remedy", "weak_note", "weak_verdict"):
        assert client.get(reverse(f"assessments:{name}", args=[pk])).status_code == 404, name
    assert (
        client.post(reverse("assessments:weak_note", args=[pk]), {"written_on": "2025-01-10", "text": "x"}).status_code
        == 404
    )
    assert client.get(year_url(zone.t1)).status_code == 404
    # Their own page lists their own rows only.
    page = client.get(year_url(zone.t2))
    assert [row.organisation.code for s in page.context["sections"] for row in s["rows"]] == ["B3"]


def _grow(zone, n):
    for i in range(n):
        make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code=f"Q{n}V{i}")
        make_org(zone.wc, K.BRANCH, sector=Sector.NON_PUBLIC, code=f"Q{n}N{i}", unit_name=f"公司{n}-{i}")
    WeakSelection.objects.all().delete()
    weak.weak_proposal_make(year=YEAR)


def test_year_page_queries_do_not_grow(zone, users, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users.bureau)
    counts = []
    for n in (2, 15):
        _grow(zone, n)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(year_url(zone.wc)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_year_page_shows_the_chosen_and_the_lowest_others(zone, users, client_for, monkeypatch):
    from assessments.views import weak as views_weak

    monkeypatch.setattr(views_weak, "ROWS_SHOWN", 2)
    for i in range(11):  # 12 villages: 2 proposed
        make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code=f"VZ{i:02d}")
    weak.weak_proposal_make(year=YEAR)
    last = WeakSelection.objects.select_related("organisation").get(year=YEAR, type="village", rank=12)
    weak.weak_selection_decide(selection=last, named=True, reason="群众反映问题突出", user=users.bureau)
    page = client_for(users.bureau).get(year_url(zone.wc))
    village = page.context["sections"][0]
    assert [(r.rank, r.proposed, r.named) for r in village["rows"]] == [
        (1, True, False),
        (2, True, False),
        (3, False, False),
        (4, False, False),
        (12, False, True),
    ]
    assert "仅显示12个中排名最后的5个" in page.content.decode()
