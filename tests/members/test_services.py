import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.idcard import id_make
from members import services
from members.enums import Gender, MemberCategory, MemberEventKind, MemberStatus
from members.models import Member, MemberEvent

pytestmark = pytest.mark.django_db

BORN = datetime.date(1985, 3, 9)
NUMBER = id_make(area="430104", born=BORN, sequence=7, male=True)


def data(**overrides):
    return {
        "name": "曾小明",
        "id_number": NUMBER,
        "joined_on": datetime.date(2010, 7, 1),
        "category": MemberCategory.FULL,
        **overrides,
    }


def errors_of(exc_info):
    return exc_info.value.message_dict


def test_member_create_reads_birth_date_and_gender_from_id_number(zone):
    member = services.member_create(organisation=zone.b2, data=data(phone="138 0013 8000"))
    assert (member.birth_date, member.gender) == (BORN, Gender.MALE)
    assert (member.name_pinyin, member.name_initials, member.id_tail_reversed) == (
        "zengxiaoming",
        "zxm",
        NUMBER[-6:][::-1],
    )
    assert member.phone == "13800138000"
    assert [e.kind for e in member.events.all()] == [MemberEventKind.CREATED]
    zone.b2.refresh_from_db()
    assert zone.b2.member_count == 1


def test_member_create_wrong_check_digit_in_chinese(zone):
    wrong = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(id_number=wrong))
    assert errors_of(exc) == {"id_number": [f"身份证号码校验位错误（最后一位应为{NUMBER[17]}）。"]}
    assert Member.objects.filter(organisation=zone.b2).count() == 0


def test_member_create_birth_date_disagreeing_with_id_refused(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(birth_date=datetime.date(1985, 3, 10)))
    assert errors_of(exc) == {"birth_date": ["出生日期与身份证号码不符（应为1985年3月9日）。"]}


def test_member_create_gender_disagreeing_with_id_refused(zone):
    with pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(gender=Gender.FEMALE))
    assert list(errors_of(exc)) == ["gender"]


def test_member_create_second_active_record_for_id_refused(zone):
    services.member_create(organisation=zone.b2, data=data())
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b3, data=data())
    assert errors_of(exc) == {"id_number": ["该身份证号码已有在册党员记录，所在组织：东村第2党支部。"]}


def test_member_create_after_former_record_left_is_allowed(zone):
    first = services.member_create(organisation=zone.b2, data=data())
    services.member_status_change(
        member=first, status=MemberStatus.LEFT, on=datetime.date(2020, 1, 1), reason="自行脱党"
    )
    second = services.member_create(organisation=zone.b3, data=data(joined_on=datetime.date(2021, 7, 1)))
    assert Member.objects.filter(id_number=NUMBER).count() == 2
    assert second.status == MemberStatus.ACTIVE


def test_member_create_joined_before_18_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(joined_on=datetime.date(2003, 3, 8)))
    assert errors_of(exc) == {"joined_on": ["年满18岁方可入党；该日期早于18周岁生日（N-DEVELOPMENT）。"]}


def test_member_create_future_dates_and_order_refused(zone):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(joined_on=tomorrow))
    assert list(errors_of(exc)) == ["joined_on"]
    with pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(full_member_on=datetime.date(2010, 6, 1)))
    assert list(errors_of(exc)) == ["full_member_on"]


def test_member_create_probationary_gets_one_year_probation(zone):
    joined = timezone.localdate() - datetime.timedelta(days=30)
    member = services.member_create(
        organisation=zone.b2, data=data(category=MemberCategory.PROBATIONARY, joined_on=joined)
    )
    assert member.probation_ends_on == joined.replace(year=joined.year + 1)


def test_member_create_probation_extended_beyond_two_years_refused(zone):
    joined = datetime.date(2025, 1, 10)
    with pytest.raises(ValidationError) as exc:
        services.member_create(
            organisation=zone.b2,
            data=data(
                category=MemberCategory.PROBATIONARY, joined_on=joined, probation_ends_on=datetime.date(2027, 3, 1)
            ),
        )
    assert list(errors_of(exc)) == ["probation_ends_on"]


