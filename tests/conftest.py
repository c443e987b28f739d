import copy
import datetime
import os
import types
import uuid

import pytest
from django.test.utils import override_settings

from branches import services
from branches.enums import OrganisationKind as K
from branches.enums import PostKind, Sector
from core.enums import Role
from core.idcard import id_make
from members.development import candidate_apply
from members.models import Membership
from members.services import member_counts_refresh, member_transfer
from tests.factories import MemberFactory, UserFactory, make_org, make_work_committee


@pytest.fixture
def zone(db):
    """A small zone with two streets (街道, sector street), so every scope has an inside and an outside.

    work committee
    ├── T1 street committee ── V1 village general branch ── B1 branch (members, a secretary) ── G1 party group
    │                                                    └── B2 branch
    └── T2 street committee ── B3 branch (members)

    A town (镇, sector town) where a test needs one: the `town` fixture.
    """
    wc = make_work_committee()
    t1 = make_org(wc, K.PARTY_COMMITTEE, sector=Sector.STREET, name="中共麓谷街道工作委员会", code="T1")
    v1 = make_org(t1, K.GENERAL_BRANCH, sector=Sector.VILLAGE, name="中共东村总支部委员会", code="V1")
    b1 = make_org(v1, K.BRANCH, sector=Sector.VILLAGE, name="东村第1党支部", code="B1")
    g1 = make_org(b1, K.PARTY_GROUP, sector=Sector.VILLAGE, name="东村第1党支部第1党小组", code="G1")
    b2 = make_org(v1, K.BRANCH, sector=Sector.VILLAGE, name="东村第2党支部", code="B2")
    t2 = make_org(wc, K.PARTY_COMMITTEE, sector=Sector.STREET, name="中共东方红街道工作委员会", code="T2")
    b3 = make_org(t2, K.BRANCH, sector=Sector.COMMUNITY, name="新康社区第1党支部", code="B3")
    b1_members = MemberFactory.create_batch(3, organisation=b1)
    b3_members = MemberFactory.create_batch(2, organisation=b3)
    Membership.objects.bulk_create(Membership(member=m, organisation=m.organisation) for m in b1_members + b3_members)
    secretary = services.post_assign(
        organisation=b1, member=b1_members[0], kind=PostKind.SECRETARY, started_on=b1_members[0].joined_on
    )
    b3_post = services.post_assign(
        organisation=b3, member=b3_members[0], kind=PostKind.SECRETARY, started_on=b3_members[0].joined_on
    )
    member_counts_refresh()
    b1_candidate = candidate_apply(
        organisation=b1,
        name="申请人甲",
        id_number=id_make(area="430104", born=datetime.date(1999, 1, 1), sequence=1, male=True),
        applied_on=datetime.date(2024, 1, 1),
    )
    b3_candidate = candidate_apply(
        organisation=b3,
        name="申请人乙",
        id_number=id_make(area="430104", born=datetime.date(1999, 1, 2), sequence=2, male=True),
        applied_on=datetime.date(2024, 1, 1),
    )
    for org in (wc, t1, v1, b1, b2, t2, b3):
        org.refresh_from_db()
    return types.SimpleNamespace(
        wc=wc,
        t1=t1,
        v1=v1,
        b1=b1,
        g1=g1,
        b2=b2,
        t2=t2,
        b3=b3,
        b1_members=b1_members,
        b3_members=b3_members,
        secretary=secretary,
        b3_post=b3_post,
        b1_candidate=b1_candidate,
        b3_candidate=b3_candidate,
    )


@pytest.fixture
def town(zone):
    """A town (镇) of the zone beside its two streets: 莲花镇, with a village branch and a member."""
    committee = make_org(zone.wc, K.PARTY_COMMITTEE, sector=Sector.TOWN, name="中共莲花镇委员会", code="T3")
    village = make_org(committee, K.BRANCH, sector=Sector.VILLAGE, name="中共桐木村支部委员会", code="B4")
    member = MemberFactory(organisation=village)
    Membership.objects.create(member=member, organisation=village)
    return types.SimpleNamespace(committee=committee, village=village, member=member)


