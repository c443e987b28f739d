"""The audit trail (issue 7): every create, update and delete of a domain record, logins, failed
logins, logouts, exports and imports, with who, when, from where and each changed value before and
after. Read by bureau staff and auditors on /audit/; never changed (the model, the admin and the
database refuse it); kept at least six months (`audit_purge`, nightly).

Who: a contextvar holds the request (set by `AuditMiddleware`) or the user a task acts for (set by
`acting_as` from the task's user id); nothing set means the system (a beat task, a command).

What: `pre_save` reads the row as it is (one query per single save), `post_save` and `post_delete`
write the entry in the same transaction, so a rolled-back change leaves no entry. Every model of
the domain apps is logged unless `NOT_AUDITED` names it (tables the portal computes or keeps for
itself). Bulk paths that bypass signals (COPY, bulk_create, a queryset's update()) log one entry
per operation (`log_action`): a service logs one named action (`named_action`, a dotted name such as
`assessments.meeting.attendance_recorded`) with what it wrote and what it replaced, and
`suppressed()` keeps the rows such an operation replaces out of the trail row by row (issue 13).
tests/portal/test_audit_bulk.py fails when an audited model is written in bulk with no entry.

Values are text. ID numbers and phones are stored masked (430104********123X): the trail is itself
personal data read by auditors, who see them masked everywhere; a change still shows, and the
member's own history (MemberEvent) keeps the full values for those allowed to see them. Passwords
never appear, only that one changed.
"""

import contextlib
import contextvars
import dataclasses
import datetime
import json
from collections.abc import Iterator
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.enums import AuditAction
from core.masking import id_number_masked, phone_masked, text_masked
from core.models import AuditEntry, User

# The apps whose records are logged, and the portal's own records that are.
AUDITED_APPS = ("branches", "members", "assessments", "funding")
AUDITED_PORTAL_MODELS = ("portal.user", "portal.policyrevision", "portal.policyvalue")
# Tables the portal computes or keeps for itself: the compliance run and its staging, the member
# history (itself a log of the changes logged here), the progress of a roster upload.
NOT_AUDITED = frozenset(
    {
        "assessments.compliancerun",
        "assessments.findingstage",
        "assessments.ruletally",
        "members.memberevent",
        "members.rosterupload",
    }
)
# Findings are written by the run; only a person's act on one (the waiver) is logged: a save
# that names these fields. Creates and deletes of such a model are the run's.
ONLY_WHEN_SAVED = {"assessments.finding": frozenset({"waived_reason", "waived_by", "waived_at"})}
# Fields that say nothing about what a person did: tree bookkeeping, the login time.
# The member count is the portal's own tally of the members logged one by one (member_counts_refresh).
IGNORED_FIELDS = {
    "branches.organisation": frozenset({"path", "depth", "numchild", "member_count"}),
    "portal.user": frozenset({"last_login"}),
    # The towns above a mobile record's organisations, kept from the tree (members.mobile.mobile_towns_fill).
    "members.mobilerecord": frozenset({"home_town", "receiving_town"}),
}
HIDDEN_FIELDS = frozenset({"password"})
HIDDEN = "******"
MAX_TEXT = 500
MIN_RETENTION_DAYS = 183  # six months, whatever AUDIT_RETENTION_DAYS says
DEFAULT_RETENTION_DAYS = 400


@dataclasses.dataclass(frozen=True)
class _Context:
    request: object = None
    user: object = None


_context: contextvars.ContextVar[_Context | None] = contextvars.ContextVar("audit_context", default=None)
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_suppressed", default=False)


def client_ip(request) -> str | None:
    """The client's address; behind the portal's own proxy (BEHIND_PROXY) the one it appended last."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    behind_proxy = getattr(settings, "BEHIND_PROXY", None)
    if behind_proxy is None:
        behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    if forwarded and behind_proxy:
        address = forwarded.split(",")[-1].strip()
    return address or None


def acting_user(user):
    """The user a record names as its author: a saved account, or None for an operator or a task."""
    return user if getattr(user, "pk", None) else None


def _who() -> tuple[object, str | None]:
    context = _context.get() or _Context()
    user = context.user
    if user is None and context.request is not None:
        user = getattr(context.request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return user, client_ip(context.request)


@contextlib.contextmanager
def request_context(request) -> Iterator[None]:
    token = _context.set(_Context(request=request))
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def acting_as(user) -> Iterator[None]:
    """What runs inside is done by `user` (a task started by a user: ids in, the user fetched)."""
    current = _context.get() or _Context()
    token = _context.set(_Context(request=current.request, user=user))
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """The rows of a bulk operation stay out of the trail; log the operation itself with its counts."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


