"""The one place that decides what a user may see: their organisation's subtree.

Every list, detail, form choice field, export and task narrows its queryset with `for_user`.
Models say how they reach an organisation path with a `scope_path` attribute
(`Organisation.scope_path = "path"`, `Member.scope_path = "organisation__path"`), so a prefix
match on the materialised path answers "is this under the user's organisation" in one indexed
query. Objects outside the scope are simply not found: views answer 404.
"""

from django.db.models import Q, QuerySet

from core.enums import Role

WHOLE_ZONE_ROLES = frozenset({Role.BUREAU, Role.AUDITOR})


def sees_whole_zone(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in WHOLE_ZONE_ROLES)


def scope_root(user):
    """The organisation at the top of the user's scope, or None for the whole zone (or nothing)."""
    if user.is_authenticated and user.is_active and user.role == Role.ORG_ADMIN:
        return user.organisation
    return None


def for_user(queryset: QuerySet, user) -> QuerySet:
    """Narrow any queryset whose model declares `scope_path` to what the user may see.

    `scope_path` is one lookup, or a tuple of lookups when a record belongs to two organisations
    (a mobile member: the home branch and the receiving one); any of them in scope lets it in.
    """
    if sees_whole_zone(user):
        return queryset
    root = scope_root(user)
    if root is None:
        return queryset.none()
    paths = queryset.model.scope_path
    if isinstance(paths, str):
        return queryset.filter(**{f"{paths}__startswith": root.path})
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path}__startswith": root.path})
    return queryset.filter(condition)


def path_in_scope(user, path: str) -> bool:
    """Whether a node with this materialised path is inside the user's scope (no query)."""
    if sees_whole_zone(user):
        return True
    root = scope_root(user)
    return root is not None and path.startswith(root.path)


def scope_check(*, user, organisation) -> None:
    """The services' refusal of a write outside the user's subtree (None is an operator or a task)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if user is not None and not path_in_scope(user, organisation.path):
        raise ValidationError(_("This organisation is outside your responsibility."))


def get_in_scope_or_404(queryset: QuerySet, user, **lookup):
    """Fetch one object the user may see; anything else is 404, so nothing outside leaks."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(for_user(queryset, user), **lookup)


def subtree(organisation, *, via: str = "") -> Q:
    """The rows of an organisation's subtree (itself and everything under it): one prefix match on the
    materialised path, through the relation `via` ("organisation", "member__organisation"...) or, for
    organisations themselves, none. Every subtree filter goes through here, as every scope goes through
    `for_user`."""
    # An organisation, or its path already read (a string, or OuterRef("path") in a correlated subquery).
    path = getattr(organisation, "path", organisation)
    return Q(**{f"{via}__path__startswith" if via else "path__startswith": path})
