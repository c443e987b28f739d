import datetime
import itertools

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from branches.enums import MEMBER_HOLDING_KINDS, TOWN_SECTORS, OrganisationKind, PostKind, Sector
from branches.models import Organisation, Post
from core.idcard import id_validate
from devtools import demo
from members.models import Member

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Organisation.objects.order_by("path").values_list("path", "code", "name", "kind")),
        list(Member.objects.order_by("id_number").values_list("id_number", "name", "organisation__code")),
    )


def test_demo_zone_build_is_deterministic_for_a_seed():
    demo.demo_zone_build(seed=7, members=600)
    first = _snapshot()
    demo.demo_zone_reset()
    demo.demo_zone_build(seed=7, members=600)
    assert _snapshot() == first


def test_demo_zone_shape_and_integrity():
    result = demo.demo_zone_build(seed=2015, members=1500)
    assert result["members"] == Member.objects.count() == 1500
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    kinds = set(Member.objects.values_list("organisation__kind", flat=True))
    assert kinds <= MEMBER_HOLDING_KINDS
    town_committees = Organisation.objects.filter(sector__in=TOWN_SECTORS, kind=OrganisationKind.PARTY_COMMITTEE)
    assert town_committees.count() == 6
    # Streets are streets (街道), towns towns (镇): five streets and 莲花镇.
    assert sorted(town_committees.values_list("sector", "unit_name")) == [
        (Sector.STREET, "东方红街道"),
        (Sector.STREET, "含浦街道"),
        (Sector.STREET, "岳麓街道"),
        (Sector.STREET, "雷锋街道"),
        (Sector.STREET, "麓谷街道"),
        (Sector.TOWN, "莲花镇"),
    ]
    assert not Organisation.objects.filter(sector=Sector.TOWN, name__contains="街道").exists()
    assert not Organisation.objects.filter(sector=Sector.STREET).exclude(name__contains="街道").exists()
    assert Organisation.objects.filter(sector=Sector.VILLAGE, depth=3).count() == 30
    assert Organisation.objects.filter(sector=Sector.COMMUNITY, depth=3).count() == 24
    assert Organisation.objects.filter(kind=OrganisationKind.LIAISON_GROUP).count() == 10
    non_public_tops = Organisation.objects.filter(sector=Sector.NON_PUBLIC).exclude(kind=OrganisationKind.LIAISON_GROUP)
    assert non_public_tops.filter(depth=3).count() == 300  # 240 in liaison groups + 60 in incubators
    assert Post.objects.filter(kind=PostKind.SECRETARY).count() > 500
    for number in Member.objects.values_list("id_number", flat=True)[:200]:
        assert id_validate(number) == number


def test_demo_teams_hold_office_every_year_since_2015_with_handovers():
    """Issue 16: every rule checks real people in every year, so each secretary's chair is held from
    2015 to today without gap or overlap, by members who joined before they took the post."""
    demo.demo_zone_build(seed=2015, members=demo.DEFAULT_MEMBERS)
    today = timezone.localdate()
    secretaries = Post.objects.filter(kind=PostKind.SECRETARY).select_related("member")
    chairs: dict[int, list[Post]] = {}
    for post in secretaries.order_by("started_on"):
        chairs.setdefault(post.organisation_id, []).append(post)
    assert len(chairs) > 500
    from_2015 = 0
    for held in chairs.values():
        # Held from 2015, or from the day after the holder joined where every member joined later.
        from_2015 += held[0].started_on <= demo.TEAMS_SINCE
        assert held[0].started_on <= max(demo.TEAMS_SINCE, held[0].member.joined_on + datetime.timedelta(days=1))
        assert held[-1].ended_on is None
        for before, after in itertools.pairwise(held):
            assert before.ended_on is not None and (after.started_on - before.ended_on).days == 1
            assert after.started_on.year in demo.HANDOVER_YEARS
        for post in held:
            assert post.member.joined_on < post.started_on
    assert from_2015 / len(chairs) > 0.95
    handed_over = sum(len(held) > 1 for held in chairs.values()) / len(chairs)
    assert 0.25 < handed_over < 0.55
    for year in range(2015, today.year + 1):
        day = min(datetime.date(year, 6, 30), today)
        in_post = secretaries.filter(started_on__lte=day).exclude(ended_on__lt=day)
        assert in_post.values("organisation").distinct().count() == in_post.count() >= 0.95 * len(chairs)


