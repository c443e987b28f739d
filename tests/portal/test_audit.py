"""The audit trail and the separation of duties (issue 7): every change with before and after, logins,
exports and imports logged; the trail read by bureau staff and auditors only, never changed, kept six
months; the system administrator keeps accounts and parameters and sees no records; the password again
before an export with ID numbers in full."""

import datetime
import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, models, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services as assessment_services
from assessments.compliance import engine
from assessments.compliance.services import finding_waive
from assessments.enums import AttendanceStatus, MeetingKind
from assessments.models import Finding, FindingStage, Meeting
from branches import services as branch_services
from branches.enums import OrganisationKind, Sector
from branches.models import Organisation
from core import audit, reauth
from core.enums import AuditAction
from core.idcard import id_make
from core.models import AuditEntry
from core.tasks import audit_purge
from funding.selectors import activity as activity_selectors
from funding.services import welfare
from members import services as member_services
from members.enums import MemberCategory
from members.models import Member, MemberEvent, Membership
from tests.uploads import jpeg

pytestmark = pytest.mark.django_db
NUMBER = id_make(area="430104", born=datetime.date(1985, 3, 9), sequence=7, male=True)


def entries(action=None, model=None):
    found = AuditEntry.objects.order_by("pk")
    if action:
        found = found.filter(action=action)
    if model:
        found = found.filter(model=model)
    return list(found)


def last(action, model=None) -> AuditEntry:
    return entries(action, model)[-1]


# Creates, updates and deletes, with before and after.


def test_member_create_update_delete_leave_entries_with_before_and_after(zone, users):
    with audit.acting_as(users.branch_admin):
        member = member_services.member_create(
            organisation=zone.b1,
            user=users.branch_admin,
            data={
                "name": "曾小明",
                "id_number": NUMBER,
                "joined_on": datetime.date(2010, 7, 1),
                "category": MemberCategory.FULL,
                "phone": "13800138000",
            },
        )
        created = last(AuditAction.CREATE, "members.member")
        member_services.member_update(
            member=member,
            user=users.branch_admin,
            data={
                "name": "曾晓明",
                "id_number": NUMBER,
                "joined_on": datetime.date(2010, 7, 1),
                "category": MemberCategory.FULL,
                "phone": "13900139000",
            },
        )
        updated = last(AuditAction.UPDATE, "members.member")
    # Members are never deleted by the portal (their status changes); an operator's deletion is logged too.
    MemberEvent.objects.filter(member=member).delete()
    Membership.objects.filter(member=member).delete()
    Member.objects.get(pk=member.pk).delete()
    deleted = last(AuditAction.DELETE, "members.member")
    assert (created.username, created.object_pk, created.object_repr) == (
        users.branch_admin.username,
        str(member.pk),
        "曾小明",
    )
    assert created.changes["name"] == [None, "曾小明"]
    # ID numbers and phones stay masked in the trail; the change still shows.
    assert created.changes["id_number"] == [None, "430104********" + NUMBER[-4:]]
    assert updated.changes == {"name": ["曾小明", "曾晓明"], "phone": ["138****8000", "139****9000"]}
    assert deleted.changes["name"] == ["曾晓明", None]
    assert deleted.username == ""  # nobody logged in: the system


def test_organisation_create_update_delete_through_the_pages_name_the_user_and_address(zone, users, client_for):
    client = client_for(users.town_admin)
    data = {"code": "NEWB", "name": "东村第3党支部", "kind": OrganisationKind.BRANCH, "sector": Sector.VILLAGE}
    assert client.post(reverse("branches:create", args=[zone.v1.pk]), data).status_code == 302
    organisation = Organisation.objects.get(code="NEWB")
    with audit.acting_as(users.town_admin):
        branch_services.organisation_update(organisation=organisation, data={"name": "东村第三党支部"})
    assert client.post(reverse("branches:delete", args=[organisation.pk])).status_code == 302
    created = last(AuditAction.CREATE, "branches.organisation")
    updated = last(AuditAction.UPDATE, "branches.organisation")
    deleted = last(AuditAction.DELETE, "branches.organisation")
    assert (created.user, created.ip, created.object_pk) == (users.town_admin, "127.0.0.1", str(organisation.pk))
    assert (created.changes["code"], created.changes["kind"]) == ([None, "NEWB"], [None, "branch"])
    assert updated.changes == {"name": ["东村第3党支部", "东村第三党支部"]}
    assert (deleted.username, deleted.changes["code"]) == (users.town_admin.username, ["NEWB", None])


