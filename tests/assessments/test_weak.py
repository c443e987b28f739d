"""Weak organisations (软弱涣散党组织, Q-WEAK-*): who is ranked, the score, the proposal, the bureau's
decision, the rectification (remedies, notes, verdict) and the Q-WEAK-* rules."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from assessments import services, weak
from assessments.compliance import engine
from assessments.compliance.catalogue import RULES
from assessments.models import Finding, Rectification, RectificationRemedy, WeakSelection
from branches import services as branch_services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from branches.models import Organisation
from core.models import PolicyValue
from core.policy import policy_for_year
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ranking_alone(db):
    """These tests are about the bottom-share ranking (Q-WEAK-VILLAGE/-COMMUNITY/-OTHER): the days of the
    criteria of Q-WEAK-CRITERIA (tested in test_rules_weak_criteria.py) are lengthened so that no
    organisation of the small zone, without meetings or a village secretary, meets one."""
    PolicyValue.objects.filter(key__in=weak.CRITERIA_PARAMETERS.values()).update(value=100000)


YEAR = 2024
AFTER = datetime.date(2025, 1, 10)


def villages(zone, n, prefix="VX"):
    return [make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code=f"{prefix}{i:02d}") for i in range(n)]


def communities(zone, n, prefix="CX"):
    return [make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, code=f"{prefix}{i:02d}") for i in range(n)]


def finding(organisation, rule="Q-THREE-MEETINGS", status="open", period="2024-Q4", aspect="general", year=YEAR):
    return Finding.objects.create(
        rule=rule,
        organisation=organisation,
        year=year,
        period=period,
        aspect=aspect,
        measured=0,
        required=1,
        due_on=datetime.date(year, 12, 31),
        status=status,
        opened_at=timezone.now(),
    )


def selection(organisation, year=YEAR):
    return WeakSelection.objects.select_related("organisation").get(year=year, organisation=organisation)


def proposed(organisation_type, year=YEAR):
    return list(
        WeakSelection.objects.filter(year=year, type=organisation_type, proposed=True)
        .order_by("rank")
        .values_list("organisation__code", flat=True)
    )


def named(users, *organisations, year=YEAR):
    for organisation in organisations:
        weak.weak_selection_decide(
            selection=selection(organisation, year), named=True, reason="排名靠后", user=users.bureau
        )


# The number to name: ceil(share x n), at least one where the type has any.


@pytest.mark.parametrize(
    ("n", "share", "expected"),
    [
        (10, "0.10", 1),
        (11, "0.10", 2),
        (20, "0.05", 1),
        (21, "0.05", 2),
        (1, "0.05", 1),
        (0, "0.10", 0),
        (40, "0.05", 2),
        (41, "0.05", 3),
    ],
)
def test_required_count_rounds_up_and_is_at_least_one(n, share, expected):
    assert weak.required_count(n=n, share=Decimal(share)) == expected


def test_ten_villages_propose_one_and_eleven_propose_two(zone):
    villages(zone, 9)  # with V1: 10 villages
    weak.weak_proposal_make(year=YEAR)
    assert len(proposed(Sector.VILLAGE)) == 1
    villages(zone, 1, prefix="VY")
    weak.weak_proposal_make(year=YEAR)  # an undecided proposal is replaced
    assert len(proposed(Sector.VILLAGE)) == 2
    assert WeakSelection.objects.filter(year=YEAR, type=Sector.VILLAGE).count() == 11


def test_twenty_communities_propose_one_and_twenty_one_propose_two(zone):
    communities(zone, 19)  # with B3: 20 communities
    weak.weak_proposal_make(year=YEAR)
    assert len(proposed(Sector.COMMUNITY)) == 1
    communities(zone, 1, prefix="CY")
    weak.weak_proposal_make(year=YEAR)
    assert len(proposed(Sector.COMMUNITY)) == 2


def test_a_type_with_one_organisation_proposes_it(zone):
    school = make_org(zone.wc, K.GENERAL_BRANCH, sector=Sector.SCHOOL, code="SC1", unit_name="高新区第1学校")
    weak.weak_proposal_make(year=YEAR)
    assert proposed(Sector.SCHOOL) == ["SC1"]
    assert proposed(Sector.VILLAGE) == ["V1"]
    assert selection(school).rank == 1


# Who is ranked.


def test_population_tops_of_villages_and_unit_level_organisations_of_other_types(zone):
    soe = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOE, code="SOE", unit_name="国投集团")
    make_org(soe, K.BRANCH, sector=Sector.SOE, code="SOEB")  # a branch inside the unit: not ranked
    agencies = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.AGENCY, code="AGC")  # umbrella, no unit
    make_org(agencies, K.BRANCH, sector=Sector.AGENCY, code="AG1", unit_name="管委会第1部门")
    make_org(agencies, K.BRANCH, sector=Sector.AGENCY, code="AG2", unit_name="管委会第2部门")
    social = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.SOCIAL_ORGANISATION, code="SOC")
    make_org(social, K.JOINT_BRANCH, sector=Sector.SOCIAL_ORGANISATION, code="SOC1")  # no unit above: ranked
    incubator = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.INCUBATOR, code="INC", unit_name="孵化基地")
    make_org(incubator, K.BRANCH, sector=Sector.NON_PUBLIC, code="NP1", unit_name="某科技公司")
    group = make_org(zone.wc, K.LIAISON_GROUP, sector=Sector.NON_PUBLIC, code="LG")
    make_org(group, K.BRANCH, sector=Sector.NON_PUBLIC, code="NP2", unit_name="某软件公司")
    make_org(zone.t1, K.BRANCH, sector=Sector.STREET, code="TB")  # streets are not ranked
    gone = make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code="VGONE")
    Organisation.objects.filter(pk=gone.pk).update(dissolved_on=datetime.date(2024, 6, 1))
    ranked = weak.weak_population(as_of=datetime.date(2024, 12, 31))
    assert sorted((r.type, r.code) for r in ranked) == [
        ("agency", "AG1"),
        ("agency", "AG2"),
        ("community", "B3"),
        ("incubator", "INC"),
        ("non_public", "NP1"),
        ("non_public", "NP2"),
        ("social_organisation", "SOC1"),
        ("soe", "SOE"),
        ("village", "V1"),
    ]
    # Dissolved before the day counted: not ranked; still ranked for a day before it.
    assert "VGONE" in {r.code for r in weak.weak_population(as_of=datetime.date(2024, 5, 31))}
    assert gone.pk not in {r.organisation_id for r in ranked}


def test_members_count_for_the_nearest_ranked_organisation(zone):
    incubator = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.INCUBATOR, code="INC", unit_name="孵化基地")
    enterprise = make_org(incubator, K.BRANCH, sector=Sector.NON_PUBLIC, code="NP1", unit_name="某科技公司")
    Organisation.objects.filter(pk=enterprise.pk).update(member_count=7)
    Organisation.objects.filter(pk=incubator.pk).update(member_count=2)
    members = {r.code: r.members for r in weak.weak_population(as_of=datetime.date(2024, 12, 31))}
    assert (members["INC"], members["NP1"], members["V1"], members["B3"]) == (2, 7, 3, 2)


# The score.


def test_score_from_findings_and_records(zone):
    # V1: no meeting, no evaluation, no secretary of its own; B1 under it has two clauses not met
    # (open, and waived), one resolved.
    finding(zone.b1, "Q-THREE-MEETINGS", "open")
    finding(zone.b1, "Q-THREE-MEETINGS", "open", period="2024-Q3")  # the same clause counts once
    finding(zone.b1, "Q-TALKS", "waived", period="2024", aspect="")
    finding(zone.b1, "Q-EVALUATION", "resolved", period="2024", aspect="")
    finding(zone.b1, "Q-WEAK-REMEDY", "open", period="2024", aspect="")  # never scores itself
    finding(zone.b1, "Q-TALKS", "open", period="2023", aspect="", year=2023)  # another year
    scores = {r.code: r for r in weak.weak_scores(year=YEAR)}
    v1 = scores["V1"]
    assert v1.deductions == {
        "open_clause": "10",
        "waived_clause": "10",
        "no_meetings": "20",
        "no_evaluation": "10",
        "no_secretary": "20",
        "clauses": ["Q-TALKS", "Q-THREE-MEETINGS"],
    }
    assert v1.score == Decimal(30)
    # B3 has a secretary of its own.
    assert scores["B3"].score == Decimal(70)


def test_meetings_evaluation_and_secretary_lift_the_score(zone):
    services.meeting_record(
        organisation=zone.b1,
        data={"kind": "general", "held_on": datetime.date(2024, 3, 1), "place": "村部", "topic": "学习"},
        attendance={m.pk: ("present", "") for m in zone.b1_members},
    )
    branch_services.post_assign(
        organisation=zone.v1, member=zone.b1_members[1], kind=PostKind.SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    scores = {r.code: r for r in weak.weak_scores(year=YEAR)}
    assert (scores["V1"].score, scores["V1"].deductions) == (Decimal(90), {"no_evaluation": "10"})


def test_weights_are_a_parameter(zone):
    finding(zone.b3, "Q-TALKS", "waived", period="2024", aspect="")
    weights = {**weak.DEFAULT_WEIGHTS, "waived_clause": Decimal(0), "no_evaluation": Decimal("2.5")}
    scores = {r.code: r.score for r in weak.weak_scores(year=YEAR, weights=weights)}
    assert scores["B3"] == Decimal("77.5")


def test_score_never_below_zero(zone):
    for i in range(12):
        finding(zone.b1, f"Q-RULE-{i}", period="2024", aspect="")
    assert {r.code: r.score for r in weak.weak_scores(year=YEAR)}["V1"] == Decimal(0)


def test_ranking_from_findings_bottom_first(zone):
    _a, b, c = villages(zone, 3)
    finding(b, "Q-TALKS", period="2024", aspect="")
    finding(b, "Q-THREE-MEETINGS")
    finding(c, "Q-TALKS", period="2024", aspect="")
    weak.weak_proposal_make(year=YEAR)
    ranks = dict(WeakSelection.objects.filter(year=YEAR, type="village").values_list("organisation__code", "rank"))
    assert ranks == {"VX01": 1, "VX02": 2, "VX00": 3, "V1": 4}  # V1 has members, VX00 none: same score
    assert proposed(Sector.VILLAGE) == ["VX01"]


def test_ties_go_to_fewer_members_then_the_code(zone):
    a, b, c = villages(zone, 3)
    Organisation.objects.filter(pk=a.pk).update(member_count=5)
    Organisation.objects.filter(pk__in=[b.pk, c.pk]).update(member_count=1)
    weak.weak_proposal_make(year=YEAR)
    order = list(
        WeakSelection.objects.filter(year=YEAR, type="village")
        .order_by("rank")
        .values_list("organisation__code", flat=True)
    )
    assert order == ["VX01", "VX02", "V1", "VX00"]  # 1, 1 (by code), 3, 5 members


# The proposal and the bureau's decision.


def test_the_proposal_is_the_bureaus(zone, users):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.weak_proposal_make(year=YEAR, user=users.town_admin)
    assert exc.value.messages == ["只有组织人事局可以提出整顿对象建议。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.weak_proposal_make(year=2014, user=users.bureau)
    assert exc.value.messages == ["软弱涣散党组织排名的年度为2015年至今年，不能是2014年。"]
    made = weak.weak_proposal_make(year=YEAR, user=users.bureau)
    assert {s.recorded_by for s in made} == {users.bureau}


def test_a_decided_proposal_is_not_replaced(zone, users):
    weak.weak_proposal_make(year=YEAR)
    named(users, zone.v1)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.weak_proposal_make(year=YEAR, user=users.bureau)
    assert exc.value.messages == ["组织人事局已对2024年的整顿对象作出决定，不能再重新排名提出建议。"]


def test_the_bureaus_edit_needs_a_reason(zone, users):
    villages(zone, 2)
    weak.weak_proposal_make(year=YEAR)  # 3 villages: 1 proposed
    top = selection(Organisation.objects.get(code=proposed(Sector.VILLAGE)[0]))
    other = WeakSelection.objects.select_related("organisation").get(year=YEAR, type="village", rank=2)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.weak_selection_decide(selection=other, named=True, reason=" ", user=users.bureau)
    assert exc.value.message_dict["reason"] == [
        f"{other.organisation.name}不在建议名单中：确定其为整顿对象须说明理由。"
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.weak_selection_decide(selection=top, named=False, user=users.bureau)
    assert exc.value.message_dict["reason"] == [f"{top.organisation.name}在建议名单中：不确定其为整顿对象须说明理由。"]
    # Confirming the proposal needs no reason; departing from it does, and is kept with who and when.
    weak.weak_selection_decide(selection=top, named=True, user=users.bureau)
    weak.weak_selection_decide(selection=other, named=True, reason="群众反映问题突出", user=users.bureau)
    other.refresh_from_db()
    assert (other.named, other.reason, other.decided_by) == (True, "群众反映问题突出", users.bureau)
    assert other.decided_at is not None
    assert Rectification.objects.filter(selection__in=[top, other]).count() == 2
    assert weak.weak_year_confirmed(year=YEAR) is False  # B3, proposed among the communities, is undecided
    named(users, zone.b3)
    assert weak.weak_year_confirmed(year=YEAR) is True


def test_only_the_bureau_decides(zone, users):
    weak.weak_proposal_make(year=YEAR)
    for user in (users.town_admin, users.auditor, None):
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            weak.weak_selection_decide(selection=selection(zone.v1), named=True, user=user)
        assert exc.value.messages == ["只有组织人事局可以确定软弱涣散党组织。"]
    assert selection(zone.v1).decided_at is None


def test_leaving_off_a_named_organisation_removes_an_empty_rectification_only(zone, users):
    weak.weak_proposal_make(year=YEAR)
    named(users, zone.v1)
    weak.weak_selection_decide(selection=selection(zone.v1), named=False, reason="复核后达标", user=users.bureau)
    assert Rectification.objects.count() == 0
    named(users, zone.v1)
    weak.rectification_note_add(
        selection=selection(zone.v1), written_on=AFTER, text="召开整顿动员会", user=users.bureau
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.weak_selection_decide(selection=selection(zone.v1), named=False, reason="复核后达标", user=users.bureau)
    assert exc.value.messages == [f"{zone.v1.name}已在整顿中（已有整顿措施或进展记录），不能再撤出整顿对象名单。"]


# The rectification: remedies, notes, verdict.


@pytest.fixture
def named_v1(zone, users):
    weak.weak_proposal_make(year=YEAR)
    named(users, zone.v1)
    return selection(zone.v1)


def test_remedies_pick_the_post(zone, users, named_v1):
    instructor = branch_services.post_assign(
        organisation=zone.v1, member=zone.b1_members[2], kind=PostKind.INSTRUCTOR, started_on=datetime.date(2024, 6, 1)
    )
    leader = MemberFactory(organisation=zone.b3)
    leader_post = branch_services.post_assign(
        organisation=zone.t1, member=leader, kind=PostKind.DEPUTY_SECRETARY, started_on=datetime.date(2020, 1, 1)
    )
    department = make_org(zone.wc, K.BRANCH, sector=Sector.AGENCY, code="AG1", unit_name="区财政局")
    a = weak.rectification_remedy_add(
        selection=named_v1, kind="instructor", post=instructor, started_on=AFTER, user=users.bureau
    )
    b = weak.rectification_remedy_add(
        selection=named_v1,
        kind="leader_liaison",
        post=leader_post,
        started_on=AFTER,
        note="每月到村一次",
        user=users.bureau,
    )
    c = weak.rectification_remedy_add(
        selection=named_v1,
        kind="department_support",
        department=department,
        post=instructor,
        started_on=AFTER,
        user=users.bureau,
    )
    assert [(r.kind, r.post, r.department, r.recorded_by) for r in (a, b, c)] == [
        ("instructor", instructor, None, users.bureau),
        ("leader_liaison", leader_post, None, users.bureau),
        ("department_support", None, department, users.bureau),
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.rectification_remedy_add(
            selection=named_v1, kind="instructor", post=instructor, started_on=AFTER, user=users.bureau
        )
    assert exc.value.messages == [f"{zone.v1.name}的这项整顿措施已有记录。"]


def test_remedy_refusals(zone, users, named_v1):
    instructor = branch_services.post_assign(
        organisation=zone.v1, member=zone.b1_members[2], kind=PostKind.INSTRUCTOR, started_on=datetime.date(2024, 6, 1)
    )
    elsewhere = branch_services.post_assign(
        organisation=zone.b3, member=zone.b3_members[1], kind=PostKind.INSTRUCTOR, started_on=datetime.date(2024, 6, 1)
    )
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:  # an instructor of another organisation
            weak.rectification_remedy_add(
                selection=named_v1, kind="instructor", post=elsewhere, started_on=AFTER, user=users.bureau
            )
        assert exc.value.message_dict["post"] == [
            f"请选择2025年1月10日在{zone.v1.name}任职的党建指导员（先在组织页面登记该职务）。"
        ]
        with pytest.raises(ValidationError) as exc:  # the instructor's post is not a first secretary's
            weak.rectification_remedy_add(
                selection=named_v1, kind="first_secretary", post=instructor, started_on=AFTER, user=users.bureau
            )
        assert exc.value.message_dict["post"] == [
            f"请选择2025年1月10日在{zone.v1.name}任职的第一书记（先在组织页面登记该职务）。"
        ]
        with pytest.raises(ValidationError) as exc:  # a branch secretary is no leadership member
            weak.rectification_remedy_add(
                selection=named_v1, kind="leader_liaison", post=zone.secretary, started_on=AFTER, user=users.bureau
            )
        assert exc.value.message_dict["post"] == [
            f"请选择挂点联系{zone.v1.name}的领导：2025年1月10日在党工委或街道（镇）、系统党组织担任班子职务的成员。"
        ]
        with pytest.raises(ValidationError) as exc:
            weak.rectification_remedy_add(
                selection=named_v1, kind="department_support", department=zone.b1, started_on=AFTER, user=users.bureau
            )
        assert exc.value.message_dict["department"] == [f"{zone.b1.name}属于{zone.v1.name}，帮扶须来自其他组织。"]
        with pytest.raises(ValidationError) as exc:
            weak.rectification_remedy_add(
                selection=named_v1,
                kind="instructor",
                post=instructor,
                started_on=datetime.date(2023, 12, 31),
                user=users.bureau,
            )
        assert exc.value.message_dict["started_on"] == ["日期早于2024年，即该组织被确定为整顿对象的年度。"]
        with pytest.raises(ValidationError) as exc:
            weak.rectification_remedy_add(
                selection=named_v1, kind="instructor", post=instructor, started_on=AFTER, user=users.town_admin
            )
        assert exc.value.messages == ["只有组织人事局可以确定整顿措施。"]
        b3 = selection(zone.b3)  # proposed, not decided
        with pytest.raises(ValidationError) as exc:
            weak.rectification_remedy_add(
                selection=b3, kind="instructor", post=elsewhere, started_on=AFTER, user=users.bureau
            )
        assert exc.value.messages == [f"{zone.b3.name}未被确定为2024年软弱涣散党组织；整顿只针对已确定的整顿对象。"]
    assert RectificationRemedy.objects.count() == 0


def test_notes_by_the_organisation_in_its_scope(zone, users, named_v1):
    note = weak.rectification_note_add(selection=named_v1, written_on=AFTER, text="完成班子调整", user=users.town_admin)
    assert (note.recorded_by, note.rectification.selection) == (users.town_admin, named_v1)
    with translation.override("zh-hans"):
        for user in (users.other_admin, users.branch_admin):  # B1's admin does not answer for V1
            with pytest.raises(ValidationError) as exc:
                weak.rectification_note_add(selection=named_v1, written_on=AFTER, text="x", user=user)
            assert exc.value.messages == ["该组织不在您的管辖范围内。"]
        with pytest.raises(ValidationError) as exc:
            weak.rectification_note_add(selection=named_v1, written_on=AFTER, text="x", user=users.auditor)
        assert exc.value.messages == ["整顿进展由本组织或组织人事局填写。"]
        with pytest.raises(ValidationError) as exc:
            weak.rectification_note_add(selection=named_v1, written_on=AFTER, text="  ", user=users.town_admin)
        assert exc.value.message_dict["text"] == [f"请填写{zone.v1.name}的整顿进展。"]


def test_the_verdict_after_a_note_and_once(zone, users, named_v1):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.rectification_verdict(selection=named_v1, verdict="rectified", decided_on=AFTER, user=users.bureau)
    assert exc.value.messages == [f"作出整顿结论前，须至少登记一条{zone.v1.name}的整顿进展。"]
    weak.rectification_note_add(selection=named_v1, written_on=AFTER, text="完成班子调整", user=users.town_admin)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.rectification_verdict(selection=named_v1, verdict="rectified", decided_on=AFTER, user=users.town_admin)
    assert exc.value.messages == ["只有组织人事局可以作出整顿结论。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.rectification_verdict(
            selection=named_v1, verdict="rectified", decided_on=datetime.date(2025, 1, 9), user=users.bureau
        )
    assert exc.value.message_dict["decided_on"] == ["整顿结论日期不能早于最后一条进展记录的日期（2025年1月10日）。"]
    done = weak.rectification_verdict(
        selection=named_v1, verdict="rectified", decided_on=AFTER, note="转化提升", user=users.bureau
    )
    assert (done.verdict, done.verdict_on, done.verdict_by, done.verdict_note) == (
        "rectified",
        AFTER,
        users.bureau,
        "转化提升",
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        weak.rectification_verdict(selection=named_v1, verdict="not_rectified", decided_on=AFTER, user=users.bureau)
    assert exc.value.messages == [f"{zone.v1.name}的整顿已于2025年1月10日结束。"]
    with pytest.raises(ValidationError):  # closed: no more notes
        weak.rectification_note_add(selection=named_v1, written_on=AFTER, text="x", user=users.bureau)


# The rules.


def context(today=AFTER, year=YEAR):
    return engine.RunContext(year=year, today=today, values=policy_for_year(year))


def checks(clause, ctx=None):
    return sorted(
        (c.organisation_id, c.aspect, c.measured, c.required, c.passed)
        for c in RULES[clause].evaluate(ctx or context())
    )


def test_quota_rules_not_judged_during_the_year_until_confirmed(zone, users):
    during = context(today=datetime.date(2024, 10, 1))
    assert checks("Q-WEAK-VILLAGE", during) == []
    weak.weak_proposal_make(year=YEAR)
    assert checks("Q-WEAK-VILLAGE", during) == []  # proposed, not yet decided
    named(users, zone.v1, zone.b3)
    assert checks("Q-WEAK-VILLAGE", during) == [(zone.wc.pk, "", 1, 1, True)]
    assert checks("Q-WEAK-COMMUNITY", during) == [(zone.wc.pk, "", 1, 1, True)]


def test_quota_village_boundary(zone, users):
    villages(zone, 10)  # 11 villages: 2 to name
    weak.weak_proposal_make(year=YEAR)
    assert checks("Q-WEAK-VILLAGE") == [(zone.wc.pk, "", 0, 2, False)]  # final: judged without a decision
    first, second = proposed(Sector.VILLAGE)
    named(users, Organisation.objects.get(code=first))
    assert checks("Q-WEAK-VILLAGE") == [(zone.wc.pk, "", 1, 2, False)]
    named(users, Organisation.objects.get(code=second))
    assert checks("Q-WEAK-VILLAGE") == [(zone.wc.pk, "", 2, 2, True)]


def test_quota_community_boundary_and_going_below_is_flagged(zone, users):
    communities(zone, 20)  # 21 communities: 2 to name
    weak.weak_proposal_make(year=YEAR)
    first, second = proposed(Sector.COMMUNITY)
    named(users, zone.v1, Organisation.objects.get(code=first))
    # The bureau may leave one proposed off (with a reason); the rule then flags the shortfall.
    weak.weak_selection_decide(
        selection=selection(Organisation.objects.get(code=second)), named=False, reason="复核后达标", user=users.bureau
    )
    assert checks("Q-WEAK-COMMUNITY", context(today=datetime.date(2024, 11, 1))) == [(zone.wc.pk, "", 1, 2, False)]


def test_quota_other_once_per_type_with_organisations(zone, users):
    make_org(zone.wc, K.GENERAL_BRANCH, sector=Sector.SCHOOL, code="SC1", unit_name="第1学校")
    for i in range(21):
        make_org(zone.wc, K.BRANCH, sector=Sector.NON_PUBLIC, code=f"NP{i:02d}", unit_name=f"公司{i}")
    weak.weak_proposal_make(year=YEAR)
    named(users, Organisation.objects.get(code="SC1"), Organisation.objects.get(code=proposed("non_public")[0]))
    assert checks("Q-WEAK-OTHER") == [(zone.wc.pk, "non_public", 1, 2, False), (zone.wc.pk, "school", 1, 1, True)]


def test_remedy_rule_each_named_organisation(zone, users, named_v1):
    named(users, zone.b3)
    assert checks("Q-WEAK-REMEDY", context(today=datetime.date(2024, 12, 1))) == [
        (zone.v1.pk, "", 0, 1, False),
        (zone.b3.pk, "", 0, 1, False),
    ]
    instructor = branch_services.post_assign(
        organisation=zone.v1, member=zone.b1_members[2], kind=PostKind.INSTRUCTOR, started_on=datetime.date(2024, 6, 1)
    )
    weak.rectification_remedy_add(
        selection=named_v1, kind="instructor", post=instructor, started_on=AFTER, user=users.bureau
    )
    assert checks("Q-WEAK-REMEDY") == [(zone.v1.pk, "", 1, 1, True), (zone.b3.pk, "", 0, 1, False)]
    # Counted by the day of the run: not yet in place on 31 December 2024.
    assert checks("Q-WEAK-REMEDY", context(today=datetime.date(2024, 12, 31)))[0] == (zone.v1.pk, "", 0, 1, False)


def test_findings_cite_the_clauses(zone, users):
    villages(zone, 10)
    weak.weak_proposal_make(year=YEAR)
    named(users, zone.b3)
    run = engine.compliance_run(
        year=YEAR,
        today=AFTER,
        trigger="test",
        rules=["Q-WEAK-VILLAGE", "Q-WEAK-COMMUNITY", "Q-WEAK-OTHER", "Q-WEAK-REMEDY"],
    )
    assert run.state == "done"
    assert sorted(Finding.objects.values_list("rule", "organisation__code", "period", "measured", "required")) == [
        ("Q-WEAK-REMEDY", "B3", "2024", Decimal(0), Decimal(1)),
        ("Q-WEAK-VILLAGE", "WC", "2024", Decimal(0), Decimal(2)),
    ]
    opinion = (Path(settings.BASE_DIR) / "docs" / "opinion-2015.txt").read_text(encoding="utf-8")
    for clause in ("Q-WEAK-VILLAGE", "Q-WEAK-COMMUNITY", "Q-WEAK-OTHER", "Q-WEAK-REMEDY"):
        assert RULES[clause].clause == clause
        assert RULES[clause].sentence in opinion


def _grow(zone, users, n):
    for i in range(n):
        village = make_org(zone.t1, K.BRANCH, sector=Sector.VILLAGE, code=f"G{n}V{i}")
        make_org(zone.t2, K.BRANCH, sector=Sector.COMMUNITY, code=f"G{n}C{i}")
        make_org(zone.wc, K.BRANCH, sector=Sector.NON_PUBLIC, code=f"G{n}N{i}", unit_name=f"公司{n}-{i}")
        finding(village, "Q-TALKS", period="2024", aspect="")
    Rectification.objects.all().delete()
    WeakSelection.objects.all().delete()
    weak.weak_proposal_make(year=YEAR)
    for s in WeakSelection.objects.filter(year=YEAR, proposed=True).select_related("organisation"):
        weak.weak_selection_decide(selection=s, named=True, user=users.bureau)


@pytest.mark.parametrize("clause", ["Q-WEAK-VILLAGE", "Q-WEAK-OTHER", "Q-WEAK-REMEDY"])
def test_rule_queries_do_not_grow_with_the_zone(zone, users, clause, django_assert_max_num_queries):
    counts = []
    for n in (2, 12):
        _grow(zone, users, n)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            list(RULES[clause].evaluate(context()))
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        list(RULES[clause].evaluate(context()))


def test_proposal_queries_do_not_grow_with_the_zone(zone, users, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 12):
        _grow(zone, users, n)
        Rectification.objects.all().delete()
        WeakSelection.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            weak.weak_proposal_make(year=YEAR)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_score_points_are_the_policy_of_the_year():
    from core import services as portal_services

    assert weak.weights_for_year(2016) == weak.DEFAULT_WEIGHTS
    portal_services.policy_revision_save(
        name="2018年调整",
        effective_from=datetime.date(2018, 1, 1),
        source="组织人事局通知",
        values={"weak.points_no_secretary": Decimal(30)},
        today=datetime.date(2017, 12, 1),
    )
    assert weak.weights_for_year(2018)["no_secretary"] == Decimal(30)
    assert weak.weights_for_year(2017)["no_secretary"] == Decimal(20)
