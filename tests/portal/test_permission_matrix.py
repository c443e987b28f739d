"""Every URL of the portal x every role x an object inside and outside the role's scope.

The list of URLs comes from the URL configuration itself: a new view that is not declared in
VIEWS fails `test_every_url_is_in_the_matrix`, and a declared view that forgets to scope its
object answers 200 instead of 404 for the outside object and fails the matrix.
"""

import datetime
import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments import services as assessment_services
from assessments.compliance import engine
from assessments.models import DoubleStrongApplication, Finding
from branches.enums import OrganisationKind, Sector
from core.models import AuditEntry, PolicyRevision
from core.permissions import PERMISSIONS
from core.scoping import for_user
from members import community, imports, mobile
from tests.factories import make_org
from tests.uploads import jpeg, pdf

pytestmark = pytest.mark.django_db

# Django's own views, tested separately (the admin: ADMIN_URLS below; password change:
# tests/portal/test_security.py) or not ours to scope (language switch).
NOT_OURS = {"admin", "set_language", "login", "logout", "password_change"}

# name → (permission, which object the URL takes: None, "org", "post", "account")
VIEWS = {
    "home": ("signed_in", None),
    "password_confirm": ("signed_in", None),
    "audit": ("audit", None),
    "audit_entry": ("audit", "audit_entry"),
    "account_list": ("accounts", None),
    "account_create": ("accounts", None),
    "account_update": ("accounts", "account"),
    "branches:tree": ("view", None),
    "branches:detail": ("view", "org"),
    "branches:children": ("view", "org"),
    "branches:create": ("edit", "org"),
    "branches:update": ("edit", "org"),
    "branches:move": ("edit", "org"),
    "branches:dissolve": ("edit", "org"),
    "branches:delete": ("edit", "org"),
    "branches:post_create": ("edit", "org"),
    "branches:post_end": ("edit", "post"),
    "members:list": ("view", None),
    "members:detail": ("view", "member"),
    "members:update": ("edit", "member"),
    "members:status": ("edit", "member"),
    "members:create": ("edit", "org"),
    "members:transfer": ("edit", "member"),
    "members:full": ("edit", "member"),
    "members:pipeline": ("view", "org"),
    "members:candidate_create": ("edit", "org"),
    "members:candidate_step": ("edit", "candidate"),
    "members:mobile_list": ("view", None),
    "members:export": ("view", None),
    "members:roster_import": ("edit", None),
    "members:roster_template": ("view", None),
    "members:roster_upload": ("view", "upload"),
    "members:roster_confirm": ("edit", "upload"),
    "members:roster_progress": ("view", "upload"),
    "assessments:year": ("view", "org"),
    "assessments:meeting_create": ("edit", "org"),
    "assessments:meeting": ("view", "meeting"),
    "assessments:meeting_update": ("edit", "meeting"),
    "assessments:attachment": ("view", "attachment"),
    "assessments:training_batch": ("edit", "org"),
    "assessments:member_study": ("view", "member"),
    "assessments:training_delete": ("edit", "training"),
    "assessments:talks": ("view", "org"),
    "assessments:talks_create": ("edit", "org"),
    "assessments:evaluation": ("view", "org"),
    "assessments:evaluation_edit": ("edit", "org"),
    "assessments:venues": ("view", "org"),
    "assessments:venue_create": ("edit", "org"),
    "assessments:venue": ("view", "venue"),
    "assessments:venue_checks": ("edit", "venue"),
    "assessments:venue_inspect": ("bureau", "venue"),
    "assessments:venue_photo": ("view", "venue_check"),
    "assessments:leadership": ("view", "org"),
    "assessments:leadership_days": ("edit", "org"),
    "assessments:pledge_create": ("edit", "org"),
    "assessments:decision_create": ("edit", "org"),
    "assessments:deliberations": ("view", "org"),
    "assessments:deliberation_create": ("edit", "org"),
    "assessments:deliberation": ("view", "matter"),
    "assessments:reports": ("view", "org"),
    "assessments:report_create": ("edit", "org"),
    "assessments:congress_create": ("edit", "org"),
    "assessments:partnerships": ("view", "org"),
    "assessments:pairing_create": ("edit", "org"),
    "assessments:grid_create": ("edit", "org"),
    "assessments:double_strong_apply": ("edit", "org"),
    "assessments:double_strong_decide": ("bureau", "application"),
    "members:community_register": ("edit", "member"),
    "members:community": ("view", "org"),
    "members:community_service": ("edit", "registration"),
    "members:mobile_outflow": ("edit", "member"),
    "members:mobile_inflow": ("edit", "org"),
    "members:mobile_detail": ("view", "mobile"),
    "members:mobile_return": ("edit", "mobile"),
    "members:mobile_zone": ("view", None),
    "members:mobile_export": ("view", None),
    "members:mobile_organisation": ("view", "org"),
    "members:mobile_decision": ("edit", "mobile"),
    "members:mobile_dues": ("edit", "mobile"),
    "policy": ("signed_in", None),
    "policy_revision_create": ("parameters", None),
    "policy_revision_update": ("parameters", "revision"),
    "dashboard": ("dashboard", None),
    "funding:home": ("view", None),
    "dashboard_export": ("dashboard", None),
    "assessments:rules": ("view", None),
    "assessments:runs": ("view", None),
    "assessments:run_progress": ("view", "run"),
    "assessments:findings": ("view", None),
    "assessments:findings_export": ("view", None),
    "assessments:finding": ("view", "finding"),
    "assessments:org_findings": ("view", "org"),
    "assessments:performance": ("view", "org"),
}

