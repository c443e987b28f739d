"""N-MOBILE as a compliance rule and a duty of the home branch (issue 18).

The opinion (三.2(5)): "强化党员日常管理,探索分类管理,创新流动党员管理方式,健全城乡一体化党员动态管理机制";
the number comes from 《中国共产党党员教育管理工作条例》(2019) 第三十二条: a member not reached for six
months (`mobile.lost_contact_months`) has lost contact; the branch looks for the member, and what it
then decides is its own decision, recorded, not the portal's."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.compliance import engine
from assessments.compliance.base import RunContext
from assessments.compliance.catalogue import RULES
from assessments.compliance.selectors import findings_for_user, findings_labelled, secretary_todo
from assessments.models import Finding
from core.policy import policy_for_year
from members import mobile
from members.enums import LostContactDecision
from portal import dashboards

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)
AWAY = datetime.date(2024, 11, 1)  # lost contact from 1 May 2025 without a contact


@pytest.fixture(autouse=True)
def today_is(monkeypatch):
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: TODAY if value is None else localdate(value, tz)
    )


def run(today=TODAY, year=2025):
    return engine.compliance_run(year=year, today=today, rules=("N-MOBILE",), trigger="test")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Each service call as its own request: what it asks for on commit runs (the recheck it starts)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def outflow(member, since=AWAY, **kwargs):
    return mobile.mobile_outflow_record(member=member, since=since, place="广东省深圳市南山区", **kwargs)


def open_findings():
    return list(
        Finding.objects.filter(rule="N-MOBILE", status="open").values_list(
            "organisation__code", "member_id", "aspect", "measured", "required", "due_on"
        )
    )


def test_a_member_not_reached_for_six_months_is_a_finding_of_the_home_branch(zone):
    """N-MOBILE: "创新流动党员管理方式" — six months without contact is a lost contact, the home branch's."""
    lost = outflow(zone.b1_members[1])
    reached = outflow(zone.b1_members[2])
    mobile.mobile_contact_record(record=reached, contacted_on=datetime.date(2025, 3, 1), means="phone")
    run()
    assert open_findings() == [
        ("B1", zone.b1_members[1].pk, str(lost.pk), Decimal(241), Decimal(181), datetime.date(2025, 5, 1))
    ]
    assert RULES["N-MOBILE"].parameters == ("mobile.lost_contact_months",)


def test_the_check_reads_the_contacts_up_to_the_day_counted(zone):
    """N-MOBILE: "健全城乡一体化党员动态管理机制" — a past year is judged on its last day, a later contact aside."""
    record = outflow(zone.b1_members[1], since=datetime.date(2024, 3, 1))
    mobile.mobile_contact_record(record=record, contacted_on=datetime.date(2025, 2, 1), means="phone")
    context = RunContext(year=2024, today=datetime.date(2025, 1, 10), values=policy_for_year(2024))
    checks = list(RULES["N-MOBILE"].evaluate(context))
    assert [(c.passed, c.due_on, c.measured) for c in checks] == [(False, datetime.date(2024, 9, 1), Decimal(305))]


def test_a_party_groups_member_is_the_branchs_duty_and_in_flow_is_nobodys(zone, groups):
    """N-MOBILE: "强化党员日常管理" — a 党小组 is part of its branch; an in-flow member's home is outside the zone."""
    record = outflow(groups.g1_members[1])
    mobile.mobile_inflow_record(
        receiving_organisation=zone.b3,
        name="外来党员",
        id_number="440305199002020031",
        home_organisation_name="中共深圳市某支部",
        since=AWAY,
        place="",
    )
    run()
    assert [(code, member, aspect) for code, member, aspect, *_rest in open_findings()] == [
        ("B1", groups.g1_members[1].pk, str(record.pk))
    ]


