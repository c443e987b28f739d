"""Writes to the organisation tree: create, edit, move, dissolve, delete, posts.

Views, the admin, the demo seed and tasks call these; the shape rules of S-HIERARCHY are checked
here and nowhere else.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.enums import ALLOWED_PARENT_KINDS, FORMATION_SECTORS, SINGLE_HOLDER_POSTS, OrganisationKind
from branches.models import Organisation, Post
from core import audit, scoping
from core.concurrency import version_check
from core.dates import day_text
from core.enums import AuditAction
from core.holds import holds

# A dissolution ends the open posts in one UPDATE (issue 13, item 4): one entry with the posts it ended.
DISSOLVED = audit.named_action(
    "branches.organisation.dissolved",
    label=gettext_lazy("Organisation dissolved, its posts ended"),
    models=("branches.post",),
)

# Sent (sender=Organisation, organisation=…) by a move, inside its transaction, once the subtree has its
# new paths: what the floors above keep of the tree's shape follows it (the towns of mobile records).
organisation_moved = Signal()

# Fields a form or import may set on an organisation; the tree fields are the services' own.
ORGANISATION_FIELDS = (
    "code",
    "name",
    "kind",
    "sector",
    "formation",
    "unit_name",
    "staff_count",
    "cadre_count",
    "employee_count",
    "wage_bill",
    "standard_wage_bill",
    "is_large_enterprise",
    "main_investor_is_secretary",
    "established_on",
)


def organisation_shape_check(*, kind: str, parent: Organisation | None) -> None:
    """S-HIERARCHY: a kind may only stand under certain kinds (a party group under a branch, …)."""
    allowed = ALLOWED_PARENT_KINDS[OrganisationKind(kind)]
    label = OrganisationKind(kind).label
    if parent is None:
        if allowed:
            raise ValidationError(_("A %(kind)s must have a superior organisation.") % {"kind": label})
        return
    if not allowed:
        raise ValidationError(_("The work committee is the root of the tree and has no superior organisation."))
    if parent.kind not in allowed:
        raise ValidationError(
            _("A %(kind)s cannot stand under a %(parent_kind)s; allowed superiors: %(allowed)s.")
            % {
                "kind": label,
                "parent_kind": OrganisationKind(parent.kind).label,
                "allowed": "、".join(str(OrganisationKind(k).label) for k in sorted(allowed)),
            }
        )
    if parent.is_dissolved:
        raise ValidationError(_("%(parent)s was dissolved; nothing can be added under it.") % {"parent": parent.name})


def _children_shape_check(*, organisation: Organisation, kind: str) -> None:
    """Changing a node's kind must keep its existing children valid."""
    for child_kind in Organisation.objects.get_children(organisation).values_list("kind", flat=True).distinct():
        if kind not in ALLOWED_PARENT_KINDS[OrganisationKind(child_kind)]:
            raise ValidationError(
                _("This organisation has a %(child)s below it, which cannot stand under a %(kind)s.")
                % {"child": OrganisationKind(child_kind).label, "kind": OrganisationKind(kind).label}
            )


def _fields_check(data: dict) -> None:
    if data.get("formation") and data.get("sector") not in FORMATION_SECTORS:
        raise ValidationError(
            {"formation": _("Only non-public enterprises and social organisations record how they were formed.")}
        )


def _editable_check(*, user, organisation: Organisation) -> None:
    scoping.scope_check(user=user, organisation=organisation)


