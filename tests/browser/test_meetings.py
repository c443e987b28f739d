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
    page.get_by_label("会议类型").select_option(label="党课")
    page.get_by_label("召开日期").fill(f"{year}-05-10")
    page.get_by_label("召开日期").dispatch_event("change")  # the attendance list follows the day (htmx)
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
    page.get_by_label(f"原因 {excused.name}").fill("出差")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("会议已记录。")).to_be_visible()
    page.get_by_role("link", name=zone.b1.name).click()
    expect(page.locator("#secretary-lecture")).to_contain_text("已讲")
    training = page.locator("#training")
    expect(training.get_by_role("row", name=secretary.name)).to_contain_text("3.0")
    expect(training.get_by_role("row", name=absent.name)).to_contain_text("差32学时")
