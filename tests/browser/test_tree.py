"""The organisation tree in a real browser: login, lazy-loaded children, drill-down, search."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_bureau_expands_tree_lazily_and_opens_branch(zone, users, login, tmp_path):
    page = login(users.bureau)
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
    page.get_by_role("link", name="组织", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("组织")
    # Only the work committee is in the page; its children arrive when it is opened.
    expect(page.get_by_role("link", name="中共麓谷街道工作委员会")).to_have_count(0)
    page.locator("summary", has_text="中共测试高新区工作委员会").click()
    expect(page.get_by_role("link", name="中共麓谷街道工作委员会")).to_be_visible()
    page.locator("summary", has_text="中共麓谷街道工作委员会").click()
    page.locator("summary", has_text="中共东村总支部委员会").click()
    page.get_by_role("link", name="东村第1党支部", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("东村第1党支部")
    posts = page.locator("table", has=page.get_by_role("columnheader", name="职务"))
    expect(posts.get_by_role("row").nth(1)).to_contain_text("书记")
    expect(posts.get_by_role("row").nth(1)).to_contain_text(zone.b1_members[0].name)
    expect(page.get_by_role("link", name="东村第1党支部第1党小组")).to_be_visible()
    breadcrumb = page.get_by_role("navigation", name="breadcrumb")
    expect(breadcrumb).to_contain_text("中共东村总支部委员会")
    page.screenshot(path=str(tmp_path / "branch.png"), full_page=True)


def test_org_admin_searches_only_inside_scope(zone, users, login):
    page = login(users.town_admin)
    page.goto("/orgs/")
    page.get_by_role("searchbox").fill("党支部")
    page.get_by_role("button", name="查询").click()
    results = page.get_by_role("table").get_by_role("link")
    expect(results).to_have_text(["东村第1党支部", "东村第1党支部第1党小组", "东村第2党支部"])
    expect(page.get_by_text("新康社区第1党支部")).to_have_count(0)
