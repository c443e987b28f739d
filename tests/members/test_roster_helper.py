"""rows_check with its helper process (core.forkwork): the same result as without, row for row."""

import dataclasses
import datetime
import os
import threading

import pytest
from django.db import connection, transaction
from django.utils import translation

from members import imports
from members.models import Member
from tests.members.test_imports import person, sheet_rows, xlsx

pytestmark = pytest.mark.django_db


def messy_rows(count: int) -> list[list]:
    """A roster as they come: blank rows between blocks, bad cells, a row repeating an earlier one's
    ID number, rows of another organisation, a missing name."""
    rows = sheet_rows(count)
    for n, row in enumerate(rows[3:]):
        if n % 7 == 3:
            row[3] = row[3][:-1] + ("0" if row[3][-1] != "0" else "1")  # a wrong check digit
        if n % 11 == 5:
            row[7] = "2005.13"  # no such month
        if n % 13 == 8:
            row[3] = person(n - 6)  # the ID number of a row further up
        if n % 17 == 2:
            row[11] = "B1"
        if n % 19 == 4:
            row[1] = ""
        if n % 23 == 9:
            row[2] = "女" if row[2] == "男" else "男"  # disagrees with the ID number
    for at in (9, 20, 31):
        rows.insert(at, [None] * len(rows[2]))
    return rows


def person_born(n):
    return datetime.date(1980, 1, 1) + datetime.timedelta(days=n)


def _state(checked: imports.CheckedRows) -> dict:
    state = dataclasses.asdict(checked)
    state["digests"] = list(checked.digests)
    return state


@pytest.mark.parametrize("share", [0.2, 0.5])
def test_the_helper_finds_what_a_check_without_it_finds(zone, users, monkeypatch, share):
    rows = messy_rows(60)
    Member.objects.create(  # on record (in B2, as the rows say, but not as written): read again and compared
        name="党员4", id_number=person(4), gender="female", birth_date=person_born(4), organisation=zone.b2
    )
    monkeypatch.setattr(imports, "CHECK_CHUNK", 7)  # many chunks, each split between the two processes
    monkeypatch.setattr(imports, "HELPER_SHARE", share)
    with translation.override("zh-hans"):
        alone = imports.rows_check(rows=rows, known=imports.MembersOnRecord(user=users.town_admin), helper=False)
        helped = imports.rows_check(rows=rows, known=imports.MembersOnRecord(user=users.town_admin), helper=True)

    assert _state(helped) == _state(alone)
    assert len(alone.rejected) > 10 and len(alone.checked) > 30 and alone.unchanged == 0
    messages = {e.message for _code, _name, errors in alone.rejected.values() for e in errors}
    assert any(m.startswith("本文件第") and m.endswith("行已有相同的身份证号码。") for m in messages)
    assert "性别与身份证号码不符（应为女）。" in messages


def test_a_large_sheet_is_checked_with_the_helper_a_small_one_without(zone, users, monkeypatch):
    started = []
    real = imports.forkwork.ChunksMapped

    def counting(*args, **kwargs):
        started.append(kwargs["share"])
        return real(*args, **kwargs)

    monkeypatch.setattr(imports.forkwork, "ChunksMapped", counting)
    monkeypatch.setattr(imports, "HELPER_ROWS", 50)
    monkeypatch.setattr(imports, "CHECK_CHUNK", 10)
    for count in (40, 80):
        rows = imports.SheetRows(iter(sheet_rows(count)), total=count + 3)
        checked = imports.rows_check(rows=rows, known=imports.MembersOnRecord(user=users.town_admin))
        assert len(checked.checked) == count
    assert started == [imports.HELPER_SHARE]  # the 80-row sheet only


@pytest.mark.skipif(connection.vendor != "postgresql", reason="rows are fingerprinted on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.services
@pytest.mark.parametrize("helper", [False, True])
def test_lookups_a_chunk_ahead_on_a_second_connection_find_what_lookups_here_find(zone, users, monkeypatch, helper):
    """A re-import outside a transaction looks each chunk's members up on a second connection while
    the chunk before is taken further (core.sidequery); inside one, here. Both find the same, row for
    row. With the helper process too, it is forked while this process has one thread only."""
    imports.roster_upload_import(
        upload=imports.roster_upload_preview(
            content=xlsx(messy_rows(60)), file_name="a.xlsx", organisation=zone.b2, user=users.town_admin
        ),
        user=users.town_admin,
    )
    rows = messy_rows(60)
    for row in [*rows[3:9], *rows[25:40:5]]:  # the first chunk's rows mostly (so the helper starts), a few more
        row[10] = "13700137000"  # a changed phone: read and compared
    monkeypatch.setattr(imports, "CHECK_CHUNK", 7)
    lookups, forks = [], []
    written_and_found = imports._written_and_found

    def looking_up(numbers, digests):
        lookups.append(threading.current_thread() is threading.main_thread())
        return written_and_found(numbers, digests)

    fork = os.fork

    def forking():
        forks.append([t.name for t in threading.enumerate() if t.name.startswith("sidequery")])
        return fork()

    monkeypatch.setattr(imports, "_written_and_found", looking_up)
    monkeypatch.setattr(os, "fork", forking)
    with translation.override("zh-hans"):
        ahead = imports.rows_check(rows=rows, known=imports.MembersOnRecord(user=users.town_admin), helper=helper)
        looked_up_ahead, lookups[:] = list(lookups), []
        with transaction.atomic():
            here = imports.rows_check(rows=rows, known=imports.MembersOnRecord(user=users.town_admin), helper=helper)

    assert _state(ahead) == _state(here)
    assert ahead.unchanged > 20 and len(ahead.checked) > 5 and ahead.rejected
    # the first chunk here, every later one in the other thread; inside the transaction all here
    assert looked_up_ahead[0] is True and len(looked_up_ahead) > 5 and not any(looked_up_ahead[1:])
    assert all(lookups)
    assert forks == ([[], []] if helper else [])  # no second thread at the fork