def test_organisation_move_is_logged_with_the_superior_before_and_after(zone, users):
    with audit.acting_as(users.bureau):
        branch_services.organisation_move(organisation=zone.b2, new_parent=zone.t2, user=users.bureau)
    moved = last(AuditAction.UPDATE, "branches.organisation")
    assert (moved.object_pk, moved.changes, moved.username) == (
        str(zone.b2.pk),
        {"parent": ["V1", "T2"]},
        users.bureau.username,
    )


def test_meeting_create_update_delete_leave_entries(zone, users):
    members = zone.b1_members
    data = {"kind": MeetingKind.GENERAL, "held_on": datetime.date(2024, 3, 15), "place": "党员活动室", "topic": "学习"}
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in members}
    with audit.acting_as(users.branch_admin):
        meeting = assessment_services.meeting_record(
            organisation=zone.b1, data=data, attendance=present, user=users.branch_admin
        )
        assessment_services.meeting_record(
            organisation=zone.b1,
            data={**data, "topic": "学习党章"},
            attendance=present,
            meeting=meeting,
            user=users.branch_admin,
        )
    Meeting.objects.get(pk=meeting.pk).delete()
    created = last(AuditAction.CREATE, "assessments.meeting")
    assert (created.object_pk, created.changes["topic"], created.changes["kind"]) == (
        str(meeting.pk),
        [None, "学习"],
        [None, "general"],
    )
    assert last(AuditAction.UPDATE, "assessments.meeting").changes == {"topic": ["学习", "学习党章"]}
    assert last(AuditAction.DELETE, "assessments.meeting").changes["topic"] == ["学习党章", None]


def test_welfare_payment_create_update_delete_leave_entries(zone, users):
    project = welfare.welfare_project_propose(organisation=zone.v1, year=2016, name="村道硬化", budget=50000)
    project = welfare.welfare_project_decide(
        project=project, approved=True, decided_on=datetime.date(2016, 3, 1), user=users.bureau
    )
    with audit.acting_as(users.bureau):
        payment = welfare.welfare_payment_record(
            project=project,
            paid_on=datetime.date(2016, 6, 1),
            amount=20000,
            payee="东村村民委员会",
            receipt_number="R1",
            user=users.bureau,
        )
        payment.amount = Decimal(15000)
        payment.save()
        payment.delete()
    created = last(AuditAction.CREATE, "funding.welfarepayment")
    assert (created.username, created.changes["amount"], created.changes["receipt_number"]) == (
        users.bureau.username,
        [None, "20000.00"],
        [None, "R1"],
    )
    assert last(AuditAction.UPDATE, "funding.welfarepayment").changes == {"amount": ["20000.00", "15000"]}
    assert last(AuditAction.DELETE, "funding.welfarepayment").changes["amount"] == ["15000", None]
    assert last(AuditAction.UPDATE, "funding.welfareproject").changes["state"] == ["proposed", "approved"]


def test_a_save_that_changes_nothing_leaves_no_entry(zone):
    before = AuditEntry.objects.count()
    Organisation.objects.get(pk=zone.b1.pk).save()
    assert AuditEntry.objects.count() == before


def test_the_run_writes_findings_without_entries_and_the_waiver_is_logged(zone, users):
    before = AuditEntry.objects.count()
    engine.compliance_run(year=2024, today=datetime.date(2025, 1, 10), rules=("Q-THREE-MEETINGS",), trigger="test")
    assert AuditEntry.objects.count() == before
    finding = Finding.objects.filter(organisation=zone.b1).first()
    with audit.acting_as(users.bureau):
        finding_waive(finding=finding, reason="支部当年新成立", user=users.bureau)
    waived = entries(model="assessments.finding")
    assert [(e.action, e.object_pk, e.username) for e in waived] == [
        (AuditAction.UPDATE, str(finding.pk), users.bureau.username)
    ]
    assert waived[0].changes["status"] == ["open", "waived"]
    assert waived[0].changes["waived_reason"] == ["", "支部当年新成立"]


