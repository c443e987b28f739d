"""The permission matrix of the aid and liaison pages (tests/funding/matrix_aid.py): every URL x role
x an object inside and outside the org admins' scope x GET and an empty POST."""

import pytest
from django.urls import reverse

from funding.models import AidGrant, InstructorAllowance, LiaisonFundPayment
from portal.permissions import PERMISSIONS

from .matrix_aid import EXTRA_KWARGS, POST_ONLY, POST_PERMISSION, READ_ONLY, VIEWS, objects

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "bureau", "auditor", "town_admin", "branch_admin"]
ROLE_VALUES = {"bureau": "bureau", "auditor": "auditor", "town_admin": "org_admin", "branch_admin": "org_admin"}


def _objects(zone, where):
    found = {kind: pair[0 if where == "inside" else 1] for kind, pair in objects(zone).items()}
    index = 0 if where == "inside" else 1
    found["org"] = (zone.b1, zone.b3)[index]
    found["member"] = (zone.b1_members[0], zone.b3_members[0])[index]
    return found


def _in_scope(user, obj) -> bool:
    from branches.scoping import for_user

    return for_user(type(obj).objects.filter(pk=obj.pk), user).exists()


def _expected(role, user, permission, obj):
    if role == "anonymous":
        return 302
    # The scope is checked first: an object outside it is 404 even where the role lacks the permission.
    if obj is not None and not _in_scope(user, obj):
        return 404
    if ROLE_VALUES[role] not in PERMISSIONS[permission]:
        return 403
    return 200


CASES = [
    (name, role, where, method)
    for name in VIEWS
    for role in ROLES
    for where in ("inside", "outside")
    for method in ("get", "post")
]


def test_every_aid_url_is_declared():
    from funding.views.aid import urlpatterns

    assert sorted(f"funding:{p.name}" for p in urlpatterns) == sorted(VIEWS)


@pytest.mark.parametrize(("name", "role", "where", "method"), CASES)
def test_aid_permission_matrix(zone, users, client, name, role, where, method):
    permission, obj_kind = VIEWS[name]
    obj = _objects(zone, where)[obj_kind]
    user = getattr(users, role, None)
    url = reverse(name, kwargs={"pk": obj.pk, **EXTRA_KWARGS.get(name, {})})
    if user is not None:
        client.force_login(user)
    before = (AidGrant.objects.count(), LiaisonFundPayment.objects.count(), InstructorAllowance.objects.count())
    response = getattr(client, method)(url)
    if method == "post":
        permission = POST_PERMISSION.get(name, permission)
    expected = _expected(role, user, permission, obj)
    if name in READ_ONLY and method == "post" and expected == 200:
        expected = 405
    if name in POST_ONLY and expected == 200:
        expected = 405 if method == "get" else 302
    assert response.status_code == expected, f"{method.upper()} {url} as {role} ({where})"
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    # An empty POST never completes a form: nothing is written.
    assert (AidGrant.objects.count(), LiaisonFundPayment.objects.count(), InstructorAllowance.objects.count()) == before


def test_inside_objects_are_under_t1_and_outside_under_t2(zone):
    found = objects(zone)
    group_in, group_out = found["liaison_group"]
    post_in, post_out = found["instructor_post"]
    assert group_in.kind == group_out.kind == "liaison_group"
    assert (group_in.path[:-4], group_out.path[:-4]) == (zone.t1.path, zone.t2.path)  # directly under T1 / T2
    assert (post_in.kind, post_in.organisation, post_out.organisation) == ("instructor", zone.b1, zone.b3)
    # The bureau's records through the services, one of each in each scope.
    assert (AidGrant.objects.count(), LiaisonFundPayment.objects.count(), InstructorAllowance.objects.count()) == (
        2, 2, 2)  # fmt: skip
