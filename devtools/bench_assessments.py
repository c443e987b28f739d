"""Issue 6's figures: the nightly compliance run over a year of activity, and the bureau's pages.

`bench_compliance_run` (registered as `compliance_run` in devtools/benchmarks.py) ensures the zone,
generates last year's activity when it is missing (devtools/demo_activity.py, timed, in a child
process so the run's memory is measured on its own), then runs the full final check of last year
as the beat does on 1 April (the first night every rule of the year is judged, Q-ANNUAL-REPORT
included) three times (the first opens what it finds, the others may open nothing) and reports the
median with each rule's time, then times the dashboard and the findings grouped by organisation
as the bureau sees them.
"""

import datetime
import multiprocessing
import resource
import statistics
import time

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.compliance.engine import compliance_run
from assessments.models import ComplianceRun, Finding, FindingStage, Meeting, RuleTally
from core.models import User
from devtools.benchmarks import LoadSampler, _timings, zone_ensure
from devtools.demo_activity import WRITTEN, activity_generate, activity_reset
from members.models import Candidate

RUNS = 3  # the nightly run's figure is the median of three


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _generate(year: int, seed: int, queue) -> None:
    """In the child: generate the year's activity and report its counts and peak memory."""
    import traceback

    try:
        result = activity_generate(year=year, seed=seed)
        result["peak_rss_mb"] = _rss_mb()
    except Exception:
        result = {"error": traceback.format_exc()}
    connection.close()
    queue.put(result)


def activity_ensure(*, year: int, seed: int) -> dict:
    """Generate the year's activity unless it is there (more than the demo branch's own meetings)."""
    organisations = Meeting.objects.filter(held_on__year=year).values("organisation").distinct().count()
    current = Candidate.objects.filter(applied_on__year=year).exists()  # made by the generator since issue 16
    if organisations > 1 and current:
        return {"reused": True, "organisations_with_meetings": organisations}
    if organisations > 1:  # an earlier generator's year: made again, every rule's records in it
        activity_reset(keep_organisation_ids=_demo_branches())
    connection.close()  # the child opens its own connection
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.perf_counter()
    child = context.Process(target=_generate, args=(year, seed, queue))
    child.start()
    result = queue.get()
    child.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    wall = round(time.perf_counter() - started, 2)
    return {"reused": False, "wall_seconds": wall, "settle_seconds": _settle(), **result}


def _demo_branches() -> list[int]:
    """The demo branch (login branch1), whose records were written through the services (kept, as
    the generator keeps them: it skips an organisation that has records of the year)."""
    return list(
        User.objects.filter(username="branch1").exclude(organisation=None).values_list("organisation_id", flat=True)
    )


def _settle() -> float:
    """After the load, what autovacuum and the checkpointer would have done by the night: the new
    rows vacuumed and analysed, the dirty pages written, so the run is measured on a settled database."""
    if connection.vendor != "postgresql":
        return 0.0

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(model._meta.db_table for model in WRITTEN)}")
        cursor.execute("CHECKPOINT")
    return round(time.perf_counter() - started, 2)


def _compliance_clear(year: int) -> None:
    """The year's findings, tallies and runs go, so the first run opens what it finds (plain DELETEs)."""
    with connection.cursor() as cursor:
        runs = f"SELECT id FROM {ComplianceRun._meta.db_table} WHERE year = %s"
        for model in (FindingStage, RuleTally):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE run_id IN ({runs})", [year])
        cursor.execute(f"DELETE FROM {Finding._meta.db_table} WHERE year = %s", [year])
        cursor.execute(f"DELETE FROM {ComplianceRun._meta.db_table} WHERE year = %s", [year])


def _run(year: int, today: datetime.date) -> dict:

    started = time.perf_counter()
    run = compliance_run(year=year, today=today, trigger="bench")
    seconds = time.perf_counter() - started
    assert run.state == ComplianceRun.State.DONE, run.error
    rules = run.summary["rules"]
    return {
        "seconds": round(seconds, 2),
        "checks": run.checked,
        "opened": run.opened,
        "resolved": run.resolved,
        "open_total": run.open_total,
        "per_rule": {
            clause: {"seconds": v["seconds"], "checks": v["checked"], "failed": v["failed"]}
            for clause, v in sorted(rules.items(), key=lambda item: -item[1]["seconds"])
        },
    }


def bench_compliance_run(*, members: int, seed: int, repeat: int) -> dict:
    """Issue 6: the whole nightly run at the zone's size (≤ 60 s at 1,000,000 members, linear in the
    zone) and the bureau dashboard (≤ 300 ms server time)."""

    zone = zone_ensure(members=members, seed=seed)
    this_year = timezone.localdate().year
    year = this_year - 1
    activity = activity_ensure(year=year, seed=seed)
    _compliance_clear(year)
    today = datetime.date(this_year, 4, 1)
    with LoadSampler() as load:
        first = _run(year, today)
        first["peak_rss_mb"] = _rss_mb()
        reruns = [_run(year, today) for _ in range(RUNS - 1)]
    seconds = [first["seconds"]] + [r["seconds"] for r in reruns]
    client = Client()
    client.force_login(User.objects.get(username="bureau"))

    def get(url, **params):
        def request():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        return request

    return {
        "zone": zone,
        "year": year,
        "as_of_day": today.isoformat(),
        "activity": activity,
        "runs_seconds": seconds,
        "runs_load": load.summary(),
        "run_seconds_p50": statistics.median(seconds),
        "rules_without_checks": sorted(clause for clause, v in first["per_rule"].items() if not v["checks"]),
        "run": first,
        "reruns": [{key: r[key] for key in ("seconds", "checks", "opened", "resolved")} for r in reruns],
        "dashboard": _timings(get(reverse("dashboard"), year=year), repeat),
        "findings_by_organisation": _timings(
            get(reverse("assessments:findings"), year=year, group="organisation"), repeat
        ),
        "peak_rss_mb": _rss_mb(),
    }