class AuditMiddleware:
    """Makes the request's user and address the author of everything logged while it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request):
            return self.get_response(request)


# Named actions ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NamedAction:
    name: str  # dotted: app.record.what_was_done
    label: object
    models: tuple[str, ...]  # the audited models whose rows it writes in bulk, without an entry per row


NAMED_ACTIONS: dict[str, NamedAction] = {}
MAX_ACTION = 100  # AuditEntry.action


def named_action(name: str, *, label, models: tuple[str, ...]) -> str:
    """Declare a named action (pretix's dotted `members.member.transferred`): its label on the trail
    and, for the one action a service that writes in bulk logs, the models it writes past the
    signals. The guard test (tests/portal/test_audit_bulk.py) fails when such a write leaves no
    entry for its model."""
    if name in AuditAction.values or len(name) > MAX_ACTION or len(name.split(".")) != 3:
        raise ValueError(f"an action is app.record.what_was_done, at most {MAX_ACTION} characters: {name}")
    if name in NAMED_ACTIONS and NAMED_ACTIONS[name].models != tuple(models):
        raise ValueError(f"the action {name} is declared twice")
    NAMED_ACTIONS[name] = NamedAction(name=name, label=label, models=tuple(models))
    return name


def action_label(action: str):
    """An action as people say it; a named action declared by a module not loaded shows its name."""
    if action in AuditAction.values:
        return AuditAction(action).label
    named = NAMED_ACTIONS.get(action)
    return named.label if named is not None else action


def action_choices() -> list[tuple]:
    """The kinds of entry, then the named actions by their labels (the trail's filter)."""
    named = sorted(((a.name, a.label) for a in NAMED_ACTIONS.values()), key=lambda choice: str(choice[1]))
    return [*AuditAction.choices, *named]


def rows_text(rows, fields: tuple[str, ...]) -> list[dict]:
    """What a bulk write wrote or replaced, row by row: the key and the fields named, as the trail
    keeps values (text; ID numbers and phones masked)."""
    result = []
    for row in rows:
        meta = row._meta
        values = {"id": row.pk}
        for name in fields:
            field = meta.get_field(name)
            values[name] = value_text(field, getattr(row, field.attname))
        result.append(values)
    return result


def log_action(
    *,
    action: str,
    instance=None,
    model: str = "",
    object_pk="",
    object_repr: str = "",
    changes: dict | None = None,
    extra: dict | None = None,
    user=None,
    username: str = "",
):
    """Write one entry, by the current request's or task's user unless `user`/`username` say otherwise."""

    if action not in AuditAction.values and action not in NAMED_ACTIONS:
        raise ValueError(f"undeclared audit action {action!r}: declare it with named_action()")
    who, ip = _who()
    user = user or who
    if instance is not None:
        model = model or instance._meta.label_lower
        object_pk = object_pk or instance.pk
        object_repr = object_repr or _repr(instance)
    return AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=(username or getattr(user, "username", ""))[:150],
        ip=ip,
        action=action,
        model=model,
        object_pk="" if object_pk is None else str(object_pk)[:64],
        object_repr=object_repr[:200],
        changes=changes or {},
        extra=_jsonable(extra or {}),
    )


def export_log(*, request, model: str, rows: int, filters: dict | None = None, **extra):
    """An export: what, with which filters (the page's query, or those given), how many rows."""

    if filters is None:
        filters = {key: value for key, value in request.GET.items() if key != "page" and value != ""}
    # The auditor reads the trail and sees no personal data (issue 13): a search by ID number or phone is
    # kept masked, like every other value shown there.
    filters = {key: text_masked(value) if isinstance(value, str) else value for key, value in filters.items()}
    return log_action(action=AuditAction.EXPORT, model=model, extra={"filters": filters, "rows": rows, **extra})


class RowCounter:
    """Counts the rows an export writes as it reads them (no second query to count them)."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


# Values as text ---------------------------------------------------------------------------------


def _masked(name: str, text: str) -> str:

    if name == "id_number" or name.endswith("_id_number"):
        return id_number_masked(text)
    if name == "phone" or name.endswith("_phone"):
        return phone_masked(text)
    return text


def value_text(field, value) -> str | None:
    """A field's value as the trail keeps it: text, masked where it is an ID number or a phone."""
    if value is None:
        return None
    if field.name in HIDDEN_FIELDS:
        return HIDDEN
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime.datetime):
        text = (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(timespec="seconds")
    elif isinstance(value, datetime.date | datetime.time):
        text = value.isoformat()
    elif isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    elif hasattr(value, "name") and hasattr(value, "storage"):  # a file
        text = value.name or ""
    else:
        text = str(value)
    return _masked(field.name, text)[:MAX_TEXT]


def _jsonable(value):
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


class _NoQuery(Exception):
    pass


def _no_query(execute, sql, params, many, context):
    raise _NoQuery


def _repr(instance) -> str:
    """The record's own words, if they need no query (a relation not loaded gives its type and number)."""
    try:
        with connections[instance._state.db or "default"].execute_wrapper(_no_query):
            return str(instance)[:200]
    except Exception:
        return f"{instance._meta.verbose_name} #{instance.pk}"


# Capturing changes ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Spec:
    label: str
    fields: tuple  # the concrete fields a person changes
    only_when_saved: frozenset | None


_SPECS: dict = {}
_SKIP = object()


def _spec_make(model) -> _Spec:
    label = model._meta.label_lower
    ignored = IGNORED_FIELDS.get(label, frozenset())
    fields = tuple(
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.editable
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
        and f.name not in ignored
    )
    return _Spec(label=label, fields=fields, only_when_saved=ONLY_WHEN_SAVED.get(label))


def audited_models() -> list:
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and (model._meta.app_label in AUDITED_APPS or model._meta.label_lower in AUDITED_PORTAL_MODELS)
        and model._meta.label_lower not in NOT_AUDITED
    ]


