"""Q-FOUR-DELIBERATIONS: every major village matter recorded goes through the six steps in order
(S-FOUR-DELIBERATIONS, refused out of order by the service) and none stalls before its resolution and
its result are made public."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments import services
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext, compliance_run
from assessments.enums import DeliberationStep as S
from assessments.models import Finding
from core.policy import PolicyValues, policy_for_year

pytestmark = pytest.mark.django_db
SENTENCE_START = "全面落实“四议两公开”"
AFTER_2024 = datetime.date(2025, 1, 10)
END_2024 = datetime.date(2024, 12, 31)
STEPS = [S.CONSULTATION, S.REVIEW, S.RESOLUTION, S.RESOLUTION_PUBLISHED, S.RESULT_PUBLISHED]


def checks(organisation, today=AFTER_2024, year=2024, **values):
    policy = policy_for_year(year)
    if values:
        policy = PolicyValues({**policy, **values}, on=policy.on)
    found = RULES["Q-FOUR-DELIBERATIONS"].evaluate(RunContext(year=year, today=today, values=policy))
    return [(c.measured, c.required, c.passed, c.due_on) for c in found if c.organisation_id == organisation.pk]


def matter(zone, proposed_on, days_between=(), title="村部道路硬化"):
    """A matter of V1 proposed on a day, then its steps the given numbers of days apart."""
    m = services.village_matter_create(organisation=zone.v1, title=title, proposed_on=proposed_on)
    day = proposed_on
    for step, gap in zip(STEPS, days_between, strict=False):
        day += datetime.timedelta(days=gap)
        services.village_matter_step(matter=m, step=step, done_on=day)
    return m


def test_rule_cites_the_sentence_and_its_parameters():
    r = RULES["Q-FOUR-DELIBERATIONS"]
    assert r.sentence.startswith(SENTENCE_START)
    assert "决议的内容和实施结果向全体村民公开" in r.sentence
    assert r.parameters == ("deliberations.stall_days", "deliberations.result_days")


def test_a_matter_through_all_six_steps_passes(zone):
    """按照党组织提议、村“两委”会商议、党员大会审议、村民代表会议或村民会议决议的程序进行决策,决议的内容和实施结果向全体村民公开。"""
    matter(zone, datetime.date(2024, 3, 1), (5, 5, 10, 3, 90))
    assert checks(zone.v1) == [(Decimal(1), Decimal(1), True, END_2024)]


def test_a_matter_stalled_before_publication_past_the_days_is_a_finding(zone):
    """决议的内容和实施结果向全体村民公开: a matter left at the review past 60 days (2015 value) is stalled."""
    matter(zone, datetime.date(2024, 3, 1), (5,))  # discussed on 6 March, never reviewed
    matter(zone, datetime.date(2024, 4, 1), (5, 5, 10, 3, 90), title="集体土地流转")
    assert checks(zone.v1) == [(Decimal(1), Decimal(2), False, datetime.date(2024, 5, 5))]
    # The bureau's number of days decides: with 300 days to take the review, it is not stalled yet.
    assert checks(zone.v1, **{"deliberations.stall_days": Decimal(300)})[0][2] is True


def test_the_result_has_its_own_days_after_the_resolution_is_public(zone):
    """实施结果向全体村民公开: the result waits up to 365 days (2015 value), not the 60 of the other steps."""
    matter(zone, datetime.date(2024, 3, 1), (5, 5, 10, 3))  # resolution public on 24 March, result not yet
    assert checks(zone.v1)[0][2] is True
    assert checks(zone.v1, year=2025, today=datetime.date(2026, 1, 10)) == [
        (Decimal(0), Decimal(1), False, datetime.date(2025, 3, 24))
    ]


def test_a_step_not_yet_due_and_a_matter_finished_before_the_year_are_no_finding(zone):
    matter(zone, datetime.date(2024, 12, 1))  # proposed in December: the discussion is due on 30 January
    assert checks(zone.v1) == [(Decimal(1), Decimal(1), True, END_2024)]
    assert checks(zone.v1, year=2025, today=datetime.date(2026, 1, 10))[0][2] is False
    other = matter(zone, datetime.date(2023, 3, 1), (5, 5, 10, 3, 30), title="2023年事项")
    assert other.steps.count() == 6
    assert checks(zone.v1, year=2024) == [(Decimal(1), Decimal(1), True, END_2024)]  # the 2023 one is not counted


def test_the_next_step_resolves_the_years_finding_at_once(zone, users, django_capture_on_commit_callbacks):
    today = datetime.date.today()
    late = today - datetime.timedelta(days=90)
    with django_capture_on_commit_callbacks(execute=True):  # the proposal's own recheck
        m = matter(zone, late)
    compliance_run(year=today.year, rules=["Q-FOUR-DELIBERATIONS"], trigger="test")
    finding = Finding.objects.get(rule="Q-FOUR-DELIBERATIONS", organisation=zone.v1, year=today.year)
    assert finding.status == Finding.Status.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        services.village_matter_step(matter=m, step=S.CONSULTATION, done_on=today, user=users.town_admin)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED


def test_the_page_marks_a_stalled_matter(zone, users, client_for):
    today = datetime.date.today()
    matter(zone, today - datetime.timedelta(days=90), title="停滞事项")
    matter(zone, today - datetime.timedelta(days=2), title="新事项")
    page = client_for(users.town_admin).get(reverse("assessments:deliberations", args=[zone.v1.pk]))
    stalled = {m.title: day for m, _step, day in page.context["matters"]}
    assert stalled == {"停滞事项": today - datetime.timedelta(days=30), "新事项": None}
    assert "已停滞" in page.content.decode()
