"""Rosters laid out as branches really send them (issue 14): 人员类别 holding the party category as in
the national collection form, phone numbers typed with separators, messages showing cells as typed."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from members import imports
from members.enums import Gender, LifeStatus, MemberCategory
from members.models import Member, RosterUpload
from members.services import phone_normalise
from tests.members.test_imports import person, sheet_rows

pytestmark = pytest.mark.django_db

FILE_NAME = "东村第2党支部党员信息采集表.xlsx"
# The national party-member information collection form (全国党员管理信息系统 党员信息采集表):
# 人员类别 is the party category, 工作岗位 the occupational status, dates to the month.
NATIONAL_HEADER = [
    "序号",
    "姓名",
    "性别",
    "公民身份号码",
    "民族",
    "学历",
    "人员类别",
    "入党日期",
    "转为正式党员日期",
    "工作岗位",
    "联系电话",
    "家庭住址",
    "所在党支部",
]


RETIRED = person(2, born=datetime.date(1950, 3, 1))  # 李秀英, who joined in 1975


def probation_start() -> str:
    """A probationary member admitted in January of this year (a month-only date, as the form has it)."""
    return f"{timezone.localdate().year}.01"


def national_rows() -> list[list]:
    """Three members of 东村第2党支部 on the national form: two full members, one probationary."""
    return [
        ["党员信息采集表"],
        ["填报单位：中共东村第2党支部", None, None, None, None, None, None, None, None, None, "填报日期：2016年3月"],
        NATIONAL_HEADER,
        [
            1,
            "王建国",
            "男",
            person(1),
            "汉族",
            "高中",
            "正式党员",
            "1998.07",
            "1999.07",
            "农牧渔民",
            "138-0013-8001",
            "东村3组",
            "东村第2党支部",
        ],
        [
            2,
            "李秀英",
            "女",
            RETIRED,
            "汉族",
            "初中",
            "正式党员",
            "1975.06",
            "1976.06",
            "离退休人员",
            "+86 139 0013 8002",
            "东村5组",
            "东村第2党支部",
        ],
        [
            3,
            "刘 洋",
            "男",
            person(3),
            "汉族",
            "大学本科",
            "预备党员",
            probation_start(),
            "",
            "农牧渔民",
            "（0731）8888 1234",
            "东村1组",
            "东村第2党支部",
        ],
    ]


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "党员信息"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(rows: list[list], user=None, name=FILE_NAME) -> imports.ImportPlan:
    return imports.roster_preview(
        rows=imports.roster_read(name=name, content=workbook_bytes(rows)), user=user, file_name=name
    )


def test_national_form_person_category_read_as_party_category_and_imported(zone, users):
    """Issue 14: 人员类别 holding 正式党员 and 预备党员 is the party category; the
    occupational status then comes from 工作岗位, the dates to the month, the phones in their one form."""
    with translation.override("zh-hans"):
        plan = preview(national_rows(), users.town_admin)
    assert (plan.header_row, plan.counts, plan.errors) == (
        3,
        {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0},
        [],
    )
    assert plan.readings == [{"column": "人员类别", "field": "category", "matched": 3, "sampled": 3}]
    imports.roster_import(plan=plan, user=users.town_admin)
    written = {
        m.name: (m.category, m.life_status, m.joined_on, m.full_member_on, m.phone, m.gender, m.organisation)
        for m in Member.objects.filter(id_number__in=[person(1), RETIRED, person(3)])
    }
    year = timezone.localdate().year
    assert written == {
        "王建国": (
            MemberCategory.FULL,
            LifeStatus.FARMER,
            datetime.date(1998, 7, 1),
            datetime.date(1999, 7, 1),
            "13800138001",
            Gender.MALE,
            zone.b2,
        ),
        "李秀英": (
            MemberCategory.FULL,
            LifeStatus.RETIRED,
            datetime.date(1975, 6, 1),
            datetime.date(1976, 6, 1),
            "13900138002",
            Gender.FEMALE,
            zone.b2,
        ),
        "刘洋": (
            MemberCategory.PROBATIONARY,
            LifeStatus.FARMER,
            datetime.date(year, 1, 1),
            None,
            "0731-88881234",
            Gender.MALE,
            zone.b2,
        ),
    }


def test_national_form_dry_run_json_says_how_person_category_was_read(zone, tmp_path, capsys):
    """Issue 14: the operator's --json preview names the reading taken for 人员类别."""
    path = tmp_path / FILE_NAME
    path.write_bytes(workbook_bytes(national_rows()))
    with translation.override("zh-hans"):
        call_command("import_roster", str(path), "--dry-run", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["counts"], report["errors"], report["readings"]) == (
        {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0},
        [],
        [
            {
                "column": "人员类别",
                "field": "category",
                "matched": 3,
                "sampled": 3,
                "text": "“人员类别”列按党员类别（正式党员/预备党员）读取：所查的3个值中有3个是党员类别。",
            }
        ],
    )
    assert Member.objects.filter(organisation=zone.b2).count() == 0


