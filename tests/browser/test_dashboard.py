"""The bureau's drill-down (issue 6) in a real browser: the ECharts dashboard, a click on a bar, the
organisations with findings, a finding with its clause and the form that fixes it, a waiver."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from assessments.compliance.catalogue import RULES
from assessments.compliance.engine import compliance_run
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.services import meeting_record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

RULE = "Q-LECTURE-SECRETARY"
CHART_ROWS = """() => ["rules", "sectors", "towns"].flatMap((name) => {
    const option = echarts.getInstanceByDom(document.getElementById("chart-" + name)).getOption();
    return option.yAxis[0].data.map((label, i) => [label, option.series[0].data[i]]);
})"""
ANIMATION_OVER = """() => {
    const chart = echarts.getInstanceByDom(document.getElementById("chart-rules"));
    return chart !== undefined && chart.getZr().animation.isFinished();
}"""
BAR_PIXEL = """([value, index]) => echarts.getInstanceByDom(document.getElementById("chart-rules"))
    .convertToPixel({seriesIndex: 0}, [value, index])"""

BAR_COLOUR = """(index) => echarts.getInstanceByDom(document.getElementById("chart-rules")).getModel()
    .getSeriesByIndex(0).getData().getItemVisual(index, "style").fill"""
TARGET_LINE = """() => echarts.getInstanceByDom(document.getElementById("chart-rules")).getOption()
    .series[0].markLine.data.map((point) => point.xAxis)"""


def rate_or_none(text):
    return None if text == "—" else float(text)


def test_bureau_drills_down_from_a_bar_to_a_finding_and_waives_it(zone, users, login):
    year = datetime.date.today().year - 1
    secretary = zone.secretary.member
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    for month in (3, 6, 9, 12):  # B1's secretary lectures every quarter; B3's secretary never does
        meeting_record(
            organisation=zone.b1,
            data={
                "kind": MeetingKind.LECTURE,
                "held_on": datetime.date(year, month, 10),
                "place": "党员活动室",
                "topic": "学习新党章",
                "lecturer": secretary,
            },
            attendance=present,
        )
    run = compliance_run(year=year, today=datetime.date(year + 1, 1, 10), trigger="test")
    assert run.state == "done"

    page = login(users.bureau)
    page.goto(f"/dashboard/?year={year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"合规检查看板 · {year}")
    charts = page.locator(".dashboard-chart")
    expect(charts).to_have_count(4)
    for chart in charts.all():
        expect(chart.locator("canvas").first).to_be_visible()

    # What ECharts draws is what the tables say, bar by bar.
    page.get_by_text("数据表", exact=True).click()
    table = page.locator("#rules-rates tbody tr")
    expect(table.first).to_be_visible()
    rows = [
        (row.get_by_role("link").inner_text(), rate_or_none(row.get_by_role("cell").nth(3).inner_text()))
        for row in table.all()
    ]
    assert [tuple(r) for r in page.evaluate(CHART_ROWS)] == rows
    with translation.override("zh-hans"):  # the page's language, whatever an earlier test left active
        label = str(RULES[RULE].title)  # the duty's title labels the bar; its clause ID is small print (issue 12)
    lecture = table.filter(has=page.get_by_role("link", name=label, exact=True))
    expect(lecture.get_by_role("cell")).to_have_text([f"{label} {RULE}", "2", "1", "50.0"])
    rates = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-rules')).getOption().series[0].data")
    labels = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-rules')).getOption().yAxis[0].data")
    index = labels.index(label)
    assert rates[index] == 50
    # Worst first, coloured by status (50 % is red), the target drawn at 100 %, the trend's axis fitted.
    assert rates == sorted(rates, key=lambda r: (r is None, r))
    page.wait_for_function(ANIMATION_OVER)
    assert page.evaluate(BAR_COLOUR, index) == "#c8102e"
    assert page.evaluate(TARGET_LINE) == [100]
    axis = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).trend_axis")
    trend = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption().yAxis[0]")
    assert (trend["min"], trend["max"]) == (axis["min"], axis["max"])

    # A real click on the middle of the bar.
    page.wait_for_function(ANIMATION_OVER)
    x, y = page.evaluate(BAR_PIXEL, [rates[index] / 2, index])
    element = page.locator("#chart-rules")
    element.scroll_into_view_if_needed()
    page.evaluate("dy => window.scrollBy(0, dy)", element.bounding_box()["y"] + y - 300)
    box = element.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/assessments/compliance/findings/?*")
    assert parse_qs(urlsplit(page.url).query) == {"year": [str(year)], "rule": [RULE], "group": ["organisation"]}
    expect(page.get_by_role("heading", level=1)).to_have_text(f"检查发现 · {RULE}")
    expect(page.get_by_label("按组织汇总")).to_be_checked()
    organisations = page.locator("#findings-organisations tbody tr")
    expect(organisations).to_have_count(1)
    expect(organisations.get_by_role("cell")).to_have_text([f"{zone.b3.name} B3", "1"])

    organisations.get_by_role("link", name=zone.b3.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"检查发现 · {RULE} · {zone.b3.name}")
    findings = page.locator("#findings-table tbody tr")
    expect(findings).to_have_count(1)
    findings.get_by_role("link", name=label).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{label} {RULE}")
    expect(page.locator("#clause-sentence")).to_contain_text(RULES[RULE].sentence)
    expect(page.locator("#measured")).to_have_text("0")
    expect(page.locator("#required")).to_have_text("1")
    fix = page.get_by_role("link", name="录入整改记录")
    lecture_form = reverse("assessments:meeting_create", args=[zone.b3.pk])
    expect(fix).to_have_attribute("href", f"{lecture_form}?kind=lecture&held_on={year}-12-31")
    finding_url = page.url
    fix.click()
    expect(page.get_by_label("会议类型")).to_have_value("lecture")  # the form opens filled in
    expect(page.get_by_label("召开日期")).to_have_value(f"{year}-12-31")
    page.goto(finding_url)

    page.get_by_label("豁免理由").fill("书记年内调任，新书记12月到任")
    page.get_by_role("button", name="豁免", exact=True).click()
    expect(page.get_by_text("该检查发现已豁免。")).to_be_visible()
    expect(page.get_by_text("已豁免 · 书记年内调任，新书记12月到任")).to_be_visible()
    expect(page.get_by_role("link", name="录入整改记录")).to_have_count(0)
    expect(page.get_by_label("豁免理由")).to_have_count(0)
