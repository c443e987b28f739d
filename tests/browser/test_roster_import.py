"""A secretary imports a roster with an error row, reads the preview, fixes the file and imports it."""

import pytest
from playwright.sync_api import expect

from members.models import Member
from tests.members.test_imports import sheet_rows, xlsx

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_secretary_fixes_rejected_row_and_imports(zone, users, login, tmp_path):
    page = login(users.town_admin)
    rows = sheet_rows(3)
    rows[4][7] = "去年"  # sheet row 5: not a date
    bad = tmp_path / "花名册.xlsx"
    bad.write_bytes(xlsx(rows))
    page.goto("/members/")
    page.get_by_role("link", name="导入名册").click()
    page.get_by_label("名册文件").set_input_files(str(bad))
    page.get_by_role("button", name="检查文件").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("名册预览")
    rejected = page.get_by_role("table", name="被拒绝的行").get_by_role("row").nth(1)
    expect(rejected).to_contain_text("5")
    expect(rejected).to_contain_text("入党日期")
    expect(rejected).to_contain_text("去年")
    expect(rejected).to_contain_text("不是有效日期")
    # The preview names who would be added (issue 12): the two good rows.
    added = page.get_by_role("table", name="将新增的党员").get_by_role("row")
    expect(added).to_have_count(3)
    expect(added.nth(1)).to_contain_text("党员0")
    expect(added.nth(2)).to_contain_text("党员2")
    # Fix the file and import it again: all three rows go in.
    rows[4][7] = "2005年7月1日"
    fixed = tmp_path / "花名册-已改.xlsx"
    fixed.write_bytes(xlsx(rows))
    page.get_by_role("link", name="导入其他文件").click()
    page.get_by_label("名册文件").set_input_files(str(fixed))
    page.get_by_role("button", name="检查文件").click()
    page.get_by_role("button", name="导入新增3行、变更0行").click()
    expect(page.get_by_role("alert").first).to_contain_text("已导入：新增党员3名，变更0名。")
    assert Member.objects.filter(organisation=zone.b2).count() == 3
