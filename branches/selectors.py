"""Reads of the organisation tree. Each one is a fixed number of queries, whatever the tree's size."""

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Length, Substr

from branches.enums import OrganisationKind
from branches.models import Organisation, Post
from core import scoping
from core.scoping import subtree


def organisation_tree_roots(*, user) -> QuerySet | list:
    """The top of what the user sees: the work committee(s) for the bureau, their own organisation
    otherwise (as read with the user, no second query)."""
    root = scoping.scope_root(user)
    if root is not None:
        return [root]
    if scoping.sees_whole_zone(user):
        return Organisation.objects.filter(depth=1)
    return Organisation.objects.none()


def organisation_children(*, organisation: Organisation, user) -> QuerySet:
    """Direct children, active first; one indexed query on (path prefix, depth)."""
    children = Organisation.objects.filter(subtree(organisation), depth=organisation.depth + 1)
    return scoping.for_user(children, user).order_by("dissolved_on", "path")


def organisation_search(*, user, text: str) -> QuerySet:
    """Organisations in scope whose name or code contains the text."""
    text = text.strip()
    queryset = Organisation.objects.filter(Q(name__contains=text) | Q(code__iexact=text))
    return scoping.for_user(queryset, user).order_by("path")


def organisation_subtree(*, organisation: Organisation, include_self: bool = True) -> QuerySet:
    """Everything under an organisation: one prefix query on the indexed path."""
    queryset = Organisation.objects.filter(subtree(organisation))
    if not include_self:
        queryset = queryset.exclude(pk=organisation.pk)
    return queryset


def organisation_ancestors(*, organisation: Organisation, user) -> list[Organisation]:
    """The breadcrumb from the top of the user's scope down to (excluding) the organisation."""
    steplen = Organisation.steplen
    paths = [organisation.path[:i] for i in range(steplen, len(organisation.path), steplen)]
    return list(scoping.for_user(Organisation.objects.filter(path__in=paths), user).order_by("depth"))


def organisation_summary(*, organisation: Organisation) -> dict:
    """Active members (directly and in the subtree) and active organisations below, by kind.

    One grouped query over the subtree, summing the stored per-organisation member counts
    (members.services.member_counts_refresh keeps them), so the work committee's page does not
    count a million member rows.
    """
    if organisation.numchild == 0:  # nothing below (a branch's home page): nothing to count (issue 16)
        direct = organisation.member_count
        return {"members_direct": direct, "members_subtree": 0 if organisation.is_dissolved else direct, "kinds": []}
    rows = (
        organisation_subtree(organisation=organisation)
        .active()
        .values("kind")
        .annotate(n=Count("pk"), members=Sum("member_count"))
        .order_by()
    )
    counts = {row["kind"]: row["n"] for row in rows}
    if not organisation.is_dissolved:
        counts[organisation.kind] -= 1
    return {
        "members_direct": organisation.member_count,
        "members_subtree": sum(row["members"] or 0 for row in rows),
        "kinds": [(kind, counts[kind]) for kind in OrganisationKind if counts.get(kind)],
    }


def organisation_current_posts(*, organisation: Organisation) -> QuerySet:
    return (
        Post.objects.current().filter(organisation=organisation).select_related("member").order_by("kind", "started_on")
    )


def organisation_for_code(*, user, code: str) -> Organisation | None:
    """Look up an organisation by its code, within the user's scope."""
    return scoping.for_user(Organisation.objects.filter(code=code.strip()), user).first()


def tree_problems() -> dict:
    """Counts of treebeard's consistency problems (all zero on a healthy tree) and the tree's size."""
    names = ("bad_characters", "bad_step_length", "orphans", "wrong_depth", "wrong_child_count")
    problems = Organisation.objects.find_problems()
    return {
        "organisations": Organisation.objects.count(),
        "problems": {name: len(ids) for name, ids in zip(names, problems, strict=True)},
    }


def work_committee() -> Organisation | None:
    """The zone's root: the work committee (the one organisation at depth 1)."""
    return Organisation.objects.filter(depth=1).order_by("path").first()


def organisation_with_groups(*, organisation: Organisation) -> QuerySet:
    """The organisation and the party groups directly under it: a 党小组 is a subdivision of its branch,
    not a separate organisation, so a branch's duties count their members too (a party group: itself)."""
    groups = subtree(organisation) & Q(kind=OrganisationKind.PARTY_GROUP, depth=organisation.depth + 1)
    return Organisation.objects.filter(Q(pk=organisation.pk) | groups).order_by()


def duty_holder(field: str = "organisation"):
    """SQL for the organisation whose branch-level duties count a record of `field` (a membership span,
    an attendance): the parent branch of a party group, the organisation itself otherwise. The same
    mapping as `organisation_with_groups`, for the set-based compliance rules (one subquery, run for the
    party groups' rows only)."""
    path = OuterRef(f"{field}__path")
    parent = Organisation.objects.filter(path=Substr(path, 1, Length(path) - Organisation.steplen)).order_by()
    return Case(
        When(
            **{f"{field}__kind": OrganisationKind.PARTY_GROUP},
            then=Coalesce(Subquery(parent.values("pk")[:1]), F(f"{field}_id")),
        ),
        default=F(f"{field}_id"),
    )