def test_passwords_never_reach_the_trail(zone, users):
    users.auditor.set_password("Another@2024pw")
    users.auditor.save()
    changed = last(AuditAction.UPDATE, "portal.user")
    assert changed.changes == {"password": ["******", "******"]}


# Logins, failed logins, logouts.


def test_login_failed_login_and_logout_are_logged(zone, users, client):
    client.post(reverse("login"), {"username": users.town_admin.username, "password": "wrong"})
    client.post(reverse("login"), {"username": users.town_admin.username, "password": "Test@2015pw"})
    client.post(reverse("logout"))
    logged = [
        (e.action, e.username, e.user, e.ip) for e in entries() if e.action in ("login", "login_failed", "logout")
    ]
    name, user = users.town_admin.username, users.town_admin
    assert logged == [
        ("login_failed", name, user, "127.0.0.1"),
        ("login", name, user, "127.0.0.1"),
        ("logout", name, user, "127.0.0.1"),
    ]


def test_a_failed_login_of_an_unknown_name_keeps_the_name_typed(db, client):
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    failed = last(AuditAction.LOGIN_FAILED)
    assert (failed.username, failed.user) == ("nobody", None)


def test_the_login_time_alone_is_no_change(zone, users, client):
    before = AuditEntry.objects.count()
    client.post(reverse("login"), {"username": users.town_admin.username, "password": "Test@2015pw"})
    assert [e.action for e in entries()[before:]] == [AuditAction.LOGIN]


# Exports and imports.


def test_an_export_is_logged_with_its_filters_and_row_count(zone, users, client_for):
    response = client_for(users.auditor).get(reverse("members:export"), {"org": "B1", "q": ""})
    assert response.status_code == 200
    export = last(AuditAction.EXPORT)
    assert (export.model, export.username, export.extra) == (
        "members.member",
        users.auditor.username,
        {"filters": {"org": "B1", "status": "active"}, "rows": 3, "unmasked": False},
    )


def test_an_export_searched_by_id_number_or_phone_keeps_the_search_masked(zone, users, client_for):
    id_number = zone.b1_members[0].id_number
    client = client_for(users.auditor)
    assert client.get(reverse("members:export"), {"q": id_number}).status_code == 200
    assert client.get(reverse("members:export"), {"q": "13912345678"}).status_code == 200
    searches = [e.extra["filters"]["q"] for e in AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("pk")]
    assert searches == [id_number[:6] + "********" + id_number[-4:], "139****5678"]


def test_the_activity_and_dashboard_exports_are_logged(zone, users, client_for):
    client = client_for(users.bureau)
    assert client.get(reverse("funding:activity_export", args=[2016]), {"flagged": "1"}).status_code == 200
    activity = last(AuditAction.EXPORT)
    assert (activity.model, activity.extra["filters"]) == (
        "funding.activityfundbudget",
        {"flagged": True, "year": 2016},
    )
    flagged = activity_selectors.activity_rows(
        units=activity_selectors.activity_units(user=users.bureau), year=2016, flagged=True
    )
    assert activity.extra["rows"] == flagged.count()
    assert client.get(reverse("dashboard_export"), {"year": 2024}).status_code == 200
    dashboard = last(AuditAction.EXPORT)
    assert (dashboard.model, dashboard.extra["filters"]) == ("portal.dashboard", {"year": 2024})


def test_a_roster_import_is_one_entry_with_its_counts(zone, users, client_for):
    from members import imports

    roster = "姓名,公民身份号码,入党日期\n王五,11010519491231002X,1975-07-01\n赵六,坏号码,1975-07-01\n".encode()
    upload = imports.roster_upload_preview(
        content=roster, file_name="b1.csv", organisation=zone.b1, user=users.branch_admin
    )
    client = client_for(users.branch_admin)
    before = AuditEntry.objects.count()
    response = client.post(reverse("members:roster_confirm", args=[upload.pk]))
    assert response.status_code == 302
    written = entries()[before:]
    assert [(e.action, e.model, e.username) for e in written] == [
        (AuditAction.IMPORT, "members.member", users.branch_admin.username)
    ]
    assert written[0].extra == {
        "file": "b1.csv",
        "created": 1,
        "updated": 0,
        "new": 1,
        "changed": 0,
        "unchanged": 0,
        "rejected": 1,
    }


# The password again before an export with ID numbers in full.


