"""Uploads kept across a form that failed validation (core.pending_uploads, issue 12): checked like
any upload, offered back to their uploader only, for a limited time, purged afterwards."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from core import pending_uploads
from tests.uploads import png

pytestmark = pytest.mark.django_db


def test_a_kept_upload_opens_for_its_uploader_under_its_name(users):
    owner, other = users.branch_admin, users.town_admin
    kept = pending_uploads.pending_upload_keep(upload=png("签到表.png"), user=owner)
    opened = pending_uploads.pending_upload_open(token=kept.token, user=owner)
    assert (kept.name, opened.name, opened.read(4)) == ("签到表.png", "签到表.png", b"\x89PNG")
    assert pending_uploads.pending_upload_described(token=kept.token, user=other) is None
    with pytest.raises(ValidationError):
        pending_uploads.pending_upload_open(token=kept.token, user=other)
    with pytest.raises(ValidationError):
        pending_uploads.pending_upload_open(token=kept.token[:-2] + "xx", user=owner)


def test_a_refused_file_is_not_kept(settings, users):
    fake = SimpleUploadedFile("病毒.png", b"MZ\x90\x00", content_type="image/png")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        pending_uploads.pending_upload_keep(upload=fake, user=users.branch_admin)
    assert exc.value.messages == ["病毒.png不是JPEG或PNG照片，也不是PDF扫描件。"]
    assert not (Path(settings.MEDIA_ROOT) / "pending").exists()


def test_an_old_kept_upload_expires_and_is_purged(settings, monkeypatch, users):
    owner = users.branch_admin
    kept = pending_uploads.pending_upload_keep(upload=png("照片.png"), user=owner)
    assert pending_uploads.pending_uploads_purge() == 0
    monkeypatch.setattr(pending_uploads, "PENDING_MAX_AGE", datetime.timedelta(seconds=-1))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        pending_uploads.pending_upload_open(token=kept.token, user=owner)
    assert exc.value.messages == ["照片.png保留时间已过，请重新选择。"]
    later = timezone.now() + datetime.timedelta(seconds=1)
    assert pending_uploads.pending_uploads_purge(now=later) == 1
    assert list((Path(settings.MEDIA_ROOT) / "pending").iterdir()) == []
