"""Optimistic concurrency of edit forms (issue 7): two people editing the same record never
overwrite each other silently; the second save is refused with a message saying who changed the
record and when.

An edit form carries, in a hidden field, the version of the record it was opened on: the
record's `updated_at` (or `recorded_at`) as an ISO timestamp, the latest of them for a form that
edits several rows, `NEW` when nothing was on record yet, or a digest of the content where the
record keeps no timestamp. The service locks the row(s) with `select_for_update` inside its
transaction, reads the version again and calls `version_check`; the refusal lands on the form,
which comes back with what the user typed.

A service called without a version (imports, the demo, tasks) checks nothing. A form posted
without one is refused: the safe reading of a missing version is "unknown", not "opened now".
"""

import datetime
import hashlib
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The version of a record that was not on record when its form was opened.
NEW = "new"


def version_of(stamp: datetime.datetime | None) -> str:
    """A record's version as its form carries it: the timestamp in UTC, ISO form; NEW for none."""
    if stamp is None:
        return NEW
    return stamp.astimezone(datetime.UTC).isoformat()


def latest_stamp(stamps: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    """The latest of the timestamps of the rows a form edits together (None when there are none)."""
    return max((s for s in stamps if s is not None), default=None)


def content_version(*parts) -> str:
    """The version of a record that keeps no timestamp: a digest of the values its form edits."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def row_lock(model, pk) -> None:
    """Lock one row until the transaction ends: the lock of a form whose rows may not exist yet
    (the branch of a first evaluation, the venue of its six standards)."""
    list(model._default_manager.select_for_update().filter(pk=pk).order_by().values_list("pk", flat=True))


def version_check(
    *,
    opened: str | None,
    stamp: datetime.datetime | None = None,
    current: str | None = None,
    changed_by=None,
) -> None:
    """Issue 7: refuse a save when the record changed after its form was opened.

    Call it with the row(s) locked. `stamp` is the record's timestamp now (its version, and the
    time the message shows); `current` a content version instead. `changed_by` is who made the
    last change, if the record knows it: a user, or a function returning one (asked only on a
    conflict). `opened` None (not from a form) checks nothing."""
    if opened is None:
        return
    if current is None:
        current = version_of(stamp)
    if opened == current:
        return
    who = changed_by() if callable(changed_by) else changed_by
    raise ValidationError(conflict_message(stamp=stamp, who=who), code="conflict")


def conflict_message(*, stamp: datetime.datetime | None, who=None) -> str:
    name = (getattr(who, "display_name", None) or str(who)) if who is not None else ""
    time = timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M:%S") if stamp is not None else ""
    if name and time:
        message = _(
            "%(who)s changed this record at %(time)s, after you opened it, so nothing was saved. What you "
            "entered is kept below: copy what you need, reload the page to see the record as it is now, and "
            "make your changes again."
        )
    elif time:
        message = _(
            "Someone else changed this record at %(time)s, after you opened it, so nothing was saved. What "
            "you entered is kept below: copy what you need, reload the page to see the record as it is now, "
            "and make your changes again."
        )
    else:
        message = _(
            "Someone else changed this record after you opened it, so nothing was saved. What you entered is "
            "kept below: copy what you need, reload the page to see the record as it is now, and make your "
            "changes again."
        )
    return message % {"who": name, "time": time}


MISSING_VERSION = gettext_lazy(
    "This form was sent without the version of the record it was opened on, so nothing was saved: "
    "reload the page and make your changes again."
)


class VersionedFormMixin:
    """A form that carries the version of the record it was opened on (hidden field `version`).

    `version` None (a form that creates a record) adds no field. A missing version is an error
    above the form, where a hidden field's own error would not be shown."""

    def __init__(self, *args, version: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, initial=version, required=False, max_length=80
            )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields and not self.cleaned_data.get("version"):
            self.add_error(None, MISSING_VERSION)
        return cleaned


class VersionedFormViewMixin:
    """An edit view (ServiceFormView) whose form carries the version of its record; `perform`
    passes `self.opened_version(form)` to the service.

    The version is read before the values the form shows (or from the same row), so a change in
    between gives a needless conflict at worst, never a lost one."""

    def record_version(self) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.form_version = self.record_version()
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        # A posted form reads its version from the POST; the initial value is not used.
        return {**super().get_form_kwargs(), "version": getattr(self, "form_version", "")}

    @staticmethod
    def opened_version(form) -> str:
        return form.cleaned_data["version"]