def test_an_unmasked_export_asks_for_the_password_first(zone, users, client_for):
    client = client_for(users.bureau)
    url = reverse("members:export") + "?org=B1"
    first = client.get(url)
    assert first.status_code == 302
    assert first["Location"] == reverse("password_confirm") + "?next=%2Fmembers%2Fexport.xlsx%3Forg%3DB1"
    with translation.override("zh-hans"):
        wrong = client.post(first["Location"], {"password": "wrong"})
    assert wrong.context["form"].errors["password"] == ["密码不正确。"]
    right = client.post(first["Location"], {"password": "Test@2015pw"})
    assert right["Location"] == url
    assert client.get(url).status_code == 200
    assert [e.action for e in entries() if e.action in ("reauth", "reauth_failed", "export")] == [
        "reauth_failed",
        "reauth",
        "export",
    ]
    assert last(AuditAction.EXPORT).extra["unmasked"] is True


def test_the_confirmation_holds_five_minutes(zone, users, client_for):
    client = client_for(users.town_admin)
    client.post(reverse("password_confirm"), {"password": "Test@2015pw"})
    assert client.get(reverse("members:export")).status_code == 200
    session = client.session
    session[reauth.CONFIRMED_AT] = time.time() - reauth.VALID_SECONDS - 1
    session.save()
    assert client.get(reverse("members:export"))["Location"].startswith(reverse("password_confirm"))


def test_five_wrong_passwords_end_the_session(zone, users, client_for):
    client = client_for(users.bureau)
    for _attempt in range(reauth.MAX_FAILURES - 1):
        assert client.post(reverse("password_confirm"), {"password": "wrong"}).status_code == 200
    response = client.post(reverse("password_confirm"), {"password": "wrong"})
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_the_confirmation_goes_back_only_to_this_site(zone, users, client_for):
    client = client_for(users.bureau)
    response = client.post(reverse("password_confirm") + "?next=https://evil.example/", {"password": "Test@2015pw"})
    assert response["Location"] == reverse("home")


def test_a_masked_export_needs_no_password(zone, users, client_for):
    assert client_for(users.auditor).get(reverse("members:export")).status_code == 200


# The trail's pages: bureau staff and auditors read it; nobody changes it.


@pytest.mark.parametrize(
    ("role", "expected"),
    [("bureau", 200), ("auditor", 200), ("sysadmin", 403), ("town_admin", 403), ("branch_admin", 403)],
)
def test_the_trail_is_read_by_bureau_staff_and_auditors_only(zone, users, client_for, role, expected):
    entry = AuditEntry.objects.first()
    client = client_for(getattr(users, role))
    assert client.get(reverse("audit")).status_code == expected
    assert client.get(reverse("audit_entry", args=[entry.pk])).status_code == expected


def test_the_trail_lists_newest_first_with_filters(zone, users, client_for):
    client = client_for(users.auditor)
    with audit.acting_as(users.bureau):
        branch_services.organisation_update(organisation=zone.b2, data={"name": "东村第二党支部"})
    page = client.get(
        reverse("audit"),
        {
            "username": users.bureau.username,
            "model": "branches.organisation",
            "action": "update",
            "object_pk": str(zone.b2.pk),
        },
    )
    assert [e.changes for e in page.context["page"]] == [{"name": ["东村第2党支部", "东村第二党支部"]}]
    everything = list(client.get(reverse("audit")).context["page"])
    assert everything == sorted(everything, key=lambda e: (e.at, e.pk), reverse=True)
    today = timezone.localdate()
    none = client.get(reverse("audit"), {"date_to": str(today - datetime.timedelta(days=1))})
    assert list(none.context["page"]) == []
    today_only = client.get(reverse("audit"), {"date_from": str(today), "date_to": str(today)})
    assert list(today_only.context["page"]) == everything


def test_a_period_ending_before_it_starts_shows_nothing_and_says_why(zone, users, client_for):
    """The trail's filters (django-filter): an end day before the start is an error on the form, and the
    list is empty rather than everything."""
    today = timezone.localdate()
    with translation.override("zh-hans"):
        page = client_for(users.auditor).get(
            reverse("audit"), {"date_from": str(today), "date_to": str(today - datetime.timedelta(days=1))}
        )
    assert page.status_code == 200 and list(page.context["page"]) == []
    assert page.context["form"].errors["date_to"] and "截止日期早于起始日期" in page.content.decode()