@transaction.atomic
def organisation_create(*, parent: Organisation | None, data: dict, user=None) -> Organisation:
    """Add an organisation under `parent` (None only for the work committee at the root)."""
    fields = {key: data[key] for key in ORGANISATION_FIELDS if key in data}
    organisation_shape_check(kind=fields["kind"], parent=parent)
    _fields_check(fields)
    if parent is None:
        return Organisation.objects.add_root(create_kwargs=fields)
    _editable_check(user=user, organisation=parent)
    # treebeard locks the parent row, so two concurrent additions never compute the same path.
    return Organisation.objects.add_child(parent, create_kwargs=fields)


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, data: dict, user=None, version: str | None = None
) -> Organisation:
    """Change an organisation's details; refused if it changed after its form was opened (`version`, issue 7)."""
    _editable_check(user=user, organisation=organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    version_check(opened=version, stamp=organisation.updated_at)
    fields = {key: data[key] for key in ORGANISATION_FIELDS if key in data}
    if "kind" in fields and fields["kind"] != organisation.kind:
        organisation_shape_check(kind=fields["kind"], parent=Organisation.objects.get_parent(organisation))
        _children_shape_check(organisation=organisation, kind=fields["kind"])
    _fields_check({"sector": organisation.sector, "formation": organisation.formation, **fields})
    for key, value in fields.items():
        setattr(organisation, key, value)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_move(*, organisation: Organisation, new_parent: Organisation, user=None) -> Organisation:
    """Move a node with its whole subtree; refuses cycles and moves out of the user's scope."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    _editable_check(user=user, organisation=organisation)
    _editable_check(user=user, organisation=new_parent)
    root = scoping.scope_root(user) if user is not None else None
    if root is not None and root.pk == organisation.pk:
        raise ValidationError(_("You cannot move the organisation you are responsible for; ask the bureau."))
    if new_parent.path.startswith(organisation.path):
        raise ValidationError(
            _("%(target)s lies under %(org)s: an organisation cannot be moved below itself.")
            % {"target": new_parent.name, "org": organisation.name}
        )
    if organisation.path[: -Organisation.steplen] == new_parent.path:
        raise ValidationError(
            _("%(org)s already stands under %(target)s.") % {"org": organisation.name, "target": new_parent.name}
        )
    organisation_shape_check(kind=organisation.kind, parent=new_parent)
    old_parent = Organisation.objects.get_parent(organisation)
    Organisation.objects.move(organisation, new_parent, pos="last-child")
    organisation.refresh_from_db()
    organisation_moved.send(sender=Organisation, organisation=organisation)
    # treebeard moves with UPDATE statements, which the audit trail does not see: logged here (issue 7).
    audit.log_action(
        action=AuditAction.UPDATE,
        instance=organisation,
        changes={"parent": [old_parent.code if old_parent else None, new_parent.code]},
    )
    return organisation


@transaction.atomic
def organisation_dissolve(*, organisation: Organisation, on: datetime.date, reason: str, user=None) -> Organisation:
    """Dissolve with a date, keeping the node and its history; its members and children go first."""
    _editable_check(user=user, organisation=organisation)
    root = scoping.scope_root(user) if user is not None else None
    if root is not None and root.pk == organisation.pk:
        raise ValidationError(_("You cannot dissolve the organisation you are responsible for; ask the bureau."))
    if organisation.is_dissolved:
        raise ValidationError(
            _("This organisation was already dissolved on %(date)s.") % {"date": day_text(organisation.dissolved_on)}
        )
    if organisation.depth == 1:
        raise ValidationError(_("The work committee cannot be dissolved."))
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date of dissolution cannot be in the future.")})
    if organisation.established_on and on < organisation.established_on:
        raise ValidationError({"on": _("The date of dissolution is before the organisation was established.")})
    active_children = Organisation.objects.get_children(organisation).active().count()
    if active_children:
        raise ValidationError(
            _("%(count)s subordinate organisations are still active: move or dissolve them first.")
            % {"count": active_children}
        )
    refusals = holds(organisation, ever=False)
    if refusals:
        raise ValidationError(refusals)
    posts = Post.objects.filter(organisation=organisation, ended_on__isnull=True).order_by("pk")
    ended = audit.rows_text(posts, ("member", "kind", "started_on"))
    posts.update(ended_on=on)
    organisation.dissolved_on = on
    organisation.dissolution_reason = reason
    organisation.save(update_fields=["dissolved_on", "dissolution_reason", "updated_at"])
    audit.log_action(action=DISSOLVED, instance=organisation, extra={"on": on, "rows": len(ended), "written": ended})
    return organisation


@transaction.atomic
def organisation_delete(*, organisation: Organisation, user=None) -> None:
    """Delete a node entered by mistake: only one with no children, members or posts."""
    _editable_check(user=user, organisation=organisation)
    root = scoping.scope_root(user) if user is not None else None
    if root is not None and root.pk == organisation.pk:
        raise ValidationError(_("You cannot delete the organisation you are responsible for."))
    if organisation.numchild or Organisation.objects.get_children(organisation).exists():
        raise ValidationError(
            _("An organisation with subordinate organisations cannot be deleted; dissolve it instead.")
        )
    refusals = holds(organisation, ever=True)
    if refusals:
        raise ValidationError(refusals)
    if organisation.posts.exists() or organisation.administrators.exists():
        raise ValidationError(
            _("An organisation with posts or accounts on record cannot be deleted; dissolve it instead.")
        )
    organisation.delete()


@transaction.atomic
def post_assign(
    *,
    organisation: Organisation,
    member,
    kind: str,
    started_on: datetime.date,
    is_full_time: bool = False,
    user=None,
) -> Post:
    """Record a member taking up a post; a secretary's post has one holder at a time."""
    _editable_check(user=user, organisation=organisation)
    if organisation.is_dissolved:
        raise ValidationError(_("%(org)s was dissolved; no post can be assigned.") % {"org": organisation.name})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The start date cannot be in the future.")})
    if kind in SINGLE_HOLDER_POSTS:
        holder = Post.objects.current().filter(organisation=organisation, kind=kind).select_related("member").first()
        if holder is not None:
            raise ValidationError(
                _("%(name)s already holds this post; end that post first.") % {"name": holder.member.name}
            )
    if Post.objects.current().filter(organisation=organisation, kind=kind, member=member).exists():
        raise ValidationError(_("%(name)s already holds this post.") % {"name": member.name})
    return Post.objects.create(
        organisation=organisation,
        member=member,
        kind=kind,
        started_on=started_on,
        is_full_time=is_full_time,
        created_by=user if getattr(user, "pk", None) else None,
    )


@transaction.atomic
def post_end(*, post: Post, ended_on: datetime.date, user=None) -> Post:
    _editable_check(user=user, organisation=post.organisation)
    if post.ended_on is not None:
        raise ValidationError(_("This post already ended on %(date)s.") % {"date": day_text(post.ended_on)})
    if ended_on < post.started_on:
        raise ValidationError(
            {"ended_on": _("The end date is before the start date (%(date)s).") % {"date": day_text(post.started_on)}}
        )
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("The end date cannot be in the future.")})
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    return post
