"""A roster imported again (issue 16): the rows that say what the record already says are counted
unchanged without the member rules run on them again, and nothing else changes about what a row
may do (scope, transfers, duplicates, records changed since); new members go in in pinyin order."""

import array
import datetime
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from branches.models import Organisation
from members import imports, roster, services
from members.enums import MemberStatus
from members.models import Member, MemberEvent
from members.pinyin import name_pinyin
from tests.members.test_imports import person, preview, sheet_rows, xlsx

pytestmark = pytest.mark.django_db
ORGANISATION_UNKNOWN = "您的管辖范围内没有该组织代码对应的组织。"


@pytest.fixture
def member_rules(monkeypatch):
    """The rows the member rules (services.member_clean) are run on, by ID number."""
    checked = []
    rules = services.member_clean

    def counting(*, data, **kwargs):
        checked.append(data.get("id_number"))
        return rules(data=data, **kwargs)

    monkeypatch.setattr(services, "member_clean", counting)
    return checked


def test_rows_saying_what_the_record_says_are_unchanged_without_the_rules_run_again(zone, users, member_rules):
    imports.roster_import(plan=preview(zone, sheet_rows(4), users.town_admin), user=users.town_admin)
    assert len(member_rules) == 4
    member_rules.clear()
    rows = sheet_rows(4)
    rows[4][10] = "13900139000"  # the second member's phone
    rows[5][6] = ""  # a blank cell keeps the value on record

    plan = preview(zone, rows, users.town_admin)

    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 3, "rejected": 0}
    assert member_rules == [person(1)]
    assert imports.roster_import(plan=plan, user=users.town_admin) == {"created": 0, "updated": 1}
    assert Member.objects.get(id_number=person(1)).phone == "13900139000"


def test_a_record_changed_since_the_import_is_set_back_by_its_row_with_history(zone, users, member_rules):
    imports.roster_import(plan=preview(zone, sheet_rows(2), users.town_admin), user=users.town_admin)
    Member.objects.filter(id_number=person(0)).update(phone="13700137000")
    member_rules.clear()

    plan = preview(zone, sheet_rows(2), users.town_admin)

    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 1, "rejected": 0}
    assert member_rules == [person(0)]
    imports.roster_import(plan=plan, user=users.town_admin)
    event = MemberEvent.objects.get(member__id_number=person(0), kind="updated")
    assert event.changes == {"phone": ["13700137000", "13800138000"]}


def test_an_unchanged_row_given_twice_is_refused_the_second_time(zone, users):
    imports.roster_import(plan=preview(zone, sheet_rows(2), users.town_admin), user=users.town_admin)
    rows = sheet_rows(2)
    rows.append(list(rows[3]))

    with translation.override("zh-hans"):
        plan = preview(zone, rows, users.town_admin)

    assert plan.counts == {"new": 0, "changed": 0, "unchanged": 2, "rejected": 1}
    [error] = plan.errors
    assert (error.row, error.column, error.message) == (6, "公民身份号码", "本文件第4行已有相同的身份证号码。")


def test_an_unchanged_row_naming_another_branch_asks_for_a_transfer(zone, users, member_rules):
    imports.roster_import(plan=preview(zone, sheet_rows(1), users.town_admin), user=users.town_admin)

    with translation.override("zh-hans"):
        plan = preview(zone, sheet_rows(1, org="B1"), users.town_admin)

    assert plan.counts["rejected"] == 1
    assert plan.errors[0].message == "该党员隶属于东村第2党支部：请办理组织关系转接。"


def test_a_member_outside_the_users_responsibility_is_never_counted_unchanged(zone, users):
    """Counting the row unchanged would tell the uploader that this person is on record, as the row
    says, somewhere they cannot see: the row gets the message that says only whom to ask."""
    imports.roster_import(plan=preview(zone, sheet_rows(1, org="B3")), user=None)

    with translation.override("zh-hans"):
        plan = preview(zone, sheet_rows(1, org="B3"), users.town_admin)

    assert plan.counts == {"new": 0, "changed": 0, "unchanged": 0, "rejected": 1}
    assert [(e.column, e.message) for e in plan.errors] == [("组织代码", ORGANISATION_UNKNOWN)]


