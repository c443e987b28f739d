"""The secretary's home page (issue 12): 本月待办 and 已逾期 in plain Chinese, the duty's title first and its
clause in small print, the pro-rated quota said as such, earlier years folded."""

import datetime
import re
import types

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.compliance import engine
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import ComplianceRun, Finding, RuleTally
from members import imports
from members.models import RosterUpload
from portal import dashboards

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 12, 7)
QUERIES = 9


@pytest.fixture
def home(zone, users, client, monkeypatch):
    """B1 held its themed party day January to October 2025 and nothing else; 2024 and 2025 were checked.
    Its secretary opens the home page on 7 December 2025."""
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: TODAY if value is None else localdate(value, tz)
    )
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    for month in range(1, 11):
        services.meeting_record(
            organisation=zone.b1,
            attendance=present,
            data={
                "kind": MeetingKind.THEMED_DAY,
                "held_on": datetime.date(2025, month, 10),
                "place": "党员活动室",
                "topic": "主题党日",
            },
        )
    engine.compliance_run(year=2024, today=datetime.date(2025, 1, 10), rules=("Q-THREE-MEETINGS",), trigger="test")
    engine.compliance_run(
        year=2025,
        today=TODAY,
        trigger="test",
        rules=("Q-THREE-MEETINGS", "N-MEETINGS", "Q-TRAINING-MEMBER", "Q-TRAINING-LEADER"),
    )
    client.force_login(users.branch_admin)
    return client.get(reverse("home"))


def text_of(html: str) -> list[str]:
    """The page's lines of text, tags dropped and spaces squeezed."""
    lines = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip() for line in html.splitlines())
    return [line for line in lines if line]


def test_the_secretary_sees_this_months_duties_and_the_missed_ones_in_chinese(home, zone):
    html = home.content.decode()
    lines = text_of(html)
    assert "本月待办 8" in lines
    assert "已逾期 29" in lines
    assert "党员学习培训学时 Q-TRAINING-MEMBER" in lines
    assert "2025年 · 截至今日应达 29.9 学时（全年 32 学时）" in lines
    assert "书记和班子成员学习培训学时 Q-TRAINING-LEADER" in lines
    assert "2025年 · 截至今日应达 52.3 学时（全年 56 学时）" in lines
    assert "三会一课：支部党员大会 Q-THREE-MEETINGS" in lines
    assert "2025年第3季度 · 应开 1 次" in lines
    assert "2025年11月30日 到期" in lines
    assert f"{zone.g1.name} · 已开 0 次" in lines
    assert "另有 19 项逾期未办" in lines
    assert "往年遗留：32 项未整改" in lines
    # The title leads and the clause is small print beside it, never the other way round.
    assert (
        '<span class="fw-semibold todo-title">三会一课：支委会</span> <small class="text-muted todo-clause">'
        "Q-THREE-MEETINGS</small>"
    ) in html
    assert "<code>Q-" not in html
    # This month's duty: its form, filled in, with today's date; a missed one: a day inside its period.
    assert f'href="/assessments/meetings/new/{zone.b1.pk}/?kind=committee&amp;held_on=2025-12-07">去办理</a>' in html
    assert f'href="/assessments/meetings/new/{zone.b1.pk}/?kind=general&amp;held_on=2025-09-30">去整改</a>' in html


def test_the_first_lines_are_this_months_not_last_years(home):
    todo = home.context["todo"]
    first = [(i.title, i.period) for i in todo.due[:2]] + [(i.title, i.period) for i in todo.overdue[:1]]
    assert first == [
        ("主题党日", "2025年12月"),
        ("组织生活会", "2025年"),
        ("主题党日", "2025年11月"),
    ]
    assert [(r.year, r.count) for r in todo.backlog] == [(2024, 32)]


def test_only_an_organisation_administrator_has_the_list(zone, users, client):
    client.force_login(users.bureau)
    page = client.get(reverse("home"))
    assert page.context["todo"] is None
    assert "本月待办" not in page.content.decode()


