import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import translation

from portal.enums import Role
from portal.models import User

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
    assert (account.organisation_id, account.must_change_password, account.is_staff) == (zone.v1.pk, True, False)
    # django-axes checks the lockout of the request's address, so authenticate() needs a request.
    assert authenticate(rf.post("/login/"), username="v1admin", password="Cun@2024pass") == account


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