def test_template_person_category_with_occupational_statuses_stays_the_occupational_status(zone):
    """Issue 14: where 人员类别 holds 在岗职工, 离退休人员 … (the template's meaning) it is read so, and said."""
    rows = sheet_rows(3)
    rows[4][9] = "离退休人员"
    plan = preview(rows)
    assert plan.readings == [{"column": "人员类别", "field": "life_status", "matched": 3, "sampled": 3}]
    assert plan.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    imports.roster_import(plan=plan)
    assert Member.objects.get(id_number=person(1)).life_status == LifeStatus.RETIRED


def test_person_category_cell_against_the_columns_reading_rejects_only_its_row(zone):
    """Issue 14: a 人员类别 column mostly of party categories is read as the category; a cell with an
    occupational status rejects its own row, with the column, the reading and the cell as typed."""
    rows = national_rows()
    rows[4][6] = "离退休人员"  # sheet row 5
    with translation.override("zh-hans"):
        plan = preview(rows)
    assert plan.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}
    assert plan.readings == [{"column": "人员类别", "field": "category", "matched": 2, "sampled": 3}]
    assert [(e.row, e.column, e.field, e.value, e.message) for e in plan.errors] == [
        (
            5,
            "人员类别",
            "党员类别",
            "离退休人员",
            "“人员类别”列的值多为党员类别，本列按党员类别读取：请填写“正式党员”或“预备党员”。",
        )
    ]


def test_person_category_beside_a_category_column_must_agree_with_it(zone):
    """Issue 14: with both 党员类别 and 人员类别 holding party categories, a row where they differ is
    refused, naming both columns."""
    rows = sheet_rows(2)
    for row in rows[3:]:
        row[9] = "正式党员"
    rows[4][9] = "预备党员"  # sheet row 5 says 正式党员 under 党员类别
    with translation.override("zh-hans"):
        plan = preview(rows)
    assert plan.readings == [{"column": "人员类别", "field": "category", "matched": 2, "sampled": 2}]
    assert [(e.row, e.column, e.field, e.value, e.message) for e in plan.errors] == [
        (5, "人员类别", "党员类别", "预备党员", "与本行“党员类别”列不一致。")
    ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138-0013-8000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("（0731）8888 1234", "0731-88881234"),
        ("0731-88881234", "0731-88881234"),
        ("073188881234", "0731-88881234"),
        ("010 6512 3456", "010-65123456"),
        ("+86 731 8888 1234", "0731-88881234"),
    ],
)
def test_phone_typed_with_separators_is_stored_in_its_one_form(typed, stored):
    """Issue 14: phones typed as people type them are stored as 13800138000 or 0731-88881234."""
    assert phone_normalise(typed) == stored