# Pages that only read answer POST with 405 once the user is let in.
READ_ONLY = {
    "home",
    "account_list",
    "branches:tree",
    "branches:detail",
    "branches:children",
    "members:list",
    "members:detail",
    "members:pipeline",
    "members:mobile_list",
    "members:mobile_zone",
    "members:mobile_export",
    "members:mobile_organisation",
    "members:community",
    "members:export",
    "members:roster_template",
    "members:roster_upload",
    "members:roster_progress",
    "assessments:year",
    "assessments:meeting",
    "assessments:attachment",
    "assessments:member_study",
    "assessments:talks",
    "assessments:evaluation",
    "assessments:venues",
    "assessments:venue",
    "assessments:venue_photo",
    "assessments:leadership",
    "assessments:deliberations",
    "assessments:reports",
    "assessments:partnerships",
}
# Actions that take only a POST and redirect when done.
READ_ONLY |= {
    "audit",
    "audit_entry",
    "policy",
    "funding:home",
    "dashboard",
    "dashboard_export",
    "assessments:rules",
    "assessments:run_progress",
    "assessments:findings",
    "assessments:findings_export",
    "assessments:org_findings",
    "assessments:performance",
}
POST_ONLY = {"members:roster_confirm", "assessments:training_delete"}
# Exports with ID numbers in full send the roles that see them to confirm their password first (issue 7).
PASSWORD_FIRST = {"members:export", "members:mobile_export", "ledgers:member_card"}
# URL arguments besides the object's pk.
EXTRA_KWARGS = {
    name: {"year": 2024}
    for name in (
        "assessments:year",
        "assessments:member_study",
        "assessments:talks",
        "assessments:evaluation",
        "assessments:evaluation_edit",
        "assessments:leadership",
        "assessments:reports",
        "assessments:report_create",
        "assessments:performance",
    )
}
# Pages that show to every role but take a POST only from those who may edit.
POST_PERMISSION = {
    "members:mobile_detail": "edit",
    "assessments:deliberation": "edit",
    "assessments:runs": "bureau",
    "assessments:finding": "bureau",
}

