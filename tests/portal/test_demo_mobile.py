"""The demo zone's mobile members (issue 18): a few percent of the members away, some received by a
branch of the zone, some reporting outside it with an activity card number, members from outside
taking part here, contacts over two years, some lost, some back; deterministic for a seed; and what
N-MOBILE finds in them (the lost ones, the home branch's duty)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.compliance import engine
from assessments.compliance.selectors import secretary_todo
from assessments.models import Finding
from core.models import User
from devtools import demo
from members.models import Member, MobileContact, MobileRecord

pytestmark = pytest.mark.django_db


def snapshot():
    return [
        list(
            MobileRecord.objects.order_by("id_number", "since").values_list(
                "id_number",
                "home_organisation__code",
                "receiving_organisation__code",
                "receiving_organisation_name",
                "place",
                "activity_card_number",
                "since",
                "returned_on",
                "last_contact_on",
                "decision",
                "dues_to_receiving",
            )
        ),
        sorted(MobileContact.objects.values_list("record__id_number", "contacted_on", "means")),
    ]


def test_the_demo_zone_carries_mobile_members_as_a_real_zone_has_them():
    result = demo.demo_zone_build(seed=2015, members=5000)
    counts = result["mobile"]
    today = timezone.localdate()
    outflow = MobileRecord.objects.filter(member__isnull=False)
    members = Member.objects.count()
    assert 0.02 < outflow.count() / members < 0.04
    assert counts["outflow_inside"] + counts["outflow_outside"] + 3 == outflow.count()  # the demo branch's 3
    assert 0.2 < counts["outflow_inside"] / (counts["outflow_inside"] + counts["outflow_outside"]) < 0.45
    outside = outflow.filter(receiving_organisation__isnull=True)
    assert not outside.filter(activity_card_number="").exists()
    assert not outside.filter(receiving_organisation_name="").exists()
    inflow = MobileRecord.objects.filter(member__isnull=True)
    assert inflow.count() == counts["inflow"] + 1 > 0
    assert not inflow.filter(receiving_organisation__isnull=True).exists()
    assert counts["returned"] > 0 and counts["lost"] > 0 and counts["decided"] > 0
    assert outflow.filter(dues_to_receiving=True, receiving_organisation__isnull=False).exists()
    assert not outflow.filter(dues_to_receiving=True, receiving_organisation__isnull=True).exists()
    contacts = MobileContact.objects.order_by("contacted_on").values_list("contacted_on", flat=True)
    assert (today - contacts.first()).days > 600 and (today - contacts.last()).days < 60
    # The kept day of the last contact is the contacts' latest.
    for record in MobileRecord.objects.prefetch_related("contacts")[:200]:
        assert record.last_contact_on == max((c.contacted_on for c in record.contacts.all()), default=None)
    # No member of the zone is both away and an in-flow record; no one has two open records.
    ids = set(Member.objects.values_list("id_number", flat=True))
    assert not inflow.filter(id_number__in=ids).exists()


def test_the_demo_mobile_members_are_deterministic_for_a_seed():
    demo.demo_zone_build(seed=7, members=600)
    first = snapshot()
    demo.demo_zone_reset()
    demo.demo_zone_build(seed=7, members=600)
    assert snapshot() == first
    assert len(first[0]) > 10


def test_n_mobile_finds_the_lost_ones_and_the_demo_branch_has_the_duty(client):
    """N-MOBILE: "创新流动党员管理方式" — each member away and not reached for six months, without a
    decision of the branch, is a finding of the home branch; the demo branch's secretary sees the duty."""
    result = demo.demo_zone_build(seed=2015, members=1500)
    today = timezone.localdate()
    run = engine.compliance_run(year=today.year, today=today, trigger="test", rules=("N-MOBILE",))
    assert run.state == "done"
    opened = Finding.objects.filter(rule="N-MOBILE", status="open")
    assert opened.count() == result["mobile"]["lost"] + 1  # the demo branch's own lost member
    branch1 = User.objects.get(username="branch1")
    todo = secretary_todo(organisation=branch1.organisation, today=today)
    [item] = [i for i in todo.overdue + todo.due if i.clause == "N-MOBILE"]
    [entry] = item.entries
    record = MobileRecord.objects.get(
        home_organisation=branch1.organisation, returned_on__isnull=True, receiving_organisation__isnull=True
    )
    assert entry.url == reverse("members:mobile_detail", args=[record.pk]) + "#contact"
    assert record.last_contact_on == today - datetime.timedelta(days=250)
