"""A secretary logs a party lecture with its attendance in one form, in a real browser, and sees
the study hours it gave on the branch's year page."""

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_secretary_logs_a_lecture_and_the_hours_follow(zone, users, login):
    secretary, excused, absent = zone.b1_members
    year = datetime.date.today().year - 1
    page = login(users.branch_admin)
    page.goto(f"/orgs/{zone.b1.pk}/")
    page.get_by_role("link", name="新建会议").click()
    page.get_by_label("会议类型").select_option(label="主题党日")  # may count as a lecture too (issue 12)
    expect(page.get_by_role("checkbox", name="党课", exact=True)).to_be_visible()
    page.get_by_label("会议类型").select_option(label="党课")
    expect(page.get_by_role("checkbox", name="党课", exact=True)).to_be_hidden()
    page.get_by_label("召开日期").fill(f"{year}-05-10")
    page.get_by_label("召开日期").dispatch_event("change")  # the attendance list follows the day (htmx)
    # Wait for the list of that day and kind to have settled, not for rows that may still be replaced.
    expect(page.locator("#attendance")).to_have_attribute("data-held-on", f"{year}-05-10")
    expect(page.locator("#attendance")).to_have_attribute("data-kind", "lecture")
    expect(page.locator("#attendance input[disabled]")).to_have_count(0)
    page.get_by_label("地点").fill("党员活动室")
    page.get_by_label("主题").fill("学习新党章")
    expect(page.get_by_label("讲课人", exact=True)).to_have_value(str(secretary.pk))  # the secretary, from the posts
    page.get_by_label("计入学时").fill("3")
    rows = page.locator("#attendance tbody tr")
    expect(rows).to_have_count(3)
    page.locator(f"input[name=attendance_{excused.pk}][value=excused]").check()
    page.locator(f"input[name=attendance_{absent.pk}][value=absent]").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(f"请填写{excused.name}请假的原因。")).to_be_visible()  # caught, nothing lost
    expect(page.get_by_label("主题")).to_have_value("学习新党章")
    row = page.locator(f"#attendance-{excused.pk}")  # the row in error, highlighted and scrolled to
    expect(row).to_have_class("table-danger")
    expect(row).to_be_in_viewport()
    page.get_by_label(f"原因 {excused.name}").fill("出差")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("会议已记录。")).to_be_visible()
    page.get_by_role("link", name=zone.b1.name).click()
    expect(page.locator("#secretary-lecture")).to_contain_text("已讲")
    training = page.locator("#training")
    expect(training.get_by_role("row", name=secretary.name)).to_contain_text("3.0")
    expect(training.get_by_role("row", name=absent.name)).to_contain_text("差32学时")


def test_choices_made_on_a_slow_connection_survive_the_list_reloading(zone, users, login):
    """Issue 12: the attendance list reloads after the day changes; on a slow connection the reply
    used to replace rows already marked. The rows are locked while it reloads and the choices made
    before it are sent along and kept."""
    _secretary, excused, absent = zone.b1_members
    year = datetime.date.today().year - 1
    page = login(users.branch_admin)
    page.goto(f"/assessments/meetings/new/{zone.b1.pk}/?kind=general&held_on={year}-03-01")
    page.locator(f"input[name=attendance_{absent.pk}][value=absent]").check()  # before the reload: sent along
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_label("召开日期").fill(f"{year}-03-10")
    page.get_by_label("召开日期").dispatch_event("change")
    expect(page.locator(f"input[name=attendance_{excused.pk}][value=excused]")).to_be_disabled()  # reloading
    # Marked while the reply is on its way: the click waits for the new rows instead of being lost.
    page.locator(f"input[name=attendance_{excused.pk}][value=excused]").check()
    page.get_by_label(f"原因 {excused.name}").fill("出差")
    expect(page.locator("#attendance")).to_have_attribute("data-held-on", f"{year}-03-10")
    page.wait_for_timeout(2000)  # a late reply would have replaced the rows by now
    expect(page.locator(f"input[name=attendance_{excused.pk}][value=excused]")).to_be_checked()
    expect(page.locator(f"input[name=attendance_{absent.pk}][value=absent]")).to_be_checked()
    expect(page.get_by_label(f"原因 {excused.name}")).to_have_value("出差")
