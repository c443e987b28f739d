"""Issue 7: two people editing the same record. The second save is refused with a message saying
who changed the record and when; nothing is silently overwritten (core.concurrency)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services as assessment_services
from assessments.enums import AttendanceStatus, MeetingKind, SixStandard, VenueKind
from assessments.models import Evaluation, VenueCheck
from branches.enums import OrganisationKind, Sector
from branches.models import Organisation
from core import services as portal_services
from core.concurrency import NEW, version_of
from core.models import PolicyRevision
from funding.models import ActivityFundBudget, DuesBase
from members import services as member_services
from members.enums import MemberStatus
from members.models import Member
from tests.factories import UserFactory, make_org

pytestmark = pytest.mark.django_db
RELOAD = "本次未保存。您填写的内容保留在下方：请复制需要的内容，重新加载页面查看最新记录后再修改。"
GRADES = ("self_grade", "peer_grade", "public_grade", "branch_grade", "grade")


def changed_by(user, stamp) -> str:
    return f"您打开本页后，{user.display_name}于{_time(stamp)}修改了这条记录，{RELOAD}"


def changed_at(stamp) -> str:
    return f"您打开本页后，他人于{_time(stamp)}修改了这条记录，{RELOAD}"


def _time(stamp) -> str:
    return timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M:%S")


def editable_member(zone) -> Member:
    """A member of B1 whose record passes the roster rules (later factory birth dates join before 18)."""
    member = zone.b1_members[1]
    joined = member.birth_date.replace(year=member.birth_date.year + 20)
    Member.objects.filter(pk=member.pk).update(joined_on=joined)
    return Member.objects.get(pk=member.pk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened_form(client, url) -> dict:
    """What a browser posts back of the form at `url` as it was opened: every field's value."""
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None and not isinstance(field, forms.FileField):
            data[name] = value
    return data


def save_both(first, second, url, first_changes, second_changes):
    """Both open the form; the first saves, then the second. Answers both responses."""
    first_data, second_data = opened_form(first, url), opened_form(second, url)
    with translation.override("zh-hans"):
        return first.post(url, first_data | first_changes), second.post(url, second_data | second_changes)


def test_organisation_second_save_refused_and_first_kept(zone, users):
    url = reverse("branches:update", args=[zone.b1.pk])
    first, second = save_both(
        logged_in(users.bureau),
        logged_in(users.town_admin),
        url,
        {"name": "东村第一党支部"},
        {"unit_name": "东村村委会"},
    )
    organisation = Organisation.objects.get(pk=zone.b1.pk)
    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["form"].non_field_errors() == [changed_at(organisation.updated_at)]
    assert second.context["form"]["unit_name"].value() == "东村村委会"  # what the second user typed
    assert (organisation.name, organisation.unit_name) == ("东村第一党支部", "")


def test_organisation_saved_twice_by_one_user_without_anyone_between(zone, users):
    client, url = logged_in(users.town_admin), reverse("branches:update", args=[zone.b1.pk])
    assert client.post(url, opened_form(client, url) | {"name": "东村第一党支部"}).status_code == 302
    assert client.post(url, opened_form(client, url) | {"unit_name": "东村村委会"}).status_code == 302
    organisation = Organisation.objects.get(pk=zone.b1.pk)
    assert (organisation.name, organisation.unit_name) == ("东村第一党支部", "东村村委会")


