"""The funding home page and the organisation page's funding links (issue 5)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_bureau_sees_every_ledger_from_the_work_committee(users, client, zone):
    client.force_login(users.bureau)
    page = client.get(reverse("funding:home"))
    text = page.content.decode()
    assert page.context["root"] == zone.wc
    assert list(page.context["welfare_years"]) == [2015, 2016, 2017]
    for url in (
        reverse("funding:venue_rewards"),
        reverse("funding:welfare_overview", args=[2016]),
        reverse("funding:aid", args=[zone.wc.pk]),
    ):
        assert url in text


def test_an_org_admin_starts_from_their_organisation(users, client, zone):
    client.force_login(users.branch_admin)
    page = client.get(reverse("funding:home"))
    assert page.context["root"] == zone.b1
    assert reverse("funding:aid", args=[zone.b1.pk]) in page.content.decode()


def test_the_organisation_page_links_its_ledgers(users, client, zone):
    client.force_login(users.bureau)
    text = client.get(reverse("branches:detail", args=[zone.v1.pk])).content.decode()
    assert reverse("funding:welfare", args=[zone.v1.pk, 2017]) in text
    text = client.get(reverse("branches:detail", args=[zone.b1.pk])).content.decode()
    assert f"/funding/dues/{zone.b1.pk}/" in text


# Issue 12: each user sees the ledgers of their organisation's sector, and a page that does not apply says so.


def test_a_village_secretary_is_offered_no_activity_fund_and_no_refund(users, client, zone):
    client.force_login(users.branch_admin)
    page = client.get(reverse("funding:home"))
    text = page.content.decode()
    assert page.context["applies"] == {"activity": False, "dues_refund": False, "liaison": False, "welfare": True}
    for hidden in ("/funding/activity/", "/refunds/", "/funding/liaison/"):
        assert hidden not in text, hidden
    assert reverse("funding:aid", args=[zone.b1.pk]) in text


def test_a_non_public_secretary_is_offered_the_refunds_and_the_activity_fund(client, zone):
    from branches.enums import OrganisationKind, Sector
    from core.enums import Role
    from tests.factories import UserFactory, make_org

    branch = make_org(
        zone.t1,
        OrganisationKind.BRANCH,
        sector=Sector.NON_PUBLIC,
        code="NPB",
        name="某科技公司党支部",
        unit_name="某科技公司",
    )
    client.force_login(UserFactory(role=Role.ORG_ADMIN, organisation=branch))
    page = client.get(reverse("funding:home"))
    assert page.context["applies"] == {"activity": True, "dues_refund": True, "liaison": False, "welfare": False}
    text = page.content.decode()
    assert reverse("funding:dues_refunds", args=[branch.pk, page.context["year"]]) in text
    assert reverse("funding:activity", args=[branch.pk, page.context["year"]]) in text


def test_the_activity_fund_page_says_plainly_it_does_not_apply(users, client, zone):
    client.force_login(users.branch_admin)
    for url in (reverse("funding:activity", args=[zone.b1.pk, 2024]), reverse("funding:activity_report", args=[2024])):
        page = client.get(url)
        text = page.content.decode()
        assert page.status_code == 200
        assert "党建活动经费不适用于东村第1党支部" in text
        assert "适用单位" not in text and 'id="activity-rows"' not in text


def test_the_refund_page_says_plainly_it_does_not_apply(users, client, zone):
    client.force_login(users.branch_admin)
    text = client.get(reverse("funding:dues_refunds", args=[zone.b1.pk, 2024])).content.decode()
    assert "党费先收缴后返还不适用于东村第1党支部" in text and 'id="reconciliations"' not in text


def test_the_dues_page_of_a_village_branch_has_no_refund_link(users, client, zone):
    client.force_login(users.branch_admin)
    text = client.get(reverse("funding:dues", args=[zone.b1.pk, 2024])).content.decode()
    assert reverse("funding:dues_refunds", args=[zone.b1.pk, 2024]) not in text


def test_the_pages_say_it_in_english_too(users, client, zone):
    client.force_login(users.branch_admin)
    client.post(reverse("set_language"), {"language": "en"})
    text = client.get(reverse("funding:activity", args=[zone.b1.pk, 2024])).content.decode()
    assert "The party activity funds do not apply to 东村第1党支部" in text


def test_the_organisation_page_links_only_the_ledgers_that_apply(users, client, zone):
    client.force_login(users.bureau)
    text = client.get(reverse("branches:detail", args=[zone.b1.pk])).content.decode()
    assert "/funding/activity/" not in text and "/refunds/" not in text
