"""Issue 16's benchmark (`manage.py bench roster_flow`): its generated roster has no ID number twice,
its percentile is interpolated, and the whole bench runs at a tiny size and reports every figure. Not timed."""

import pytest

from devtools import benchmarks
from devtools.bench_roster import forked, roster_flow_measure
from members.models import Member


def test_roster_people_have_distinct_id_numbers_at_full_size():
    """The bench's 100,000-row file: drawn at random, 290 ID numbers came twice (99,710 rows written)."""
    people = benchmarks.roster_people(count=100_000, seed=2015)

    assert len({number for _name, _male, number, _born in people}) == 100_000


def test_percentile_interpolates_between_samples():
    samples = [float(n) for n in range(1, 31)]

    assert benchmarks.percentile(samples, 95) == pytest.approx(28.55)
    assert benchmarks.percentile(samples, 50) == pytest.approx(15.5)
    assert benchmarks.percentile([7.0], 95) == 7.0


def test_roster_flow_is_registered():
    assert "roster_flow" in benchmarks.BENCHMARKS


def test_forked_gives_the_childs_result_and_keeps_its_memory_apart():
    def grow(*, megabytes):
        ballast = bytearray(megabytes * 2**20)
        ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident
        return status_mb("VmHWM")

    def fail():
        raise ValueError("in the child")

    resident, peak = status_mb("VmRSS"), status_mb("VmHWM")
    child_peak = forked(grow, megabytes=200)

    assert child_peak > resident + 150  # the child starts from what this process holds now
    assert status_mb("VmHWM") < peak + 50  # and this process's own peak did not move
    with pytest.raises(RuntimeError, match="ValueError: in the child"):
        forked(fail)


def status_mb(key: str) -> float:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) / 1024 for line in handle if line.startswith(key + ":"))


@pytest.mark.django_db(transaction=True)
def test_roster_flow_runs_at_a_tiny_size_and_reports_every_figure(zone, users):
    """Committed (transaction=True): each step runs in a forked child, which sees only what is committed."""
    rows = 300

    result = roster_flow_measure(rows=rows, seed=7, organisation=zone.wc, user=users.bureau, stock_rows=100)

    assert set(result) >= {
        "rows",
        "floor",
        "flow",
        "flow_to_floor",
        "reimport",
        "other_layout",
        "stock_import_export",
        "speedup_over_stock",
        "load",
    }
    assert result["distinct_id_numbers"] == rows
    assert result["floor"]["written"] == rows
    assert result["flow"]["written"] == {"created": rows, "updated": 0}
    assert result["flow"]["peak_rss_mb"] > 0
    assert result["flow"]["peak_with_helper_mb"] >= result["flow"]["peak_rss_mb"]
    # Every tenth row changed (a third each: phone, post, branch) and 1 % new.
    reimport = result["reimport"]
    assert reimport["file"] == {"phone": 10, "job_title": 10, "transfer": 10, "new": 3, "rows": 303}
    assert (reimport["counts"]["new"], reimport["counts"]["changed"]) == (3, 20)
    # A transfer to another branch is refused by the import (it needs its letter): counted apart.
    assert reimport["transfers_refused"] == 10
    assert reimport["history"]["changing"] == {"phone": 10, "job_title": 10}
    assert reimport["member_events_added"] == reimport["written"]["created"] + reimport["written"]["updated"]
    other = result["other_layout"]
    assert other["rejected_rows"] == other["bad_rows_in_file"] == 6
    assert other["accepted_rows"] == rows - 6
    assert [r["field"] for r in other["readings"]] == ["category"]
    stock = result["stock_import_export"]
    assert (stock["import_rows"], stock["new"], stock["errors"], stock["extrapolated"]) == (100, 100, 0, True)
    assert result["load"]["samples"] >= 1
    # The zone is left as it was.
    assert not Member.objects.filter(id_number__startswith="4399").exists()
