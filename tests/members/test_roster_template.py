"""The roster template (issue 12): example row, drop-down lists, instructions, cell formats."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from members import imports, roster
from members.models import Member, RosterUpload

pytestmark = pytest.mark.django_db

CLOSED_COLUMNS = {
    "性别": "gender",
    "民族": "ethnicity",
    "学历": "education",
    "党员类别": "category",
    "人员类别": "life_status",
}


def template(client) -> bytes:
    with translation.override("zh-hans"):
        response = client.get(reverse("members:roster_template"))
    assert response.status_code == 200
    return response.content


def drop_downs(workbook) -> dict[str, list[str]]:
    """Header → the values its drop-down list offers (read from the range the rule points at)."""
    sheet = workbook.worksheets[0]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        column = str(rule.sqref).split(":")[0].rstrip("0123456789")
        sheet_name, cells = rule.formula1.rsplit("!", 1)
        lists = workbook[sheet_name.strip("'")]
        values = [c.value for row in lists[cells.replace("$", "")] for c in row]
        found[sheet[f"{column}2"].value] = values
    return found


def test_template_drop_downs_offer_the_values_the_import_reads(users, client_for):
    workbook = openpyxl.load_workbook(io.BytesIO(template(client_for(users.branch_admin))))
    lists = drop_downs(workbook)
    assert lists["性别"] == ["男", "女"]
    assert lists["党员类别"] == ["正式党员", "预备党员"]
    assert lists["学历"] == [
        "研究生（博士）",
        "研究生（硕士）",
        "大学本科",
        "大学专科",
        "中等专科",
        "高中",
        "初中及以下",
    ]
    assert lists["人员类别"] == ["在岗职工", "离退休人员", "学生", "失业人员", "农牧渔民", "个体/自由职业", "其他"]
    assert lists["民族"] == list(roster.ETHNICITY_BY_CHINESE_NAME)
    assert set(lists) == set(CLOSED_COLUMNS)
    # Every value offered is one the import reads.
    columns = {position: column for position, column in enumerate(roster.COLUMNS)}
    for header, values in lists.items():
        position = roster.TEMPLATE_HEADERS.index(header)
        for value in values:
            row = [None] * len(roster.COLUMNS)
            row[position] = value
            parsed, errors = roster.row_values(row, columns, row_number=3)
            assert (errors, parsed[CLOSED_COLUMNS[header]] != "") == ([], True)
    assert workbook["可选值"].sheet_state == "hidden"


def test_template_drop_downs_refuse_other_values_with_a_chinese_message(users, client_for):
    sheet = openpyxl.load_workbook(io.BytesIO(template(client_for(users.branch_admin)))).worksheets[0]
    rules = {str(r.sqref): r for r in sheet.data_validations.dataValidation}
    gender = rules["B3:B1048576"]
    assert (gender.type, gender.showErrorMessage, gender.errorStyle, gender.allow_blank) == ("list", True, "stop", True)
    assert (gender.errorTitle, gender.error) == ("输入值无效", "性别：请从下拉列表中选择：男、女。")
    assert rules["D3:D1048576"].error == "民族：请从下拉列表的56个值中选择（如汉族）。"


def test_template_instruction_sheet_names_every_column(users, client_for):
    workbook = openpyxl.load_workbook(io.BytesIO(template(client_for(users.branch_admin))))
    assert workbook.sheetnames[:2] == ["党员信息", "填写说明"]
    rows = list(workbook["填写说明"].iter_rows(values_only=True))
    assert rows[0] == ("列名", "是否必填", "填写要求", "可选值")
    described = rows[1 : len(roster.COLUMNS) + 1]
    assert [r[0] for r in described] == roster.TEMPLATE_HEADERS
    assert [r[0] for r in described if r[1] == "必填"] == ["姓名", "公民身份号码"]
    assert all(r[2] for r in described)
    assert described[1][3] == "男、女"
    assert "文本格式" in described[2][2]
    notes = {r[0]: r[2] for r in rows[len(roster.COLUMNS) + 1 :] if r[0]}
    assert list(notes) == ["文件", "表头", "示例行", "预览", "确认导入", "管理范围"]
    assert "不超过20 MB" in notes["文件"]
    assert "不会被导入" in notes["示例行"]


def test_template_id_column_is_text_dates_have_a_date_format_header_frozen(users, client_for):
    sheet = openpyxl.load_workbook(io.BytesIO(template(client_for(users.branch_admin)))).worksheets[0]
    assert [c.value for c in sheet[2]] == roster.TEMPLATE_HEADERS
    assert sheet.freeze_panes == "A3"
    assert (sheet.column_dimensions["C"].number_format, sheet["C3"].number_format) == ("@", "@")
    assert isinstance(sheet["C3"].value, str) and len(sheet["C3"].value) == 18
    dates = [c.header for c in roster.COLUMNS if c.field in roster.DATE_FIELDS]
    for header in dates:
        letter = openpyxl.utils.get_column_letter(roster.TEMPLATE_HEADERS.index(header) + 1)
        assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["C"].width == 22
    assert sheet["A3"].value.startswith("示例")


def test_untouched_template_imports_no_member_and_no_error(zone, users, client_for):
    client = client_for(users.town_admin)
    content = template(client)
    before = Member.objects.count()
    file = SimpleUploadedFile("党员信息采集模板.xlsx", content)
    response = client.post(reverse("members:roster_import"), {"file": file, "organisation_code": "B2"})
    assert response.status_code == 302
    upload = RosterUpload.objects.get()
    assert (upload.state, upload.counts, upload.errors) == (
        RosterUpload.State.CHECKED,
        {"new": 0, "changed": 0, "unchanged": 0, "rejected": 0},
        [],
    )
    assert Member.objects.count() == before


def test_template_example_row_is_a_valid_row_once_renamed(zone, users, client_for):
    workbook = openpyxl.load_workbook(io.BytesIO(template(client_for(users.town_admin))))
    workbook.worksheets[0]["A3"] = "张三"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = imports.roster_read(name="模板.xlsx", content=buffer.getvalue())
    plan = imports.roster_preview(rows=rows, user=users.town_admin, default_organisation=zone.b2)
    assert (plan.counts, plan.errors) == ({"new": 1, "changed": 0, "unchanged": 0, "rejected": 0}, [])


def test_rows_named_as_examples_are_skipped_anywhere_in_the_sheet(zone):
    header = ["姓名", "公民身份号码", "性别", "组织代码"]
    rows = [header, ["示例：李四", "not an id", "男", "B2"], [" 示例 ", "", "", ""]]
    plan = imports.roster_preview(rows=rows)
    assert (plan.counts, plan.errors) == ({"new": 0, "changed": 0, "unchanged": 0, "rejected": 0}, [])