# The areas that keep their own part of the matrix beside their tests: VIEWS, READ_ONLY, POST_ONLY,
# EXTRA_KWARGS, POST_PERMISSION and objects(zone) -> {kind: (inside, outside)}.
AREAS = [
    importlib.import_module(name)
    for name in (
        "tests.funding.matrix_activity",
        "tests.funding.matrix_welfare",
        "tests.funding.matrix_dues",
        "tests.funding.matrix_aid",
        "tests.assessments.matrix_weak",
        "tests.assessments.matrix_reports",
        "tests.portal.matrix_ledgers",
    )
]
AREA_OF = {}
for _area in AREAS:
    VIEWS.update(_area.VIEWS)
    READ_ONLY |= set(_area.READ_ONLY)
    POST_ONLY |= set(_area.POST_ONLY)
    EXTRA_KWARGS.update(_area.EXTRA_KWARGS)
    POST_PERMISSION.update(_area.POST_PERMISSION)
    AREA_OF.update(dict.fromkeys(_area.VIEWS, _area))

ROLES = ["anonymous", "bureau", "auditor", "sysadmin", "town_admin", "branch_admin"]


def _names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns == "admin" or entry.pattern.describe().startswith("'i18n/"):
                continue
            yield from _names(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


@pytest.fixture(autouse=True)
def mobile_records(request):
    """The records the URLs take, one inside every scope (in B1) and one outside the org admins' (in B3)."""
    if "zone" not in request.fixturenames:
        return
    zone = request.getfixturevalue("zone")
    day = datetime.date(2025, 1, 5)
    zone.b1_mobile = mobile.mobile_outflow_record(member=zone.b1_members[2], since=day, place="深圳")
    zone.b3_mobile = mobile.mobile_outflow_record(member=zone.b3_members[1], since=day, place="广州")
    # Community registrations: B1's member with a community under T1, B3's with one under T2.
    c1 = make_org(zone.v1, OrganisationKind.BRANCH, sector=Sector.COMMUNITY, code="MC1")
    c3 = make_org(zone.t2, OrganisationKind.BRANCH, sector=Sector.COMMUNITY, code="MC3")
    zone.b1_registration = community.community_register(member=zone.b1_members[0], community=c1, on=day)
    zone.b3_registration = community.community_register(member=zone.b3_members[0], community=c3, on=day)
    # Uploads, meetings (with a sign-in sheet) and study-hour entries in B1 and B3, for the pages that show them.
    name = getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "")
    zone.area_objects = AREA_OF[name].objects(zone) if name in AREA_OF else {}
    if name.startswith("audit"):
        zone.audit_entry = AuditEntry.objects.order_by("pk").first()
    if name.startswith("policy_revision"):
        zone.revision = PolicyRevision.objects.create(
            name="2030年调整", effective_from=datetime.date(2030, 1, 1), source="测试"
        )
    if name.startswith(("dashboard", "assessments:run", "assessments:finding", "assessments:org_findings")):
        zone.run = engine.compliance_run(year=2024, today=datetime.date(2025, 1, 10), rules=("Q-THREE-MEETINGS",))
        zone.b1_finding = Finding.objects.filter(organisation=zone.b1).first()
        zone.b3_finding = Finding.objects.filter(organisation=zone.b3).first()
    if name.startswith("members:roster"):
        roster = "姓名,公民身份号码,入党日期\n王五,11010519491231002X,1975-07-01\n".encode()
        zone.b1_upload = imports.roster_upload_preview(
            content=roster, file_name="b1.csv", organisation=zone.b1, user=None
        )
        zone.b3_upload = imports.roster_upload_preview(
            content=roster, file_name="b3.csv", organisation=zone.b3, user=None
        )
    if not name.startswith("assessments:"):
        return
    for branch, members in (("b1", zone.b1_members), ("b3", zone.b3_members)):
        sheet = pdf("签到表.pdf")
        meeting = assessment_services.meeting_record(
            organisation=getattr(zone, branch),
            attendance={m.pk: ("present", "") for m in members},
            attachments=[sheet],
            data={"kind": "general", "held_on": datetime.date(2024, 3, 1), "place": "活动室", "topic": "学习"},
        )
        setattr(zone, f"{branch}_meeting", meeting)
        setattr(zone, f"{branch}_attachment", meeting.attachments.get())
        entries = assessment_services.training_batch_record(
            organisation=getattr(zone, branch),
            kind="course",
            title="培训",
            held_on=datetime.date(2024, 3, 2),
            hours=4,
            member_ids=[members[0].pk],
        )
        setattr(zone, f"{branch}_training", entries[0])
        venue = assessment_services.venue_create(
            organisation=getattr(zone, branch), data={"kind": "activity_venue", "name": "活动室", "address": "村部"}
        )
        photo = jpeg("党旗.jpg")
        checks = assessment_services.venue_checks_record(
            venue=venue, checked_on=datetime.date(2024, 3, 3), checks={"flag": (True, "", photo)}
        )
        village = (
            zone.b1
            if branch == "b1"
            else make_org(zone.t2, OrganisationKind.GENERAL_BRANCH, sector=Sector.VILLAGE, code="MV3")
        )
        setattr(
            zone,
            f"{branch}_matter",
            assessment_services.village_matter_create(
                organisation=village, title="修路", proposed_on=datetime.date(2024, 3, 1)
            ),
        )
        setattr(zone, f"{branch}_venue", venue)
        setattr(
            zone,
            f"{branch}_application",
            DoubleStrongApplication.objects.create(
                organisation=getattr(zone, branch), year=2024, applied_on=datetime.date(2024, 3, 1)
            ),
        )
        setattr(zone, f"{branch}_venue_check", next(c for c in checks if c.standard == "flag"))


