"""Issue 12, layout in a real browser: the navigation bar keeps every item on one line at 1366 px
(the logins with the longest menus, in both languages), the lists fit a 390 px phone, and a long
list tells its page count and jumps to a page."""

import pytest
from playwright.sync_api import expect

from branches.enums import OrganisationKind, Sector
from core.enums import Role
from tests.factories import UserFactory, make_org

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

# Lines each navigation item's text takes (distinct tops of its line boxes).
ITEM_LINES = """() => [...document.querySelectorAll('.navbar-brand, #nav-main .nav-link, #nav-main .btn, #nav-user > *')]
  .map(el => { const range = document.createRange(); range.selectNodeContents(el);
               const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
               return [el.textContent.trim(), tops.size]; })"""
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


@pytest.fixture
def enterprise_admin(zone):
    """Like the demo's enterprise1: a non-public branch with a long name, its secretary's login."""
    branch = make_org(
        zone.t1,
        OrganisationKind.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="NPB",
        name="中共长沙某某电子科技有限公司第一支部委员会",
        unit_name="长沙某某电子科技有限公司",
    )
    return UserFactory(role=Role.ORG_ADMIN, organisation=branch, first_name="企业支部书记 陈静")


def _one_line_each(page) -> list:
    return [(text, lines) for text, lines in page.evaluate(ITEM_LINES) if lines != 1]


@pytest.mark.parametrize("who", ["bureau", "auditor", "enterprise"])
def test_no_navigation_item_wraps_at_1366_px(users, enterprise_admin, login, who):
    user = enterprise_admin if who == "enterprise" else getattr(users, who)
    user.first_name = user.first_name or "组织人事局 李明"
    user.save(update_fields=["first_name"])
    page = login(user)
    page.set_viewport_size({"width": 1366, "height": 768})
    for language in ("zh-hans", "en"):
        page.locator(f"footer button[value={language}]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.locator("#nav-main .nav-link").count() >= 7
        assert _one_line_each(page) == [], language
        assert page.evaluate(PAGE_WIDTH) <= 1366, language


def test_the_lists_fit_a_390_px_phone(zone, users, login):
    page = login(users.town_admin)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/members/", f"/assessments/year/{zone.b1.pk}/2024/", "/funding/dues/arrears/2024/"):
        for language in ("zh-hans", "en"):
            page.goto(url)
            page.locator(f"footer button[value={language}]").click()
            expect(page.locator("html")).to_have_attribute("lang", language)
            assert page.evaluate(PAGE_WIDTH) <= 390, (url, language)


def test_a_long_list_tells_its_pages_and_jumps_to_one(zone, users, login, monkeypatch):
    from funding.views import dues

    monkeypatch.setattr(dues, "ARREARS_PAGE_SIZE", 1)  # B1 and B3 owe 2024's dues: two pages
    page = login(users.bureau)
    page.goto("/funding/dues/arrears/2024/")
    page.locator("footer button[value=zh-hans]").click()
    expect(page.locator(".pager-position")).to_have_text("第1页，共2页")
    expect(page.locator("#arrears tbody")).to_contain_text(zone.b1.name)
    page.get_by_label("跳至第几页").fill("2")
    page.get_by_role("button", name="跳转").click()
    expect(page.locator(".pager-position")).to_have_text("第2页，共2页")
    expect(page.locator("#arrears tbody")).to_contain_text(zone.b3.name)
    page.get_by_role("link", name="第一页").click()
    expect(page.locator(".pager-position")).to_have_text("第1页，共2页")
