"""A leadership team's year: days at the grassroots (Q-RESEARCH-*, Q-CONTACT-TOWN) from posts,
integrity pledges (Q-INTEGRITY-PLEDGE) and major decisions (S-THREE-MAJOR)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.enums import LeadershipDayKind, MajorDecisionKind
from assessments.models import IntegrityPledge
from branches import services as branch_services
from branches.enums import OrganisationKind, PostKind, Sector
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_leader(zone):
    leader = MemberFactory(organisation=zone.b1)
    branch_services.post_assign(
        organisation=zone.t1, member=leader, kind=PostKind.DEPUTY_SECRETARY, started_on=datetime.date(2023, 1, 1)
    )
    return leader


def days(zone, leader, start, end, kind=LeadershipDayKind.CONTACT):
    return services.leadership_days_record(
        organisation=zone.t1, member=leader, kind=kind, started_on=start, ended_on=end, place="东村", purpose="走访群众"
    )


def test_targets_by_kind_of_team(zone):
    agency = make_org(zone.wc, OrganisationKind.PARTY_COMMITTEE, sector=Sector.AGENCY, code="A1")
    assert services.leadership_target(organisation=zone.wc) == (60, "Q-RESEARCH-WORKCOMMITTEE")
    assert services.leadership_target(organisation=agency) == (90, "Q-RESEARCH-DEPT")
    assert services.leadership_target(organisation=zone.t1) == (120, "Q-CONTACT-TOWN")
    assert services.leadership_target(organisation=zone.b1) is None


def test_days_counted_once_however_entries_overlap_and_only_within_the_year(zone, town_leader):
    days(zone, town_leader, datetime.date(2024, 3, 1), datetime.date(2024, 3, 10))
    days(zone, town_leader, datetime.date(2024, 3, 8), datetime.date(2024, 3, 12), kind=LeadershipDayKind.RESEARCH)
    days(zone, town_leader, datetime.date(2023, 12, 30), datetime.date(2024, 1, 2))
    rows = selectors.leadership_table(organisation=zone.t1, year=2024, target=120)
    assert [(r.member, r.days, r.target) for r in rows] == [(town_leader, 12 + 2, 120)]
    assert selectors.leadership_table(organisation=zone.t1, year=2023, target=120)[0].days == 2


def test_only_leadership_members_and_sensible_ranges(zone, town_leader):
    other = zone.b1_members[1]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        days(zone, other, datetime.date(2024, 3, 1), datetime.date(2024, 3, 2))
    assert exc.value.message_dict["member"] == [f"2024年3月1日，{other.name}在中共麓谷街道工作委员会没有领导职务。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        days(zone, town_leader, datetime.date(2024, 3, 5), datetime.date(2024, 3, 1))
    assert exc.value.message_dict["ended_on"] == ["结束日期不能早于开始日期。"]
    with pytest.raises(ValidationError):
        days(zone, town_leader, datetime.date(2024, 1, 1), datetime.date(2024, 3, 1))  # more than 31 days


def test_pledge_published_after_it_is_made(zone, town_leader):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.integrity_pledge_record(
            organisation=zone.t1,
            year=2024,
            pledged_on=datetime.date(2024, 2, 1),
            published_on=datetime.date(2024, 1, 20),
            published_where="街道公示栏",
        )
    assert exc.value.message_dict["published_on"] == ["承诺须在作出当天或之后公开。"]
    services.integrity_pledge_record(
        organisation=zone.t1,
        year=2024,
        pledged_on=datetime.date(2024, 2, 1),
        published_on=datetime.date(2024, 2, 3),
        published_where="街道公示栏",
        member=town_leader,
    )
    assert IntegrityPledge.objects.get().member == town_leader


def test_major_decision_and_the_leadership_page(zone, town_leader, users, client_for):
    services.major_decision_record(
        organisation=zone.t1,
        kind=MajorDecisionKind.INVESTMENT,
        subject="村部改造",
        decided_on=datetime.date(2024, 4, 2),
        amount=500000,
    )
    days(zone, town_leader, datetime.date(2024, 3, 1), datetime.date(2024, 3, 3))
    page = client_for(users.town_admin).get(reverse("assessments:leadership", args=[zone.t1.pk, 2024]))
    assert page.context["target"] == (120, "Q-CONTACT-TOWN")
    assert [(r.member, r.days) for r in page.context["leaders"]] == [(town_leader, 3)]
    assert [d.subject for d in page.context["decisions"]] == ["村部改造"]
    response = client_for(users.town_admin).post(
        reverse("assessments:leadership_days", args=[zone.t1.pk]),
        {
            "member": town_leader.pk,
            "kind": "contact",
            "started_on": "2024-05-01",
            "ended_on": "2024-05-02",
            "place": "西村",
            "purpose": "调研",
        },
    )
    assert response.status_code == 302


def test_decision_meeting_must_be_that_days_and_the_amount_positive(zone):
    from assessments.models import Meeting

    meeting = Meeting.objects.create(
        organisation=zone.b1, kind="committee", held_on=datetime.date(2024, 4, 1), place="室", topic="议事"
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.major_decision_record(
            organisation=zone.b1,
            kind=MajorDecisionKind.DECISION,
            subject="修路",
            decided_on=datetime.date(2024, 4, 2),
            meeting=meeting,
        )
    assert exc.value.message_dict["meeting"] == ["请选择本组织当天召开的会议。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.major_decision_record(
            organisation=zone.b1,
            kind=MajorDecisionKind.LARGE_SUM,
            subject="修路",
            decided_on=datetime.date(2024, 4, 1),
            meeting=meeting,
            amount=-5,
        )
    assert exc.value.message_dict["amount"] == ["金额须大于0。"]
    decision = services.major_decision_record(
        organisation=zone.b1,
        kind=MajorDecisionKind.DECISION,
        subject="修路",
        decided_on=datetime.date(2024, 4, 1),
        meeting=meeting,
    )
    assert decision.meeting == meeting


def test_branches_have_no_days_target(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.leadership_days_record(
            organisation=zone.b1,
            member=zone.b1_members[0],
            kind=LeadershipDayKind.RESEARCH,
            started_on=datetime.date(2024, 3, 1),
            ended_on=datetime.date(2024, 3, 2),
            place="东村",
            purpose="调研",
        )
    assert exc.value.messages == ["下基层天数只统计党工委、部门和镇（街道）的班子成员。"]


def test_the_page_counts_the_teams_kind_and_the_form_offers_it(zone, town_leader, users, client_for):
    """镇、街班子成员直接联系群众不少于120天 / 党工委班子成员每年下基层调研不少于60天: the page counts the kind of
    days the team's clause asks for, shows the other kind apart (not counted), and the form starts on that kind."""
    days(zone, town_leader, datetime.date(2024, 3, 1), datetime.date(2024, 3, 3))
    days(zone, town_leader, datetime.date(2024, 4, 1), datetime.date(2024, 4, 5), kind=LeadershipDayKind.RESEARCH)
    client = client_for(users.bureau)
    with translation.override("zh-hans"):
        page = client.get(reverse("assessments:leadership", args=[zone.t1.pk, 2024]))
    assert [(r.member, r.days, r.other_days) for r in page.context["leaders"]] == [(town_leader, 3, 5)]
    text = page.content.decode()
    assert "另一类天数（不计入）" in text and "本班子只计直接联系群众的天数" in text
    town_form = client.get(reverse("assessments:leadership_days", args=[zone.t1.pk]))
    assert town_form.context["form"].initial["kind"] == LeadershipDayKind.CONTACT
    work_committee_form = client.get(reverse("assessments:leadership_days", args=[zone.wc.pk]))
    assert work_committee_form.context["form"].initial["kind"] == LeadershipDayKind.RESEARCH
