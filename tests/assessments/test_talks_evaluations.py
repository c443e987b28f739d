"""Heart-to-heart talks (Q-TALKS) and the democratic evaluation (Q-EVALUATION)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import selectors, services
from assessments.enums import Disposal, Grade
from assessments.models import EvaluationResult, Talk
from members import community
from members.enums import MemberCategory
from tests.concurrency import opened
from tests.factories import make_org

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 6, 20)
Q, E, U = Grade.QUALIFIED, Grade.EXCELLENT, Grade.UNQUALIFIED


def grades(final=Q, disposal=""):
    return {
        "self_grade": Q,
        "peer_grade": Q,
        "public_grade": Q,
        "branch_grade": Q,
        "grade": final,
        "disposal": disposal,
    }


def test_talks_of_a_day_one_record_each_and_who_is_left(zone, users):
    a, b, c = zone.b1_members
    services.talks_record(
        organisation=zone.b1, held_on=DAY, topic="思想动态", member_ids=[b.pk, c.pk], talker=a, user=users.branch_admin
    )
    assert Talk.objects.count() == 2
    left = selectors.members_not_talked_to(organisation=zone.b1, year=2024, today=datetime.date(2024, 12, 1))
    assert list(left) == [a]
    # A talk held by the village's general branch counts for the branch as well.
    services.talks_record(organisation=zone.v1, held_on=DAY, topic="谈心", member_ids=[a.pk], talker_name="镇党委书记")
    assert not selectors.members_not_talked_to(
        organisation=zone.b1, year=2024, today=datetime.date(2024, 12, 1)
    ).exists()
    assert (
        selectors.members_not_talked_to(organisation=zone.b1, year=2023, today=datetime.date(2024, 12, 1)).count() == 3
    )


def test_talks_need_a_talker_and_members_of_the_organisation(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.talks_record(organisation=zone.b1, held_on=DAY, topic="谈心", member_ids=[zone.b3_members[0].pk])
    assert exc.value.message_dict["talker"] == ["谈话人是谁？请选择党员或填写姓名。"]
    assert exc.value.message_dict["members"] == [f"2024年6月20日不是东村第1党支部的党员：{zone.b3_members[0].name}。"]


def test_evaluation_grades_every_member_in_one_step(zone, users):
    a, b, c = zone.b1_members
    evaluation = services.evaluation_record(
        organisation=zone.b1,
        year=2024,
        held_on=DAY,
        user=users.branch_admin,
        results={a.pk: grades(E), b.pk: grades(Q), c.pk: grades(U, Disposal.CORRECTION)},
    )
    got = dict(EvaluationResult.objects.values_list("member_id", "grade"))
    assert got == {a.pk: E, b.pk: Q, c.pk: U}
    assert evaluation.recorded_by == users.branch_admin


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ("missing", "请为当天支部的每名党员评定等次；缺少：{b}。"),
        ("unqualified_without_disposal", "{c}被评为不合格：请记录处置措施。"),
        ("disposal_for_qualified", "只有不合格党员才有处置措施（{b}）。"),
        ("probation_disposal_for_full_member", "{c}是正式党员：预备期处置不适用。"),
        ("incomplete", "请填写{b}的四项评议和最终等次。"),
    ],
)
def test_evaluation_mistakes_in_chinese(zone, results, message):
    a, b, c = zone.b1_members
    for m in (a, b, c):
        m.category = MemberCategory.FULL
        m.save()
    data = {a.pk: grades(), b.pk: grades(), c.pk: grades()}
    if results == "missing":
        del data[b.pk]
    elif results == "unqualified_without_disposal":
        data[c.pk] = grades(U)
    elif results == "disposal_for_qualified":
        data[b.pk] = grades(Q, Disposal.CORRECTION)
    elif results == "probation_disposal_for_full_member":
        data[c.pk] = grades(U, Disposal.EXTEND_PROBATION)
    else:
        data[b.pk] = {**grades(), "peer_grade": ""}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.evaluation_record(organisation=zone.b1, year=2024, held_on=DAY, results=data)
    assert exc.value.message_dict["results"] == [message.format(b=b.name, c=c.name)]
    assert EvaluationResult.objects.count() == 0


def test_one_evaluation_a_year_corrected_in_place(zone):
    a, b, c = zone.b1_members
    data = {a.pk: grades(), b.pk: grades(), c.pk: grades()}
    evaluation = services.evaluation_record(organisation=zone.b1, year=2024, held_on=DAY, results=data)
    with pytest.raises(ValidationError):
        services.evaluation_record(organisation=zone.b1, year=2024, held_on=DAY, results=data)
    data[a.pk] = grades(E)
    services.evaluation_record(organisation=zone.b1, year=2024, held_on=DAY, results=data, evaluation=evaluation)
    assert EvaluationResult.objects.get(member=a).grade == E
    with pytest.raises(ValidationError):  # a party group's members are evaluated by the branch
        services.evaluation_record(organisation=zone.g1, year=2024, held_on=DAY, results={})


def test_evaluation_page_shows_community_service_hours_beside_the_member(zone, users, client_for):
    member = zone.b1_members[1]
    member.life_status = "in_service"
    member.save()
    estate = make_org(zone.v1, "branch", sector="community", code="C9")
    registration = community.community_register(member=member, community=estate, on=datetime.date(2024, 1, 2))
    community.community_service_record(
        registration=registration, served_on=datetime.date(2024, 3, 3), hours=Decimal(5), activity="社区值守"
    )
    page = client_for(users.branch_admin).get(reverse("assessments:evaluation", args=[zone.b1.pk, 2024]))
    rows = {row["member"]: row for row in page.context["rows"]}
    assert rows[member]["service_hours"] == Decimal(5)
    assert rows[zone.b1_members[0]]["service_hours"] == Decimal(0)


def test_evaluation_form_posts_every_member_at_once(zone, users, client_for):
    a, b, c = zone.b1_members
    data = {"held_on": "2024-06-20"}
    for m in (a, b, c):
        data.update(
            {f"{f}_{m.pk}": "qualified" for f in ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")}
        )
    client, url = client_for(users.branch_admin), reverse("assessments:evaluation_edit", args=[zone.b1.pk, 2024])
    response = client.post(url, opened(client, url, data))
    assert response.status_code == 302
    assert EvaluationResult.objects.filter(grade="qualified").count() == 3
    form = client.get(reverse("assessments:evaluation_edit", args=[zone.b1.pk, 2024])).context["form"]
    assert form[f"grade_{a.pk}"].value() == "qualified"


def test_talks_form_marks_who_is_still_due(zone, users, client_for):
    a, b, _c = zone.b1_members
    services.talks_record(organisation=zone.b1, held_on=DAY, topic="谈心", member_ids=[b.pk], talker=a)
    client = client_for(users.branch_admin)
    with translation.override("zh-hans"):
        form = client.get(reverse("assessments:talks_create", args=[zone.b1.pk]), {"date": "2024-07-01"}).context[
            "form"
        ]
    labels = dict(form.fields["members"].choices)
    assert labels[a.pk].endswith("（本年度尚未谈话）") and labels[b.pk] == b.name
    assert form.fields["talker"].initial == a.pk  # the secretary, from the posts
    response = client.post(
        reverse("assessments:talks_create", args=[zone.b1.pk]),
        {"held_on": "2024-07-01", "talker": a.pk, "topic": "谈心", "members": [zone.b1_members[2].pk]},
    )
    assert response.status_code == 302
    assert Talk.objects.count() == 2


# Issue 12: only the exceptions are typed; a talk day with several members is one form.
GRADES = ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")


def test_evaluation_form_starts_every_member_without_a_result_at_qualified(zone, users, client_for):
    client = client_for(users.branch_admin)
    form = client.get(reverse("assessments:evaluation_edit", args=[zone.b1.pk, 2024])).context["form"]
    assert {form[f"{f}_{m.pk}"].value() for m in zone.b1_members for f in GRADES} == {"qualified"}
    assert {form[f"disposal_{m.pk}"].value() for m in zone.b1_members} == {""}


def test_all_qualified_records_every_member_but_the_exceptions(zone, users, client_for):
    a, b, c = zone.b1_members
    client, url = client_for(users.branch_admin), reverse("assessments:evaluation_edit", args=[zone.b1.pk, 2024])
    # Only the exception is on the page's post; everything else left at — (or not sent).
    data = {
        "held_on": "2024-06-20",
        f"grade_{c.pk}": "unqualified",
        f"disposal_{c.pk}": "correction",
        f"self_grade_{b.pk}": "",
    }
    with translation.override("zh-hans"):
        refused = client.post(url, opened(client, url, data))  # saving as it is: blanks are still refused
    assert refused.status_code == 200 and EvaluationResult.objects.count() == 0
    response = client.post(url, opened(client, url, {**data, "all_qualified": "1"}))
    assert response.status_code == 302
    got = {r.member_id: (r.self_grade, r.grade, r.disposal) for r in EvaluationResult.objects.all()}
    assert got == {a.pk: (Q, Q, ""), b.pk: (Q, Q, ""), c.pk: (Q, U, "correction")}


def test_talks_form_lists_those_not_yet_talked_with_first(zone, users, client_for):
    a, b, c = sorted(zone.b1_members, key=lambda m: (m.name_pinyin, m.pk))
    services.talks_record(organisation=zone.b1, held_on=DAY, topic="谈心", member_ids=[a.pk], talker=a)
    with translation.override("zh-hans"):
        form = (
            client_for(users.branch_admin)
            .get(reverse("assessments:talks_create", args=[zone.b1.pk]), {"date": "2024-07-01"})
            .context["form"]
        )
    assert form.fields["members"].choices == [
        (b.pk, f"{b.name}（本年度尚未谈话）"),
        (c.pk, f"{c.name}（本年度尚未谈话）"),
        (a.pk, a.name),
    ]


def test_one_post_records_a_talk_with_each_member_chosen(zone, users, client_for):
    a, b, c = zone.b1_members
    client = client_for(users.branch_admin)
    url = reverse("assessments:talks_create", args=[zone.b1.pk])
    assert client.get(url, {"members": [b.pk]}).context["form"]["members"].value() == [b.pk]  # one member: one talk
    response = client.post(
        url, {"held_on": "2024-07-01", "talker": a.pk, "topic": "思想动态", "members": [a.pk, b.pk, c.pk]}
    )
    assert response.status_code == 302
    talks = Talk.objects.order_by("member_id").values_list("member_id", "talker_id", "held_on", "topic")
    day = datetime.date(2024, 7, 1)
    assert list(talks) == [(pk, a.pk, day, "思想动态") for pk in sorted(m.pk for m in zone.b1_members)]
    left = selectors.members_not_talked_to(organisation=zone.b1, year=2024, today=datetime.date(2024, 12, 1))
    assert left.count() == 0
