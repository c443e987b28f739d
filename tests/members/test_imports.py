import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.idcard import id_make
from members import imports
from members.enums import MemberEventKind
from members.models import Member, MemberEvent, Membership
from members.pinyin import name_pinyin
from members.roster import RosterError

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "民族",
    "学历",
    "党员类别",
    "入党时间",
    "转正日期",
    "人员类别",
    "联系电话",
    "组织代码",
    "备注",
]


def person(n, born=datetime.date(1980, 1, 1)):
    return id_make(area="430111", born=born + datetime.timedelta(days=n), sequence=n % 500, male=n % 2 == 1)


def sheet_rows(count=3, org="B2"):
    rows = [["东村第2党支部党员花名册"], [], HEADER]
    for n in range(count):
        rows.append(
            [
                n + 1,
                f"党员{n}",
                "男" if n % 2 else "女",
                person(n),
                "汉族",
                "大学本科",
                "正式党员",
                "2005.7",
                "2006年7月1日",
                "在岗职工",
                "13800138000",
                org,
                "",
            ]
        )
    return rows


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(zone, rows, user=None):
    return imports.roster_preview(
        rows=imports.roster_read(name="花名册.xlsx", content=xlsx(rows)), user=user, file_name="花名册.xlsx"
    )


def test_import_new_rows_then_reimport_changes_nothing(zone, users):
    plan = preview(zone, sheet_rows(3), users.town_admin)
    assert plan.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    assert imports.roster_import(plan=plan, user=users.town_admin) == {"created": 3, "updated": 0}
    created = Member.objects.filter(organisation=zone.b2).order_by("name")
    assert [(m.name, str(m.joined_on), str(m.full_member_on)) for m in created] == [
        ("党员0", "2005-07-01", "2006-07-01"),
        ("党员1", "2005-07-01", "2006-07-01"),
        ("党员2", "2005-07-01", "2006-07-01"),
    ]
    assert Membership.objects.filter(member__in=created, ended_on__isnull=True).count() == 3
    zone.b2.refresh_from_db()
    assert zone.b2.member_count == 3
    again = preview(zone, sheet_rows(3), users.town_admin)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 0}
    assert imports.roster_import(plan=again) == {"created": 0, "updated": 0}
    assert Member.objects.filter(organisation=zone.b2).count() == 3


def test_import_changed_row_updates_with_history(zone):
    imports.roster_import(plan=preview(zone, sheet_rows(2)))
    rows = sheet_rows(2)
    rows[3][10] = "13900139000"
    plan = preview(zone, rows)
    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 1, "rejected": 0}
    imports.roster_import(plan=plan)
    member = Member.objects.get(id_number=person(0))
    assert member.phone == "13900139000"
    event = MemberEvent.objects.get(member=member, kind=MemberEventKind.UPDATED)
    assert event.changes == {"phone": ["13800138000", "13900139000"]}
    assert event.reason == "名册导入：花名册.xlsx"


def test_preview_reports_row_column_value_reason_in_chinese_and_writes_nothing(zone, users):
    rows = sheet_rows(4)
    rows[3][3] = rows[3][3][:-1] + ("0" if rows[3][3][-1] != "0" else "1")  # wrong check digit, sheet row 4
    rows[4][7] = "去年"  # sheet row 5
    rows[5][2], rows[5][3] = rows[6][2], rows[6][3]  # the same person in sheet rows 6 and 7
    with translation.override("zh-hans"):
        plan = preview(zone, rows, users.town_admin)
    assert plan.counts == {"new": 1, "changed": 0, "unchanged": 0, "rejected": 3}
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (4, "公民身份号码", f"身份证号码校验位错误（最后一位应为{person(0)[-1]}）。"),
        (5, "入党日期", "不是有效日期：请按2015-03-30、2015/3/30、2015.3.30、2015年3月30日或2015年3月的格式填写。"),
        (7, "公民身份号码", "本文件第6行已有相同的身份证号码。"),
    ]
    assert Member.objects.filter(organisation=zone.b2).count() == 0


def test_preview_rejects_rows_for_organisations_outside_scope(zone, users):
    with translation.override("zh-hans"):
        plan = preview(zone, sheet_rows(2, org="B3"), users.town_admin)
    assert plan.counts["rejected"] == 2
    assert {e.message for e in plan.errors} == {"您的管辖范围内没有该组织代码对应的组织。"}


def test_preview_refuses_member_of_other_branch(zone):
    rows = sheet_rows(1)
    rows[3][3], rows[3][2] = zone.b1_members[0].id_number, "男"
    plan = preview(zone, rows)
    assert [(e.column, e.value) for e in plan.errors] == [("组织代码", "B2")]


def test_import_failure_part_way_writes_nothing(zone):
    plan = preview(zone, sheet_rows(3))
    # Another import records one of the same people first: the unique rule stops this one.
    Member.objects.create(
        name="先到", id_number=person(2), gender="male", birth_date=datetime.date(1980, 1, 3), organisation=zone.b1
    )
    with pytest.raises(IntegrityError):
        imports.roster_import(plan=plan)
    assert Member.objects.filter(organisation=zone.b2).count() == 0
    assert MemberEvent.objects.filter(member__organisation=zone.b2).count() == 0