def test_demo_zone_scales_organisations_with_members():
    small = demo.demo_zone_build(seed=1, members=15_000)["organisations"]
    demo.demo_zone_reset()
    large = demo.demo_zone_build(seed=1, members=45_000)["organisations"]
    assert 2.5 < large / small < 3.5


def test_demo_accounts_log_in_with_printed_password(rf):
    logins = demo.demo_zone_build(seed=3, members=300)["logins"]
    usernames = [login["username"] for login in logins]
    assert usernames == ["bureau", "auditor", "sysadmin", "sysadmin2", "town1", "branch1", "enterprise1"]
    for login in logins:
        assert authenticate(rf.post("/login/"), username=login["username"], password=demo.DEMO_PASSWORD) is not None


def test_demo_logins_are_named_after_the_recorded_secretaries():
    """Issue 12: the village secretary on the screen is the one on the branch's page."""
    from core.models import User

    logins = {login["username"]: login for login in demo.demo_zone_build(seed=5, members=1500)["logins"]}
    for username, title in (("town1", "街道党工委书记"), ("branch1", "村支部书记"), ("enterprise1", "企业支部书记")):
        user = User.objects.get(username=username)
        secretary = Post.objects.current().filter(organisation=user.organisation, kind=PostKind.SECRETARY).first()
        assert (username, user.display_name) == (username, logins[username]["name"])
        assert (username, user.display_name) == (username, f"{title} {secretary.member.name}" if secretary else title)
    assert User.objects.get(username="branch1").display_name != "村支部书记"  # the village branch has its secretary


def test_demo_village_branch_keeps_its_records(client):
    """The demo's branch1 login lands on a branch whose assessments pages have something to show."""
    from assessments import selectors
    from assessments.models import Evaluation, Meeting, Talk, TrainingRecord, Venue
    from core.models import User

    demo.demo_zone_build(seed=5, members=1500)
    branch = User.objects.get(username="branch1").organisation
    last = timezone.localdate().year - 1
    assert Meeting.objects.filter(organisation=branch, held_on__year=last).count() == 32
    norms = {row.kind: row.missed for row in selectors.meeting_norms(organisation=branch, year=last)}
    assert norms["general"] == norms["committee"] == norms["themed_day"] == 0
    assert norms["organisational_life"] == 1  # left undone on purpose: the page shows a missed duty
    assert TrainingRecord.objects.filter(organisation=branch).exists() and Talk.objects.exists()
    assert Evaluation.objects.get(organisation=branch).year == last
    assert Venue.objects.get(organisation=branch).checks.filter(is_met=True).count() == 4
    client.force_login(User.objects.get(username="branch1"))
    assert client.get(reverse("assessments:year", args=[branch.pk, last])).status_code == 200


def test_demo_branch_meetings_list_its_party_groups_and_its_committee():
    """Issue 12: branch1's meetings list the members of its two 党小组 too, its committee meetings the
    committee in post; its group members' study hours are complete, so the check finds no shortfall."""
    import datetime

    from assessments.compliance import engine
    from assessments.models import Finding, Meeting
    from branches.enums import COMMITTEE_POSTS
    from core.models import User
    from members.selectors import branch_members_on

    demo.demo_zone_build(seed=2015, members=1500)  # the demo's seed: branch1 is 麓谷东村第1党支部, with two groups
    branch = User.objects.get(username="branch1").organisation
    groups = Organisation.objects.filter(path__startswith=branch.path, kind=OrganisationKind.PARTY_GROUP)
    assert branch.name == "麓谷东村第1党支部" and groups.count() == 2
    assert Member.objects.filter(organisation__in=groups).exists()
    last = timezone.localdate().year - 1
    committee = set(
        Post.objects.filter(organisation=branch, kind__in=COMMITTEE_POSTS).values_list("member_id", flat=True)
    )
    for meeting in Meeting.objects.filter(organisation=branch, held_on__year=last).prefetch_related("attendances"):
        listed = {a.member_id for a in meeting.attendances.all()}
        if meeting.kind == "committee":
            assert listed == committee
        else:
            assert listed == set(
                branch_members_on(organisation=branch, day=meeting.held_on).values_list("pk", flat=True)
            )
    engine.compliance_run(year=last, today=datetime.date(last + 1, 1, 10), rules=("Q-TRAINING-MEMBER",), trigger="test")
    found = Finding.objects.filter(rule="Q-TRAINING-MEMBER", organisation=branch)
    assert not found.filter(member__organisation__in=groups).exists()
    assert not Finding.objects.filter(organisation__in=groups).exists()
