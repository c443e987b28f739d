"""N-MOBILE: a mobile member the home branch has not reached for `mobile.lost_contact_months` (six)
has lost contact (《中国共产党党员教育管理工作条例》2019, 第三十二条); the opinion (三.2(5)) asks the
zone to manage mobile members: "强化党员日常管理,探索分类管理,创新流动党员管理方式".

A finding is the home branch's (a party group's member counts for its branch), one per out-flow
record and year, the member named and the record's pk in the aspect. It is a state, checked any
time: on the day counted (today, or 31 December of a past year) the member is away (went before it,
not returned by it), was last reached (the latest contact up to that day, or the departure) at least
the parameter's months before, and the branch has recorded no decision by then. Someone reaching the
member, the return, or the branch's decision (停止党籍 or another) ends it.

Measured: days since the member was last reached; required: the days the parameter allows from that
day; due on: the day the contact was lost. In-flow members' home organisations are outside the zone:
no finding here."""

import datetime
from decimal import Decimal

from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from assessments.compliance.base import Check, RunContext, rule
from branches.selectors import duty_holder
from members.mobile import LOST_CONTACT_KEY, months_after
from members.models import MobileRecord

CLAUSE = "N-MOBILE"


@rule(
    clause=CLAUSE,
    title=_("Mobile members who lost contact"),
    sentence="强化党员日常管理,探索分类管理,创新流动党员管理方式,健全城乡一体化党员动态管理机制",
    parameters=(LOST_CONTACT_KEY,),
    applies_to=_("Every member of the zone recorded as gone away (out-flow), by the home branch"),
    measures=_(
        "Per mobile member: days since the home branch last reached the member (a contact, or the departure), "
        "against the months the parameter allows; a decision recorded by the branch ends the duty"
    ),
    evidence_url="members:mobile_organisation",
    fix_url="members:mobile_organisation",
    subject="member",
    source=_("Regulations on the education and management of party members (2019), article 32"),
)
def lost_contact(context: RunContext):
    """N-MOBILE: each open out-flow record on the day counted, lost once the parameter's months pass without contact."""
    as_of = context.as_of
    months = context.values.whole(LOST_CONTACT_KEY)
    records = (
        context.scoped(
            MobileRecord.objects.filter(member__isnull=False, since__lte=as_of), field="home_organisation__path"
        )
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=as_of))
        .annotate(
            holder=duty_holder("home_organisation"),
            contacted=Max("contacts__contacted_on", filter=Q(contacts__contacted_on__lte=as_of)),
        )
        .order_by()
        .values_list("pk", "holder", "member_id", "since", "contacted", "decided_on")
    )
    period = str(context.year)
    checks = []
    for pk, holder, member_id, since, contacted, decided_on in records:
        reached: datetime.date = contacted or since
        lost_from = months_after(reached, months)
        decided = decided_on is not None and decided_on <= as_of
        passed = as_of < lost_from or decided
        measured, required = Decimal((as_of - reached).days), Decimal((lost_from - reached).days)
        checks.append(Check(holder, member_id, period, measured, required, passed, lost_from, str(pk)))
    return checks
