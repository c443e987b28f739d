import datetime
import io
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone, translation

from members import imports
from members.models import Member, RosterUpload
from portal import reauth
from portal.excel import cell_safe
from tests.members.test_imports import person, sheet_rows, xlsx

pytestmark = pytest.mark.django_db


def password_confirmed(client):
    """An export with ID numbers in full asks for the password first (issue 7): confirmed just now."""
    session = client.session
    session[reauth.CONFIRMED_AT] = time.time()
    session.save()
    return client


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
    record.refresh_from_db()
    assert (record.state, record.failure) == (RosterUpload.State.IMPORTED, "")


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
    client = password_confirmed(client_for(users.town_admin))
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
    exported = password_confirmed(client_for(users.bureau)).get(reverse("members:export"), {"org": "B1"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    units = [row[10] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in units
    assert cell_safe("@SUM(A1)") == "'@SUM(A1)"
    assert cell_safe("张三") == "张三"


def test_upload_being_checked_shows_progress_then_reloads_when_done(zone, users, client_for):
    client = client_for(users.town_admin)
    record = imports.roster_upload_create(content=xlsx(sheet_rows(3)), file_name="大.xlsx", organisation=zone.b2,
                                          user=users.town_admin)  # fmt: skip
    imports._progress_reporter(record, "checking", 3)(2)  # the task has checked two rows of three
    page = client.get(reverse("members:roster_upload", args=[record.pk]))
    assert page.context["running"] is True
    assert page.context["progress"] == {"done": 2, "total": 3, "phase": "checking", "percent": 67}
    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert "members:roster_confirm" not in page.content.decode() and not page.context["can_confirm"]
    partial = client.get(reverse("members:roster_progress", args=[record.pk]))
    assert "HX-Refresh" not in partial
    imports.roster_upload_check(upload=record)
    partial = client.get(reverse("members:roster_progress", args=[record.pk]))
    assert partial["HX-Refresh"] == "true"
    assert client.get(reverse("members:roster_upload", args=[record.pk])).context["can_confirm"] is True


def test_confirm_uses_the_rows_checked_at_the_preview(zone, users, client_for):
    record = imports.roster_upload_preview(content=xlsx(sheet_rows(2)), file_name="a.xlsx", organisation=zone.b2,
                                           user=users.town_admin)  # fmt: skip
    # The stored file is swapped behind the preview's back: the signed checked rows are what is imported.
    with record.file.open("wb") as handle:
        handle.write(xlsx(sheet_rows(3)))
    client_for(users.town_admin).post(reverse("members:roster_confirm", args=[record.pk]))
    assert Member.objects.filter(organisation=zone.b2).count() == 2
    record.refresh_from_db()
    assert record.state == RosterUpload.State.IMPORTED


def test_tampered_checked_rows_are_not_trusted(zone, users):
    record = imports.roster_upload_preview(content=xlsx(sheet_rows(2)), file_name="a.xlsx", organisation=zone.b2,
                                           user=users.town_admin)  # fmt: skip
    with record.checked.open("rb") as handle:
        signature, _, payload = handle.read().partition(b"\n")
    with record.checked.open("wb") as handle:
        handle.write(signature + b"\n" + payload.replace("党员1".encode(), "党员X".encode()))
    assert imports._checked_load(record) is None
    # The confirmation falls back to the file itself.
    assert imports.roster_upload_import(upload=record, user=users.town_admin) == {"created": 2, "updated": 0}
    assert Member.objects.filter(name="党员1").exists()


def test_checked_rows_from_another_day_are_checked_again(zone, users, monkeypatch):
    record = imports.roster_upload_preview(content=xlsx(sheet_rows(1)), file_name="a.xlsx", organisation=zone.b2,
                                           user=users.town_admin)  # fmt: skip
    assert imports._checked_load(record) is not None
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(imports.timezone, "localdate", lambda: tomorrow)
    assert imports._checked_load(record) is None


def test_confirm_sees_members_recorded_since_the_preview(zone, users, client_for):
    record = imports.roster_upload_preview(content=xlsx(sheet_rows(2)), file_name="a.xlsx", organisation=zone.b2,
                                           user=users.town_admin)  # fmt: skip
    Member.objects.create(name="先到", id_number=person(1), gender="male", birth_date=datetime.date(1980, 1, 2),
                          organisation=zone.b1)  # fmt: skip
    client_for(users.town_admin).post(reverse("members:roster_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.written == {"created": 1, "updated": 0}
    assert record.errors == [{"row": 5, "column": "组织代码", "value": "B2",
                              "message": "该党员隶属于东村第1党支部：请办理组织关系转接。"}]  # fmt: skip


def test_failed_import_writes_nothing_and_stays_confirmable_with_the_reason(zone, users, client_for, monkeypatch):
    record = imports.roster_upload_preview(content=xlsx(sheet_rows(2)), file_name="a.xlsx", organisation=zone.b2,
                                           user=users.town_admin)  # fmt: skip

    def broken(**kwargs):  # the last statement of the import fails, after every COPY
        raise DatabaseError("磁盘已满")

    monkeypatch.setattr(imports.services, "member_counts_refresh", broken)
    client = client_for(users.town_admin)
    with translation.override("zh-hans"):
        page = client.post(reverse("members:roster_confirm", args=[record.pk]), follow=True).content.decode()
    record.refresh_from_db()
    assert (record.state, record.imported_at, record.failure) == (RosterUpload.State.CHECKED, None, "磁盘已满")
    assert Member.objects.filter(organisation=zone.b2).count() == 0
    assert "导入失败，未写入任何数据：磁盘已满" in page
    monkeypatch.undo()
    client.post(reverse("members:roster_confirm", args=[record.pk]))
    assert Member.objects.filter(organisation=zone.b2).count() == 2
    record.refresh_from_db()
    assert (record.state, record.failure) == (RosterUpload.State.IMPORTED, "")


def test_file_that_cannot_be_read_by_the_task_is_shown_failed(zone, users, client_for):
    record = imports.roster_upload_create(content=xlsx(sheet_rows(1)), file_name="a.xlsx", organisation=zone.b2,
                                          user=users.town_admin)  # fmt: skip
    with record.file.open("wb") as handle:
        handle.write(b"")
    with translation.override("zh-hans"):
        imports.roster_upload_check(upload=record)
        record.refresh_from_db()
        page = client_for(users.town_admin).get(reverse("members:roster_upload", args=[record.pk])).content.decode()
    assert record.state == RosterUpload.State.FAILED
    assert "文件a.xlsx为空。" in page
