"""Q-WEAK-CRITERIA: the criteria that make an organisation weak (界定标准), read from the records (the
secretary's post long vacant, no meeting for long), propose it beside the bottom-share ranking, and an
organisation meeting one is named."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import services, weak
from assessments.compliance import catalogue  # noqa: F401  (registers the rules)
from assessments.compliance.engine import RULES, RunContext
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import WeakSelection
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from core.policy import PolicyValues, policy_for_year
from members.models import Membership
from members.services import member_counts_refresh
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db
YEAR = 2024
AFTER = datetime.date(2025, 1, 10)
SENTENCE = "按照软弱涣散基层党组织的界定标准,结合分类定级、晋位升级工作开展软弱涣散党组织整顿工作。"


def met(year=YEAR, today=AFTER):
    return weak.weak_criteria(year=year, today=today)


def meeting(organisation, members, day):
    services.meeting_record(
        organisation=organisation,
        data={"kind": MeetingKind.THEMED_DAY, "held_on": day, "place": "村部", "topic": "主题党日"},
        attendance={m.pk: (AttendanceStatus.PRESENT, "") for m in members},
    )


def kept_village(zone, code, *, met_on=datetime.date(2024, 11, 10)):
    """A village branch kept as real ones are: two members, a secretary since 2020, a themed day on `met_on`."""
    village = make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code=code, name=f"{code}村党支部")
    members = MemberFactory.create_batch(2, organisation=village)
    Membership.objects.bulk_create(Membership(member=m, organisation=village) for m in members)
    branch_services.post_assign(
        organisation=village, member=members[0], kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    member_counts_refresh()
    meeting(village, members, met_on)
    return village


def test_rule_is_registered_with_its_sentence_and_parameters():
    r = RULES["Q-WEAK-CRITERIA"]
    assert r.sentence == SENTENCE
    assert r.parameters == ("weak.criteria_secretary_vacant_days", "weak.criteria_days_without_meetings")


def test_a_village_without_a_secretary_or_meetings_meets_both_criteria(zone):
    """按照软弱涣散基层党组织的界定标准: 书记长期缺职, 不开展组织生活 (180 days each, the 2015 values)."""
    assert met() == {zone.v1.pk: ["secretary_vacant", "no_meetings"], zone.b3.pk: ["no_meetings"]}
    meeting(zone.b1, zone.b1_members, datetime.date(2024, 7, 10))  # a branch of the village met in July
    assert met()[zone.v1.pk] == ["secretary_vacant"]
    branch_services.post_assign(
        organisation=zone.v1, member=zone.b1_members[1], kind=PostKind.SECRETARY, started_on=datetime.date(2024, 3, 1)
    )
    assert zone.v1.pk not in met()


def test_a_secretary_who_left_leaves_the_post_vacant_only_after_the_days(zone):
    """书记长期缺职: vacant since the last secretary left, for more than the parameter's days."""
    meeting(zone.b3, zone.b3_members, datetime.date(2024, 12, 1))
    branch_services.post_end(post=zone.b3_post, ended_on=datetime.date(2024, 9, 1))
    assert zone.b3.pk not in met()  # 121 days by 31 December
    assert met(today=datetime.date(2024, 6, 1))[zone.b3.pk] == ["no_meetings"]  # the secretary still in post
    assert met(year=2025, today=datetime.date(2025, 3, 15))[zone.b3.pk] == ["secretary_vacant"]  # 195 days


def test_the_proposal_adds_the_organisations_meeting_a_criterion_beside_the_bottom_share(zone, users):
    """村党组织要按照不低于10%的比例…倒排确定整顿对象, and 按照界定标准 whatever the rank."""
    for i in range(9):
        kept_village(zone, f"VX{i:02d}")
    quiet = kept_village(zone, "VX09", met_on=datetime.date(2024, 1, 15))  # no meeting since January
    weak.weak_proposal_make(year=YEAR, user=users.bureau)
    villages = WeakSelection.objects.filter(year=YEAR, type=Sector.VILLAGE).order_by("rank")
    assert [(s.organisation.code, s.rank, s.proposed) for s in villages if s.proposed] == [
        ("V1", 1, True),
        ("VX00", 2, True),  # 11 villages: ceil(10%) = 2 from the bottom
        ("VX09", 11, True),  # the top of the ranking, proposed for its criterion
    ]
    assert villages.get(organisation=quiet).deductions["criteria"] == ["no_meetings"]
    assert "criteria" not in villages.get(organisation__code="VX00").deductions
    with translation.override("zh-hans"):
        assert weak.criteria_words(["secretary_vacant", "no_meetings"], year=YEAR) == [
            "书记岗位空缺超过 180 天",
            "超过 180 天未开展任何会议",
        ]


def test_an_organisation_meeting_a_criterion_is_named_or_found(zone, users):
    """按照软弱涣散基层党组织的界定标准…开展软弱涣散党组织整顿工作: judged once the selection is confirmed."""
    context = RunContext(year=YEAR, today=AFTER, values=policy_for_year(YEAR))
    during = RunContext(year=YEAR, today=datetime.date(2024, 10, 1), values=policy_for_year(YEAR))
    weak.weak_proposal_make(year=YEAR, user=users.bureau)
    assert list(RULES["Q-WEAK-CRITERIA"].evaluate(during)) == []  # not yet decided
    for s in WeakSelection.objects.filter(year=YEAR):
        named = s.organisation_id == zone.v1.pk
        weak.weak_selection_decide(selection=s, named=named, reason="" if named else "已整改", user=users.bureau)
    found = {c.organisation_id: (c.measured, c.required, c.passed) for c in RULES["Q-WEAK-CRITERIA"].evaluate(context)}
    assert found == {zone.v1.pk: (Decimal(1), Decimal(1), True), zone.b3.pk: (Decimal(0), Decimal(1), False)}
    # Longer days (the bureau's reading of 长期: longer than the records go back) and B3's quiet year no longer counts.
    longer = PolicyValues(
        {**context.values, "weak.criteria_days_without_meetings": Decimal(4000)}, on=context.values.on
    )
    found = RULES["Q-WEAK-CRITERIA"].evaluate(RunContext(year=YEAR, today=AFTER, values=longer))
    assert [c.organisation_id for c in found] == [zone.v1.pk]


def test_an_organisation_without_members_is_not_judged(zone):
    """An empty organisation has no one to meet or to lead: the criteria judge organisations with members."""
    empty = make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code="VE", name="空村党支部")
    assert empty.pk not in met()
    assert zone.v1.pk in met()


def test_the_pages_say_which_criteria_an_organisation_met(zone, users, client_for):
    weak.weak_proposal_make(year=YEAR, user=users.bureau)
    client = client_for(users.bureau)
    page = client.get(reverse("assessments:weak_year", args=[zone.wc.pk, YEAR]))
    village = next(s for s in page.context["sections"] if s["type"] == Sector.VILLAGE)
    assert [row.criteria for row in village["rows"]] == [["书记岗位空缺超过 180 天", "超过 180 天未开展任何会议"]]
    selection = WeakSelection.objects.get(year=YEAR, organisation=zone.b3)
    page = client.get(reverse("assessments:weak_rectification", args=[selection.pk]))
    assert page.context["criteria"] == ["超过 180 天未开展任何会议"]
    assert "Q-WEAK-CRITERIA" in page.content.decode()
