"""A secretary enters a class's study hours in one form; the bureau exports a list of findings.
Both in a real browser, asserting what is on the screen and in the downloaded file."""

import datetime
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from assessments.compliance import engine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_secretary_enters_a_class_and_the_year_page_counts_it(zone, users, login):
    year = datetime.date.today().year - 1
    page = login(users.branch_admin)
    page.goto(f"/assessments/year/{zone.b1.pk}/{year}/")
    page.get_by_role("link", name="班次学时登记").click()
    page.get_by_label("学习形式").select_option(label="培训班或课程")
    page.get_by_label("课程或活动").fill("党的二十大精神专题培训")
    page.get_by_label("日期").fill(f"{year}-06-12")
    page.get_by_label("每人学时").fill("0")
    page.get_by_role("button", name="全选").click()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#id_hours").locator("xpath=..")).to_contain_text("0.1")  # caught: hours must be > 0
    page.get_by_label("每人学时").fill("6")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已为3名党员登记学时。")).to_be_visible()
    training = page.locator("#training")
    for member in zone.b1_members:
        expect(training.get_by_role("row", name=member.name)).to_contain_text("6.0")


def test_bureau_exports_the_findings_list(zone, users, login):
    year = datetime.date.today().year - 1
    engine.compliance_run(year=year, today=datetime.date(year + 1, 1, 10), rules=("Q-THREE-MEETINGS",), trigger="test")
    page = login(users.bureau)
    page.goto(f"/assessments/compliance/findings/?year={year}&rule=Q-THREE-MEETINGS")
    listed = page.locator("#findings-table tbody tr")
    expect(listed.first).to_contain_text("Q-THREE-MEETINGS")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book.active.values)
    assert rows[0][:3] == ("条款", "规则", "所属组织")
    assert {r[0] for r in rows[1:]} == {"Q-THREE-MEETINGS"}
    assert len(rows) - 1 >= listed.count()
