"""The audit trail (issue 7): every create, update and delete of a domain record, logins, failed
logins, logouts, exports and imports, with who, when, from where and each changed value before and
after. Read by bureau staff and auditors on /audit/; never changed (the model, the admin and the
database refuse it); kept at least six months (`audit_purge`, nightly).

Who: a contextvar holds the request (set by `AuditMiddleware`) or the user a task acts for (set by
`acting_as` from the task's user id); nothing set means the system (a beat task, a command).

What: `pre_save` reads the row as it is (one query per single save), `post_save` and `post_delete`
write the entry in the same transaction, so a rolled-back change leaves no entry. Every model of
the domain apps is logged unless `NOT_AUDITED` names it (tables the portal computes or keeps for
itself). Bulk paths that bypass signals (COPY, bulk_create) log one entry per operation with its
counts (`log_action`), and `suppressed()` keeps the rows of such an operation out of the trail.

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
from django.utils.translation import gettext_lazy as _

from .enums import AuditAction

# The apps whose records are logged, and the portal's own records that are.
AUDITED_APPS = ("branches", "members", "assessments", "funding")
AUDITED_PORTAL_MODELS = ("portal.user", "portal.policyrevision", "portal.policyvalue")
# Tables the portal computes or keeps for itself: the compliance run and its staging, the member
# history (itself a log of the changes logged here), the progress of a roster upload.
NOT_AUDITED = frozenset({
    "assessments.compliancerun", "assessments.findingstage", "assessments.ruletally",
    "members.memberevent", "members.rosterupload",
})  # fmt: skip
# Findings are written by the run; only a person's act on one (the waiver) is logged: a save
# that names these fields. Creates and deletes of such a model are the run's.
ONLY_WHEN_SAVED = {"assessments.finding": frozenset({"waived_reason", "waived_by", "waived_at"})}
# Fields that say nothing about what a person did: tree bookkeeping, the login time.
IGNORED_FIELDS = {"branches.organisation": frozenset({"path", "depth", "numchild"}), "portal.user": {"last_login"}}
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


def log_action(*, action: str, instance=None, model: str = "", object_pk="", object_repr: str = "",
               changes: dict | None = None, extra: dict | None = None, user=None, username: str = ""):  # fmt: skip
    """Write one entry, by the current request's or task's user unless `user`/`username` say otherwise."""
    from .models import AuditEntry

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
    from members.masking import id_number_masked, phone_masked

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
        f for f in model._meta.concrete_fields
        if not f.primary_key and f.editable and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False) and f.name not in ignored
    )  # fmt: skip
    return _Spec(label=label, fields=fields, only_when_saved=ONLY_WHEN_SAVED.get(label))


def audited_models() -> list:
    return [
        model for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        and (model._meta.app_label in AUDITED_APPS or model._meta.label_lower in AUDITED_PORTAL_MODELS)
        and model._meta.label_lower not in NOT_AUDITED
    ]  # fmt: skip


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
    from .models import User

    username = str(credentials.get("username", ""))[:150]
    with request_context(request):
        log_action(action=AuditAction.LOGIN_FAILED, user=User.objects.filter(username=username).first(),
                   username=username)  # fmt: skip


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
    Running it twice deletes nothing more, so a duplicate beat run needs no lock."""
    from django.db import models

    from .models import AuditEntry

    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _by_model = models.QuerySet.delete(AuditEntry.objects.filter(at__lt=cutoff))
    if deleted:
        log_action(action=AuditAction.PURGE, model=AuditEntry._meta.label_lower,
                   extra={"before": timezone.localtime(cutoff).isoformat(timespec="seconds"), "rows": deleted})  # fmt: skip
    return deleted


# Reading the trail -----------------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries(*, filters: dict):
    """The entries matching the filters, newest first."""
    from .models import AuditEntry

    entries = AuditEntry.objects.order_by("-at", "-pk")
    if filters.get("username"):
        entries = entries.filter(username=filters["username"].strip())
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("model"):
        entries = entries.filter(model=filters["model"])
    if filters.get("object_pk"):
        entries = entries.filter(object_pk=filters["object_pk"].strip())
    if filters.get("date_from"):
        entries = entries.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(at__lt=_day_start(filters["date_to"] + datetime.timedelta(days=1)))
    return entries


def _model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_label(label: str) -> str:
    """A record type as people say it ("member"), or the code of a type that no longer exists."""
    model = _model_of(label)
    return str(model._meta.verbose_name) if model is not None else label


# Changes logged under a name that is not a field of the model.
PSEUDO_FIELDS = {"parent": _("superior organisation")}


def change_rows(entry) -> list[tuple]:
    """(field label, before, after) for each changed field, choices shown by their labels."""
    model = _model_of(entry.model)
    rows = []
    for name, (before, after) in entry.changes.items():
        label, choices = PSEUDO_FIELDS.get(name, name), {}
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            if field is not None:
                label = field.verbose_name
                choices = {str(key): value for key, value in field.flatchoices}
                if field.get_internal_type() == "BooleanField":
                    choices = {"true": _("Yes"), "false": _("No")}
        rows.append((label, choices.get(before, before), choices.get(after, after)))
    return rows
