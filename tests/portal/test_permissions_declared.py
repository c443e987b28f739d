"""Permissions fail closed (issue 15): a view says what it needs, or it does not serve."""

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import get_resolver
from django.views.generic import TemplateView

from core.permissions import PERMISSIONS, PermissionRequiredMixin


def _routed_views():
    found, stack = set(), list(get_resolver().url_patterns)
    while stack:
        pattern = stack.pop()
        if hasattr(pattern, "url_patterns"):
            stack.extend(pattern.url_patterns)
        elif getattr(pattern.callback, "view_class", None):
            found.add(pattern.callback.view_class)
    return found


def test_every_routed_view_declares_its_permission():
    undeclared = sorted(
        f"{view.__module__}.{view.__qualname__}"
        for view in _routed_views()
        if issubclass(view, PermissionRequiredMixin) and view.permission_required is None
    )
    assert undeclared == []


@pytest.mark.django_db
def test_a_view_without_a_declared_permission_refuses_to_serve(django_user_model):
    class Forgotten(PermissionRequiredMixin, TemplateView):
        template_name = "base.html"

    request = RequestFactory().get("/")
    request.user = django_user_model(username="bureau1", role="bureau")
    with pytest.raises(ImproperlyConfigured):
        Forgotten.as_view()(request)


@pytest.mark.django_db
def test_writes_ask_for_the_declared_write_permission(django_user_model):
    """Reads ask `permission_required`; every other method asks `write_permission_required`."""

    class Runs(PermissionRequiredMixin, TemplateView):
        template_name = "base.html"
        permission_required = "view"
        write_permission_required = "bureau"

        def post(self, request):
            return self.get(request)

    auditor = django_user_model(username="auditor1", role="auditor")
    view = Runs()
    assert view.required_permission("GET") == "view"
    assert view.required_permission("HEAD") == "view"
    assert view.required_permission("POST") == "bureau"
    request = RequestFactory().post("/")
    request.user = auditor

    with pytest.raises(PermissionDenied):
        Runs.as_view()(request)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("bureau", {"signed_in", "view", "edit", "zone", "dashboard", "bureau", "audit", "admin_site"}),
        ("org_admin", {"signed_in", "view", "edit", "dashboard"}),
        ("auditor", {"signed_in", "view", "zone", "dashboard", "audit"}),
        ("sysadmin", {"signed_in", "accounts", "parameters", "admin_site"}),
    ],
)
def test_templates_ask_the_role_table_through_perms(zone, django_user_model, role, granted):
    """`{% if perms.portal.edit %}` asks the role table (core.permissions.RoleBackend), nothing else."""
    organisation = zone.b1 if role == "org_admin" else None
    user = django_user_model.objects.create_user(
        username=f"u-{role}", password="x", role=role, organisation=organisation
    )
    assert {name for name in PERMISSIONS if user.has_perm(f"portal.{name}")} == granted
    assert not user.has_perm("branches.edit") and not user.has_perm("portal.nonexistent")
    shown = Template("{% if perms.portal.edit %}edit{% endif %}|{% if perms.portal.audit %}audit{% endif %}")
    assert shown.render(Context({"perms": PermWrapper(user)})) == "|".join(
        name if name in granted else "" for name in ("edit", "audit")
    )
    user.is_active = False
    assert not user.has_perm("portal.view")
