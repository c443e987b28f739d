"""The preview's checked rows as stored (issue 16): read back whole for a plan made again, or the
plan's new rows streamed into COPY in pinyin order as they are read; a file stored in the earlier
layout still imports; the cyclic collector paused while the rows are checked and written."""

import array
import gc
import hashlib
import io
import pickle

import pytest
from django.core.files.base import File
from django.db import connection

from core import bulkload
from members import imports
from members.models import Member
from members.pinyin import name_pinyin
from tests.members.test_imports import sheet_rows, xlsx

pytestmark = pytest.mark.django_db
NAMES = ["张三", "曾国藩", "阿明", "欧阳修", "李四", "张三丰", "阿明"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rows() -> list[list]:
    """A roster of new members named out of pinyin order (two of the same name), one row refused."""
    rows = sheet_rows(len(NAMES) + 1)
    for row, name in zip(rows[3:], NAMES, strict=False):
        row[1] = name
    rows[-1][3] = "43011119800101001"  # a short ID number: refused
    return rows


def _upload(zone, users, rows, name="a.xlsx"):
    return imports.roster_upload_preview(
        content=xlsx(rows), file_name=name, organisation=zone.b2, user=users.town_admin
    )


def test_the_stored_rows_read_back_as_checked_each_once_the_new_ones_in_pinyin_order(zone, users):
    upload = _upload(zone, users, _rows())
    fresh = imports.rows_check(
        rows=imports.roster_read(name="a.xlsx", content=xlsx(_rows())),
        known=imports.MembersOnRecord(user=users.town_admin),
    )
    stored = imports._checked_open(upload)

    whole = stored.checked()
    assert whole.checked == fresh.checked and list(whole.digests) == list(fresh.digests)
    assert whole.rejected.keys() == fresh.rejected.keys() == {len(NAMES) + 4}  # the last sheet row
    assert stored.head["new"] + stored.head["others"] == len(fresh.checked)  # each row once
    plan = imports.plan_make(checked=fresh, user=users.town_admin, default_organisation=zone.b2)
    assert whole.plan.creates == plan.creates and list(whole.plan.digests) == list(plan.digests)

    new = [row for chunk in stored.new_rows().chunks for row in chunk]
    assert [row[3][0] for row in new] == sorted(NAMES, key=lambda name: name_pinyin(name)[0])
    assert [row[0] for row in new if row[3][0] == "阿明"] == [6, 10]  # the same pinyin: in sheet order
    assert all(row[6:] == name_pinyin(row[3][0]) for row in new)  # the search keys, made at the preview


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the preview's plan holds on PostgreSQL only")
def test_a_plan_that_holds_streams_its_new_rows_and_reads_nothing_else(zone, users, monkeypatch):
    upload = _upload(zone, users, _rows())

    def whole(self):
        raise AssertionError("the stored rows were all read")

    monkeypatch.setattr(imports._Stored, "checked", whole)
    imports.roster_upload_confirm(upload=upload)
    assert imports.roster_upload_import(upload=upload, user=users.town_admin) == {"created": 7, "updated": 0}
    members = list(Member.objects.filter(organisation=zone.b2).order_by("pk"))
    assert [m.name for m in members] == sorted(NAMES, key=lambda name: name_pinyin(name)[0])
    assert all(m.name_pinyin == name_pinyin(m.name)[0] and m.roster_row for m in members)


def test_a_file_stored_in_the_earlier_layout_still_imports(zone, users):
    """A preview stored by the release before (one pickle of everything), confirmed after it."""
    upload = _upload(zone, users, _rows())
    checked = imports._checked_load(upload)
    plan = checked.plan
    creates = plan.creates
    state = (
        checked.header_row,
        checked.checked_on,
        checked.checked,
        checked.rejected,
        checked.readings,
        (
            imports.dataclasses.replace(plan, creates=[]),
            array.array("q", [c[0] for c in creates]),
            array.array("q", [c[1] for c in creates]),
        ),
        checked.unchanged,
        checked.digests,
    )
    payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    signature = imports._signer().signature(hashlib.sha256(payload).hexdigest()).encode()
    upload.checked.save("legacy.checked", File(io.BytesIO(signature + b"\n" + payload)), save=True)

    assert imports._checked_open(upload).legacy
    imports.roster_upload_confirm(upload=upload)
    assert imports.roster_upload_import(upload=upload, user=users.town_admin) == {"created": 7, "updated": 0}


def test_the_collector_is_paused_while_rows_are_checked_and_written_and_on_again_after(zone, users, monkeypatch):
    seen = []
    rows_check, roster_import = imports.rows_check, imports.roster_import

    def checking(**kwargs):
        seen.append(("check", gc.isenabled()))
        return rows_check(**kwargs)

    def importing(**kwargs):
        seen.append(("import", gc.isenabled()))
        return roster_import(**kwargs)

    monkeypatch.setattr(imports, "rows_check", checking)
    monkeypatch.setattr(imports, "roster_import", importing)
    assert gc.isenabled()
    upload = _upload(zone, users, _rows())
    assert gc.isenabled()
    imports.roster_upload_confirm(upload=upload)
    imports.roster_upload_import(upload=upload, user=users.town_admin)
    assert gc.isenabled()
    assert seen == [("check", False), ("import", False)]


def test_the_collector_is_on_again_after_a_check_that_fails(zone, users, monkeypatch):
    def failing(**kwargs):
        raise RuntimeError("a fault in the check")

    monkeypatch.setattr(imports, "rows_check", failing)
    upload = _upload(zone, users, _rows())
    assert upload.state == upload.State.FAILED
    assert gc.isenabled()


def test_the_collector_is_left_off_if_it_was_off():
    gc.disable()
    try:
        with bulkload.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
