"""Issue 13 (2, 6): the Django admin is read-only. Records change on the pages, through the services;
accounts get a role only from two system administrators; another account's password is set through a
service that forces a change and logs who set it."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from core import services
from core.enums import Role, RoleGrantState
from core.models import AuditEntry, RoleGrant
from members.models import Member, MemberEvent, Membership
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Accounts (2)


def test_admin_user_change_post_with_bureau_role_changes_nothing(zone, users, client_for):
    """The outside test's attack: the system administrator posts role=bureau on the admin's account form."""
    client = client_for(users.sysadmin)
    url = reverse("admin:portal_user_change", args=[users.town_admin.pk])
    data = {
        "username": users.town_admin.username,
        "role": Role.BUREAU,
        "is_superuser": "on",
        "is_staff": "on",
        "organisation": "",
        "is_active": "on",
        "groups": "",
        "user_permissions": "",
    }
    assert client.post(url, data).status_code == 403
    users.town_admin.refresh_from_db()
    assert (users.town_admin.role, users.town_admin.is_superuser, users.town_admin.is_staff) == (
        Role.ORG_ADMIN,
        False,
        False,
    )
    assert RoleGrant.objects.count() == 0


def test_admin_user_page_offers_no_role_flag_or_permission_field(zone, users, client_for):
    response = client_for(users.sysadmin).get(reverse("admin:portal_user_change", args=[users.town_admin.pk]))
    html = response.content.decode()
    named = [f'name="{name}"' in html for name in ("role", "is_superuser", "is_staff", "groups", "user_permissions")]
    assert (response.status_code, named) == (200, [False] * 5)
    assert f'href="{reverse("admin:auth_user_password_change", args=[users.town_admin.pk])}"' in html


def test_admin_user_add_refused(zone, users, client_for):
    client = client_for(users.sysadmin)
    data = {"username": "boss", "password1": "Boss@2025pw", "password2": "Boss@2025pw", "usable_password": "true"}
    assert client.get(reverse("admin:portal_user_add")).status_code == 403
    assert client.post(reverse("admin:portal_user_add"), data).status_code == 403
    assert not users.sysadmin.__class__.objects.filter(username="boss").exists()


def test_admin_password_set_forces_a_change_and_is_audited(zone, users, client_for):
    client = client_for(users.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[users.town_admin.pk])
    response = client.post(url, {"password1": "Known@2025pw", "password2": "Known@2025pw"}, follow=True)
    assert _messages(response) == ["密码已设置；用户下次登录时须修改密码。"]
    users.town_admin.refresh_from_db()
    assert (users.town_admin.check_password("Known@2025pw"), users.town_admin.must_change_password) == (True, True)
    entry = AuditEntry.objects.get(action="portal.user.password_set")
    assert (entry.username, entry.object_pk) == (users.sysadmin.username, str(users.town_admin.pk))
    # The user's next login reaches only the password page.
    client.logout()
    client.post(reverse("login"), {"username": users.town_admin.username, "password": "Known@2025pw"})
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_admin_password_set_of_own_account_refused(zone, users, client_for):
    client = client_for(users.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[users.sysadmin.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"password1": "Mine@2025pw", "password2": "Mine@2025pw"}).status_code == 403
    users.sysadmin.refresh_from_db()
    assert users.sysadmin.check_password(PASSWORD)


def test_admin_password_set_refuses_a_recent_password(zone, users, client_for):
    url = reverse("admin:auth_user_password_change", args=[users.town_admin.pk])
    response = client_for(users.sysadmin).post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.context["form"].errors == {"password2": ["新密码不能与当前密码相同。"]}


def test_admin_role_grant_confirmed_by_a_second_system_administrator(zone, users, client, client_for):
    """A bureau account proposed by one system administrator: the proposer cannot confirm it, nor can anyone
    while the user still has the password the proposer gave; once the user chose theirs, a second can."""
    data = {
        "username": "newbureau",
        "full_name": "局新人",
        "role": Role.BUREAU,
        "organisation_code": "",
        "password": "Init@2024pw",
    }
    created = client_for(users.sysadmin).post(reverse("account_create"), data, follow=True)
    assert _messages(created) == [
        "账号已创建，暂无角色：用户须在首次登录时修改密码，随后由另一名系统管理员确认其角色。"
    ]
    grant = RoleGrant.objects.get(user__username="newbureau")
    action = {"action": "confirm", "_selected_action": [grant.pk], "index": 0}
    changelist = reverse("admin:portal_rolegrant_changelist")
    own = client.post(changelist, action, follow=True)
    assert _messages(own) == [f"{grant}: 角色授予须由另一名系统管理员确认，提议人本人和该账号本人均不能确认。"]
    second = UserFactory(role=Role.SYSADMIN, is_staff=True)
    early = client_for(second).post(changelist, action, follow=True)
    assert _messages(early) == [f"{grant}: 该账号仍在使用管理员设置的密码：用户须先设置自己的密码，角色才能确认。"]
    services.account_password_change(user=grant.user, password="Mine@2025pw")
    confirmed = client_for(second).post(changelist, action, follow=True)
    assert _messages(confirmed) == [f"已确认：{grant}。"]
    grant.refresh_from_db()
    assert (grant.state, grant.decided_by, grant.user.role, grant.user.is_staff) == (
        RoleGrantState.CONFIRMED,
        second,
        Role.BUREAU,
        True,
    )


def test_admin_role_grant_refused_keeps_the_role(zone, users, client_for):
    grant = services.role_grant_propose(user=users.town_admin, role=Role.BUREAU, organisation=None, by=users.sysadmin)
    action = {"action": "refuse", "_selected_action": [grant.pk], "index": 0}
    response = client_for(users.sysadmin).post(reverse("admin:portal_rolegrant_changelist"), action, follow=True)
    assert _messages(response) == [f"已拒绝：{grant}。"]
    users.town_admin.refresh_from_db()
    assert (users.town_admin.role, RoleGrant.objects.get(pk=grant.pk).state) == (Role.ORG_ADMIN, RoleGrantState.REFUSED)


def test_admin_groups_are_not_offered_even_to_a_superuser(zone, client_for):
    root = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client = client_for(root)
    assert client.get("/admin/auth/group/").status_code == 404
    assert client.get(reverse("admin:members_member_changelist")).status_code == 403


def test_admin_own_password_goes_to_the_password_page(zone, users, client_for):
    assert client_for(users.bureau).get(reverse("admin:password_change"))["Location"] == reverse("password_change")


def test_admin_lockout_cleared_by_the_system_administrator_is_audited(zone, users, client_for):
    attempt = AccessAttempt.objects.create(
        username="victim",
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client_for(users.bureau).post(url, {"post": "yes"}).status_code == 403
    assert client_for(users.sysadmin).post(url, {"post": "yes"}).status_code == 302
    entry = AuditEntry.objects.get(model="axes.accessattempt")
    assert (AccessAttempt.objects.count(), entry.action, entry.username, entry.changes["username"]) == (
        0,
        "delete",
        users.sysadmin.username,
        ["victim", None],
    )


# Records (6)


def test_admin_member_change_post_refused_and_nothing_changes(zone, users, client_for):
    """The outside test's second attack: a member saved with a wrong check digit and moved to another
    organisation, past the services (no history, no transfer, a stale membership)."""
    member = zone.b1_members[0]
    before = (member.id_number, member.organisation_id, MemberEvent.objects.count(), Membership.objects.count())
    wrong = member.id_number[:-1] + ("0" if member.id_number[-1] != "0" else "1")
    data = {
        "name": member.name,
        "id_number": wrong,
        "organisation": zone.b3.pk,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "joined_on": member.joined_on.isoformat(),
        "category": member.category,
        "status": member.status,
    }
    client = client_for(users.bureau)
    assert client.get(reverse("admin:members_member_change", args=[member.pk])).status_code == 200
    assert client.post(reverse("admin:members_member_change", args=[member.pk]), data).status_code == 403
    member = Member.objects.get(pk=member.pk)
    after = (member.id_number, member.organisation_id, MemberEvent.objects.count(), Membership.objects.count())
    assert after == before


@pytest.mark.parametrize(
    "name",
    [
        "members_member",
        "branches_organisation",
        "branches_post",
        "assessments_meeting",
        "assessments_trainingrecord",
        "portal_auditentry",
    ],
)
def test_admin_records_are_read_only_for_the_bureau(zone, users, client_for, name):
    client = client_for(users.bureau)
    page = client.get(reverse(f"admin:{name}_changelist"))
    assert (page.status_code, page.context["has_add_permission"], 'name="_save"' in page.content.decode()) == (
        200,
        False,
        False,
    )
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