def test_roster_phones_with_separators_are_imported_canonical(zone):
    """Issue 14: the roster's phones, however typed, are written in their canonical form; a
    number that is none is refused with the cell as typed."""
    rows = sheet_rows(4)
    rows[3][10], rows[4][10], rows[5][10], rows[6][10] = (
        "138-0013-8000",
        "+86 139 0013 9000",
        "（0731）8888 1234",
        "138-0013-800",
    )
    with translation.override("zh-hans"):
        plan = preview(rows)
    assert [(e.row, e.column, e.value, e.message) for e in plan.errors] == [
        (7, "联系电话", "138-0013-800", "请填写11位手机号码或固定电话（如0731-88888888）。")
    ]
    imports.roster_import(plan=plan)
    phones = dict(Member.objects.filter(organisation=zone.b2).values_list("id_number", "phone"))
    assert phones == {person(0): "13800138000", person(1): "13900139000", person(2): "0731-88881234"}


def test_rejected_cell_shows_the_value_as_typed_not_as_read(zone, tmp_path, capsys):
    """Issue 14: a message quotes the cell as the sheet shows it (女, a date cell's day), never the
    value it was read as (female)."""
    rows = sheet_rows(2)
    rows[4][2] = "女"  # sheet row 5: person(1) is a man
    rows[3][7] = datetime.datetime(1990, 7, 1)  # sheet row 4: a date cell, before the 18th birthday
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with translation.override("zh-hans"), pytest.raises(SystemExit):
        call_command("import_roster", str(path), "--dry-run")
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [
        "花名册.xlsx，第4行，入党日期列，值“1990-07-01”：年满18岁方可入党；该日期早于18周岁生日（N-DEVELOPMENT）。",
        "花名册.xlsx，第5行，性别列，值“女”：性别与身份证号码不符（应为男）。",
    ]


def test_preview_page_says_how_person_category_was_read(zone, users, client_for):
    """Issue 14: the preview page says which reading 人员类别 got, and marks a cell's column with it."""
    rows = national_rows()
    rows[4][6] = "退休"
    file = SimpleUploadedFile(
        FILE_NAME,
        workbook_bytes(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    client = client_for(users.town_admin)
    with translation.override("zh-hans"):
        response = client.post(reverse("members:roster_import"), {"file": file})
        page = client.get(response["Location"])
    html = page.content.decode()
    upload = RosterUpload.objects.get()
    assert (upload.counts, page.context["listing"]["readings"]) == (
        {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1},
        ["“人员类别”列按党员类别（正式党员/预备党员）读取：所查的3个值中有2个是党员类别。"],
    )
    assert "“人员类别”列按党员类别（正式党员/预备党员）读取" in html
    assert '<td>人员类别 <span class="small text-muted">读作党员类别</span></td><td>退休</td>' in html


def test_birth_month_agreeing_with_the_id_number_is_read_to_the_day(zone):
    """Issue 14: a roster's 出生年月 to the month (1980.01) agrees with an ID number born that month;
    the day comes from the ID number, and a month that disagrees is refused with the cell as typed."""
    header = ["姓名", "性别", "身份证号", "出生年月", "党员类别", "入党时间", "转正时间", "所在支部"]
    rows = [
        ["东村第2党支部党员花名册"],
        header,
        ["张志强", "男", person(1), "1980.01", "正式党员", "2005.07", "2006.07", "东村第2党支部"],
        ["陈丽", "女", person(2), "1980年2月", "正式党员", "2005.07", "2006.07", "东村第2党支部"],
    ]
    with translation.override("zh-hans"):
        plan = preview(rows)
    assert [(e.row, e.column, e.value, e.message) for e in plan.errors] == [
        (4, "出生日期", "1980年2月", "出生日期与身份证号码不符（应为1980年1月3日）。")
    ]
    imports.roster_import(plan=plan)
    assert Member.objects.get(id_number=person(1)).birth_date == datetime.date(1980, 1, 2)
