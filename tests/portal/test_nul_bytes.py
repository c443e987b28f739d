"""Issue 13 (11): a NUL byte anywhere in a request's input answers 400, on every URL of the matrix."""

import pytest
from django.urls import reverse

from core.enums import Role
from tests.factories import UserFactory
from tests.portal.test_permission_matrix import EXTRA_KWARGS, VIEWS

pytestmark = pytest.mark.django_db


def _urls():
    for name, (_permission, obj_kind) in sorted(VIEWS.items()):
        kwargs = {"pk": 1} if obj_kind else {}
        kwargs.update(EXTRA_KWARGS.get(name, {}))
        yield reverse(name, kwargs=kwargs)


def test_nul_in_a_query_parameter_is_a_bad_request_on_every_url(client):
    client.force_login(UserFactory(role=Role.BUREAU, is_staff=True))
    answers = {url: client.get(url, {"org": "\x00", "q": "a\x00b"}).status_code for url in _urls()}
    assert {url: status for url, status in answers.items() if status != 400} == {}
    assert len(answers) == len(VIEWS)


def test_nul_in_a_form_field_is_a_bad_request_on_every_url(client):
    client.force_login(UserFactory(role=Role.BUREAU, is_staff=True))
    answers = {url: client.post(url, {"name": "王\x00五"}).status_code for url in _urls()}
    assert {url: status for url, status in answers.items() if status != 400} == {}


def test_nul_in_a_parameter_name_is_a_bad_request(client):
    client.force_login(UserFactory(role=Role.BUREAU, is_staff=True))
    assert client.get(reverse("members:list") + "?a%00=1").status_code == 400


def test_the_reported_request_gets_a_chinese_page_and_no_server_error(client):
    client.force_login(UserFactory(role=Role.BUREAU, is_staff=True))
    response = client.get("/members/mobile/?org=%00")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_anonymous_requests_with_nul_are_refused_before_the_login_redirect(client):
    assert client.get(reverse("members:list"), {"q": "\x00"}).status_code == 400


def test_a_request_without_nul_is_untouched(client):
    client.force_login(UserFactory(role=Role.BUREAU, is_staff=True))
    assert client.get("/members/mobile/", {"org": ""}).status_code == 200
