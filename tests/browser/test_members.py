"""A secretary keeps the roster in a real browser: a new member, a mistake caught, a status change."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_secretary_records_member_and_sees_history(zone, users, login):
    page = login(users.town_admin)
    page.goto(f"/orgs/{zone.b2.pk}/")
    page.get_by_role("link", name="新增党员").click()
    page.get_by_label("姓名").fill("王五")
    page.get_by_label("身份证号码").fill("110105194912310021")  # wrong check digit
    page.get_by_label("入党日期").fill("1975-07-01")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("身份证号码校验位错误（最后一位应为X）。")).to_be_visible()
    page.get_by_label("身份证号码").fill("11010519491231002x")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王五")
    expect(page.get_by_role("row", name="出生日期")).to_contain_text("1949年12月31日")
    page.get_by_role("link", name="变更状态").click()
    page.get_by_label("新状态").select_option(label="去世")
    page.get_by_label("生效日期").fill("2024-02-01")
    page.get_by_label("原因").fill("病故")
    page.get_by_role("button", name="保存").click()
    history = page.locator(".list-group")
    expect(history.locator(".list-group-item").first).to_contain_text("状态变更")
    expect(history.locator(".list-group-item").first).to_contain_text("在册 → 去世")