def test_every_url_is_in_the_matrix():
    names = set(_names()) - NOT_OURS
    assert sorted(names - set(VIEWS)) == []
    assert sorted(set(VIEWS) - names) == []


def _objects(zone, users, where):
    """The object inside every role's scope (B1, under T1) and the one outside the org admins' (B3, under T2)."""
    if where == "inside":
        return {
            "org": zone.b1,
            "post": zone.secretary,
            "account": users.other_admin,
            "member": zone.b1_members[0],
            "candidate": zone.b1_candidate,
            "mobile": zone.b1_mobile,
            "registration": zone.b1_registration,
            "upload": getattr(zone, "b1_upload", None),
            "meeting": getattr(zone, "b1_meeting", None),
            "attachment": getattr(zone, "b1_attachment", None),
            "training": getattr(zone, "b1_training", None),
            "venue": getattr(zone, "b1_venue", None),
            "venue_check": getattr(zone, "b1_venue_check", None),
            "matter": getattr(zone, "b1_matter", None),
            "application": getattr(zone, "b1_application", None),
            "revision": getattr(zone, "revision", None),
            "audit_entry": getattr(zone, "audit_entry", None),
            "run": getattr(zone, "run", None),
            "finding": getattr(zone, "b1_finding", None),
            **{kind: pair[0] for kind, pair in zone.area_objects.items()},
        }
    return {
        "org": zone.b3,
        "post": zone.b3_post,
        "account": users.other_admin,
        "member": zone.b3_members[0],
        "candidate": zone.b3_candidate,
        "mobile": zone.b3_mobile,
        "registration": zone.b3_registration,
        "upload": getattr(zone, "b3_upload", None),
        "meeting": getattr(zone, "b3_meeting", None),
        "attachment": getattr(zone, "b3_attachment", None),
        "training": getattr(zone, "b3_training", None),
        "venue": getattr(zone, "b3_venue", None),
        "venue_check": getattr(zone, "b3_venue_check", None),
        "matter": getattr(zone, "b3_matter", None),
        "application": getattr(zone, "b3_application", None),
        "revision": getattr(zone, "revision", None),
        "audit_entry": getattr(zone, "audit_entry", None),
        "run": getattr(zone, "run", None),
        "finding": getattr(zone, "b3_finding", None),
        **{kind: pair[1] for kind, pair in zone.area_objects.items()},
    }


# Objects without an organisation (accounts, policy revisions, runs, audit entries) are not scoped; every other one is.
UNSCOPED_KINDS = frozenset({"account", "revision", "run", "audit_entry"})


