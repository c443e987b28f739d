import datetime

import pytest
from django.db.models import OuterRef, Subquery

from branches import selectors
from branches.enums import OrganisationKind as K
from branches.models import Organisation, Post
from core import scoping
from members.enums import MemberStatus
from members.models import Member
from members.services import member_counts_refresh

pytestmark = pytest.mark.django_db


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_for_user_bureau_and_auditor_see_whole_zone(zone, users):
    everything = codes(Organisation.objects.all())
    assert codes(scoping.for_user(Organisation.objects.all(), users.bureau)) == everything
    assert codes(scoping.for_user(Organisation.objects.all(), users.auditor)) == everything


def test_for_user_org_admin_sees_own_subtree_only(zone, users):
    assert codes(scoping.for_user(Organisation.objects.all(), users.town_admin)) == ["B1", "B2", "G1", "T1", "V1"]
    assert codes(scoping.for_user(Organisation.objects.all(), users.branch_admin)) == ["B1", "G1"]


def test_for_user_scopes_members_and_posts_through_their_organisation(zone, users):
    members = scoping.for_user(Member.objects.all(), users.other_admin)
    assert sorted(members.values_list("pk", flat=True)) == sorted(m.pk for m in zone.b3_members)
    posts = scoping.for_user(Post.objects.all(), users.town_admin)
    assert list(posts.values_list("pk", flat=True)) == [zone.secretary.pk]


def test_for_user_inactive_or_anonymous_sees_nothing(zone, users):
    from django.contrib.auth.models import AnonymousUser

    users.bureau.is_active = False
    assert scoping.for_user(Organisation.objects.all(), users.bureau).count() == 0
    assert scoping.for_user(Organisation.objects.all(), AnonymousUser()).count() == 0


def test_for_user_sibling_path_prefix_is_not_inside(zone, users):
    # T1's path is a prefix of its descendants only, never of a sibling such as T2.
    assert not scoping.path_in_scope(users.town_admin, zone.t2.path)
    assert scoping.path_in_scope(users.town_admin, zone.g1.path)


def test_organisation_subtree_is_one_query(zone, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert codes(selectors.organisation_subtree(organisation=zone.t1)) == ["B1", "B2", "G1", "T1", "V1"]


def test_organisation_ancestors_stop_at_scope(zone, users):
    assert [o.code for o in selectors.organisation_ancestors(organisation=zone.g1, user=users.bureau)] == [
        "WC",
        "T1",
        "V1",
        "B1",
    ]
    assert [o.code for o in selectors.organisation_ancestors(organisation=zone.g1, user=users.town_admin)] == [
        "T1",
        "V1",
        "B1",
    ]


def test_organisation_summary_members_and_kinds_below(zone):
    assert selectors.organisation_summary(organisation=zone.t1) == {
        "members_direct": 0,
        "members_subtree": 3,
        "kinds": [(K.GENERAL_BRANCH, 1), (K.BRANCH, 2), (K.PARTY_GROUP, 1)],
    }
    assert selectors.organisation_summary(organisation=zone.b1) == {
        "members_direct": 3,
        "members_subtree": 3,
        "kinds": [(K.PARTY_GROUP, 1)],
    }


def test_organisation_summary_of_a_leaf_needs_no_query_and_says_the_same(zone, django_assert_num_queries):
    Member.objects.filter(pk=zone.b1_members[0].pk).update(organisation=zone.g1)
    member_counts_refresh(organisation_ids=[zone.g1.pk])
    group = Organisation.objects.get(pk=zone.g1.pk)
    assert group.numchild == 0
    with django_assert_num_queries(0):
        quick = selectors.organisation_summary(organisation=group)
    assert group.member_count > 0
    assert quick == {"members_direct": group.member_count, "members_subtree": group.member_count, "kinds": []}
    group.dissolved_on = datetime.date(2024, 5, 1)
    assert selectors.organisation_summary(organisation=group)["members_subtree"] == 0


def test_organisation_summary_counts_only_active_members_after_refresh(zone):
    zone.b1_members[0].status = MemberStatus.DECEASED
    zone.b1_members[0].save()
    assert member_counts_refresh(organisation_ids=[zone.b1.pk]) == 1
    zone.b1.refresh_from_db()
    assert selectors.organisation_summary(organisation=zone.b1)["members_direct"] == 2
    zone.wc.refresh_from_db()
    assert selectors.organisation_summary(organisation=zone.wc)["members_subtree"] == 4


def test_subtree_is_the_organisation_and_everything_under_it(zone):
    """One prefix match, by the organisation, its path, or through a relation."""
    inside = set(Organisation.objects.filter(scoping.subtree(zone.t1)).values_list("pk", flat=True))
    assert zone.t1.pk in inside and zone.b1.pk in inside and zone.t2.pk not in inside
    assert inside == set(Organisation.objects.filter(scoping.subtree(zone.t1.path)).values_list("pk", flat=True))
    members = Member.objects.filter(scoping.subtree(zone.t1, via="organisation"))
    assert members.exists() and not members.exclude(organisation__pk__in=inside).exists()
    # In a correlated subquery: the first organisation of each one's subtree is inside it.
    below = Organisation.objects.filter(scoping.subtree(OuterRef("path"))).values("path")[:1]
    assert (
        Organisation.objects.filter(pk=zone.t1.pk).annotate(first=Subquery(below)).get().first.startswith(zone.t1.path)
    )
