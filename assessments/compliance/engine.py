"""The compliance engine: rules, the context they run in, and the run that turns checks into findings.

A rule (one per Q-* clause, plus N-MEETINGS and N-DEVELOPMENT) is a function of a `RunContext`
that yields `Check`s for the whole zone from a few aggregate queries: never a query per
organisation. The run streams every rule's checks once: passed and failed ones are counted by
sector and town or system (`RuleTally`, what the dashboards chart); failed ones are copied into
`FindingStage` and merged into `Finding` with three set-based statements, so that

- rerunning a period gives the same findings: new ones open, met ones resolve, nothing doubles;
- two runs of a year never write at once: a partial unique constraint on running runs is the lease;
- a run that fails midway writes nothing (one transaction), keeping the previous findings;
- a run whose worker died (SIGKILL, a restarted host) is known at once: it recorded its worker and
  its year's work lock (core.work_locks) is free. The next run takes it over, the runs page marks it failed.

During the year a rule reports fairly: quantities are due pro rata (`RunContext.share_of_year`),
periods are judged only once they are over, and once-a-year duties only when the year is over
(`RunContext.final`); then the verdict is final.

A record a secretary saves is checked again at once (`compliance_recheck`, issue 12): the rules the
record serves, for its organisation's subtree only, merged into the findings of that subtree only.
Those rules read only the subtree too (`RunContext.scoped`), so a save costs what its subtree holds,
not what the zone holds; their checks inside it are exactly those a run yields for it.
A recheck is not a run: it writes no `ComplianceRun` row, so it never meets the lease (the partial
unique index on running runs) and never takes the year's work lock, so a nightly run is never
skipped for it nor it for a run. The two can still overlap, and the verdict read from the newer
records wins: every finding keeps `checked_at`, when the evaluation that wrote it began (a run's
start, a recheck's start); a run or recheck writes a finding only if it began at or after that, so a
run that read the records before a meeting was saved cannot reopen what the meeting's recheck
resolved. The merges of a year take one transaction-level advisory lock (PostgreSQL), so two of
them never insert the same new finding at once.
"""

import contextlib
import datetime
import hashlib
import logging
import time
import traceback
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from assessments.compliance.base import RunContext
from assessments.compliance.catalogue import RULES
from assessments.models import ComplianceRun, Finding, FindingStage, RuleTally
from assessments.weak import weak_candidates
from branches.enums import OrganisationKind
from branches.models import Organisation
from core.bulkload import rows_copy
from core.policy import policy_for_year
from core.progress import progress_get, progress_set
from core.scoping import subtree
from core.work_locks import work_lock, work_lock_free, worker_name
from core.years import FIRST_YEAR

logger = logging.getLogger(__name__)

# A run still "running" after this long died without saying so (a killed worker): the next run takes over.
STALE_AFTER = datetime.timedelta(hours=3)
RUN_WORK = "compliance-run"  # the work lock of a year's run
MERGE_LOCK = "compliance-merge"  # the advisory lock of a year's merges (runs and rechecks)


def _lease(*, year: int, today: datetime.date, trigger: str, user) -> ComplianceRun | None:
    """Take the year's lease: a running run, unique per year. None when another live run holds it.
    The caller holds the year's work lock, so a running run that recorded its worker is dead."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return ComplianceRun.objects.create(
                    year=year, as_of=today, trigger=trigger, started_by=user, summary={"worker": worker_name()}
                )
        except IntegrityError:
            stale = timezone.now() - STALE_AFTER
            taken = ComplianceRun.objects.filter(
                Q(started_at__lt=stale) | Q(summary__has_key="worker"), year=year, state=ComplianceRun.State.RUNNING
            ).update(
                state=ComplianceRun.State.FAILED,
                error="stale: the run stopped without finishing",
                finished_at=timezone.now(),
            )
            if not taken:
                return None
    return None


def _organisation_groups() -> dict[int, tuple[str, int | None]]:
    """Each organisation's (sector, town or system): the organisation at depth 2 above it (one query)."""
    rows = list(Organisation.objects.values_list("pk", "sector", "path", "depth"))
    top = {path: pk for pk, _sector, path, depth in rows if depth == 2}
    return {pk: (sector, top.get(path[:8])) for pk, sector, path, _depth in rows}


