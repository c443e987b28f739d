"""A roster imported again (issue 16): the rows that say what the record already says are counted
unchanged without the member rules run on them again, and nothing else changes about what a row
may do (scope, transfers, duplicates, records changed since); new members go in in pinyin order."""

import pytest
from django.utils import translation

from members import imports, services
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
