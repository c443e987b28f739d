"""Funding in a real browser: a secretary's party-dues month (N-DUES) and the bureau paying a village's
welfare project within its budget (F-WELFARE-FUND)."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.policy import policy_for_year
from funding.enums import DuesBasis
from funding.selectors.dues import dues_monthly

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_secretary_records_bases_collects_january_and_is_refused_twice(zone, users, login):
    year = datetime.date.today().year
    values = policy_for_year(year)
    low, edge, high = zone.b1_members
    incomes = {low: "2000", edge: "3000", high: "8000"}  # below the first band's edge, on it, in the third band
    dues = {
        m: dues_monthly(basis=DuesBasis.SALARY, values=values, monthly_income=Decimal(i)) for m, i in incomes.items()
    }
    assert dues == {low: Decimal("10.00"), edge: Decimal("15.00"), high: Decimal("120.00")}

    page = login(users.branch_admin)
    page.goto(f"/funding/dues/{zone.b1.pk}/{year}/bases/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"党费基数 {year} · {zone.b1.name}")
    for member, income in incomes.items():
        page.get_by_role("spinbutton", name=member.name, exact=True).fill(income)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已核定3名党员的党费基数。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{zone.b1.name} · {year}年党费")

    grid = page.locator("#dues-grid")
    headers = grid.get_by_role("columnheader").all_inner_texts()
    january = headers.index("1月") - 1  # the member's name is the row's header, not one of its cells

    def cells(member):
        return grid.locator("tr", has=page.get_by_role("rowheader", name=member.name, exact=True)).get_by_role("cell")

    for member, income in incomes.items():
        expect(cells(member).nth(1)).to_have_text(f"¥{Decimal(income):,.2f}")
        expect(cells(member).nth(2)).to_have_text(f"¥{dues[member]}")
        # January is owed once its collection day (the 25th) has passed (issue 12).
        owed = datetime.date.today() > datetime.date(year, 1, 25)
        expect(cells(member).nth(january)).to_have_attribute("data-state", "due" if owed else "not_due")
    expect(cells(edge).nth(2)).to_have_text("¥15.00")

    page.get_by_role("link", name="收缴党费").click()
    page.get_by_label("1月", exact=True).check()
    for member in incomes:
        expect(page.get_by_label(member.name, exact=True).and_(page.get_by_role("checkbox"))).to_be_checked()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已登记3笔党费。")).to_be_visible()
    for member in incomes:
        expect(cells(member).nth(january)).to_have_attribute("data-state", "paid")
        expect(cells(member).nth(january)).to_have_text(f"¥{dues[member]}")
    expect(page.locator("#paid-total")).to_have_text("¥145.00")

    page.get_by_role("link", name="收缴党费").click()
    page.get_by_label("1月", exact=True).check()
    page.get_by_role("button", name="保存").click()
    refusals = page.locator("#member-errors > div")
    expect(refusals).to_have_count(3)
    assert sorted(refusals.all_inner_texts()) == sorted(f"{m.name}已交纳{year}年1月的党费。" for m in incomes)
    page.goto(f"/funding/dues/{zone.b1.pk}/{year}/")
    expect(page.locator("#paid-total")).to_have_text("¥145.00")


def test_bureau_pays_a_village_project_and_is_refused_past_its_budget(zone, users, login):
    village = zone.v1
    page = login(users.bureau)
    page.goto(f"/funding/welfare/{village.pk}/2016/")
    balance = page.locator("#balance tbody td")
    expect(balance).to_have_text(["2016", "¥200,000.00", "¥0.00", "¥0.00", "¥200,000.00"])

    page.get_by_role("link", name="申报惠民项目").click()
    page.get_by_label("项目").fill("村道硬化")
    page.get_by_label("说明").fill("东村主干道1.2公里")
    page.get_by_label("预算（元）").fill("50000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("项目已申报。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("村道硬化 已申报")

    page.get_by_role("link", name="评定").click()
    page.get_by_label("批准", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("决策已登记。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("村道硬化 已批准")
    expect(balance).to_have_text(["2016", "¥200,000.00", "¥50,000.00", "¥0.00", "¥200,000.00"])

    page.get_by_role("link", name="登记拨款").click()
    page.get_by_label("金额（元）").fill("30000")
    page.get_by_label("收款单位（人）").fill("东村村民委员会")
    page.get_by_label("收据编号").fill("HM2016-001")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("发放已登记。")).to_be_visible()
    expect(balance).to_have_text(["2016", "¥200,000.00", "¥50,000.00", "¥30,000.00", "¥170,000.00"])

    page.get_by_role("link", name="登记拨款").click()
    page.get_by_label("金额（元）").fill("25000")
    page.get_by_label("收款单位（人）").fill("东村村民委员会")
    page.get_by_label("收据编号").fill("HM2016-002")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#div_id_amount .invalid-feedback")).to_have_text(
        "支付25,000.00元将使村道硬化超出其预算50,000.00元（2016年，拨款200,000.00元）：预算尚余20,000.00元。"
    )
    expect(page.get_by_label("金额（元）")).to_have_value("25000")
    expect(balance).to_have_text(["2016", "¥200,000.00", "¥50,000.00", "¥30,000.00", "¥170,000.00"])

    page.goto(f"/funding/welfare/{village.pk}/2016/")
    expect(balance).to_have_text(["2016", "¥200,000.00", "¥50,000.00", "¥30,000.00", "¥170,000.00"])
    expect(page.locator("#payments tbody tr")).to_have_count(1)
    project = page.locator("#projects tbody tr").get_by_role("cell")
    for n, text in enumerate(["村道硬化", "已批准", "¥50,000.00", "¥30,000.00"]):
        expect(project.nth(n)).to_have_text(text)