def _merge(*, run: ComplianceRun, rules: list[str], now) -> tuple[int, int]:
    """Staged failures → findings, set-based: update the known, insert the new, resolve the rest.
    Returns (opened, resolved); reopened findings count as opened."""
    f, s = Finding._meta.db_table, FindingStage._meta.db_table
    same = (
        "f.rule = s.rule AND f.period = s.period AND f.aspect = s.aspect AND f.organisation_id = s.organisation_id "
        "AND f.member_id IS NOT DISTINCT FROM s.member_id"
    )
    marks = ", ".join(["%s"] * len(rules))
    # What the run read is older than what a recheck begun since then read.
    stamp = connection.ops.adapt_datetimefield_value(run.started_at)
    fresh = "(f.checked_at IS NULL OR f.checked_at <= %s)"
    _merge_lock(year=run.year)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The stage was just filled and the findings may have grown since autovacuum last looked: without fresh
            # statistics the planner takes them for empty and joins them row by row.
            cursor.execute(f"ANALYZE {s}, {f}")
        cursor.execute(
            f"SELECT COUNT(*) FROM {f} f JOIN {s} s ON {same} WHERE s.run_id = %s AND f.status = 'resolved' AND {fresh}",
            [run.pk, stamp],
        )
        reopened = cursor.fetchone()[0]
        cursor.execute(
            f"UPDATE {f} AS f SET measured = s.measured, required = s.required, due_on = s.due_on, "
            "last_run_id = s.run_id, checked_at = %s, "
            "status = CASE WHEN f.status = 'resolved' THEN 'open' ELSE f.status END, "
            "resolved_at = CASE WHEN f.status = 'resolved' THEN NULL ELSE f.resolved_at END "
            f"FROM {s} AS s WHERE s.run_id = %s AND {same} AND {fresh}",
            [stamp, run.pk, stamp],
        )
        # The known ones were just updated: they leave the stage, and the rest go in as they are. (A NOT EXISTS
        # over the findings being inserted into would rescan, for each row, every row inserted before it.)
        cursor.execute(
            f"DELETE FROM {s} AS s WHERE s.run_id = %s AND EXISTS (SELECT 1 FROM {f} f WHERE {same})", [run.pk]
        )
        cursor.execute(
            f"INSERT INTO {f} (rule, organisation_id, member_id, year, period, aspect, measured, required, due_on, status, "
            "opened_run_id, last_run_id, opened_at, waived_reason, checked_at) "
            "SELECT s.rule, s.organisation_id, s.member_id, s.year, s.period, s.aspect, s.measured, s.required, s.due_on, "
            f"'open', s.run_id, s.run_id, %s, '', %s FROM {s} s WHERE s.run_id = %s",
            [now, stamp, run.pk],
        )
        inserted = cursor.rowcount
        cursor.execute(
            f"UPDATE {f} AS f SET status = 'resolved', resolved_at = %s, checked_at = %s WHERE f.year = %s "
            f"AND f.status = 'open' AND (f.last_run_id IS NULL OR f.last_run_id <> %s) AND f.rule IN ({marks}) "
            f"AND {fresh}",
            [now, stamp, run.year, run.pk, *rules, stamp],
        )
        resolved = cursor.rowcount
        cursor.execute(f"DELETE FROM {s} WHERE run_id = %s", [run.pk])
    return inserted + reopened, resolved


