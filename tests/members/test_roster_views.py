import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from members import imports
from members.models import Member, RosterUpload
from portal.excel import cell_safe
from tests.members.test_imports import person, sheet_rows, xlsx

pytestmark = pytest.mark.django_db


def upload(client, rows, name="花名册.xlsx", **data):
    file = SimpleUploadedFile(
        name, xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post(reverse("members:roster_import"), {"file": file, **data})


def test_upload_preview_then_confirm_writes_valid_rows(zone, users, client_for):
    client = client_for(users.town_admin)
    rows = sheet_rows(3)
    rows[4][7] = "去年"
    response = upload(client, rows)
    record = RosterUpload.objects.get()
    assert response["Location"] == reverse("members:roster_upload", args=[record.pk])
    assert record.counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}
    assert Member.objects.filter(organisation=zone.b2).count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "不是有效日期" in page
    assert "去年" in page
    response = client.post(reverse("members:roster_confirm", args=[record.pk]))
    assert response.status_code == 302
    assert Member.objects.filter(organisation=zone.b2).count() == 2
    record.refresh_from_db()
    assert record.written == {"created": 2, "updated": 0}
    # A second confirmation of the same upload writes nothing.
    client.post(reverse("members:roster_confirm", args=[record.pk]))
    assert Member.objects.filter(organisation=zone.b2).count() == 2


def test_upload_not_a_spreadsheet_message_in_chinese(zone, users, client_for):
    client = client_for(users.town_admin)
    file = SimpleUploadedFile("照片.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with translation.override("zh-hans"):
        response = client.post(reverse("members:roster_import"), {"file": file})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["照片.xlsx不是电子表格：请上传.xlsx、.xls或.csv文件。"]
    assert RosterUpload.objects.count() == 0


def test_template_download_has_the_template_headers(zone, users, client_for):
    response = client_for(users.branch_admin).get(reverse("members:roster_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == ["姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "党员类别", "入党日期", "转为正式党员日期",
                                            "人员类别", "工作单位", "单位职务", "联系电话", "户籍所在地", "现居住地", "预备期满日期", "组织代码", "所在党组织"]  # fmt: skip


def test_unmasked_export_round_trips(zone, users, client_for):
    imports.roster_import(plan=imports.roster_preview(rows=sheet_rows(3)))
    client = client_for(users.town_admin)
    exported = client.get(reverse("members:export"), {"org": "B2"}).content
    plan = imports.roster_preview(rows=imports.roster_read(name="export.xlsx", content=exported), user=users.town_admin)
    assert plan.counts == {"new": 0, "changed": 0, "unchanged": 3, "rejected": 0}


def test_auditor_export_is_masked(zone, users, client_for):
    imports.roster_import(plan=imports.roster_preview(rows=sheet_rows(1)))
    exported = client_for(users.auditor).get(reverse("members:export"), {"org": "B2"}).content
    row = [c.value for c in openpyxl.load_workbook(io.BytesIO(exported)).active[2]]
    assert row[2] == f"{person(0)[:6]}********{person(0)[-4:]}"
    assert row[12] == "138****8000"


def test_export_neutralises_formulas(zone, users, client_for):
    member = zone.b1_members[0]
    member.work_unit = '=HYPERLINK("http://x")'
    member.save()
    exported = client_for(users.bureau).get(reverse("members:export"), {"org": "B1"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    units = [row[10] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in units
    assert cell_safe("@SUM(A1)") == "'@SUM(A1)"
    assert cell_safe("张三") == "张三"