def test_the_home_page_duty_records_a_contact_in_one_click_and_goes_at_once(
    zone, users, client, committed, django_capture_on_commit_callbacks
):
    """N-MOBILE: "创新流动党员管理方式" — the duty links to the member's contact form; a contact ends it."""
    record = committed(outflow, member=zone.b1_members[1])
    run()
    client.force_login(users.branch_admin)
    todo = client.get(reverse("home")).context["todo"]
    [item] = [i for i in todo.overdue if i.clause == "N-MOBILE"]
    [entry] = item.entries
    assert (item.title, item.due_on) == ("流动党员失去联系", datetime.date(2025, 5, 1))
    assert entry.url == reverse("members:mobile_detail", args=[record.pk]) + "#contact"
    name = zone.b1_members[1].name
    assert entry.done == f"{name}：自2025年5月1日失去联系，最后一次联系为2024年11月1日"
    form = client.get(entry.url).context["form"]
    assert form.initial["contacted_on"] == TODAY
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(entry.url, {"contacted_on": "2025-06-28", "means": "phone", "notes": "在深圳务工"})
    assert response.status_code == 302
    assert Finding.objects.get(rule="N-MOBILE").status == "resolved"
    assert [i for i in secretary_todo(organisation=zone.b1, today=TODAY).overdue if i.clause == "N-MOBILE"] == []
    record.refresh_from_db()
    assert record.last_contact_on == datetime.date(2025, 6, 28)


def test_the_branchs_decision_ends_the_duty_and_is_refused_before_the_contact_was_lost(
    zone, users, client, committed, django_capture_on_commit_callbacks
):
    """N-MOBILE: "强化党员日常管理" — what the branch decides about a lost member is recorded, once."""
    record = committed(outflow, member=zone.b1_members[1])
    run()
    with pytest.raises(ValidationError) as exc:
        mobile.mobile_decision_record(
            record=record, decision=LostContactDecision.STOPPED, decided_on=datetime.date(2025, 4, 30)
        )
    assert exc.value.message_dict["decided_on"] == [
        "2025年4月30日该党员尚未失去联系：最后一次联系为2024年11月1日，自2025年5月1日起失去联系（6个月）。"
    ]
    client.force_login(users.branch_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:mobile_decision", args=[record.pk]),
            {"decision": LostContactDecision.OTHER, "decided_on": "2025-06-01", "notes": ""},
        )
    assert response.status_code == 200
    assert response.context["form"].errors == {"notes": ["请说明作出的决定。"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:mobile_decision", args=[record.pk]),
            {"decision": LostContactDecision.KEEP_LOOKING, "decided_on": "2025-06-01", "notes": "请家属协助"},
        )
    assert response.status_code == 302
    assert Finding.objects.get(rule="N-MOBILE").status == "resolved"
    with pytest.raises(ValidationError):
        mobile.mobile_decision_record(record=record, decision=LostContactDecision.STOPPED, decided_on=TODAY)


def test_the_return_resolves_the_finding(zone, committed, django_capture_on_commit_callbacks):
    """N-MOBILE: "健全城乡一体化党员动态管理机制" — a member back home is no longer mobile."""
    record = committed(outflow, member=zone.b1_members[1])
    run()
    with django_capture_on_commit_callbacks(execute=True):
        mobile.mobile_return_record(record=record, on=datetime.date(2025, 6, 1))
    assert Finding.objects.get(rule="N-MOBILE").status == "resolved"


def test_the_findings_list_says_who_since_when_and_the_last_contact(zone, users):
    """N-MOBILE: "创新流动党员管理方式" — a finding names the member, the day contact was lost and the last one."""
    outflow(zone.b1_members[1])
    run()
    [finding] = findings_labelled(list(findings_for_user(user=users.bureau, year=2025)))
    assert (finding.member, finding.title) == (zone.b1_members[1], "流动党员失去联系")
    assert finding.aspect_text == "自2025年5月1日失去联系，最后一次联系为2024年11月1日"


def test_the_rule_is_listed_with_the_others_and_charted_on_the_dashboard(zone, users, client):
    """N-MOBILE: "创新流动党员管理方式" — the rule's page lists it with its parameter, the dashboard charts it."""
    outflow(zone.b1_members[1])
    outflow(zone.b1_members[2], since=datetime.date(2025, 5, 1))
    run()
    [bar] = [
        b for b in dashboards.compliance_dashboard(year=2025, user=users.bureau)["rules"] if b.clause == "N-MOBILE"
    ]
    assert (bar.label, bar.checked, bar.passed) == ("流动党员失去联系", 2, 1)
    client.force_login(users.bureau)
    page = client.get(reverse("assessments:rules")).content.decode()
    assert "N-MOBILE" in page and "流动党员：连续多少个月未取得联系即视为失去联系" in page