@pytest.fixture
def users(zone):
    return types.SimpleNamespace(
        bureau=UserFactory(role=Role.BUREAU, is_staff=True),
        auditor=UserFactory(role=Role.AUDITOR),
        sysadmin=UserFactory(role=Role.SYSADMIN, is_staff=True),
        town_admin=UserFactory(role=Role.ORG_ADMIN, organisation=zone.t1),
        branch_admin=UserFactory(role=Role.ORG_ADMIN, organisation=zone.b1),
        other_admin=UserFactory(role=Role.ORG_ADMIN, organisation=zone.t2),
    )


@pytest.fixture
def groups(zone):
    """B1 as branches with party groups are (issue 12): its 3 own members (the secretary among them),
    two 党小组 G1 and G2 of two members each; the committee from the posts: the secretary, a deputy
    secretary from G1 and an organisation committee member of the branch itself; G2's second member
    transfers to B3 on 1 July 2024."""
    g2 = make_org(zone.b1, K.PARTY_GROUP, sector=Sector.VILLAGE, name="东村第1党支部第2党小组", code="G2")
    g1_members = MemberFactory.create_batch(2, organisation=zone.g1)
    g2_members = MemberFactory.create_batch(2, organisation=g2)
    Membership.objects.bulk_create(Membership(member=m, organisation=m.organisation) for m in g1_members + g2_members)
    since = datetime.date(2020, 1, 1)
    deputy = services.post_assign(
        organisation=zone.b1, member=g1_members[0], kind=PostKind.DEPUTY_SECRETARY, started_on=since
    )
    organiser = services.post_assign(
        organisation=zone.b1, member=zone.b1_members[1], kind=PostKind.ORGANISATION_MEMBER, started_on=since
    )
    member_counts_refresh()
    mover = g2_members[1]
    moved_on = datetime.date(2024, 7, 1)
    member_transfer(member=mover, to_organisation=zone.b3, on=moved_on, letter_number="湘组转〔2024〕7号")
    for org in (zone.b1, zone.g1, g2):
        org.refresh_from_db()
    return types.SimpleNamespace(
        b1=zone.b1,
        g1=zone.g1,
        g2=g2,
        b1_members=zone.b1_members,
        g1_members=g1_members,
        g2_members=g2_members,
        secretary=zone.b1_members[0],
        deputy=deputy,
        organiser=organiser,
        mover=mover,
        moved_on=moved_on,
    )


@pytest.fixture
def client_for(client):
    """Log the test client in as a user and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing is not what these tests measure; the real hasher stays in settings."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Tasks the pages start run in the test's process and transaction; the tests that need a real
    worker (tests/portal/test_celery_worker.py) turn this off again."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files (rosters, meeting photos) land in the test's own folder, never in var/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the portal's default language (Chinese), whatever a page an earlier test
    requested in English left active in the thread."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def cache_of_this_run():
    """Cache keys carry database keys (a subtree ZIP's progress, a run's), and those begin again with
    every test database: a run must never read what an earlier run left in Redis (a "running" ZIP of
    an organisation that had the same pk). Each run reads and writes under its own prefix, and so do
    the worker and the commands it starts, which inherit CACHE_KEY_PREFIX (portal/settings.py)."""
    from django.conf import settings as django_settings

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    os.environ["CACHE_KEY_PREFIX"] = prefix
    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    with override_settings(CACHES=caches):
        yield
    os.environ.pop("CACHE_KEY_PREFIX", None)


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_audit_guard():
    """The tests that commit (transaction=True) are emptied with one TRUNCATE of every table, which
    the audit trail refuses (migration portal/0007). The test database's superuser empties it as a
    replica session, where no ordinary trigger fires; the portal's own roles cannot (README: "The
    audit trail's own database role")."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    sql_flush = DatabaseOperations.sql_flush

    def flush_as_replica(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica;", *statements] if statements else statements

    DatabaseOperations.sql_flush = flush_as_replica
    yield
    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(autouse=True)
def policy_values_forgotten():
    """core.policy remembers the values per process until a committed change; a test's database is
    emptied without one (a rollback, a TRUNCATE), so each test starts with nothing remembered."""
    from core import policy

    policy._remembered.clear()
    yield
    policy._remembered.clear()
