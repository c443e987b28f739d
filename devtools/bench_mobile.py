"""Issue 18's figures: the mobile members' pages at 1,000,000 members, with mobile records at the
demo's share (devtools/demo_mobile.py: about 3 % of members away, 1 % more from outside), run by
`manage.py bench mobile`.

Measured as the users open them: the bureau's list of open records (`members:mobile_list`, the
longest without contact first), a town's and a branch's mobile page (`members:mobile_organisation`),
the bureau's zone view by town, destination and home organisation (`members:mobile_zone`), and the
N-MOBILE rule over the whole zone (what the nightly run spends on it). Target: server time <= 150 ms
for each page."""

import time

from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.compliance.base import RunContext
from assessments.compliance.catalogue import RULES
from branches.enums import OrganisationKind
from branches.models import Organisation
from core.models import User
from core.policy import policy_for_year
from core.scoping import subtree
from devtools.benchmarks import _largest_town, _timings, zone_ensure
from devtools.demo_mobile import mobile_demo
from members.models import MobileContact, MobileRecord


def mobile_ensure(*, seed: int) -> dict:
    """The zone's mobile records at the demo's share: generated once when a zone built before issue 18 has none."""
    if MobileRecord.objects.exists():
        return {"generated": False}
    started = time.perf_counter()
    village = User.objects.get(username="branch1").organisation
    skip = Organisation.objects.filter(subtree(village)).values_list("pk", flat=True)
    counts = mobile_demo(seed=seed, today=timezone.localdate(), skip_organisation_ids=list(skip))
    return {"generated": True, "seconds": round(time.perf_counter() - started, 2), **counts}


def bench_mobile(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 18: the mobile list and the bureau's mobile view (target <= 150 ms each)."""
    zone = zone_ensure(members=members, seed=seed)
    generated = mobile_ensure(seed=seed)
    records = MobileRecord.objects.aggregate(
        n=Count("pk"),
        outflow=Count("pk", filter=Q(member__isnull=False)),
        open=Count("pk", filter=Q(returned_on__isnull=True)),
    )
    town = _largest_town()
    busiest = (
        MobileRecord.objects.filter(home_organisation__kind=OrganisationKind.BRANCH, returned_on__isnull=True)
        .values_list("home_organisation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    branch = Organisation.objects.get(pk=busiest[0])
    bureau, town_admin = Client(), Client()
    bureau.force_login(User.objects.get(username="bureau"))
    town_admin.force_login(User.objects.get(username="town1"))

    def get(client, url):
        def request():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return request

    today = timezone.localdate()
    context = RunContext(year=today.year, today=today, values=policy_for_year(today.year))

    def rule():
        return len(list(RULES["N-MOBILE"].evaluate(context)))

    return {
        "zone": zone,
        "mobile": generated,
        "records": {**records, "contacts": MobileContact.objects.count()},
        "bureau_mobile_list": _timings(get(bureau, reverse("members:mobile_list")), repeat),
        "bureau_mobile_zone": _timings(get(bureau, reverse("members:mobile_zone")), repeat),
        "town_admin_mobile_zone": _timings(get(town_admin, reverse("members:mobile_zone")), repeat),
        "town_mobile_page": _timings(get(bureau, reverse("members:mobile_organisation", args=[town.pk])), repeat),
        "branch_mobile_page": _timings(get(bureau, reverse("members:mobile_organisation", args=[branch.pk])), repeat),
        "n_mobile_rule_whole_zone": _timings(rule, max(3, repeat // 5)),
    }