def _fields_saved(spec: _Spec, update_fields) -> tuple:
    if update_fields is None:
        return spec.fields
    names = set(update_fields)
    return tuple(f for f in spec.fields if f.name in names or f.attname in names)


def _before_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if raw or _suppressed.get():
        return
    spec = _SPECS[sender]
    if instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    if spec.only_when_saved is not None and not (update_fields and spec.only_when_saved & set(update_fields)):
        instance._audit_before = _SKIP
        return
    fields = _fields_saved(spec, update_fields)
    if not fields:
        instance._audit_before = _SKIP
        return
    instance._audit_before = (
        sender._base_manager.using(using).filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    )


def _after_save(sender, instance, created, raw=False, using=None, update_fields=None, **kwargs):
    if raw or _suppressed.get():
        return
    before = instance.__dict__.pop("_audit_before", None)
    spec = _SPECS[sender]
    if before is _SKIP or (spec.only_when_saved is not None and created):
        return
    if created:
        changes = {}
        for field in spec.fields:
            text = value_text(field, getattr(instance, field.attname))
            if text not in (None, ""):
                changes[field.name] = [None, text]
        log_action(action=AuditAction.CREATE, instance=instance, changes=changes)
        return
    before = before or {}
    changes = {}
    for field in _fields_saved(spec, update_fields):
        old, new = before.get(field.attname), getattr(instance, field.attname)
        if old == new:
            continue
        old_text, new_text = value_text(field, old), value_text(field, new)
        if old_text != new_text or field.name in HIDDEN_FIELDS:
            changes[field.name] = [old_text, new_text]
    if changes:
        log_action(action=AuditAction.UPDATE, instance=instance, changes=changes)


def _after_delete(sender, instance, using=None, **kwargs):
    if _suppressed.get():
        return
    spec = _SPECS[sender]
    if spec.only_when_saved is not None:
        return
    changes = {}
    for field in spec.fields:
        text = value_text(field, getattr(instance, field.attname))
        if text not in (None, "") and field.name not in HIDDEN_FIELDS:
            changes[field.name] = [text, None]
    log_action(action=AuditAction.DELETE, instance=instance, changes=changes)


def _logged_in(sender, request, user, **kwargs):
    with request_context(request):
        log_action(action=AuditAction.LOGIN, user=user)


def _login_failed(sender, credentials, request=None, **kwargs):

    username = str(credentials.get("username", ""))[:150]
    with request_context(request):
        log_action(
            action=AuditAction.LOGIN_FAILED, user=User.objects.filter(username=username).first(), username=username
        )


def _logged_out(sender, request, user, **kwargs):
    with request_context(request):
        log_action(action=AuditAction.LOGOUT, user=user)


