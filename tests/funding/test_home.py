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
    for url in (reverse("funding:venue_rewards"), reverse("funding:welfare_overview", args=[2016]),
                reverse("funding:aid", args=[zone.wc.pk])):  # fmt: skip
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
