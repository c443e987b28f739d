"""The compliance pages (issue 6): rules with their parameters, runs started by the bureau, findings
drill-down, waivers, the secretary's home page, the command and the nightly schedule."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from assessments import tasks
from assessments.compliance import engine
from assessments.compliance.catalogue import RULES
from assessments.compliance.selectors import finding_links
from assessments.models import ComplianceRun, Finding
from branches.enums import OrganisationKind
from branches.models import Organisation
from tests.factories import make_org

pytestmark = pytest.mark.django_db
AFTER_2024 = datetime.date(2025, 1, 10)


@pytest.fixture
def findings_2024(zone):
    engine.compliance_run(year=2024, today=AFTER_2024, rules=("Q-THREE-MEETINGS",), trigger="test")
    return Finding.objects.filter(year=2024)


def test_the_rules_page_lists_every_rule_with_its_sentence_and_parameters(users, client):
    client.force_login(users.auditor)
    with translation.override("zh-hans"):
        page = client.get(reverse("assessments:rules"), {"year": 2024})
    text = page.content.decode()
    clauses = [row.rule.clause for row in page.context["rows"]]
    assert clauses == sorted(engine.RULES)
    assert "Q-TRAINING-MEMBER" in clauses
    assert "全体党员每年参加学习培训不少于32个学时" in text
    row = next(r for r in page.context["rows"] if r.rule.clause == "Q-TRAINING-MEMBER")
    assert [(key, value) for key, _label, value in row.parameters] == [("training.member_hours", "32")]


def test_the_bureau_starts_a_run_from_the_page(users, client, zone, django_capture_on_commit_callbacks):
    client.force_login(users.bureau)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:runs"), {"year": 2024})
    assert response.status_code == 302
    run = ComplianceRun.objects.get()
    assert (run.year, run.state, run.trigger, run.started_by) == (2024, "done", "bureau", users.bureau)
    page = client.get(reverse("assessments:runs"))
    assert list(page.context["page"]) == [run]


def test_only_the_bureau_starts_a_run(users, client):
    client.force_login(users.town_admin)
    assert client.post(reverse("assessments:runs"), {"year": 2024}).status_code == 403
    assert ComplianceRun.objects.count() == 0


def test_a_running_run_shows_its_progress(users, client):
    run = ComplianceRun.objects.create(year=2024, as_of=AFTER_2024)
    engine.progress_report(run, done=3, total=7, clause="Q-TALKS")
    client.force_login(users.bureau)
    response = client.get(reverse("assessments:run_progress", args=[run.pk]))
    assert response.context["progress"] == {"done": 3, "total": 7, "clause": "Q-TALKS"}
    assert "HX-Refresh" not in response
    ComplianceRun.objects.filter(pk=run.pk).update(state="done")
    assert client.get(reverse("assessments:run_progress", args=[run.pk]))["HX-Refresh"] == "true"


def test_findings_drill_down_from_a_rule_to_organisations_to_a_finding(users, client, zone, findings_2024):
    client.force_login(users.bureau)
    grouped = client.get(
        reverse("assessments:findings"), {"year": 2024, "rule": "Q-THREE-MEETINGS", "group": "organisation"}
    )
    by_org = {row["organisation__code"]: row["n"] for row in grouped.context["page"]}
    assert by_org["B1"] == findings_2024.filter(organisation=zone.b1).count()
    listed = client.get(reverse("assessments:findings"), {"year": 2024, "rule": "Q-THREE-MEETINGS", "org": zone.b1.pk})
    rows = list(listed.context["page"])
    assert {f.organisation_id for f in rows} <= {zone.b1.pk, zone.g1.pk}
    finding = rows[0]
    with translation.override("zh-hans"):
        detail = client.get(reverse("assessments:finding", args=[finding.pk]))
    text = detail.content.decode()
    assert "落实“三会一课”" in text
    assert detail.context["links"]["evidence"] == reverse("assessments:year", args=[finding.organisation_id, 2024])
    # The form that fixes it opens filled in: the kind of meeting and the last day of the period missed.
    form = reverse("assessments:meeting_create", args=[finding.organisation_id])
    assert detail.context["links"]["fix"] == f"{form}?kind={finding.aspect}&held_on={finding.due_on.isoformat()}"


def test_an_org_admin_sees_only_findings_of_their_subtree(users, client, zone, findings_2024):
    client.force_login(users.town_admin)
    rows = client.get(reverse("assessments:findings"), {"year": 2024, "status": ""}).context["page"]
    assert {f.organisation.path[:8] for f in rows} == {zone.t1.path[:8]}
    outside = findings_2024.filter(organisation=zone.b3).first()
    assert client.get(reverse("assessments:finding", args=[outside.pk])).status_code == 404


def test_the_bureau_waives_with_a_reason(users, client, findings_2024):
    finding = findings_2024.first()
    client.force_login(users.bureau)
    with translation.override("zh-hans"):
        empty = client.post(reverse("assessments:finding", args=[finding.pk]), {"reason": " "})
    assert empty.status_code == 200
    assert empty.context["form"].errors["reason"] == ["这个字段是必填项。"]
    response = client.post(reverse("assessments:finding", args=[finding.pk]), {"reason": "支部当年新成立"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.waived_reason, finding.waived_by) == ("waived", "支部当年新成立", users.bureau)


def test_an_org_admin_cannot_waive(users, client, zone, findings_2024):
    finding = findings_2024.filter(organisation=zone.b1).first()
    client.force_login(users.branch_admin)
    assert client.post(reverse("assessments:finding", args=[finding.pk]), {"reason": "x"}).status_code == 403
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_the_secretary_home_page_counts_earlier_years_findings_by_rule(users, client, zone, findings_2024):
    client.force_login(users.branch_admin)
    todo = client.get(reverse("home")).context["todo"]  # issue 12: the items are tested in test_compliance_todo.py
    mine = findings_2024.filter(organisation__path__startswith=zone.b1.path, status="open")
    assert [(r.year, r.clause, r.count) for r in todo.backlog] == [(2024, "Q-THREE-MEETINGS", mine.count())]
    assert todo.backlog[0].url == (
        f"{reverse('assessments:findings')}?year=2024&rule=Q-THREE-MEETINGS&status=open&org={zone.b1.pk}"
    )


def test_the_organisation_page_shows_its_findings_history(users, client, zone, findings_2024):
    client.force_login(users.branch_admin)
    page = client.get(reverse("assessments:org_findings", args=[zone.b1.pk]))
    assert [f.pk for f in page.context["findings"]] == list(
        findings_2024.filter(organisation=zone.b1)
        .order_by("-year", "due_on", "rule", "pk")
        .values_list("pk", flat=True)
    )


def test_the_command_runs_in_process_and_prints_counts_per_rule(zone, capsys):
    call_command("run_compliance", "--year", "2024", "--rule", "Q-THREE-MEETINGS", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["state"] == "done"
    assert set(result["rules"]) == {"Q-THREE-MEETINGS"}
    assert result["rules"]["Q-THREE-MEETINGS"]["open"] == Finding.objects.filter(status="open").count()


def test_the_nightly_run_is_scheduled_at_two_in_shanghai():
    entry = settings.CELERY_BEAT_SCHEDULE["compliance-nightly"]
    assert entry["task"] == "assessments.compliance_nightly"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_the_nightly_task_runs_this_year_and_early_in_the_year_the_last(zone, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 2, 1))
    results = tasks.compliance_nightly()
    assert [(r["year"], r["state"]) for r in results] == [(2024, "done"), (2025, "done")]
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 4, 8))
    assert [r["year"] for r in tasks.compliance_nightly()] == [2025]


def test_the_nightly_task_judges_last_years_annual_report_once_its_time_is_over(zone, monkeypatch):
    """Q-ANNUAL-REPORT is judged from 1 April; the beat still runs the year before then, so the
    judgement is the nightly run's, not left to someone starting a run by hand."""
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 3, 31))
    tasks.compliance_nightly()
    assert not Finding.objects.filter(rule="Q-ANNUAL-REPORT", year=2024).exists()
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 4, 1))
    assert [r["year"] for r in tasks.compliance_nightly()] == [2024, 2025]
    assert Finding.objects.filter(rule="Q-ANNUAL-REPORT", year=2024, status="open").exists()