def test_read_csv_in_gbk_and_utf8(zone):
    rows = sheet_rows(2)
    text = "\n".join(",".join(str(c) for c in row) for row in rows[2:])
    for encoding in ("gbk", "utf-8-sig"):
        parsed = imports.roster_read(name="roster.csv", content=text.encode(encoding))
        plan = imports.roster_preview(rows=parsed)
        assert plan.counts["new"] == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("空.xlsx", b"", "文件空.xlsx为空。"),
        ("照片.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", "照片.xlsx不是电子表格：请上传.xlsx、.xls或.csv文件。"),
        ("坏.xlsx", b"PK\x03\x04garbage", "坏.xlsx已损坏，无法读取。"),
    ],
)
def test_bad_files_get_a_clear_message(name, content, message):
    with translation.override("zh-hans"), pytest.raises(RosterError) as exc:
        imports.roster_read(name=name, content=content)
    assert str(exc.value) == message


def test_zip_bomb_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (imports.MAX_UNZIPPED_BYTES + 1))
    with pytest.raises(RosterError):
        imports.roster_read(name="bomb.xlsx", content=buffer.getvalue())


def test_import_roster_command_json_and_exit_code(zone, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    rows = sheet_rows(2)
    rows[4][7] = "去年"
    path.write_bytes(xlsx(rows))
    with pytest.raises(SystemExit) as exc:
        call_command("import_roster", str(path), "--dry-run", "--json")
    assert exc.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["counts"], report["written"], [e["row"] for e in report["errors"]]) == (
        {"new": 1, "changed": 0, "unchanged": 0, "rejected": 1},
        {"created": 0, "updated": 0},
        [5],
    )
    assert Member.objects.filter(organisation=zone.b2).count() == 0