def _in_scope(obj, user) -> bool:
    """Whether the scoping function lets the user see the object (the same call every view makes)."""
    return for_user(type(obj).objects.filter(pk=obj.pk), user).exists()


def _expected(role, permission, obj_kind, obj, user):
    if role == "anonymous":
        return 302
    role_value = {
        "bureau": "bureau",
        "auditor": "auditor",
        "sysadmin": "sysadmin",
        "town_admin": "org_admin",
        "branch_admin": "org_admin",
    }[role]
    # The scope is checked first: an object outside it is 404 even where the role lacks the permission.
    if obj_kind and obj_kind not in UNSCOPED_KINDS and not _in_scope(obj, user):
        return 404
    if role_value not in PERMISSIONS[permission]:
        return 403
    return 200


CASES = [
    (name, role, where, method)
    for name, (permission, obj_kind) in VIEWS.items()
    for role in ROLES
    for where in (["inside", "outside"] if obj_kind else ["inside"])
    for method in ("get", "post")
]


def test_matrix_size():
    # URL x role x scope x method; printed in the closing note.
    assert len(CASES) == 2784


def _check(zone, users, client, name, role, where, method) -> str | None:
    """One case: the answer the URL gives the role for the object inside or outside its scope; the
    failure in words, or None."""
    permission, obj_kind = VIEWS[name]
    obj = _objects(zone, users, where)[obj_kind] if obj_kind else None
    kwargs = {"pk": obj.pk} if obj_kind else {}
    kwargs.update(EXTRA_KWARGS.get(name, {}))
    url = reverse(name, kwargs=kwargs)
    user = getattr(users, role) if role != "anonymous" else None
    client.logout()
    if user is not None:
        client.force_login(user)
    if method == "post":
        permission = POST_PERMISSION.get(name, permission)
    # Before the request: a POST-only action (a deletion) may remove the object.
    expected = _expected(role, permission, obj_kind, obj, user)
    # An empty POST never completes a form, so nothing is written; the status says who got in.
    response = getattr(client, method)(url)
    if response.streaming:  # reading a file response (attachments) to its end closes its file
        b"".join(response.streaming_content)
    if name in READ_ONLY and method == "post" and expected == 200:
        expected = 405
    if name in POST_ONLY and expected == 200:
        expected = 405 if method == "get" else 302
    password_first = name in PASSWORD_FIRST and method == "get" and expected == 200 and role != "auditor"
    if password_first:
        expected = 302
    if response.status_code != expected:
        return f"{method.upper()} {url} as {role} ({where}): {response.status_code}, expected {expected}"
    if expected == 302 and role == "anonymous" and not response["Location"].startswith(reverse("login")):
        return f"{method.upper()} {url} as anonymous: redirected to {response['Location']}, not the login page"
    if password_first and not response["Location"].startswith(reverse("password_confirm")):
        return f"GET {url} as {role}: redirected to {response['Location']}, not the password confirmation"
    return None


# The zone and the records are made once per URL and scope, and every role and method is tried on
# them (an empty POST writes nothing); a POST-only action, which may delete its object, gets its own.
GROUPED = [
    (name, where)
    for name, role, where, method in CASES
    if name not in POST_ONLY and role == "anonymous" and method == "get"
]
SINGLE = [case for case in CASES if case[0] in POST_ONLY]


@pytest.mark.parametrize(("name", "where"), GROUPED)
def test_permission_matrix(zone, users, client, name, where):
    failures = [
        failure
        for role in ROLES
        for method in ("get", "post")
        if (failure := _check(zone, users, client, name, role, where, method))
    ]
    assert failures == []


@pytest.mark.parametrize(("name", "role", "where", "method"), SINGLE)
def test_permission_matrix_of_actions(zone, users, client, name, role, where, method):
    assert _check(zone, users, client, name, role, where, method) is None


def test_every_case_is_checked():
    assert len(GROUPED) * len(ROLES) * 2 + len(SINGLE) == len(CASES)