@pytest.fixture
def bureau_home(zone, users, client, monkeypatch):
    """The bureau opens the home page on 7 December 2025: 2025 was checked for two duties, a roster was
    uploaded for B1."""
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: TODAY if value is None else localdate(value, tz)
    )
    result = engine.compliance_run(
        year=2025, today=TODAY, rules=("Q-THREE-MEETINGS", "Q-TRAINING-MEMBER"), trigger="test"
    )
    roster = "姓名,公民身份号码,入党日期\n王五,11010519491231002X,1975-07-01\n".encode()
    upload = imports.roster_upload_preview(content=roster, file_name="b1.csv", organisation=zone.b1, user=None)
    client.force_login(users.bureau)
    return types.SimpleNamespace(run=result, upload=upload, page=client.get(reverse("home")))


def test_the_bureau_sees_the_zone_at_a_glance_in_chinese(bureau_home, zone):
    glance = bureau_home.page.context["glance"]
    tallies = RuleTally.objects.filter(run=bureau_home.run)

    def rate_of(rows):
        return dashboards.rate(sum(t.passed for t in rows), sum(t.checked for t in rows))

    three, training = tallies.filter(rule="Q-THREE-MEETINGS"), tallies.filter(rule="Q-TRAINING-MEMBER")
    html = bureau_home.page.content.decode()
    lines = text_of(html)
    start = lines.index("2025年度合规情况")
    assert lines[start : start + 9] == [
        "2025年度合规情况",
        "看板",
        f"{rate_of(tallies)}%",
        "检查截至2025年12月7日",
        "三会一课 Q-THREE-MEETINGS",
        f"{rate_of(three)}%",
        "党员学习培训学时 Q-TRAINING-MEMBER",
        f"{rate_of(training)}%",
        "未整改发现最多的组织",
    ]
    worst = glance["worst"]
    assert len(worst) == 4
    assert [row["open"] for row in worst] == sorted((row["open"] for row in worst), reverse=True)
    b1_open = Finding.objects.filter(organisation=zone.b1, status="open").count()
    assert f"{zone.b1.name} {b1_open}" in lines
    assert f'<a href="{reverse("assessments:org_findings", args=[zone.b1.pk])}">{zone.b1.name}</a>' in html
    runs = lines.index("最近的合规检查 合规检查记录")
    assert (lines[runs + 1].startswith("2025 · "), lines[runs + 1].endswith(" 已完成")) == (True, True)
    assert [run.pk for run in glance["runs"]] == [bureau_home.run.pk]
    uploads = lines.index("最近的名册导入")
    assert lines[uploads + 1].startswith(f"b1.csv {zone.b1.name} · ")
    assert lines[uploads + 2] == str(bureau_home.upload.get_state_display())
    assert "在册党员（含下级）：5名" in lines
    assert "本月待办" not in lines


def test_the_auditor_sees_the_glance_and_a_secretary_does_not(zone, users, client):
    client.force_login(users.auditor)
    assert client.get(reverse("home")).context["glance"] is not None
    client.force_login(users.branch_admin)
    page = client.get(reverse("home"))
    assert (page.context["glance"], 'id="zone-glance"' in page.content.decode()) == (None, False)


@pytest.mark.parametrize("extra", [1, 6])
def test_the_bureaus_home_costs_the_same_queries_at_any_size(zone, users, client, extra, django_assert_num_queries):
    year = timezone.localdate().year
    engine.compliance_run(year=year, rules=("Q-THREE-MEETINGS",), trigger="test")
    for n in range(extra):
        ComplianceRun.objects.create(year=year - 1, as_of=datetime.date(year - 1, 12, 31), state="failed")
        RosterUpload.objects.create(organisation=zone.b3, file_name=f"r{n}.csv", state="failed")
    client.force_login(users.bureau)
    client.get(reverse("home"))
    with django_assert_num_queries(QUERIES):
        client.get(reverse("home"))
