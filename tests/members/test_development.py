import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.idcard import id_make
from members import development
from members.enums import DevelopmentStage, MemberCategory
from members.models import Candidate, Member

pytestmark = pytest.mark.django_db

BORN = datetime.date(1998, 6, 1)
NUMBER = id_make(area="430104", born=BORN, sequence=42, male=False)


def apply(zone, on=datetime.date(2020, 3, 1), **kw):
    return development.candidate_apply(organisation=zone.b1, name="李华", id_number=NUMBER, applied_on=on, **kw)


def test_candidate_apply_reads_gender_and_birth_from_id(zone):
    candidate = apply(zone)
    assert (candidate.gender, candidate.birth_date, candidate.stage) == ("female", BORN, DevelopmentStage.APPLICANT)


def test_candidate_apply_under_18_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        apply(zone, on=datetime.date(2016, 5, 31))
    assert exc.value.message_dict == {"applied_on": ["申请入党时须年满18周岁（N-DEVELOPMENT）。"]}


def test_candidate_apply_twice_refused(zone):
    apply(zone)
    with pytest.raises(ValidationError) as exc:
        apply(zone)
    assert list(exc.value.message_dict) == ["id_number"]


def test_full_path_from_application_to_full_membership(zone):
    candidate = apply(zone)
    development.candidate_talk(candidate=candidate, on=datetime.date(2020, 3, 20), by="张书记")
    development.candidate_make_activist(candidate=candidate, on=datetime.date(2020, 4, 1))
    development.candidate_review(candidate=candidate, on=datetime.date(2020, 10, 1))
    development.candidate_make_target(candidate=candidate, on=datetime.date(2021, 4, 1))
    for introducer in zone.b1_members[:2]:
        introducer.category = MemberCategory.FULL
        introducer.save()
    member = development.candidate_admit(
        candidate=candidate, on=datetime.date(2021, 7, 1), introducers=zone.b1_members[:2]
    )
    assert (member.category, member.joined_on, member.probation_ends_on) == (
        MemberCategory.PROBATIONARY,
        datetime.date(2021, 7, 1),
        datetime.date(2022, 7, 1),
    )
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.member_id) == (DevelopmentStage.ADMITTED, member.pk)
    with pytest.raises(ValidationError):
        development.member_make_full(member=member, on=datetime.date(2022, 6, 30))
    development.member_make_full(member=member, on=datetime.date(2022, 7, 1))
    member.refresh_from_db()
    assert (member.category, member.full_member_on) == (MemberCategory.FULL, datetime.date(2022, 7, 1))


def test_candidate_target_before_one_year_as_activist_refused_in_chinese(zone):
    candidate = apply(zone)
    development.candidate_talk(candidate=candidate, on=datetime.date(2020, 3, 20), by="张书记")
    development.candidate_make_activist(candidate=candidate, on=datetime.date(2020, 4, 1))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        development.candidate_make_target(candidate=candidate, on=datetime.date(2021, 3, 31))
    assert exc.value.message_dict == {
        "on": ["入党积极分子须经过一年以上培养教育方可确定为发展对象，最早为2021年4月1日（N-DEVELOPMENT）。"]
    }


def test_candidate_activist_without_talk_refused(zone):
    with pytest.raises(ValidationError):
        development.candidate_make_activist(candidate=apply(zone), on=datetime.date(2020, 4, 1))


def test_candidate_admit_needs_two_full_member_introducers(zone):
    candidate = apply(zone)
    Candidate.objects.filter(pk=candidate.pk).update(stage=DevelopmentStage.TARGET, target_on=datetime.date(2021, 4, 1))
    with pytest.raises(ValidationError) as exc:
        development.candidate_admit(candidate=candidate, on=datetime.date(2021, 7, 1), introducers=zone.b1_members[:1])
    assert list(exc.value.message_dict) == ["introducers"]
    assert not Member.objects.filter(id_number=NUMBER).exists()


def test_pipeline_flags_overdue_talk_and_probation(zone, users):
    today = datetime.date(2020, 5, 1)
    apply(zone, on=datetime.date(2020, 3, 1))
    probationary = zone.b1_members[2]
    probationary.category, probationary.probation_ends_on = MemberCategory.PROBATIONARY, datetime.date(2020, 4, 1)
    probationary.save()
    rows = development.pipeline(organisation=zone.t1, user=users.town_admin, today=today)
    shown = [(r.name, str(r.step), r.due_on, r.overdue) for r in rows if r.name in ("李华", probationary.name)]
    assert sorted(shown) == sorted(
        [
            ("李华", "与申请人谈话", datetime.date(2020, 4, 1), True),
            (probationary.name, "转正", datetime.date(2020, 4, 1), True),
        ]
    )
    # Overdue steps come first.
    assert [r.overdue for r in rows] == sorted((r.overdue for r in rows), reverse=True)