def _merge_lock(*, year: int) -> None:
    """One merge of a year's findings at a time (a run's or a recheck's), until the transaction ends:
    a PostgreSQL transaction-level advisory lock; SQLite writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(f"{MERGE_LOCK}:{year}".encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class Recheck(NamedTuple):
    """What a recheck did: checks kept (inside the subtree), findings opened or reopened, resolved."""

    checked: int
    opened: int
    resolved: int


def compliance_recheck(*, organisation, year: int, rules: Iterable[str], today: datetime.date | None = None) -> Recheck:
    """Evaluate the named rules again for one organisation and everything below it, right after a
    record there changed (issue 12: the finding a meeting fixes goes at once, not the next morning).

    Only that subtree's checks are kept and only that subtree's findings of those rules and that year
    are touched; no run row, no run lock, no tallies (the dashboard keeps the nightly figures). How a
    recheck and a run overlap safely: the module docstring. A party group is checked with its branch:
    its members count for the branch (talks, community service)."""

    if organisation.kind == OrganisationKind.PARTY_GROUP:
        parent = organisation.path[: -Organisation.steplen]
        organisation = Organisation.objects.filter(path=parent).first() or organisation
    today = today or timezone.localdate()
    chosen = [RULES[c] for c in dict.fromkeys(rules) if c in RULES]
    if not chosen or not FIRST_YEAR <= year <= today.year:
        return Recheck(0, 0, 0)
    began = timezone.now()  # before anything is read
    context = RunContext(year=year, today=today, values=policy_for_year(year), within=organisation.path)
    inside = set(Organisation.objects.filter(subtree(organisation)).values_list("pk", flat=True))
    failed, checked = {}, 0
    for r in chosen:
        for check in r.evaluate(context):
            if check.organisation_id not in inside:
                continue
            checked += 1
            if not check.passed:
                failed[(r.clause, check.period, check.aspect, check.organisation_id, check.member_id)] = check
    with transaction.atomic():
        _merge_lock(year=year)
        opened, resolved = _recheck_merge(
            organisation=organisation, year=year, rules=[r.clause for r in chosen], failed=failed, began=began
        )
    return Recheck(checked, opened, resolved)


def _recheck_merge(*, organisation, year: int, rules: list[str], failed: dict, began) -> tuple[int, int]:
    """A recheck's failures → the subtree's findings: as `_merge` does for a run, for a few hundred rows."""
    now = timezone.now()
    changed, opened, resolved = [], 0, 0
    known = Finding.objects.filter(subtree(organisation, via="organisation"), year=year, rule__in=rules)
    for finding in known.select_for_update(of=("self",)):  # a waiver at the same moment waits (no-op on SQLite)
        key = (finding.rule, finding.period, finding.aspect, finding.organisation_id, finding.member_id)
        check = failed.pop(key, None)
        if finding.checked_at is not None and finding.checked_at > began:
            continue  # a run or recheck that read newer records wrote it
        if check is not None:
            finding.measured, finding.required, finding.due_on = check.measured, check.required, check.due_on
            if finding.status == Finding.Status.RESOLVED:
                finding.status, finding.resolved_at = Finding.Status.OPEN, None
                opened += 1
        elif finding.status == Finding.Status.OPEN:
            finding.status, finding.resolved_at = Finding.Status.RESOLVED, now
            resolved += 1
        else:
            continue
        finding.checked_at = began
        changed.append(finding)
    Finding.objects.bulk_update(
        changed, ["measured", "required", "due_on", "status", "resolved_at", "checked_at"], batch_size=1000
    )
    created = Finding.objects.bulk_create(
        (
            Finding(
                rule=rule_,
                organisation_id=organisation_id,
                member_id=member_id,
                year=year,
                period=period,
                aspect=aspect,
                measured=c.measured,
                required=c.required,
                due_on=c.due_on,
                opened_at=now,
                checked_at=began,
            )
            for (rule_, period, aspect, organisation_id, member_id), c in failed.items()
        ),
        batch_size=1000,
    )
    return opened + len(created), resolved


def compliance_run(
    *, year: int, today: datetime.date | None = None, user=None, trigger: str = "beat", rules: Iterable[str] = ()
) -> ComplianceRun:
    """Evaluate every rule (or the named ones) for a year and merge the findings; see the module docstring."""
    with work_lock(name=RUN_WORK, key=year) as held, _planner_without_jit():
        return _compliance_run(year=year, today=today, user=user, trigger=trigger, rules=rules, held=held)


@contextlib.contextmanager
def _planner_without_jit():
    """PostgreSQL's JIT compiles each of the run's big aggregates anew, about a second each (the study
    hours' sum over 25 million attendance rows: 8.7 s with it, 6.3 s without); the run's queries are
    planned without it, and the session's setting is put back after (issue 16)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', false)")
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', %s, false)", [before])