def test_the_stored_preview_of_a_reimport_keeps_only_the_rows_to_write(zone, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = imports.roster_upload_preview(
        content=xlsx(sheet_rows(3)), file_name="a.xlsx", organisation=zone.b2, user=users.town_admin
    )
    imports.roster_upload_confirm(upload=first)
    imports.roster_upload_import(upload=first, user=users.town_admin)
    rows = sheet_rows(3)
    rows[3][10] = "13900139000"
    again = imports.roster_upload_preview(
        content=xlsx(rows), file_name="b.xlsx", organisation=zone.b2, user=users.town_admin
    )

    checked = imports._checked_load(again)

    assert again.counts == {"new": 0, "changed": 1, "unchanged": 2, "rejected": 0}
    assert [row for row, *_rest in checked.checked] == [4]
    assert checked.unchanged == 2
    imports.roster_upload_confirm(upload=again)
    assert imports.roster_upload_import(upload=again, user=users.town_admin) == {"created": 0, "updated": 1}
    again.refresh_from_db()
    assert again.counts == {"new": 0, "changed": 1, "unchanged": 2, "rejected": 0}


def test_new_members_take_their_keys_in_pinyin_order(zone, users):
    rows = sheet_rows(4)
    for row, name in zip(rows[3:], ["赵四", "王五", "阿三", "李二"], strict=True):
        row[1] = name

    imports.roster_import(plan=preview(zone, rows, users.town_admin), user=users.town_admin)

    names = list(Member.objects.filter(organisation=zone.b2).order_by("pk").values_list("name", flat=True))
    assert names == ["阿三", "李二", "王五", "赵四"]
    assert names == sorted(names, key=lambda name: name_pinyin(name)[0])


def test_memory_release_forgets_the_names_read(zone):
    name_pinyin("曾国藩")
    assert name_pinyin.cache_info().currsize > 0

    imports._memory_release()

    assert name_pinyin.cache_info().currsize == 0


def test_new_members_are_added_to_their_organisations_counts_as_a_recount_finds_them(zone, users):
    """The import adds its new members to the counts (services.member_counts_add) instead of
    recounting; what it keeps is what the nightly recount finds."""
    rows = sheet_rows(5)
    for row in rows[-2:]:
        row[11] = "B1"  # two of the five go to the first branch, which has members already
    before = {o.pk: o.member_count for o in (zone.b1, zone.b2)}
    imports.roster_import(plan=preview(zone, rows, users.town_admin), user=users.town_admin)
    rows[3][10] = "13900139000"  # a re-import that changes a phone and adds nobody
    assert imports.roster_import(plan=preview(zone, rows, users.town_admin), user=users.town_admin) == {
        "created": 0,
        "updated": 1,
    }
    kept = {}
    for organisation in (zone.b1, zone.b2):
        organisation.refresh_from_db()
        kept[organisation.pk] = organisation.member_count
    assert (kept[zone.b1.pk] - before[zone.b1.pk], kept[zone.b2.pk] - before[zone.b2.pk]) == (2, 3)
    services.member_counts_refresh()
    for organisation in (zone.b1, zone.b2):
        organisation.refresh_from_db()
        assert organisation.member_count == kept[organisation.pk]


def test_one_active_member_per_id_number_and_any_number_of_former_records(zone):
    """member_one_active_per_id_number is one index led by the ID number (issue 16): a second active
    member with a number is refused by the database; former members' records with it are not."""
    number = person(700)
    fields = {"name": "甲", "id_number": number, "gender": "male", "birth_date": datetime.date(1981, 12, 1)}
    for status in (MemberStatus.LEFT, MemberStatus.TRANSFERRED_OUT, MemberStatus.LEFT):
        Member.objects.create(**fields, organisation=zone.b1, status=status)
    first = Member.objects.create(**fields, organisation=zone.b1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(**fields, organisation=zone.b2)
    first.status = MemberStatus.TRANSFERRED_OUT
    first.save()
    Member.objects.create(**fields, organisation=zone.b2)  # the number is free again once its member left
    assert Member.objects.filter(id_number=number).count() == 5
    assert Member.objects.filter(id_number=number, status=MemberStatus.ACTIVE).get().organisation == zone.b2


def test_a_row_is_the_same_as_the_record_only_if_every_value_it_gives_is(zone, users):
    """_same_as_record reads the fields a row gives by a pair of getters (two fields or more) or one
    by one (fewer, or a field that is not imported); both answer the same."""
    imports.roster_import(plan=preview(zone, sheet_rows(1), users.town_admin), user=users.town_admin)
    member = Member.objects.get(organisation=zone.b2)
    on_record = imports._existing([member.id_number])[member.id_number]
    same = {"name": member.name, "id_number": member.id_number, "phone": member.phone, "gender": member.gender}
    assert imports._same_as_record(same, on_record)
    assert imports._same_as_record({}, on_record)
    assert imports._same_as_record({"name": member.name}, on_record)
    assert not imports._same_as_record({"name": "别人"}, on_record)
    assert not imports._same_as_record({**same, "phone": "13900139000"}, on_record)
    assert not imports._same_as_record({**same, "birth_date": datetime.date(1999, 1, 1)}, on_record)
    assert imports._same_as_record({**same, "note": "not imported"}, on_record)
    assert not imports._same_as_record({"note": "", "phone": "13900139000"}, on_record)


@pytest.fixture
def cells_read(monkeypatch):
    """The sheet rows whose cells are read (roster.row_values), by row number."""
    read = []
    row_values = roster.row_values

    def counting(row, columns, *, row_number, memo=None):
        read.append(row_number)
        return row_values(row, columns, row_number=row_number, memo=memo)

    monkeypatch.setattr(roster, "row_values", counting)
    return read


def _upload(zone, users, rows, name):
    upload = imports.roster_upload_preview(
        content=xlsx(rows), file_name=name, organisation=zone.b2, user=users.town_admin
    )
    return upload


def test_a_row_the_import_wrote_is_unchanged_again_without_its_cells_read(zone, users, cells_read):
    """Member.roster_row (PostgreSQL): the rows an import wrote, their members not changed since,
    are counted unchanged by the fingerprint of their cells, not read again; on SQLite (no row
    versions) every row is read and compared."""
    postgresql = connection.vendor == "postgresql"
    rows = sheet_rows(3)
    first = _upload(zone, users, rows, "a.xlsx")
    assert imports.roster_upload_import(upload=first, user=users.town_admin) == {"created": 3, "updated": 0}
    fingerprints = list(Member.objects.filter(organisation=zone.b2).values_list("roster_row", flat=True))
    assert all(re.fullmatch(r"[0-9a-f]{16}:\d+", f) for f in fingerprints) if postgresql else fingerprints == [""] * 3
    cells_read.clear()

    again = _upload(zone, users, rows, "b.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 0}
    assert cells_read == ([] if postgresql else [4, 5, 6])


def test_a_record_changed_since_its_row_was_written_is_read_and_set_back(zone, users, cells_read):
    """Any write to a member after the import (here its phone, through the model) retires the
    fingerprint: its row is read, compared and, saying otherwise, changes the record back."""
    rows = sheet_rows(3)
    imports.roster_upload_import(upload=_upload(zone, users, rows, "a.xlsx"), user=users.town_admin)
    member = Member.objects.get(id_number=person(1))
    member.phone = "13700137000"
    member.save()
    cells_read.clear()

    again = _upload(zone, users, rows, "b.xlsx")
    assert again.counts == {"new": 0, "changed": 1, "unchanged": 2, "rejected": 0}
    assert cells_read == ([5] if connection.vendor == "postgresql" else [4, 5, 6])
    assert imports.roster_upload_import(upload=again, user=users.town_admin) == {"created": 0, "updated": 1}
    member.refresh_from_db()
    assert member.phone == "13800138000"


def test_a_changed_row_once_imported_is_the_rows_fingerprint(zone, users, cells_read):
    """The import that changes a member from a row keeps that row's fingerprint: the same file
    again is all unchanged (PostgreSQL: none of its rows read)."""
    rows = sheet_rows(3)
    imports.roster_upload_import(upload=_upload(zone, users, rows, "a.xlsx"), user=users.town_admin)
    rows[4][10] = "13900139000"
    changed = _upload(zone, users, rows, "b.xlsx")
    assert changed.counts == {"new": 0, "changed": 1, "unchanged": 2, "rejected": 0}
    imports.roster_upload_import(upload=changed, user=users.town_admin)
    cells_read.clear()

    again = _upload(zone, users, rows, "c.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 0}
    assert cells_read == ([] if connection.vendor == "postgresql" else [4, 5, 6])
    assert Member.objects.get(id_number=person(1)).phone == "13900139000"


def test_an_organisation_recoded_since_sends_its_rows_to_the_whole_check(zone, users, cells_read):
    """A row's organisation code must still be its member's organisation's: recoded since, the rows
    are read and refused as the whole check refuses them, fingerprint or not."""
    rows = sheet_rows(2)
    imports.roster_upload_import(upload=_upload(zone, users, rows, "a.xlsx"), user=users.town_admin)
    Organisation.objects.filter(pk=zone.b2.pk).update(code="B2-NEW")
    cells_read.clear()
    with translation.override("zh-hans"):
        again = _upload(zone, users, rows, "b.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 0, "rejected": 2}
    assert cells_read == [4, 5]


def test_the_same_cells_under_other_headers_are_read_again(zone, users, cells_read):
    """A row's fingerprint is of its cells as its file's columns are read: relabelled (联系电话 as
    备注, so the phone is no longer given), the same cells take the whole check."""
    rows = sheet_rows(2)
    imports.roster_upload_import(upload=_upload(zone, users, rows, "a.xlsx"), user=users.town_admin)
    cells_read.clear()
    rows[2] = ["备注" if header == "联系电话" else header for header in rows[2]]
    rows[2][-1] = "说明"
    again = _upload(zone, users, rows, "b.xlsx")
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 2, "rejected": 0}
    assert cells_read == [4, 5]


def test_a_preview_stored_before_rows_had_digests_is_imported_without_fingerprints(zone, users):
    """A preview checked before a release that added the rows' digests, confirmed after it (the
    same day): its plan is imported as it stands, its members without a fingerprint."""
    checked = imports.rows_check(rows=sheet_rows(2), known=imports.MembersOnRecord(user=users.town_admin))
    plan = imports.plan_make(checked=checked, user=users.town_admin)
    rows, organisations = array.array("q", [c[0] for c in plan.creates]), array.array("q", [c[1] for c in plan.creates])
    plan.creates = []
    del vars(plan)["digests"], vars(plan)["update_digests"]  # as such a plan is unpickled
    checked.plan = (plan, rows, organisations)
    imports._plan_unpack(checked)
    assert imports.roster_import(plan=checked.plan, user=users.town_admin) == {"created": 2, "updated": 0}
    assert list(Member.objects.filter(organisation=zone.b2).values_list("roster_row", flat=True)) == ["", ""]


def test_a_stored_plans_new_rows_get_their_values_back_in_one_walk_along_the_checked_rows(zone, users):
    rows = sheet_rows(6)
    rows[5][3] = "43011119800101001"  # a short ID number: rejected by the check
    rows[7][11] = "ZZ"  # no such organisation: checked, then rejected by the plan
    checked = imports.rows_check(rows=rows, known=imports.MembersOnRecord(user=users.town_admin))
    plan = imports.plan_make(checked=checked, user=users.town_admin)
    sheet_rows_, organisations = (array.array("q", [c[i] for c in plan.creates]) for i in (0, 1))
    assert len(plan.creates) == 4

    assert imports._creates_of(checked.checked, sheet_rows_, organisations) == plan.creates
    with pytest.raises(ValueError):  # not in the checked rows' order: not this plan's
        imports._creates_of(checked.checked, sheet_rows_[::-1], organisations[::-1])