@pytest.mark.parametrize(
    ("role", "expected"), [("bureau", 200), ("auditor", 302), ("sysadmin", 403), ("town_admin", 302)]
)
def test_admin_site_is_for_bureau_only(zone, users, client, role, expected):
    client.force_login(getattr(users, role))
    response = client.get(reverse("admin:branches_organisation_changelist"))
    assert response.status_code == expected


# The Django admin (issue 13): every page of every registered model and the site's own pages x every
# role x GET and POST. A model admin names the role that reads it; nobody adds or changes anything there
# (records change through the pages' services, a role through two system administrators); the system
# administrator also sets another account's password and deletes a lockout's count. The list comes from
# the URL configuration: a model registered later fails `test_every_admin_url_is_in_the_matrix`.
ADMIN_READERS = {
    "portal.user": "sysadmin",
    "portal.rolegrant": "sysadmin",
    "axes.accessattempt": "sysadmin",
    "portal.auditentry": "bureau",
    "branches.organisation": "bureau",
    "branches.post": "bureau",
    "members.member": "bureau",
    "assessments.meeting": "bureau",
    "assessments.trainingrecord": "bureau",
}
ADMIN_DELETERS = {"axes.accessattempt": "sysadmin"}
ADMIN_PAGES = ("changelist", "add", "change", "delete", "history")
# Pages a model admin adds to Django's five: url name -> (model, what it is).
ADMIN_EXTRA = {
    "auth_user_password_change": ("portal.user", "password"),
    # django-import-export's export of the member list (issue 15): bureau staff, after confirming their password.
    "members_member_export": ("members.member", "export"),
}
# The site's own pages checked here; the others hold nothing of ours (Django's login and logout,
# its JavaScript catalogue, the autocomplete no admin uses, "view on site", "password changed").
ADMIN_SITE_PAGES = ("index", "password_change", "app_list")
ADMIN_NOT_CHECKED = {"login", "logout", "jsi18n", "autocomplete", "view_on_site", "password_change_done"}
ADMIN_APPS = sorted({label.split(".")[0] for label in ADMIN_READERS})
SITE_ROLES = {"bureau", "sysadmin"}  # core.permissions.ADMIN_SITE_ROLES, by the users fixture's names


def _admin_urls() -> list[tuple]:
    """(url name, model label or app label, page) for every admin URL the matrix checks."""
    urls = [("index", "", "index"), ("password_change", "", "password_change")]
    urls += [("app_list", app, "app_list") for app in ADMIN_APPS]
    for label in ADMIN_READERS:
        urls += [(f"{label.replace('.', '_')}_{page}", label, page) for page in ADMIN_PAGES]
    urls += [(name, label, page) for name, (label, page) in ADMIN_EXTRA.items()]
    return urls


ADMIN_URLS = _admin_urls()
ADMIN_CASES = [(url, role, method) for url in ADMIN_URLS for role in ROLES for method in ("get", "post")]


def _admin_names(resolver=None, inside=False):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _admin_names(entry, inside or entry.namespace == "admin")
        elif inside and isinstance(entry, URLPattern) and entry.name:
            yield entry.name


def test_every_admin_url_is_in_the_matrix():
    from django.contrib import admin

    registered = {model._meta.label_lower for model in admin.site._registry}
    checked = {name for name, _label, _page in ADMIN_URLS}
    assert (sorted(registered ^ set(ADMIN_READERS)), sorted(set(_admin_names()) ^ (checked | ADMIN_NOT_CHECKED))) == (
        [],
        [],
    )


def test_admin_matrix_size():
    # (9 models x 5 pages + the account password + the member export + index, own password, 5 app lists)
    # x 6 roles x 2 methods.
    assert (len(ADMIN_URLS), len(ADMIN_CASES)) == (54, 648)