def xls(rows) -> bytes:
    """A real Excel 97-2003 workbook (BIFF8), as older rosters still come."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_real_xls_file_previews_and_imports(zone):
    content = xls(sheet_rows(3))
    assert content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    plan = imports.roster_preview(rows=imports.roster_read(name="花名册.xls", content=content), file_name="花名册.xls")
    assert plan.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    assert imports.roster_import(plan=plan) == {"created": 3, "updated": 0}
    assert Member.objects.get(id_number=person(1)).joined_on == datetime.date(2005, 7, 1)


def test_password_protected_xlsx_gets_its_own_message():
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx(sheet_rows(1)))).encrypt("secret", encrypted)
    with translation.override("zh-hans"), pytest.raises(RosterError) as exc:
        imports.roster_read(name="加密.xlsx", content=encrypted.getvalue())
    assert str(exc.value) == "加密.xlsx设有密码：请取消密码后另存再上传。"


def test_xml_entity_attack_refused_before_parsing():
    source = zipfile.ZipFile(io.BytesIO(xlsx(sheet_rows(1))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                laughs = "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
                data = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a0 "lol">{laughs}]>'.encode() + data
            target.writestr(item, data)
    with translation.override("zh-hans"), pytest.raises(RosterError) as exc:
        imports.roster_read(name="实体.xlsx", content=buffer.getvalue())
    assert str(exc.value) == "实体.xlsx声明了XML实体（Excel从不这样写）：已拒绝。"


def test_rows_stream_and_report_progress(zone):
    rows = sheet_rows(12)
    reported = []
    imports.PROGRESS_EVERY, before = 5, imports.PROGRESS_EVERY
    try:
        plan = imports.roster_preview(rows=iter(rows), progress=reported.append)
    finally:
        imports.PROGRESS_EVERY = before
    assert plan.counts["new"] == 12
    assert reported == [5, 10]


def test_blank_cell_keeps_the_value_and_changed_cell_updates_with_history(zone):
    imports.roster_import(plan=preview(zone, sheet_rows(1)))
    rows = sheet_rows(1)
    rows[3][10] = ""  # phone left blank: the phone on record stays
    rows[3][5] = "硕士"
    plan = preview(zone, rows)
    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 0, "rejected": 0}
    with translation.override("zh-hans"):
        imports.roster_import(plan=imports.roster_preview(rows=rows))
    member = Member.objects.get(id_number=person(0))
    assert (member.education, member.phone, member.name_initials) == ("master", "13800138000", "dy0")
    event = MemberEvent.objects.filter(member=member, kind=MemberEventKind.UPDATED).get()
    assert event.changes == {"education": ["大学本科", "研究生（硕士）"]}


def test_preview_of_a_member_outside_scope_does_not_say_where(zone, users):
    """Issue 13, item 5: the roster import, like the forms, says only "elsewhere; ask the bureau"."""
    rows = sheet_rows(1, org="B1")
    rows[3][3], rows[3][2] = zone.b3_members[0].id_number, "男"
    with translation.override("zh-hans"):
        plan = preview(zone, rows, users.branch_admin)
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (4, "公民身份号码", "此人已在其他党组织登记在册；请向组织人事局咨询。"),
    ]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("空.xlsx", b"", "文件空.xlsx为空。"),
        ("照片.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "照片.xlsx不是电子表格：请上传.xlsx、.xls或.csv文件。"),
        (None, None, "{path}：文件不存在。"),
    ],
)
def test_import_roster_command_json_refusal_is_json_with_the_reason(db, tmp_path, capsys, name, content, reason):
    """Issue 13, item 13: a refused file is JSON with its reason under --json, exit code 2."""
    path = tmp_path / (name or "无此文件.xlsx")
    if content is not None:
        path.write_bytes(content)
    with translation.override("zh-hans"), pytest.raises(SystemExit) as exc:
        call_command("import_roster", str(path), "--json")
    assert exc.value.code == 2
    assert json.loads(capsys.readouterr().out) == {
        "file": path.name,
        "refused": True,
        "reason": reason.format(path=path),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner setting is PostgreSQL's")
def test_id_number_lookup_probes_the_index_and_leaves_the_planner_as_it_was(zone):
    """Issue 16: the members on record are looked up through the unique index led by the ID number
    (the planner, estimating 10,000 matches a chunk, would scan all 1,000,000 members for each), and
    a caller's transaction goes on with the planner's own setting."""
    member = zone.b1_members[0]

    with CaptureQueriesContext(connection) as captured:
        found = imports._existing(
            [member.id_number, id_make(area="430104", born=datetime.date(1980, 1, 1), sequence=499, male=True)]
        )

    assert list(found) == [member.id_number]
    assert any("set_config('enable_seqscan', 'off', true)" in q["sql"] for q in captured.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"


def test_new_members_keep_awkward_text_as_typed_with_a_membership_and_history_each(zone, users):
    """COPY's escape character, null marker and separators inside cells (the hand-built lines)."""
    header = [
        "姓名",
        "性别",
        "公民身份号码",
        "民族",
        "学历",
        "党员类别",
        "入党日期",
        "工作单位",
        "现居住地",
        "组织代码",
    ]
    awkward = ["\\N", "back\\slash", "a\tb", "line 1\nline 2", "cr\rx", "普通文字"]
    rows = [header]
    for n, text in enumerate(awkward):
        rows.append(
            [f"张\\{n}", "男" if n % 2 else "女", person(n), "汉族", "大学本科", "正式党员", "2005.7", text, text, "B2"]
        )
    plan = preview(zone, rows, users.town_admin)
    assert plan.counts == {"new": len(awkward), "changed": 0, "unchanged": 0, "rejected": 0}
    assert imports.roster_import(plan=plan, user=users.town_admin) == {"created": len(awkward), "updated": 0}
    checked = {values[1]: values for _row, _org, values in plan.creates}  # as the checks read each cell
    assert {checked[person(n)][10] for n in range(len(awkward))} >= {"\\N", "back\\slash"}
    created = Member.objects.filter(organisation=zone.b2).order_by("name")
    assert [(m.name, m.work_unit, m.residence, m.name_pinyin, m.id_tail_reversed) for m in created] == [
        (f"张\\{n}", checked[person(n)][10], checked[person(n)][14], name_pinyin(f"张\\{n}")[0], person(n)[-6:][::-1])
        for n in range(len(awkward))
    ]
    memberships = Membership.objects.filter(member__in=created)
    assert sorted((m.member_id, m.organisation_id, m.ended_on) for m in memberships) == [
        (m.pk, zone.b2.pk, None) for m in sorted(created, key=lambda m: m.pk)
    ]
    events = MemberEvent.objects.filter(member__in=created)
    assert sorted((e.member_id, e.kind, e.recorded_by_id, e.changes) for e in events) == [
        (m.pk, MemberEventKind.CREATED, users.town_admin.pk, {}) for m in sorted(created, key=lambda m: m.pk)
    ]


def test_member_text_is_copy_line_of_the_values_with_defaults_and_search_keys():
    """The hand-built member text escapes as copy_line does (cells with a tab or line break can
    come from code, not only from the sheet's readers, which fold them into spaces)."""
    from core.bulkload import copy_line, copy_value

    base = ("张三", person(1), "male", "01", datetime.date(1980, 1, 2), "21", "full", datetime.date(2005, 7, 1), None)
    default_texts = tuple(copy_value(d) for d in imports._defaults())
    for text in ("普通", "\\N", "a\tb", "line 1\nline 2", "cr\r", "back\\slash"):
        values = (*base, imports.MISSING, text, imports.MISSING, "13800138000", text, "", "", True, False, False)
        for variant in (values, (*values[:8], text, *values[9:])):  # a null date, or the null marker's text
            full = tuple(d if v is imports.MISSING else v for v, d in zip(variant, imports._defaults(), strict=True))
            expected = copy_line((*full, *imports._search_keys(full)))
            assert imports._member_text(variant, default_texts, name_pinyin(variant[0])) == expected
