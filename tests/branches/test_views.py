import pytest
from django.urls import reverse
from django.utils import translation

from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from branches.models import Organisation, Post
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_tree_page_bureau_sees_work_committee(zone, users, client_for):
    response = client_for(users.bureau).get(reverse("branches:tree"))
    assert response.status_code == 200
    assert [o.code for o in response.context["roots"]] == ["WC"]


def test_tree_page_org_admin_starts_at_own_organisation(zone, users, client_for):
    response = client_for(users.town_admin).get(reverse("branches:tree"))
    assert [o.code for o in response.context["roots"]] == ["T1"]


def test_tree_children_lazy_partial_lists_direct_children(zone, users, client_for):
    response = client_for(users.bureau).get(
        reverse("branches:children", args=[zone.wc.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert [o.code for o in response.context["page"]] == ["T1", "T2"]
    assert b"<html" not in response.content


def test_tree_search_finds_by_name_within_scope_only(zone, users, client_for):
    response = client_for(users.town_admin).get(reverse("branches:tree"), {"q": "党支部"})
    assert [o.code for o in response.context["page"]] == ["B1", "G1", "B2"]


def test_tree_search_by_exact_code(zone, users, client_for):
    response = client_for(users.bureau).get(reverse("branches:tree"), {"q": "b3"})
    assert [o.code for o in response.context["page"]] == ["B3"]


@pytest.mark.parametrize("extra", [0, 40])
def test_tree_children_query_count_constant(zone, users, client_for, django_assert_num_queries, extra):
    for i in range(extra):
        make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, code=f"X{i}")
    client = client_for(users.bureau)
    # session + user, the organisation, its children page (count + rows).
    with django_assert_num_queries(5):
        client.get(reverse("branches:children", args=[zone.t2.pk]))


@pytest.mark.parametrize("extra", [0, 40])
def test_tree_search_query_count_constant(zone, users, client_for, django_assert_num_queries, extra):
    for i in range(extra):
        make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, name=f"新康社区第{i + 2}党支部", code=f"X{i}")
    client = client_for(users.bureau)
    with django_assert_num_queries(4):
        client.get(reverse("branches:tree"), {"q": "新康"})


@pytest.mark.parametrize("extra", [0, 30])
def test_detail_page_query_count_constant(zone, users, client_for, django_assert_num_queries, extra):
    for i in range(extra):
        make_org(zone.t1, K.BRANCH, sector=Sector.STREET, code=f"X{i}")
    client = client_for(users.bureau)
    # session, user, organisation, ancestors, posts, summary, the funding ledgers that apply (issue 12):
    # the children arrive lazily.
    with django_assert_num_queries(7):
        client.get(reverse("branches:detail", args=[zone.t1.pk]))


def test_detail_page_shows_posts_members_and_children(zone, users, client_for):
    response = client_for(users.town_admin).get(reverse("branches:detail", args=[zone.b1.pk]))
    assert response.status_code == 200
    assert (response.context["summary"]["members_direct"], response.context["summary"]["members_subtree"]) == (3, 3)
    assert [p.pk for p in response.context["posts"]] == [zone.secretary.pk]
    assert f'hx-get="{reverse("branches:children", args=[zone.b1.pk])}"' in response.content.decode()
    assert [o.code for o in response.context["ancestors"]] == ["T1", "V1"]


def test_detail_page_out_of_scope_is_404(zone, users, client_for):
    response = client_for(users.town_admin).get(reverse("branches:detail", args=[zone.b3.pk]))
    assert response.status_code == 404


def test_create_child_writes_node_under_parent(zone, users, client_for):
    data = {"code": "NEWB", "name": "东村第3党支部", "kind": K.BRANCH, "sector": Sector.VILLAGE}
    response = client_for(users.town_admin).post(reverse("branches:create", args=[zone.v1.pk]), data)
    created = Organisation.objects.get(code="NEWB")
    assert response.status_code == 302
    assert response["Location"] == reverse("branches:detail", args=[created.pk])
    assert created.path[:-4] == zone.v1.path


def test_create_child_offers_only_allowed_kinds(zone, users, client_for):
    response = client_for(users.bureau).get(reverse("branches:create", args=[zone.b1.pk]))
    assert [value for value, _ in response.context["form"].fields["kind"].choices] == [K.PARTY_GROUP]


def test_create_child_duplicate_code_shows_error(zone, users, client_for):
    with translation.override("zh-hans"):
        data = {"code": "B2", "name": "重复", "kind": K.BRANCH, "sector": Sector.VILLAGE}
        response = client_for(users.bureau).post(reverse("branches:create", args=[zone.v1.pk]), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    assert Organisation.objects.filter(code="B2").count() == 1


def test_move_form_cycle_refused_with_message(zone, users, client_for):
    with translation.override("zh-hans"):
        response = client_for(users.bureau).post(reverse("branches:move", args=[zone.v1.pk]), {"target_code": "G1"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "东村第1党支部第1党小组位于中共东村总支部委员会之下：组织不能移动到其自身的下级。"
    ]
    zone.v1.refresh_from_db()
    assert zone.v1.path[:-4] == zone.t1.path


def test_move_form_target_outside_scope_not_found(zone, users, client_for):
    with translation.override("zh-hans"):
        response = client_for(users.town_admin).post(reverse("branches:move", args=[zone.b2.pk]), {"target_code": "T2"})
    assert response.context["form"].errors["target_code"] == ["您的管辖范围内没有组织代码为T2的组织。"]
    zone.b2.refresh_from_db()
    assert zone.b2.path.startswith(zone.t1.path)


def test_move_form_moves_within_scope(zone, users, client_for):
    response = client_for(users.town_admin).post(reverse("branches:move", args=[zone.b2.pk]), {"target_code": "T1"})
    assert response.status_code == 302
    zone.b2.refresh_from_db()
    assert zone.b2.path[:-4] == zone.t1.path


def test_dissolve_form_refused_with_members(zone, users, client_for):
    response = client_for(users.bureau).post(
        reverse("branches:dissolve", args=[zone.b3.pk]), {"on": "2024-05-01", "reason": "撤并"}
    )
    assert response.status_code == 200
    zone.b3.refresh_from_db()
    assert zone.b3.dissolved_on is None


def test_dissolve_form_accepts_chinese_date(zone, users, client_for):
    response = client_for(users.bureau).post(
        reverse("branches:dissolve", args=[zone.b2.pk]), {"on": "2024年5月1日", "reason": "撤并"}
    )
    assert response.status_code == 302
    zone.b2.refresh_from_db()
    assert str(zone.b2.dissolved_on) == "2024-05-01"


def test_delete_empty_organisation(zone, users, client_for):
    response = client_for(users.town_admin).post(reverse("branches:delete", args=[zone.b2.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("branches:detail", args=[zone.v1.pk])
    assert not Organisation.objects.filter(code="B2").exists()


def test_post_create_by_id_number_of_member_elsewhere_in_scope(zone, users, client_for):
    data = {
        "kind": PostKind.RESERVE_CADRE,
        "id_number": zone.b1_members[2].id_number.lower(),
        "started_on": "2024-01-01",
    }
    response = client_for(users.town_admin).post(reverse("branches:post_create", args=[zone.v1.pk]), data)
    assert response.status_code == 302
    assert (
        Post.objects.filter(organisation=zone.v1, kind=PostKind.RESERVE_CADRE, member=zone.b1_members[2]).count() == 1
    )


def test_post_create_id_number_outside_scope_refused(zone, users, client_for):
    data = {"kind": PostKind.RESERVE_CADRE, "id_number": zone.b3_members[1].id_number, "started_on": "2024-01-01"}
    response = client_for(users.town_admin).post(reverse("branches:post_create", args=[zone.v1.pk]), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["id_number"]
    assert not Post.objects.filter(kind=PostKind.RESERVE_CADRE).exists()


def test_post_create_member_choices_are_this_organisation_and_children(zone, users, client_for):
    response = client_for(users.bureau).get(reverse("branches:post_create", args=[zone.b1.pk]))
    assert sorted(m.pk for m in response.context["form"].fields["member"].queryset) == sorted(
        m.pk for m in zone.b1_members
    )


def test_post_end_records_date(zone, users, client_for):
    response = client_for(users.branch_admin).post(
        reverse("branches:post_end", args=[zone.secretary.pk]), {"ended_on": "2024-01-01"}
    )
    assert response.status_code == 302
    zone.secretary.refresh_from_db()
    assert str(zone.secretary.ended_on) == "2024-01-01"