def _admin_objects(zone, users) -> dict:
    """One record of every registered model (the account is another than the system administrator's own)."""
    from axes.models import AccessAttempt

    from core import services as portal_services

    meeting = assessment_services.meeting_record(
        organisation=zone.b1,
        attendance={m.pk: ("present", "") for m in zone.b1_members},
        attachments=[pdf()],
        data={"kind": "general", "held_on": datetime.date(2024, 3, 1), "place": "活动室", "topic": "学习"},
    )
    training = assessment_services.training_batch_record(
        organisation=zone.b1,
        kind="course",
        title="培训",
        held_on=datetime.date(2024, 3, 2),
        hours=4,
        member_ids=[zone.b1_members[0].pk],
    )[0]
    attempt = AccessAttempt.objects.create(
        username="someone",
        ip_address="10.9.9.9",
        user_agent="test",
        failures_since_start=2,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    return {
        "portal.user": users.other_admin,
        "portal.rolegrant": portal_services.role_grant_propose(
            user=users.other_admin, role="auditor", organisation=None, by=users.sysadmin
        ),
        "axes.accessattempt": attempt,
        "portal.auditentry": AuditEntry.objects.order_by("pk").first(),
        "branches.organisation": zone.b1,
        "branches.post": zone.secretary,
        "members.member": zone.b1_members[0],
        "assessments.meeting": meeting,
        "assessments.trainingrecord": training,
    }


def _admin_expected(role, label, page, method) -> tuple[int, str | None]:
    """The status, and where a redirect goes."""
    if role not in SITE_ROLES:
        return 302, reverse("admin:login")
    if page == "index":
        return 200, None
    if page == "password_change":
        return 302, reverse("password_change")
    if page == "app_list":
        reads = any(reader == role for model, reader in ADMIN_READERS.items() if model.split(".")[0] == label)
        return (200 if reads else 404), None
    reader = ADMIN_READERS[label] == role
    if page == "export":
        # The member export asks for the password again first (the test client has not confirmed it).
        return (302, reverse("password_confirm")) if reader else (403, None)
    allowed = {
        "changelist": reader,
        "history": reader,
        "password": reader,
        "add": False,
        "change": reader and method == "get",
        "delete": ADMIN_DELETERS.get(label) == role,
    }[page]
    return (200 if allowed else 403), None


def _admin_check(client, users, objects, url, role, method) -> str | None:
    name, label, page = url
    if page == "app_list":
        path = reverse("admin:app_list", kwargs={"app_label": label})
    elif page in ("change", "delete", "history", "password"):
        path = reverse(f"admin:{name}", args=[objects[label].pk])
    else:
        path = reverse(f"admin:{name}")
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(users, role))
    # An empty POST saves, deletes and confirms nothing; the status says who got in.
    response = getattr(client, method)(path)
    expected, location = _admin_expected(role, label, page, method)
    if response.status_code != expected:
        return f"{method.upper()} {path} as {role}: {response.status_code}, expected {expected}"
    if location and not response["Location"].startswith(location):
        return f"{method.upper()} {path} as {role}: redirected to {response['Location']}, not {location}"
    return None


@pytest.mark.parametrize("label", ["", *ADMIN_READERS])
def test_admin_permission_matrix(zone, users, client, label):
    """The site's pages (label "") or one model's pages, every role and method; the records stay as they were."""
    objects = _admin_objects(zone, users)
    before = {key: type(obj).objects.filter(pk=obj.pk).values().first() for key, obj in objects.items()}
    urls = [url for url in ADMIN_URLS if url[1] == label or (not label and url[2] == "app_list")]
    failures = [
        failure
        for url in urls
        for role in ROLES
        for method in ("get", "post")
        if (failure := _admin_check(client, users, objects, url, role, method))
    ]
    assert failures == []
    after = {key: type(obj).objects.filter(pk=obj.pk).values().first() for key, obj in objects.items()}
    assert after == before


def test_every_admin_case_is_checked():
    per_test = [
        [url for url in ADMIN_URLS if url[1] == label or (not label and url[2] == "app_list")]
        for label in ["", *ADMIN_READERS]
    ]
    assert sorted(url for urls in per_test for url in urls) == sorted(ADMIN_URLS)
    assert sum(len(urls) for urls in per_test) * len(ROLES) * 2 == len(ADMIN_CASES)
