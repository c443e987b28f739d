"""Versioned policy parameters (issue 5): the 2015 opinion as the first revision, later revisions
never rewriting a past year, the system administrator's form, and the rules that read them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import norms, selectors
from assessments import services as assessment_services
from core import policy, services
from core.models import PolicyRevision, PolicyValue

pytestmark = pytest.mark.django_db
BEFORE_2018 = datetime.date(2017, 12, 1)
FIRST_DAY = datetime.date(2015, 1, 1)
# Migration 0010: the branch work rules (trial, 2018) are a revision of their own (N-MEETINGS).
RULES_2018_DAY = datetime.date(2018, 10, 28)


def revise(values, *, effective_from=datetime.date(2018, 1, 1), today=BEFORE_2018, user=None, **kwargs):
    return services.policy_revision_save(
        name=kwargs.pop("name", "2018年调整"),
        effective_from=effective_from,
        source="高新区组织人事局通知",
        values=values,
        today=today,
        user=user,
        **kwargs,
    )


def messages_of(exc):
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else exc.value.messages


def test_the_first_revision_holds_every_2015_value():
    revision = PolicyRevision.objects.get(effective_from=FIRST_DAY)
    stored = dict(PolicyValue.objects.filter(revision=revision).values_list("key", "value"))
    assert revision.effective_from == datetime.date(2015, 1, 1)
    assert stored == {key: p.default for key, p in policy.PARAMETERS.items()}
    values = policy.policy_for_year(2015)
    assert values["activity_fund.agency_min_rate"] == Decimal("0.02")
    assert values["welfare_fund.allocation"] == Decimal(200000)
    assert values["liaison_fund.work_fund_cap"] is None
    assert values.revisions == (revision.pk,)


def test_a_later_revision_changes_its_years_and_not_the_earlier_ones():
    revise({"activity_fund.agency_min_rate": Decimal("0.025"), "training.member_hours": Decimal(32)})
    assert policy.policy_for_year(2016)["activity_fund.agency_min_rate"] == Decimal("0.02")
    assert policy.policy_for_year(2018)["activity_fund.agency_min_rate"] == Decimal("0.025")
    assert policy.policy_values(on=datetime.date(2017, 12, 31))["activity_fund.agency_min_rate"] == Decimal("0.02")
    # Only what changes is stored; the unchanged 32 hours is not repeated.
    later = PolicyRevision.objects.get(effective_from=datetime.date(2018, 1, 1))
    assert list(later.values.values_list("key", "value")) == [("activity_fund.agency_min_rate", Decimal("0.025"))]


def test_a_revision_never_takes_effect_in_the_past():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        revise({}, effective_from=datetime.date(2016, 1, 1))
    assert messages_of(exc) == {"effective_from": ["参数版本只能在今天（2017年12月1日）之后生效，不能追溯。"]}


def test_a_revision_in_force_cannot_change():
    revision = revise({"venue_reward.class_1": Decimal(9000)})
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        revise(
            {"venue_reward.class_1": Decimal(9500)},
            revision=revision,
            today=datetime.date(2018, 3, 1),
            effective_from=datetime.date(2019, 1, 1),
        )
    assert messages_of(exc) == ["该版本已经生效，不能再修改。请新增一个版本。"]
    assert policy.policy_for_year(2018)["venue_reward.class_1"] == Decimal(9000)


def test_a_revision_not_yet_in_force_can_change():
    revision = revise({"venue_reward.class_1": Decimal(9000)})
    revise({"venue_reward.class_1": Decimal(9500)}, revision=revision)
    assert policy.policy_for_year(2018)["venue_reward.class_1"] == Decimal(9500)
    assert PolicyRevision.objects.count() == 3  # 2015, the 2018 rules, this one


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"activity_fund.agency_min_rate": Decimal("1.5")}, {"activity_fund.agency_min_rate": ["比例不能超过100%。"]}),
        ({"venue_reward.class_2": Decimal(-1)}, {"venue_reward.class_2": ["数值不能为负数。"]}),
        ({"venue_reward.class_2": Decimal("1.005")}, {"venue_reward.class_2": ["金额最多保留两位小数（分）。"]}),
        ({"training.member_hours": None}, {"training.member_hours": ["请填写数值：该数值由政策规定。"]}),
        ({"reserve_cadres.minimum": Decimal("2.5")}, {"reserve_cadres.minimum": ["请填写整数。"]}),
        ({"welfare_fund.last_year": Decimal(2014)}, {"welfare_fund.last_year": ["请填写2015至2100之间的年份。"]}),
        (
            {"activity_fund.soe_min_rate": Decimal("0.02")},
            {"activity_fund.soe_max_rate": ["不能低于“国有企业：党组织活动经费占年度标准工资额的下限比例”。"]},
        ),
    ],
)
def test_values_out_of_bounds_are_refused(values, expected):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        revise(values)
    assert exc.value.message_dict == expected
    assert PolicyRevision.objects.count() == 2  # 2015 and the 2018 rules


@pytest.mark.parametrize("role", ["bureau", "auditor", "town_admin"])
def test_only_the_system_administrator_revises(users, role):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        revise({}, user=getattr(users, role))
    assert messages_of(exc) == ["政策参数只能由系统管理员修改。"]


def test_the_system_administrator_reads_the_policy_page_and_may_change_it(users, client):
    client.force_login(users.sysadmin)
    page = client.get(reverse("policy"))
    assert (page.status_code, "portal.parameters" in page.context["perms"]) == (200, True)


def test_the_rules_read_the_values_of_their_year(zone):
    revise(
        {
            "venue_reward.class_1": Decimal(10000),
            "training.member_hours": Decimal(40),
            "leadership.contact_days_town": Decimal(100),
            "meetings.general_a_quarter": Decimal(2),
        }
    )
    assert norms.venue_reward(grade="class_1", on=datetime.date(2017, 6, 1)) == Decimal(8000)
    assert norms.venue_reward(grade="class_1", on=datetime.date(2018, 6, 1)) == Decimal(10000)
    assert norms.venue_reward(grade="failed", on=datetime.date(2018, 6, 1)) == Decimal(0)
    assert assessment_services.leadership_target(organisation=zone.t1, year=2017) == (120, "Q-CONTACT-TOWN")
    assert assessment_services.leadership_target(organisation=zone.t1, year=2018) == (100, "Q-CONTACT-TOWN")
    assert [row.target for row in selectors.training_table(organisation=zone.b1, year=2017)] == [Decimal(56)] + [
        Decimal(32)
    ] * 2
    assert [row.target for row in selectors.training_table(organisation=zone.b1, year=2018)] == [Decimal(56)] + [
        Decimal(40)
    ] * 2
    general = {r.kind: r.expected for r in selectors.meeting_norms(organisation=zone.b1, year=2018)}["general"]
    assert general == 2


def test_fen_rounds_half_up():
    assert policy.fen(Decimal("0.005")) == Decimal("0.01")
    assert policy.fen(Decimal("0.0049")) == Decimal("0.00")
    assert policy.fen(Decimal("15.125")) == Decimal("15.13")


def test_the_policy_page_shows_values_in_force_and_every_revision(users, client):
    revise({"activity_fund.non_public_min_rate": Decimal("0.004")}, today=datetime.date(2017, 12, 1))
    client.force_login(users.auditor)
    with translation.override("zh-hans"):
        page = client.get(reverse("policy"), {"on": "2016-05-01"})
        later = client.get(reverse("policy"), {"on": "2018-05-01"})
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["parameter"].key == "activity_fund.non_public_min_rate")
    assert (row["in_force"], row["by_revision"]) == ("0.3%", ["0.3%", "0.4%", ""])  # the 2018 rules leave it
    row = next(r for r in later.context["rows"] if r["parameter"].key == "activity_fund.non_public_min_rate")
    assert row["in_force"] == "0.4%"
    assert "F-ACTIVITY-NONPUBLIC" in page.content.decode()
    assert "portal.parameters" not in page.context["perms"]


def _form_data(**changes):
    data = {"name": "2030年调整", "effective_from": "2030-01-01", "source": "组织人事局文件"}
    in_force = policy.policy_values(on=datetime.date(2029, 12, 31))
    for key, parameter in policy.PARAMETERS.items():
        value = in_force[key]
        if value is not None:
            data[key] = str(value * 100 if parameter.unit == policy.RATE else value)
    data.update(changes)
    return data


def test_the_system_administrator_adds_a_revision_in_percent(users, client):
    client.force_login(users.sysadmin)
    response = client.post(reverse("policy_revision_create"), _form_data(**{"activity_fund.agency_min_rate": "2.5"}))
    assert response.status_code == 302
    revision = PolicyRevision.objects.get(effective_from=datetime.date(2030, 1, 1))
    assert list(revision.values.values_list("key", "value")) == [("activity_fund.agency_min_rate", Decimal("0.025"))]
    assert revision.created_by == users.sysadmin


def test_the_revision_form_shows_a_past_date_refused(users, client):
    client.force_login(users.sysadmin)
    with translation.override("zh-hans"):
        response = client.post(reverse("policy_revision_create"), _form_data(effective_from="2016-01-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"][0].startswith("参数版本只能在今天（")
    assert PolicyRevision.objects.count() == 2  # 2015 and the 2018 rules


def test_the_first_revision_is_shown_locked(users, client):
    client.force_login(users.sysadmin)
    revision = PolicyRevision.objects.get(effective_from=FIRST_DAY)
    with translation.override("zh-hans"):
        page = client.get(reverse("policy_revision_update", args=[revision.pk]))
        post = client.post(
            reverse("policy_revision_update", args=[revision.pk]),
            _form_data(effective_from="2031-01-01", version=page.context["form"]["version"].value()),
        )
    assert page.context["locked"] is True
    assert post.status_code == 200
    assert post.context["form"].non_field_errors() == ["该版本已经生效，不能再修改。请新增一个版本。"]
    assert PolicyRevision.objects.get(name="2015年意见").effective_from == datetime.date(2015, 1, 1)


def test_the_2018_branch_work_rules_are_a_revision_of_their_own():
    """N-MEETINGS, second edition: "each norm takes effect on its source's date": the monthly themed party
    day is a duty from 28 October 2018 (the branch work rules), none in the 2015 revision."""
    rules = PolicyRevision.objects.get(effective_from=RULES_2018_DAY)
    assert dict(rules.values.values_list("key", "value")) == {
        "meetings.general_a_quarter": Decimal(1),
        "meetings.committee_a_month": Decimal(1),
        "meetings.group_a_month": Decimal(1),
        "meetings.themed_day_a_month": Decimal(1),
        "meetings.organisational_life_a_year": Decimal(1),
    }
    assert policy.policy_for_year(2016)["meetings.themed_day_a_month"] is None
    assert policy.policy_values(on=datetime.date(2018, 10, 27))["meetings.themed_day_a_month"] is None
    assert policy.policy_values(on=datetime.date(2018, 10, 28))["meetings.themed_day_a_month"] == Decimal(1)
    assert norms.year_meeting_norms(year=2018)["themed_day"][2] == {m: int(m >= 11) for m in range(1, 13)}
    assert norms.year_meeting_norms(year=2016)["general"][2] == {1: 1, 4: 1, 7: 1, 10: 1}


def test_the_development_numbers_are_parameters_of_the_2015_revision():
    """N-DEVELOPMENT: the numbers of the 2014 rules move from constants to parameters, in force from 2015."""
    from members.development_norms import development_norms_on

    found = development_norms_on(datetime.date(2016, 6, 1))
    assert (found.min_age, found.talk_within_months, found.review_every_months, found.activist_months) == (18, 1, 6, 12)
    assert (found.introducers, found.approval_within_months, found.probation_months) == (2, 3, 12)
    assert (found.extension_min_months, found.extension_max_months) == (6, 12)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        revise({"development.extension_min_months": Decimal(13)})
    assert list(exc.value.message_dict) == ["development.extension_max_months"]


@pytest.mark.django_db(transaction=True)
def test_values_are_read_once_per_process_until_a_revision_commits(django_assert_num_queries):
    """Issue 16: the table is read once per day asked, until a committed change replaces the shared
    token; a copy is handed out, so a caller changing its own does not change the next caller's."""
    from django.core.cache import cache

    cache.delete(policy.GENERATION_KEY)
    policy.policy_for_year(2018)
    with django_assert_num_queries(0):
        values = policy.policy_for_year(2018)
    values["venue_reward.class_1"] = Decimal(1)
    assert policy.policy_for_year(2018)["venue_reward.class_1"] != Decimal(1)

    revision = revise({"venue_reward.class_1": Decimal(9000)})  # commits (no test transaction here)
    assert policy.policy_for_year(2018)["venue_reward.class_1"] == Decimal(9000)
    revise({"venue_reward.class_1": Decimal(9500)}, revision=revision)
    assert policy.policy_for_year(2018)["venue_reward.class_1"] == Decimal(9500)
    # Another process's token lost (the cache emptied): read again, not trusted.
    cache.delete(policy.GENERATION_KEY)
    with django_assert_num_queries(1):
        assert policy.policy_for_year(2018)["venue_reward.class_1"] == Decimal(9500)


@pytest.mark.django_db(transaction=True)
def test_a_revision_rolled_back_is_never_remembered():
    from django.db import transaction

    before = policy.policy_for_year(2018)["venue_reward.class_1"]
    with pytest.raises(RuntimeError), transaction.atomic():
        revise({"venue_reward.class_1": Decimal(9000)})
        assert policy.policy_for_year(2018)["venue_reward.class_1"] == Decimal(9000)  # the transaction's own view
        raise RuntimeError("rolled back")
    assert policy.policy_for_year(2018)["venue_reward.class_1"] == before


@pytest.mark.django_db(transaction=True)
def test_values_are_read_from_the_table_while_the_cache_is_down_and_forgotten_after_a_while(
    django_assert_num_queries, monkeypatch
):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisDown

    def down(*args, **kwargs):
        raise RedisDown("Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(cache, "get", down)
        for _ in range(2):
            with django_assert_num_queries(1):
                assert policy.policy_for_year(2018)["venue_reward.class_1"] is not None
    policy.policy_for_year(2018)
    with django_assert_num_queries(0):
        policy.policy_for_year(2018)
    monkeypatch.setattr(policy, "REMEMBERED_SECONDS", -1)
    with django_assert_num_queries(1):
        policy.policy_for_year(2018)
