import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from core import services
from core.enums import Role, RoleGrantState
from core.models import AuditEntry, RoleGrant, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_system_administrator_creates_org_admin_bound_to_organisation(zone, users, client_for, rf):
    data = {
        "username": "v1admin",
        "full_name": "赵敏",
        "role": Role.ORG_ADMIN,
        "organisation_code": "V1",
        "password": "Cun@2024pass",
    }
    response = client_for(users.sysadmin).post(reverse("account_create"), data)
    assert response.status_code == 302
    account = User.objects.get(username="v1admin")
    # Issue 13: no role until a second system administrator confirms the one proposed.
    assert (account.role, account.organisation_id, account.must_change_password, account.is_staff) == (
        "",
        None,
        True,
        False,
    )
    grant = RoleGrant.objects.get(user=account)
    assert (grant.role, grant.organisation_id, grant.state, grant.proposed_by) == (
        Role.ORG_ADMIN,
        zone.v1.pk,
        RoleGrantState.PROPOSED,
        users.sysadmin,
    )
    # django-axes checks the lockout of the request's address, so authenticate() needs a request.
    assert authenticate(rf.post("/login/"), username="v1admin", password="Cun@2024pass") == account
    services.account_password_change(user=account, password="Mine@2025pw")
    services.role_grant_confirm(grant=grant, by=UserFactory(role=Role.SYSADMIN))
    account.refresh_from_db()
    assert (account.role, account.organisation_id, account.is_staff) == (Role.ORG_ADMIN, zone.v1.pk, False)


def test_account_create_weak_password_refused_in_chinese(zone, users, client_for):
    data = {
        "username": "weak",
        "full_name": "弱",
        "role": Role.AUDITOR,
        "organisation_code": "",
        "password": "abcdefgh1",
    }
    with translation.override("zh-hans"):
        response = client_for(users.sysadmin).post(reverse("account_create"), data)
    assert response.status_code == 200
    assert "密码须至少包含小写字母、大写字母、数字、符号中的三类。" in response.context["form"].errors["password"]
    assert not User.objects.filter(username="weak").exists()


def test_account_create_org_admin_without_organisation_refused(zone, users, client_for):
    data = {
        "username": "noorg",
        "full_name": "无",
        "role": Role.ORG_ADMIN,
        "organisation_code": "",
        "password": "Cun@2024pass",
    }
    with translation.override("zh-hans"):
        response = client_for(users.sysadmin).post(reverse("account_create"), data)
    assert response.context["form"].errors["organisation_code"] == ["组织管理员必须绑定一个党组织。"]
    assert not User.objects.filter(username="noorg").exists()


