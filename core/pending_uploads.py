"""Uploads kept across a form that failed validation (issue 12, item E): chosen once, not again.

A file that passes the checks of core.uploads is stored, as the clean copy under a name the server
chooses, in MEDIA_ROOT/pending/; the page offers it back by a signed reference (the stored name, the
name the user knows it by, the user) that the next post submits. The reference is valid for the user
who uploaded the file and for PENDING_MAX_AGE; the service that finally stores the file checks it
again like any upload. Files left behind (a form abandoned) are purged nightly (core.tasks).
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import DOCUMENT_TYPES, upload_check

PENDING_DIR = "pending"
PENDING_MAX_AGE = datetime.timedelta(hours=12)
_SALT = "portal.pending_uploads"  # the signing salt: kept from before the kernel moved, so tokens in flight hold
_STORED = re.compile(PENDING_DIR + r"/[0-9a-f]{32}\.(jpg|png|pdf)")


@dataclass(frozen=True)
class PendingUpload:
    """A kept file as the page offers it back: the signed reference and the name the user knows."""

    token: str
    name: str


class PendingUploadsField(forms.Field):
    """The references of kept files a form posts back (the template renders them as ticked boxes)."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        return [token for token in (value or []) if isinstance(token, str) and token]


def pending_upload_keep(*, upload, user, types=DOCUMENT_TYPES) -> PendingUpload:
    """Check an upload (core.uploads: a ValidationError names a refused file) and keep its clean
    copy until the form is saved, so that a mistake elsewhere on the page does not lose it."""
    checked = upload_check(upload, types=types)
    stored = default_storage.save(f"{PENDING_DIR}/{checked.file.name}", checked.file)
    name = PurePath(upload.name or "").name[:200] or checked.file.name
    token = signing.dumps({"f": stored, "n": name, "u": user.pk}, salt=_SALT, compress=True)
    return PendingUpload(token=token, name=name)


def _reference(token: str, user) -> dict:
    gone = ValidationError(_("A file kept from your earlier attempt is no longer available: choose it again."))
    try:
        data = signing.loads(token, salt=_SALT, max_age=PENDING_MAX_AGE)
    except signing.SignatureExpired as exc:
        name = signing.loads(token, salt=_SALT).get("n", "")
        raise ValidationError(
            _("%(name)s was kept from your earlier attempt for too long: choose it again.") % {"name": name}
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise gone from exc
    if data.get("u") != user.pk or not _STORED.fullmatch(str(data.get("f", ""))):
        raise gone
    return data


def pending_upload_described(*, token: str, user) -> PendingUpload | None:
    """A kept file to offer back on the page, or None if its reference no longer holds."""
    try:
        data = _reference(token, user)
    except ValidationError:
        return None
    return PendingUpload(token=token, name=data["n"]) if default_storage.exists(data["f"]) else None


def pending_upload_open(*, token: str, user) -> ContentFile:
    """The kept file under the name the user knows it by, to be checked and stored like an upload;
    a ValidationError when the reference is forged, another user's, expired, or its file gone."""
    data = _reference(token, user)
    try:
        with default_storage.open(data["f"], "rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise ValidationError(
            _("A file kept from your earlier attempt is no longer available: choose it again.")
        ) from exc
    return ContentFile(content, name=data["n"])


def pending_uploads_discard(*, tokens, user) -> None:
    """The kept files of a form that was saved: their copies are stored with the record now."""
    for token in tokens:
        try:
            default_storage.delete(_reference(token, user)["f"])
        except ValidationError:
            continue


def pending_uploads_purge(*, now: datetime.datetime | None = None) -> int:
    """Kept files older than PENDING_MAX_AGE go (their references have expired). Returns how many."""
    cutoff = (now or timezone.now()) - PENDING_MAX_AGE
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    purged = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            purged += 1
    return purged