def test_pipeline_page_and_step_form(zone, users, client_for):
    candidate = apply(zone)
    client = client_for(users.branch_admin)
    response = client.post(
        reverse("members:candidate_step", args=[candidate.pk]),
        {"step": "talk", "on": "2020-03-10", "talked_by": "张书记"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.talked_on == datetime.date(2020, 3, 10)
    page = client.get(reverse("members:pipeline", args=[zone.b1.pk]))
    assert sorted(r.candidate.pk for r in page.context["rows"] if r.candidate) == sorted(
        [candidate.pk, zone.b1_candidate.pk]
    )


def test_application_for_a_person_on_record_outside_scope_does_not_say_where(zone, users):
    """Issue 13, item 5: an applicant or member elsewhere is "on record elsewhere; ask the bureau"."""
    elsewhere = "此人已在其他党组织登记在册；请向组织人事局咨询。"
    with translation.override("zh-hans"):
        for number in (zone.b3_candidate.id_number, zone.b3_members[0].id_number):
            with pytest.raises(ValidationError) as exc:
                development.candidate_apply(
                    organisation=zone.b1,
                    name="李华",
                    id_number=number,
                    applied_on=datetime.date(2024, 3, 1),
                    user=users.branch_admin,
                )
            assert exc.value.message_dict == {"id_number": [elsewhere]}


def test_application_already_on_record_inside_scope_names_the_organisation(zone, users):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        development.candidate_apply(
            organisation=zone.b2,
            name="申请人甲",
            id_number=zone.b1_candidate.id_number,
            applied_on=datetime.date(2024, 3, 1),
            user=users.town_admin,
        )
    assert exc.value.message_dict == {"id_number": ["此人的入党申请已有记录，所在组织：东村第1党支部。"]}


# Issue 14, item 8: the N-DEVELOPMENT numbers are policy parameters; extensions, calendar months, approval.


def probationary(zone, *, joined, ends):
    from members import services

    return services.member_create(
        organisation=zone.b2,
        data={
            "name": "预备党员",
            "id_number": id_make(area="430104", born=datetime.date(1995, 5, 5), sequence=77, male=True),
            "category": MemberCategory.PROBATIONARY,
            "joined_on": joined,
            "probation_ends_on": ends,
        },
    )


def test_an_extension_of_probation_is_six_to_twelve_months(zone):
    """ "延长预备期不能少于半年,最长不超过一年": a probation of one year ends on its day, or extended by 6 to 12
    months; a one-month extension (accepted before) is refused, with the days allowed in Chinese."""
    joined = datetime.date(2025, 1, 10)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        probationary(zone, joined=joined, ends=datetime.date(2026, 2, 10))
    assert exc.value.message_dict == {
        "probation_ends_on": [
            "预备期自入党之日起12个月，至2026年1月10日期满；延长预备期为6至12个月，"
            "延长后的预备期应在2026年7月10日至2027年1月10日之间期满。"
        ]
    }
    with pytest.raises(ValidationError):
        probationary(zone, joined=joined, ends=datetime.date(2027, 1, 11))
    assert probationary(zone, joined=joined, ends=datetime.date(2026, 7, 10)).probation_ends_on == datetime.date(
        2026, 7, 10
    )


def test_the_pipeline_talk_is_due_within_a_calendar_month(zone, users):
    """ "应当在一个月内派人同入党申请人谈话" (第七条): from 31 January, by 29 February (a leap year), not 2 March."""
    apply(zone, on=datetime.date(2020, 1, 31))
    rows = development.pipeline(organisation=zone.b1, user=users.town_admin, today=datetime.date(2020, 3, 1))
    assert [(r.due_on, r.overdue) for r in rows if r.name == "李华"] == [(datetime.date(2020, 2, 29), True)]


def admitted(zone):
    candidate = apply(zone)
    development.candidate_talk(candidate=candidate, on=datetime.date(2020, 3, 20), by="张书记")
    development.candidate_make_activist(candidate=candidate, on=datetime.date(2020, 4, 1))
    development.candidate_make_target(candidate=candidate, on=datetime.date(2021, 4, 1))
    for introducer in zone.b1_members[:2]:
        introducer.category = MemberCategory.FULL
        introducer.save()
    development.candidate_admit(candidate=candidate, on=datetime.date(2021, 7, 1), introducers=zone.b1_members[:2])
    candidate.refresh_from_db()
    return candidate


def test_the_higher_committees_approval_is_due_within_three_months(zone, users, client_for):
    """ "上级党委应当在三个月内审批": the pipeline lists the admission awaiting approval, due three calendar months
    after the general meeting; the step form records it once, not before the meeting."""
    candidate = admitted(zone)
    rows = development.pipeline(organisation=zone.b1, user=users.town_admin, today=datetime.date(2021, 10, 2))
    assert [(str(r.step), r.due_on, r.overdue) for r in rows if r.candidate == candidate] == [
        ("上级党委审批", datetime.date(2021, 10, 1), True)
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        development.candidate_approve(candidate=candidate, on=datetime.date(2021, 6, 30))
    assert exc.value.message_dict == {"on": ["审批日期不能早于支部大会讨论接收日期（2021年7月1日）。"]}
    response = client_for(users.branch_admin).post(
        reverse("members:candidate_step", args=[candidate.pk]), {"step": "approve", "on": "2021-09-15"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.approved_on == datetime.date(2021, 9, 15)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        development.candidate_approve(candidate=candidate, on=datetime.date(2021, 9, 20))
    assert exc.value.messages == ["上级党委已于2021年9月15日审批。"]
    rows = development.pipeline(organisation=zone.b1, user=users.town_admin, today=datetime.date(2021, 10, 2))
    assert [r for r in rows if r.candidate == candidate] == []