def test_account_update_system_administrator_cannot_change_own_role(zone, users, client_for):
    data = {"full_name": "我", "role": Role.BUREAU, "organisation_code": "", "is_active": "on"}
    with translation.override("zh-hans"):
        response = client_for(users.sysadmin).post(reverse("account_update", args=[users.sysadmin.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["不能停用自己的账号，也不能更改自己的角色。"]
    users.sysadmin.refresh_from_db()
    assert users.sysadmin.role == Role.SYSADMIN


def test_account_update_moves_admin_to_other_organisation(zone, users, client_for):
    data = {"full_name": "调岗", "role": Role.ORG_ADMIN, "organisation_code": "T2", "is_active": "on"}
    response = client_for(users.sysadmin).post(reverse("account_update", args=[users.town_admin.pk]), data)
    assert response.status_code == 302
    users.town_admin.refresh_from_db()
    # Issue 13: another organisation's records are a grant too; the name changed at once.
    assert (users.town_admin.first_name, users.town_admin.organisation_id) == ("调岗", zone.t1.pk)
    services.role_grant_confirm(grant=RoleGrant.objects.get(user=users.town_admin), by=UserFactory(role=Role.SYSADMIN))
    users.town_admin.refresh_from_db()
    assert users.town_admin.organisation_id == zone.t2.pk


def test_createsuperuser_makes_the_system_administrator(db):
    user = User.objects.create_superuser("root", "root@example.org", "Root@2024pw")
    assert user.role == Role.SYSADMIN


@pytest.mark.parametrize("role", ["bureau", "auditor", "town_admin"])
def test_only_the_system_administrator_manages_accounts(zone, users, client_for, role):
    client = client_for(getattr(users, role))
    assert client.get(reverse("account_list")).status_code == 403
    assert client.get(reverse("account_update", args=[users.town_admin.pk])).status_code == 403


def test_login_with_password_lands_on_home(zone, users, client):
    response = client.post(reverse("login"), {"username": users.town_admin.username, "password": "Test@2015pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert [r["organisation"].code for r in home.context["roots"]] == ["T1"]


# Role grants (issue 13, 三员分立): one system administrator proposes, a second confirms.


@pytest.fixture
def second_sysadmin(db):
    return UserFactory(role=Role.SYSADMIN, is_staff=True)


def _new_account(users, role=Role.BUREAU, organisation=None):
    return services.account_create(
        username="newbie",
        full_name="新人",
        role=role,
        organisation=organisation,
        password="Init@2024pw",
        by=users.sysadmin,
    )


def test_account_created_as_bureau_has_no_access_before_confirmation(zone, users, client):
    account = _new_account(users)
    services.account_password_change(user=account, password="Mine@2025pw")
    client.force_login(account)
    codes = [client.get(reverse(name)).status_code for name in ("home", "members:list", "audit", "account_list")]
    assert codes == [403, 403, 403, 403]
    assert client.get(reverse("admin:index")).status_code == 302


def test_role_grant_confirm_refuses_the_proposer(zone, users):
    account = _new_account(users)
    services.account_password_change(user=account, password="Mine@2025pw")
    grant = RoleGrant.objects.get(user=account)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.role_grant_confirm(grant=grant, by=users.sysadmin)
    assert refused.value.messages == ["角色授予须由另一名系统管理员确认，提议人本人和该账号本人均不能确认。"]
    account.refresh_from_db()
    assert (account.role, RoleGrant.objects.get(pk=grant.pk).state) == ("", RoleGrantState.PROPOSED)


def test_role_grant_confirm_refuses_the_account_itself(zone, users, second_sysadmin):
    grant = services.role_grant_propose(user=second_sysadmin, role=Role.BUREAU, organisation=None, by=users.sysadmin)
    with pytest.raises(ValidationError):
        services.role_grant_confirm(grant=grant, by=second_sysadmin)
    second_sysadmin.refresh_from_db()
    assert second_sysadmin.role == Role.SYSADMIN


def test_role_grant_waits_until_the_user_chose_a_password(zone, users, second_sysadmin):
    """Nobody gives access to an account whose password an administrator knows."""
    account = _new_account(users)
    grant = RoleGrant.objects.get(user=account)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.role_grant_confirm(grant=grant, by=second_sysadmin)
    assert refused.value.messages == ["该账号仍在使用管理员设置的密码：用户须先设置自己的密码，角色才能确认。"]
    services.account_password_change(user=account, password="Mine@2025pw")
    services.role_grant_confirm(grant=grant, by=second_sysadmin)
    account.refresh_from_db()
    grant.refresh_from_db()
    assert (account.role, account.is_staff, grant.state, grant.decided_by) == (
        Role.BUREAU,
        True,
        RoleGrantState.CONFIRMED,
        second_sysadmin,
    )


def test_role_grant_after_password_set_by_an_administrator_waits_again(zone, users, second_sysadmin):
    grant = services.role_grant_propose(user=users.town_admin, role=Role.AUDITOR, organisation=None, by=users.sysadmin)
    services.account_password_set(user=users.town_admin, password="Known@2025pw", by=users.sysadmin)
    with pytest.raises(ValidationError):
        services.role_grant_confirm(grant=grant, by=second_sysadmin)
    users.town_admin.refresh_from_db()
    assert users.town_admin.role == Role.ORG_ADMIN


def test_role_grant_confirm_and_refuse_are_on_the_account_trail(zone, users, second_sysadmin):
    grant = services.role_grant_propose(user=users.town_admin, role=Role.AUDITOR, organisation=None, by=users.sysadmin)
    services.role_grant_confirm(grant=grant, by=second_sysadmin)
    refused = services.role_grant_propose(
        user=users.branch_admin, role=Role.BUREAU, organisation=None, by=users.sysadmin
    )
    services.role_grant_refuse(grant=refused, by=second_sysadmin)
    trail = AuditEntry.objects.filter(action__startswith="portal.user.role_").order_by("pk")
    assert [(e.action, e.username, e.object_pk, e.changes["role"]) for e in trail] == [
        ("portal.user.role_proposed", users.sysadmin.username, str(users.town_admin.pk), ["org_admin", "auditor"]),
        ("portal.user.role_confirmed", second_sysadmin.username, str(users.town_admin.pk), ["org_admin", "auditor"]),
        ("portal.user.role_proposed", users.sysadmin.username, str(users.branch_admin.pk), ["org_admin", "bureau"]),
        ("portal.user.role_refused", second_sysadmin.username, str(users.branch_admin.pk), ["org_admin", "bureau"]),
    ]
    users.branch_admin.refresh_from_db()
    assert (users.branch_admin.role, users.branch_admin.organisation_id) == (Role.ORG_ADMIN, zone.b1.pk)


def test_role_grant_one_proposal_at_a_time(zone, users):
    first = services.role_grant_propose(user=users.town_admin, role=Role.AUDITOR, organisation=None, by=users.sysadmin)
    again = services.role_grant_propose(user=users.town_admin, role=Role.AUDITOR, organisation=None, by=users.sysadmin)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.role_grant_propose(user=users.town_admin, role=Role.BUREAU, organisation=None, by=users.sysadmin)
    assert (again, refused.value.messages) == (first, ["该账号已有另一项待确认的角色授予，须先确认或拒绝。"])


def test_role_grant_only_by_a_system_administrator(zone, users):
    with pytest.raises(ValidationError):
        services.role_grant_propose(user=users.town_admin, role=Role.BUREAU, organisation=None, by=users.bureau)
    assert RoleGrant.objects.count() == 0


def test_role_grant_database_refuses_a_confirmation_by_the_proposer(zone, users):
    grant = services.role_grant_propose(user=users.town_admin, role=Role.BUREAU, organisation=None, by=users.sysadmin)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.filter(pk=grant.pk).update(state=RoleGrantState.CONFIRMED, decided_by=users.sysadmin)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=users.sysadmin, role=Role.BUREAU, proposed_by=users.sysadmin)


def test_account_update_role_change_waits_for_a_second_administrator(zone, users, client_for):
    data = {"full_name": "升职", "role": Role.BUREAU, "organisation_code": "", "is_active": "on"}
    client = client_for(users.sysadmin)
    response = client.post(reverse("account_update", args=[users.town_admin.pk]), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["账号已保存；新角色须由另一名系统管理员确认后生效。"]
    users.town_admin.refresh_from_db()
    assert (users.town_admin.first_name, users.town_admin.role, users.town_admin.organisation_id) == (
        "升职",
        Role.ORG_ADMIN,
        zone.t1.pk,
    )
    # The form shows what awaits confirmation, and the list says so.
    form = client.get(reverse("account_update", args=[users.town_admin.pk])).context["form"]
    assert (form["role"].value(), form["organisation_code"].value()) == (Role.BUREAU, "")
    listing = client.get(reverse("account_list"))
    assert listing.context["pending_count"] == 1
    row = next(a for a in listing.context["page"] if a.pk == users.town_admin.pk)
    assert [g.role for g in row.pending_grants] == [Role.BUREAU]
