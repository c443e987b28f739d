import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from branches import selectors, services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from branches.models import Organisation, Post
from members.enums import MemberStatus
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


def messages_of(exc_info) -> list[str]:
    return exc_info.value.messages


def test_organisation_create_assigns_child_path_under_parent(zone):
    org = make_org(zone.b2, K.PARTY_GROUP, code="NEW")
    assert org.path.startswith(zone.b2.path)
    assert org.depth == zone.b2.depth + 1
    assert Organisation.objects.get_parent(org).pk == zone.b2.pk


def test_organisation_create_party_group_under_committee_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        make_org(zone.t1, K.PARTY_GROUP, code="BAD")
    assert messages_of(exc) == ["党小组不能设在党委之下；可设在：党支部、联合党支部。"]
    assert not Organisation.objects.filter(code="BAD").exists()


def test_organisation_create_second_root_refused(zone):
    with pytest.raises(ValidationError):
        make_org(None, K.PARTY_COMMITTEE, code="ROOT2")


def test_organisation_create_under_dissolved_parent_refused(zone):
    services.organisation_dissolve(organisation=zone.b2, on=timezone.localdate(), reason="合并")
    zone.b2.refresh_from_db()
    with pytest.raises(ValidationError):
        make_org(zone.b2, K.PARTY_GROUP, code="LATE")


def test_organisation_create_formation_only_for_non_public(zone):
    with pytest.raises(ValidationError) as exc:
        make_org(zone.t1, K.BRANCH, sector=Sector.AGENCY, formation="standalone", code="F1")
    assert list(exc.value.message_dict) == ["formation"]


def test_organisation_update_kind_change_keeps_children_valid(zone):
    # B1 has a party group below it: it cannot become a general branch.
    with pytest.raises(ValidationError):
        services.organisation_update(organisation=zone.b1, data={"kind": K.GENERAL_BRANCH})
    zone.b1.refresh_from_db()
    assert zone.b1.kind == K.BRANCH


def test_organisation_move_moves_whole_subtree(zone):
    services.organisation_move(organisation=zone.v1, new_parent=zone.t2)
    zone.g1.refresh_from_db()
    zone.t2.refresh_from_db()
    assert zone.g1.path.startswith(zone.t2.path)
    assert set(selectors.organisation_subtree(organisation=zone.t2).values_list("code", flat=True)) == {
        "T2",
        "B3",
        "V1",
        "B1",
        "G1",
        "B2",
    }
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


def test_organisation_move_below_itself_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.organisation_move(organisation=zone.t1, new_parent=zone.b1)
    assert messages_of(exc) == ["东村第1党支部位于中共麓谷街道工作委员会之下：组织不能移动到其自身的下级。"]


def test_organisation_move_party_group_under_committee_refused(zone):
    with pytest.raises(ValidationError):
        services.organisation_move(organisation=zone.g1, new_parent=zone.t2)


def test_organisation_move_out_of_user_scope_refused(zone, users):
    with pytest.raises(ValidationError):
        services.organisation_move(organisation=zone.b2, new_parent=zone.t2, user=users.town_admin)
    zone.b2.refresh_from_db()
    assert zone.b2.path.startswith(zone.t1.path)


def test_organisation_move_own_root_refused(zone, users):
    with pytest.raises(ValidationError):
        services.organisation_move(organisation=zone.b1, new_parent=zone.b2, user=users.branch_admin)


def test_organisation_dissolve_with_members_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.organisation_dissolve(organisation=zone.b1, on=timezone.localdate(), reason="撤并")
    # B1 has a party group below it, which must go first.
    assert messages_of(exc) == ["仍有1个下级组织未撤销：请先移动或撤销它们。"]


def test_organisation_dissolve_with_members_only_refused(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.organisation_dissolve(organisation=zone.b3, on=timezone.localdate(), reason="撤并")
    assert messages_of(exc) == ["该组织仍有2名党员：请先办理组织关系转出。"]


def test_organisation_dissolve_keeps_node_and_ends_posts(zone):
    today = timezone.localdate()
    for member in zone.b3_members:
        member.status = MemberStatus.TRANSFERRED_OUT
        member.save()
    services.organisation_dissolve(organisation=zone.b3, on=today, reason="单位注销")
    zone.b3.refresh_from_db()
    assert zone.b3.dissolved_on == today
    assert Post.objects.get(pk=zone.b3_post.pk).ended_on == today
    assert Organisation.objects.active().filter(pk=zone.b3.pk).count() == 0
    assert Organisation.objects.filter(pk=zone.b3.pk).count() == 1


def test_organisation_dissolve_future_date_refused(zone):
    with pytest.raises(ValidationError) as exc:
        services.organisation_dissolve(
            organisation=zone.b2, on=timezone.localdate() + datetime.timedelta(days=1), reason="x"
        )
    assert list(exc.value.message_dict) == ["on"]


def test_organisation_delete_with_children_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.organisation_delete(organisation=zone.v1)
    assert messages_of(exc) == ["有下级组织的组织不能删除，请改为撤销。"]


def test_organisation_delete_with_former_members_refused(zone):
    member = MemberFactory(organisation=zone.b2, status=MemberStatus.DECEASED)
    with pytest.raises(ValidationError):
        services.organisation_delete(organisation=zone.b2)
    assert member.organisation_id == zone.b2.pk


def test_organisation_delete_empty_node(zone):
    services.organisation_delete(organisation=zone.b2)
    zone.v1.refresh_from_db()
    assert not Organisation.objects.filter(code="B2").exists()
    assert zone.v1.numchild == 1


def test_post_assign_second_secretary_refused(zone):
    with pytest.raises(ValidationError):
        services.post_assign(
            organisation=zone.b1,
            member=zone.b1_members[1],
            kind=PostKind.SECRETARY,
            started_on=datetime.date(2020, 1, 1),
        )


def test_post_end_then_new_secretary(zone):
    services.post_end(post=zone.secretary, ended_on=datetime.date(2021, 1, 1))
    post = services.post_assign(
        organisation=zone.b1, member=zone.b1_members[1], kind=PostKind.SECRETARY, started_on=datetime.date(2021, 1, 2)
    )
    held_2020 = Post.objects.active_on(datetime.date(2020, 6, 1)).filter(organisation=zone.b1, kind=PostKind.SECRETARY)
    held_2022 = Post.objects.active_on(datetime.date(2022, 6, 1)).filter(organisation=zone.b1, kind=PostKind.SECRETARY)
    assert [p.member_id for p in held_2020] == [zone.b1_members[0].pk]
    assert [p.pk for p in held_2022] == [post.pk]


def test_post_end_before_start_refused(zone):
    with pytest.raises(ValidationError) as exc:
        services.post_end(post=zone.secretary, ended_on=zone.secretary.started_on - datetime.timedelta(days=1))
    assert list(exc.value.message_dict) == ["ended_on"]


def test_post_assign_outside_user_scope_refused(zone, users):
    with pytest.raises(ValidationError):
        services.post_assign(
            organisation=zone.b3,
            member=zone.b3_members[1],
            kind=PostKind.RESERVE_CADRE,
            started_on=datetime.date(2022, 1, 1),
            user=users.town_admin,
        )