def test_a_form_posted_without_its_version_is_refused(zone, users):
    client, url = logged_in(users.town_admin), reverse("branches:update", args=[zone.b1.pk])
    data = opened_form(client, url)
    del data["version"]
    with translation.override("zh-hans"):
        response = client.post(url, data | {"name": "东村第一党支部"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "提交的表单缺少打开时的记录版本，本次未保存：请重新加载页面后再修改。"
    ]
    assert Organisation.objects.get(pk=zone.b1.pk).name == zone.b1.name


def test_member_second_save_names_who_changed_it(zone, users):
    member = editable_member(zone)
    url = reverse("members:update", args=[member.pk])
    first, second = save_both(
        logged_in(users.branch_admin),
        logged_in(users.town_admin),
        url,
        {"phone": "13800138000"},
        {"work_unit": "东村村委会"},
    )
    member.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [changed_by(users.branch_admin, member.updated_at)]
    assert second.context["form"]["work_unit"].value() == "东村村委会"
    assert (member.phone, member.work_unit) == ("13800138000", "")
    assert member.events.count() == 1


def test_member_status_change_refused_after_an_edit(zone, users):
    member = editable_member(zone)
    status_url, edit_url = reverse("members:status", args=[member.pk]), reverse("members:update", args=[member.pk])
    second = logged_in(users.town_admin)
    status_data = opened_form(second, status_url) | {
        "status": MemberStatus.DECEASED,
        "on": "2024-02-01",
        "reason": "病故",
    }
    first = logged_in(users.branch_admin)
    assert first.post(edit_url, opened_form(first, edit_url) | {"phone": "13800138000"}).status_code == 302
    with translation.override("zh-hans"):
        response = second.post(status_url, status_data)
    member.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [changed_by(users.branch_admin, member.updated_at)]
    assert response.context["form"]["reason"].value() == "病故"
    assert member.status == MemberStatus.ACTIVE


def test_meeting_correction_refused_after_another(zone, users):
    a = zone.b1_members[0]
    meeting = assessment_services.meeting_record(
        organisation=zone.b1,
        data={
            "kind": MeetingKind.GENERAL,
            "held_on": datetime.date(2024, 3, 15),
            "place": "党员活动室",
            "topic": "学习新党章",
            "chaired_by": a,
        },
        attendance={m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members},
    )
    url = reverse("assessments:meeting_update", args=[meeting.pk])
    first, second = save_both(
        logged_in(users.branch_admin), logged_in(users.town_admin), url, {"topic": "学习党章"}, {"place": "村部会议室"}
    )
    meeting.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [changed_at(meeting.updated_at)]
    assert (meeting.topic, meeting.place) == ("学习党章", "党员活动室")


def test_evaluation_recorded_by_another_after_the_form_opened(zone, users):
    url = reverse("assessments:evaluation_edit", args=[zone.b1.pk, 2024])
    graded = {f"{f}_{m.pk}": "qualified" for m in zone.b1_members for f in GRADES} | {"held_on": "2024-06-20"}
    first, second = save_both(
        logged_in(users.branch_admin), logged_in(users.town_admin), url, graded, graded | {"held_on": "2024-06-21"}
    )
    evaluation = Evaluation.objects.get()
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [changed_at(evaluation.updated_at)]
    assert evaluation.held_on == datetime.date(2024, 6, 20)


def test_venue_standards_refused_after_another_check(zone, users):
    venue = assessment_services.venue_create(
        organisation=zone.v1, data={"kind": VenueKind.ACTIVITY_VENUE, "name": "东村党员活动室", "address": "村部"}
    )
    url = reverse("assessments:venue_checks", args=[venue.pk])
    first, second = save_both(
        logged_in(users.town_admin),
        logged_in(users.bureau),
        url,
        {"checked_on": "2024-05-06", "met_sign": "on", "note_sign": "门口挂牌"},
        {"checked_on": "2024-05-07", "met_place": "on", "note_place": "两间房"},
    )
    last = VenueCheck.objects.order_by("-updated_at").first()
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [changed_by(users.town_admin, last.updated_at)]
    assert sorted(VenueCheck.objects.filter(is_met=True).values_list("standard", flat=True)) == [SixStandard.SIGN]


def test_activity_budget_refused_after_another(zone, users):
    unit = make_org(
        zone.t1,
        OrganisationKind.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="NP9",
        unit_name="甲公司",
        wage_bill=Decimal(100000),
    )
    url = reverse("funding:activity_budget", args=[unit.pk, 2024])
    first, second = save_both(
        logged_in(users.town_admin), logged_in(users.bureau), url, {"budget": "600"}, {"budget": "700"}
    )
    row = ActivityFundBudget.objects.get()
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [changed_by(users.town_admin, row.recorded_at)]
    assert second.context["form"]["budget"].value() == "700"
    assert (row.budget, row.recorded_by) == (Decimal("600.00"), users.town_admin)


def test_dues_bases_refused_after_another(zone, users):
    url = reverse("funding:dues_bases", args=[zone.b1.pk, 2024])
    incomes = {f"income_{m.pk}": "5000" for m in zone.b1_members}
    first, second = save_both(
        logged_in(users.branch_admin), logged_in(users.town_admin), url, incomes, {key: "6000" for key in incomes}
    )
    last = DuesBase.objects.order_by("-recorded_at").first()
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [changed_by(users.branch_admin, last.recorded_at)]
    assert set(DuesBase.objects.values_list("monthly_income", flat=True)) == {Decimal("5000.00")}


def test_policy_revision_refused_after_another(users):
    effective = timezone.localdate() + datetime.timedelta(days=30)
    revision = portal_services.policy_revision_save(name="调整", effective_from=effective, source="通知", values={})
    url = reverse("policy_revision_update", args=[revision.pk])
    other = UserFactory(role=users.sysadmin.role, is_staff=True)
    first, second = save_both(
        logged_in(users.sysadmin), logged_in(other), url, {"name": "年中调整"}, {"note": "补充说明"}
    )
    assert (first.status_code, second.status_code) == (302, 200)
    assert second.context["form"].non_field_errors() == [f"您打开本页后，他人修改了这条记录，{RELOAD}"]
    assert PolicyRevision.objects.values_list("name", "note").get(pk=revision.pk) == ("年中调整", "")


def _in_thread(target) -> threading.Thread:
    """Run `target` in a thread with its own database connection, closed at the end."""

    def run():
        try:
            with translation.override("zh-hans"):
                target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _race(first_save, second_save) -> list:
    """The first save holds its transaction open; the second starts meanwhile and must wait for the
    first's row lock. Answers what the second raised (or returned)."""
    assert connection.vendor == "postgresql"  # a real row lock: fails, never skips, without PostgreSQL
    saved, release, outcome = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                first_save()
                saved.set()
                release.wait(10)
        except Exception as exc:  # reported by the test, not lost in the thread
            outcome.append(exc)
            saved.set()

    def second():
        try:
            outcome.append(second_save())
        except ValidationError as exc:
            outcome.append(exc.messages)

    one = _in_thread(first)
    assert saved.wait(10)
    assert outcome == []  # the first save went through
    two = _in_thread(second)
    two.join(0.5)
    waited = two.is_alive()  # blocked on the lock the first save holds
    release.set()
    one.join(10)
    two.join(10)
    assert waited is True
    return outcome


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_member_race_on_postgresql_second_waits_then_is_refused(zone, users):
    member = editable_member(zone)
    version = version_of(member.updated_at)
    outcome = _race(
        lambda: member_services.member_update(
            member=member, data={"phone": "13800138000"}, user=users.branch_admin, version=version
        ),
        lambda: member_services.member_update(
            member=member, data={"work_unit": "东村村委会"}, user=users.town_admin, version=version
        ),
    )
    member.refresh_from_db()
    assert outcome == [[changed_by(users.branch_admin, member.updated_at)]]
    assert (member.phone, member.work_unit) == ("13800138000", "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_first_evaluation_race_on_postgresql_one_recorded_the_other_refused(zone, users):
    def record(day):
        results = {m.pk: dict.fromkeys(GRADES, "qualified") for m in zone.b1_members}
        return assessment_services.evaluation_record(
            organisation=zone.b1, year=2024, held_on=day, results=results, user=users.branch_admin, version=NEW
        )

    outcome = _race(lambda: record(datetime.date(2024, 6, 20)), lambda: record(datetime.date(2024, 6, 21)))
    evaluation = Evaluation.objects.get()
    assert outcome == [[changed_at(evaluation.updated_at)]]
    assert evaluation.held_on == datetime.date(2024, 6, 20)