def test_member_create_bad_phone_refused_in_chinese(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(phone="12345"))
    assert errors_of(exc) == {"phone": ["请填写11位手机号码或固定电话（如0731-88888888）。"]}


def test_member_create_in_committee_refused(zone):
    with pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.v1, data=data())
    assert list(errors_of(exc)) == ["organisation"]


def test_member_create_outside_scope_refused(zone, users):
    with pytest.raises(ValidationError):
        services.member_create(organisation=zone.b3, data=data(), user=users.town_admin)


def test_member_update_keeps_before_and_after(zone, users):
    member = services.member_create(organisation=zone.b2, data=data(phone="13800138000"))
    services.member_update(member=member, data={"phone": "13900139000", "work_unit": "麓谷小学"}, user=users.town_admin)
    event = MemberEvent.objects.get(member=member, kind=MemberEventKind.UPDATED)
    assert event.changes == {"phone": ["13800138000", "13900139000"], "work_unit": ["", "麓谷小学"]}
    assert event.recorded_by == users.town_admin


def test_member_update_without_changes_writes_no_event(zone):
    member = services.member_create(organisation=zone.b2, data=data())
    services.member_update(member=member, data={"name": "曾小明"})
    assert MemberEvent.objects.filter(member=member).count() == 1


def test_member_status_change_keeps_record_and_recounts(zone, users):
    member = zone.b3_members[1]
    services.member_status_change(
        member=member, status=MemberStatus.DECEASED, on=datetime.date(2024, 2, 1), reason="病故", user=users.bureau
    )
    member.refresh_from_db()
    zone.b3.refresh_from_db()
    assert (member.status, member.status_changed_on) == (MemberStatus.DECEASED, datetime.date(2024, 2, 1))
    assert zone.b3.member_count == 1
    assert MemberEvent.objects.get(member=member).reason == "病故"


def test_member_status_change_twice_refused(zone):
    member = zone.b3_members[1]
    services.member_status_change(member=member, status=MemberStatus.LEFT, on=datetime.date(2024, 2, 1), reason="退党")
    with pytest.raises(ValidationError):
        services.member_status_change(
            member=member, status=MemberStatus.EXPELLED, on=datetime.date(2024, 3, 1), reason="x"
        )


def test_member_status_change_before_joining_refused(zone):
    member = zone.b3_members[1]
    with pytest.raises(ValidationError) as exc:
        services.member_status_change(member=member, status=MemberStatus.LEFT, on=datetime.date(2000, 1, 1), reason="x")
    assert list(errors_of(exc)) == ["on"]


ELSEWHERE = "此人已在其他党组织登记在册；请向组织人事局咨询。"


def test_duplicate_outside_scope_says_only_that_it_is_elsewhere(zone, users):
    """Issue 13, item 5: a secretary cannot learn where in the zone an ID number is on record."""
    other = zone.b3_members[0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b1, data=data(id_number=other.id_number), user=users.branch_admin)
    assert errors_of(exc) == {"id_number": [ELSEWHERE]}
    assert Member.objects.filter(id_number=other.id_number).count() == 1


def test_duplicate_inside_scope_names_the_organisation(zone, users):
    other = zone.b1_members[1]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(id_number=other.id_number), user=users.town_admin)
    assert errors_of(exc) == {"id_number": ["该身份证号码已有在册党员记录，所在组织：东村第1党支部。"]}


def test_text_the_database_would_refuse_is_refused_with_its_field(zone):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.member_create(organisation=zone.b2, data=data(work_unit="单" * 201, residence="长沙\x00"))
    assert errors_of(exc) == {
        "work_unit": ["最多200个字符，此处有201个。"],
        "residence": ["该文字含有空字符（NUL），无法保存；请重新输入。"],
    }


def test_member_create_stores_a_phone_typed_with_separators_in_its_one_form(zone):
    """Issue 14: the member form takes a phone as people type it and stores its canonical form."""
    mobile = services.member_create(organisation=zone.b2, data=data(phone="+86 138-0013-8000"))
    assert mobile.phone == "13800138000"