def test_an_entry_shows_each_field_before_and_after(zone, users, client_for):
    with audit.acting_as(users.bureau):
        branch_services.organisation_update(organisation=zone.b2, data={"sector": Sector.COMMUNITY})
    entry = last(AuditAction.UPDATE, "branches.organisation")
    with translation.override("zh-hans"):
        page = client_for(users.auditor).get(reverse("audit_entry", args=[entry.pk]))
    assert [(str(label), str(before), str(after)) for label, before, after in page.context["rows"]] == [
        ("单位类别", "村", "社区")
    ]


def test_the_trail_cannot_be_changed_from_a_page(zone, users, client_for):
    entry = AuditEntry.objects.first()
    client = client_for(users.bureau)
    assert client.post(reverse("audit")).status_code == 405
    assert client.post(reverse("audit_entry", args=[entry.pk])).status_code == 405
    assert client.delete(reverse("audit_entry", args=[entry.pk])).status_code == 405


def test_the_admin_shows_the_trail_read_only_and_not_to_the_system_administrator(zone, users, client_for):
    entry_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = users.bureau
    assert (
        entry_admin.has_view_permission(request),
        entry_admin.has_add_permission(request),
        entry_admin.has_change_permission(request),
        entry_admin.has_delete_permission(request),
    ) == (True, False, False, False)
    request.user = users.sysadmin
    assert entry_admin.has_view_permission(request) is False
    entry = AuditEntry.objects.first()
    client = client_for(users.bureau)
    assert client.get(reverse("admin:portal_auditentry_changelist")).status_code == 200
    assert client.post(reverse("admin:portal_auditentry_change", args=[entry.pk]), {"username": "x"}).status_code == 403
    assert client.get(reverse("admin:portal_auditentry_delete", args=[entry.pk])).status_code == 403
    assert client.get(reverse("admin:portal_auditentry_add")).status_code == 403
    assert client_for(users.sysadmin).get(reverse("admin:portal_auditentry_changelist")).status_code == 403


def test_an_entry_refuses_every_change(zone):
    entry = AuditEntry.objects.first()
    entry.username = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_to_change_an_entry_or_delete_a_recent_one(zone):
    entry = AuditEntry.objects.first()
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET username = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).username == entry.username


# Retention.


def _aged(days: int) -> AuditEntry:
    return AuditEntry.objects.create(
        at=timezone.now() - datetime.timedelta(days=days), action=AuditAction.LOGIN, username=f"aged{days}"
    )