def _compliance_run(*, year, today, user, trigger, rules, held: bool) -> ComplianceRun:

    today = today or timezone.localdate()
    run = _lease(year=year, today=today, trigger=trigger, user=user) if held else None
    if run is None:
        return ComplianceRun.objects.create(
            year=year,
            as_of=today,
            trigger=trigger,
            started_by=user,
            state=ComplianceRun.State.SKIPPED,
            finished_at=timezone.now(),
        )
    chosen = [RULES[c] for c in rules] if rules else list(RULES.values())
    try:
        context = RunContext(year=year, today=today, values=policy_for_year(year))
        groups = _organisation_groups()
        tallies: Counter = Counter()
        passed_tallies: Counter = Counter()
        per_rule = {}
        staged_rows = []
        for done, r in enumerate(chosen):
            progress_report(run, done=done, total=len(chosen), clause=r.clause)
            started = time.perf_counter()
            # Counted by organisation first (a million checks of a rule cost a counter each), then by group.
            checked_by, passed_by = Counter(), Counter()
            for check in r.evaluate(context):
                checked_by[check.organisation_id] += 1
                if check.passed:
                    passed_by[check.organisation_id] += 1
                else:
                    staged_rows.append(
                        (
                            run.pk,
                            r.clause,
                            check.organisation_id,
                            check.member_id,
                            year,
                            check.period,
                            check.aspect,
                            check.measured,
                            check.required,
                            check.due_on,
                        )
                    )
            for organisation_id, n in checked_by.items():
                sector, town = groups.get(organisation_id, ("", None))
                key = (r.clause, sector or "", town)
                tallies[key] += n
                passed_tallies[key] += passed_by[organisation_id]
            checked = sum(checked_by.values())
            per_rule[r.clause] = {
                "checked": checked,
                "failed": checked - sum(passed_by.values()),
                "seconds": round(time.perf_counter() - started, 3),
            }
        now = timezone.now()
        with transaction.atomic():
            rows_copy(
                table=FindingStage._meta.db_table,
                columns=[
                    "run_id",
                    "rule",
                    "organisation_id",
                    "member_id",
                    "year",
                    "period",
                    "aspect",
                    "measured",
                    "required",
                    "due_on",
                ],
                rows=iter(staged_rows),
            )
            del staged_rows
            opened, resolved = _merge(run=run, rules=[r.clause for r in chosen], now=now)
            RuleTally.objects.bulk_create(
                (
                    RuleTally(
                        run=run,
                        rule=rule_,
                        sector=sector,
                        town_id=town,
                        checked=n,
                        passed=passed_tallies[(rule_, sector, town)],
                    )
                    for (rule_, sector, town), n in tallies.items()
                ),
                batch_size=5000,
            )
            run.summary = _summary(year=year, per_rule=per_rule)
            run.summary["weak"] = weak_candidates(year=year, today=today)
            run.checked = sum(v["checked"] for v in per_rule.values())
            run.opened, run.resolved = opened, resolved
            run.open_total = sum(v["open"] for v in run.summary["rules"].values())
            run.state = ComplianceRun.State.DONE
            run.finished_at = timezone.now()
            run.save()
    except Exception:
        logger.exception("compliance run of %s failed", year)
        ComplianceRun.objects.filter(pk=run.pk).update(
            state=ComplianceRun.State.FAILED, error=traceback.format_exc()[-4000:], finished_at=timezone.now()
        )
        run.refresh_from_db()
    return run


def _progress_key(run_pk: int) -> str:
    return f"compliance-run-progress:{run_pk}"


def progress_report(run: ComplianceRun, *, done: int, total: int, clause: str) -> None:
    """Where a run is (rule `done` of `total`), for the page that watches it (the cache: Redis in production)."""
    progress_set(_progress_key(run.pk), {"done": done, "total": total, "clause": clause}, timeout=6 * 3600)


def run_progress(run: ComplianceRun) -> dict:
    """Where a run is; a run whose worker died (its year's work lock is free) is marked failed first."""
    worker = run.summary.get("worker") if run.state == ComplianceRun.State.RUNNING else None
    if worker and work_lock_free(name=RUN_WORK, key=run.year):
        ComplianceRun.objects.filter(pk=run.pk, state=ComplianceRun.State.RUNNING).update(
            state=ComplianceRun.State.FAILED,
            error=f"stale: the worker {worker} stopped before the run finished",
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
    if run.state != ComplianceRun.State.RUNNING:
        return {"done": 1, "total": 1, "clause": ""}
    return progress_get(_progress_key(run.pk)) or {"done": 0, "total": 0, "clause": ""}


def _summary(*, year: int, per_rule: dict) -> dict:
    """What the dashboards read without scanning findings: per rule the checks and open findings,
    and the organisations with the most open findings (precomputed here, once a night)."""
    from django.db.models import Count

    open_by_rule = dict(
        Finding.objects.filter(year=year, status=Finding.Status.OPEN)
        .values_list("rule")
        .annotate(n=Count("pk"))
        .values_list("rule", "n")
    )
    top = list(
        Finding.objects.filter(year=year, status=Finding.Status.OPEN)
        .values_list("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation")
        .values_list("organisation", "n")[:20]
    )
    rules = {clause: {**counts, "open": open_by_rule.get(clause, 0)} for clause, counts in per_rule.items()}
    return {"rules": rules, "top": top}