def connect() -> None:
    """Called once from PortalConfig.ready(): one receiver per audited model, so the others keep
    Django's fast deletes."""
    for model in audited_models():
        _SPECS[model] = _spec_make(model)
        uid = f"audit:{model._meta.label_lower}"
        signals.pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        signals.post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        signals.post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit:login")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit:login_failed")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit:logout")


# Retention --------------------------------------------------------------------------------------


def retention_days() -> int:
    """AUDIT_RETENTION_DAYS, never below six months (183 days)."""
    return max(MIN_RETENTION_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))


def audit_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete entries older than the retention period; the purge itself is logged with its count.
    Running it twice deletes nothing more, so a duplicate beat run needs no lock. On PostgreSQL
    through the function of migration 0007, so the portal's database role needs no DELETE on the
    trail (README: "The audit trail's own database role")."""
    from django.db import connection, models

    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT portal_auditentry_purge(%s)", [cutoff])
            deleted = cursor.fetchone()[0]
    else:
        deleted, _by_model = models.QuerySet.delete(AuditEntry.objects.filter(at__lt=cutoff))
    if deleted:
        log_action(
            action=AuditAction.PURGE,
            model=AuditEntry._meta.label_lower,
            extra={"before": timezone.localtime(cutoff).isoformat(timespec="seconds"), "rows": deleted},
        )
    return deleted


# Reading the trail -----------------------------------------------------------------------------


def _model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


# Record types logged under a name that is no model: the demo zone written by seed_demo (issue 12).
PSEUDO_MODELS = {"portal.demo": _("demo data")}


def model_label(label: str) -> str:
    """A record type as people say it ("member"), or the code of a type that no longer exists."""
    if label in PSEUDO_MODELS:
        return str(PSEUDO_MODELS[label])
    model = _model_of(label)
    return str(model._meta.verbose_name) if model is not None else label


# Changes logged under a name that is not a field of the model.
PSEUDO_FIELDS = {"parent": _("superior organisation")}


def _field_of(models: list, name: str):
    for model in models:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _choices(field) -> dict:
    if field is None:
        return {}
    if field.get_internal_type() == "BooleanField":
        return {"true": _("Yes"), "false": _("No")}
    return {str(key): value for key, value in getattr(field, "flatchoices", ())}


def change_rows(entry) -> list[tuple]:
    """(field label, before, after) for each changed field, choices shown by their labels."""
    model = _model_of(entry.model)
    rows = []
    for name, (before, after) in entry.changes.items():
        field = _field_of([model] if model is not None else [], name)
        label = field.verbose_name if field is not None else PSEUDO_FIELDS.get(name, name)
        choices = _choices(field)
        rows.append((label, choices.get(before, before), choices.get(after, after)))
    return rows


# The details of a named action's entry (`extra`) that the services write alike.
DETAIL_LABELS = {"rows": _("rows written"), "written": _("records written"), "replaced": _("records replaced")}


def detail_rows(entry) -> list[tuple]:
    """(label, text, table) for each detail of an entry: a list of records (what a bulk write wrote
    or replaced) as a table headed by the fields' labels, its choices by their labels; anything
    else as text."""
    named = NAMED_ACTIONS.get(entry.action)
    labels = (*(named.models if named else ()), entry.model)
    models = [model for model in (_model_of(label) for label in labels if label) if model is not None]
    details = []
    for key, value in entry.extra.items():
        label = DETAIL_LABELS.get(key, key)
        if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            details.append((label, "", _table(value, models)))
        else:
            if value in ([], {}, None):
                text = ""
            else:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            details.append((label, text, None))
    return details


def _head(field):
    """A field's label; one left to Django's default (its name) is looked up as a word of the catalogue."""
    if str(field.verbose_name) == field.name.replace("_", " "):
        return gettext(field.name.replace("_", " "))
    return field.verbose_name


def _table(rows: list[dict], models: list) -> dict:
    order = {f.name: n for n, f in enumerate(models[0]._meta.concrete_fields)} if models else {}
    columns = sorted(dict.fromkeys(key for row in rows for key in row), key=lambda name: order.get(name, len(order)))
    fields = [_field_of(models, name) for name in columns]
    choices = [_choices(field) for field in fields]
    return {
        "heads": [_head(field) if field is not None else name for name, field in zip(columns, fields, strict=True)],
        "rows": [
            [c.get(str(row.get(name)), row.get(name)) for name, c in zip(columns, choices, strict=True)] for row in rows
        ],
    }