def test_the_purge_keeps_six_months_whatever_the_setting(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old, recent = _aged(190), _aged(180)
    assert audit_purge.delay().get() == 1
    kept = set(AuditEntry.objects.values_list("username", flat=True))
    assert (old.username in kept, recent.username in kept) == (False, True)
    purge = last(AuditAction.PURGE)
    assert purge.extra["rows"] == 1


def test_the_purge_keeps_the_retention_period(db, settings):
    settings.AUDIT_RETENTION_DAYS = 400
    _aged(390), _aged(410)
    assert audit.audit_purge() == 1
    assert sorted(AuditEntry.objects.exclude(action="purge").values_list("username", flat=True)) == ["aged390"]
    assert audit.audit_purge() == 0


def test_the_purge_is_scheduled_nightly(settings):
    assert settings.CELERY_BEAT_SCHEDULE["audit-purge"]["task"] == "portal.audit_purge"


# Separation of duties (三员分立).


def test_the_system_administrator_sees_no_records_and_no_trail(zone, users, client_for):
    client = client_for(users.sysadmin)
    for url in (
        reverse("members:list"),
        reverse("branches:tree"),
        reverse("dashboard"),
        reverse("funding:home"),
        reverse("assessments:findings"),
        reverse("audit"),
        reverse("members:export"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("members:detail", args=[zone.b1_members[0].pk])).status_code == 404
    home = client.get(reverse("home"))
    assert (home.status_code, "portal.view" in home.context["perms"]) == (200, False)
    assert client.get(reverse("policy")).status_code == 200
    assert client.get(reverse("account_list")).status_code == 200


def test_the_system_administrator_creates_accounts_and_the_bureau_cannot(zone, users, client_for):
    data = {
        "username": "audit2",
        "full_name": "审计员乙",
        "role": "auditor",
        "organisation_code": "",
        "password": "Shen@2024ji",
    }
    assert client_for(users.bureau).post(reverse("account_create"), data).status_code == 403
    assert client_for(users.sysadmin).post(reverse("account_create"), data).status_code == 302
    created = last(AuditAction.CREATE, "portal.user")
    assert (created.username, created.changes["password"], "role" in created.changes) == (
        users.sysadmin.username,
        [None, "******"],
        False,
    )
    # Issue 13: the role is proposed, and in force once a second system administrator confirms it.
    proposed = last("portal.user.role_proposed", "portal.user")
    assert (proposed.username, proposed.object_pk, proposed.changes["role"]) == (
        users.sysadmin.username,
        created.object_pk,
        [None, "auditor"],
    )


def test_the_auditor_reads_the_trail_and_edits_nothing(zone, users, client_for):
    client = client_for(users.auditor)
    assert client.get(reverse("audit")).status_code == 200
    assert client.post(reverse("members:update", args=[zone.b1_members[0].pk]), {}).status_code == 403
    assert client.get(reverse("account_list")).status_code == 403
    assert client.get(reverse("policy_revision_create")).status_code == 403


def test_the_admin_gives_accounts_to_the_system_administrator_and_records_to_the_bureau(zone, users, client_for):
    sysadmin = client_for(users.sysadmin)
    assert sysadmin.get(reverse("admin:portal_user_changelist")).status_code == 200
    assert sysadmin.get(reverse("admin:members_member_changelist")).status_code == 403
    bureau = client_for(users.bureau)
    assert bureau.get(reverse("admin:portal_user_changelist")).status_code == 403
    assert bureau.get(reverse("admin:members_member_changelist")).status_code == 200


def test_a_task_acts_for_the_user_it_was_started_by(zone, users):
    with audit.acting_as(users.town_admin):
        branch_services.organisation_update(organisation=zone.v1, data={"name": "东村总支"})
    assert last(AuditAction.UPDATE, "branches.organisation").username == users.town_admin.username


def test_a_bulk_operation_leaves_one_entry(zone):
    before = AuditEntry.objects.count()
    with audit.suppressed():
        Organisation.objects.filter(pk=zone.b2.pk).first().delete()
    audit.log_action(action=AuditAction.BULK, model="portal.demo", extra={"organisations": 1})
    assert [(e.action, e.extra) for e in entries()[before:]] == [("bulk", {"organisations": 1})]


def test_photos_are_kept_by_name_only(zone, users):
    venue = assessment_services.venue_create(
        organisation=zone.b1, data={"kind": "activity_venue", "name": "活动室", "address": "村部"}
    )
    photo = jpeg("党旗.jpg")
    rows = assessment_services.venue_checks_record(
        venue=venue, checked_on=datetime.date(2024, 3, 3), checks={"flag": (True, "", photo)}
    )
    flag = next(row for row in rows if row.standard == "flag")
    check = AuditEntry.objects.get(action=AuditAction.CREATE, model="assessments.venuecheck", object_pk=str(flag.pk))
    assert check.changes["photo"] == [None, flag.photo.name]


def test_no_entry_for_the_models_the_portal_keeps_for_itself():
    labels = {m._meta.label_lower for m in audit.audited_models()}
    assert labels.isdisjoint(
        {
            "assessments.compliancerun",
            "assessments.findingstage",
            "assessments.ruletally",
            "members.rosterupload",
            "members.memberevent",
            "sessions.session",
        }
    )
    assert {
        "members.member",
        "branches.organisation",
        "assessments.meeting",
        "funding.welfarepayment",
        "portal.user",
        "portal.policyrevision",
        "portal.policyvalue",
    } <= labels


def test_models_are_still_deleted_fast_where_not_audited():
    assert models.signals.post_delete.has_listeners(FindingStage) is False


@pytest.mark.parametrize("extra", [5, 40])
def test_the_trail_page_reads_in_a_fixed_number_of_queries(zone, users, client_for, django_assert_num_queries, extra):
    client = client_for(users.auditor)
    AuditEntry.objects.bulk_create(
        AuditEntry(action=AuditAction.UPDATE, model="members.member", object_pk=str(n), changes={"name": ["甲", "乙"]})
        for n in range(extra)
    )
    with django_assert_num_queries(4):  # session, user, count, page
        assert client.get(reverse("audit")).status_code == 200