@pytest.mark.parametrize("clause", sorted(RULES))
def test_every_rule_links_the_records_and_the_form_that_fixes_it(zone, clause):
    links = finding_links(Finding(rule=clause, organisation=zone.b1, year=2024))
    assert links["evidence"].startswith("/")
    assert bool(links["fix"]) == bool(RULES[clause].fix_url)


def test_the_findings_list_exports_with_its_filters(users, client, zone, findings_2024):
    import io

    import openpyxl

    from core.models import AuditEntry

    client.force_login(users.town_admin)
    with translation.override("zh-hans"):
        response = client.get(reverse("assessments:findings_export"), {"year": 2024, "rule": "Q-THREE-MEETINGS"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    mine = findings_2024.filter(organisation__path__startswith=zone.t1.path, status="open")
    assert rows[0][:3] == ("条款", "规则", "所属组织")
    assert len(rows) - 1 == mine.count() > 0
    assert {r[3] for r in rows[1:]} <= {"B1", "G1", "V1", "B2"}
    entry = AuditEntry.objects.filter(action="export", model="assessments.finding").get()
    assert entry.extra["rows"] == mine.count()
    assert entry.extra["filters"]["rule"] == "Q-THREE-MEETINGS"


def test_the_drill_down_filters_ignore_what_is_not_theirs_to_choose(users, client, zone, findings_2024):
    """django-filter (issue 15): the status is "open" unless asked, an empty status is every status, an
    unknown clause is not applied, and an organisation outside the user's scope narrows nothing to it."""
    client.force_login(users.town_admin)
    mine = findings_2024.filter(organisation__path__startswith=zone.t1.path)

    def shown(**query):
        page = client.get(reverse("assessments:findings"), {"year": 2024, **query})
        return page.context["filters"], {f.pk for f in page.context["page"]}

    filters, pks = shown()
    open_mine = set(mine.filter(status="open").values_list("pk", flat=True))
    assert filters["status"] == "open" and pks <= open_mine and len(pks) == min(50, len(open_mine))
    assert shown(status="")[0]["status"] == ""
    filters, pks = shown(status="", rule="Q-NO-SUCH-RULE")
    assert filters["rule"] == "" and pks == shown(status="")[1]
    filters, pks = shown(status="", org=zone.b3.pk)
    assert filters["organisation"] is None and pks == shown(status="")[1]
    assert not Finding.objects.filter(pk__in=pks, organisation=zone.b3).exists()


def test_findings_grouped_by_organisation_most_first_then_by_code_paged_and_scoped(users, client, zone):
    """The grouped list counts in SQL and joins the organisations only to the groups (issue 16): the
    same rows, order, paging and scope as the plain GROUP BY it replaced."""
    branches = [make_org(zone.t1, OrganisationKind.BRANCH, code=f"G{n:03d}") for n in range(55)]
    branches.append(zone.b3)  # outside the town administrator's subtree
    now = timezone.now()
    Finding.objects.bulk_create(
        Finding(
            rule="Q-THREE-MEETINGS",
            organisation=branch,
            year=2024,
            period=str(k),
            measured=0,
            required=1,
            due_on=datetime.date(2024, 12, 31),
            opened_at=now,
        )
        for n, branch in enumerate(branches)
        for k in range(1 + n % 4)
    )
    expected = sorted(((b.code, 1 + n % 4) for n, b in enumerate(branches)), key=lambda row: (-row[1], row[0]))

    def rows(user, **params):
        client.force_login(user)
        page = client.get(reverse("assessments:findings"), {"year": 2024, "group": "organisation", **params})
        return page.context["page"]

    first, second = rows(users.bureau), rows(users.bureau, page=2)
    assert first.paginator.count == len(branches) == 56
    assert [(r["organisation__code"], r["n"]) for r in [*first, *second]] == expected
    assert first[0]["organisation__name"] == Organisation.objects.get(code=expected[0][0]).name
    town = rows(users.town_admin)
    assert zone.b3.code not in {r["organisation__code"] for r in town}
    assert town.paginator.count == 55


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_the_run_plans_without_jit_and_puts_the_setting_back(zone):
    def jit():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
    with engine._planner_without_jit():
        assert jit() == "off"
    assert jit() == "on"
    engine.compliance_run(year=2024, today=AFTER_2024, rules=("Q-THREE-MEETINGS",), trigger="test")
    assert jit() == "on"
