"""Writes the audit trail would never see (issue 13, item 4): `bulk_create`, queryset `update()`, raw
SQL and COPY pass the model signals, and a queryset `delete()` logs row by row what the service
replaces; so each service that writes so logs one named action with what it wrote. Two guards:

- the harness runs every such service with realistic inputs and reads PostgreSQL's own count of the
  rows each call inserted, updated and deleted per table (`pg_stat_xact_user_tables`: ORM, raw SQL
  and COPY alike); an audited model written with no entry for it in the same call fails;
- a static scan of the product code finds every `bulk_create`, `bulk_update` and queryset
  `update()`/`delete()` on an audited model (or on a queryset it cannot name), and fails when its
  function logs nothing, or when the harness does not run that function.
"""

import ast
import contextlib
import datetime
import importlib
import pathlib
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services as assessment_services
from assessments import weak
from assessments.compliance import engine
from assessments.enums import AttendanceStatus, Grade, MeetingKind, TrainingKind
from assessments.models import Finding, Talk
from branches import services as branch_services
from core import audit, bulkload
from core import services as portal_services
from core.models import AuditEntry
from funding.services import dues
from members import imports
from members import services as member_services
from members.enums import MemberStatus
from tests.members.test_imports import preview, sheet_rows

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]
DAY = datetime.date(2024, 3, 15)


# The harness ------------------------------------------------------------------------------------


def _row_counts() -> dict[str, tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _set_columns(sql: str) -> set[str]:
    """The columns an UPDATE sets: the names before `=` at the top level of its SET clause."""
    start = re.search(r"\bSET\b", sql, re.IGNORECASE)
    columns, depth, part = set(), 0, ""
    for char in sql[start.end() :] if start else "":
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and (char == "," or re.search(r"\s(WHERE|FROM|RETURNING)\s$", part + char, re.IGNORECASE)):
            columns.add(part.split("=")[0].strip().strip('"'))
            part = ""
            if char != ",":
                break
            continue
        part += char
    else:
        if part.strip():
            columns.add(part.split("=")[0].strip().strip('"'))
    return columns


def _columns(model, names) -> set[str]:
    return {model._meta.get_field(name).column for name in names}


def _unlogged_update(model, columns: set[str]) -> bool:
    """An UPDATE the trail logs: not one that sets only what it ignores (IGNORED_FIELDS: tree
    bookkeeping, the member count), nor one of a run's records that leaves the fields a person sets
    (ONLY_WHEN_SAVED: a finding's waiver) alone."""
    label = model._meta.label_lower
    if label in audit.ONLY_WHEN_SAVED:
        return bool(columns & _columns(model, audit.ONLY_WHEN_SAVED[label]))
    return not columns <= _columns(model, audit.IGNORED_FIELDS.get(label, ()))


@contextlib.contextmanager
def bulk_writes_checked(*, exempt: dict | None = None):
    """Fails when the code inside writes rows of an audited model and leaves no entry for that model
    (its own entries, or a named action declaring it). Updates the trail does not log
    (`_unlogged_update`) and the creates and deletes of a run's records (ONLY_WHEN_SAVED) need none.
    `exempt`: model label → why its rows are written without an entry."""
    assert connection.vendor == "postgresql", "the harness reads PostgreSQL's row counts"
    tables = {model._meta.db_table: model for model in audit.audited_models()}
    last_pk = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    updates: list[str] = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE"):
            updates.append(sql)
        return execute(sql, params, many, context)

    before = _row_counts()
    with connection.execute_wrapper(capture):
        yield
    after = _row_counts()
    entries = list(AuditEntry.objects.filter(pk__gt=last_pk))
    covered = {entry.model for entry in entries}
    for entry in entries:
        named = audit.NAMED_ACTIONS.get(entry.action)
        covered.update(named.models if named else ())
    written = {}
    for table, counts in after.items():
        model = tables.get(table)
        changed = tuple(a - b for a, b in zip(counts, before.get(table, (0, 0, 0)), strict=True))
        if model is None or not any(changed):
            continue
        label = model._meta.label_lower
        inserted, updated, deleted = changed
        if label in audit.ONLY_WHEN_SAVED:
            inserted = deleted = 0
        quoted = connection.ops.quote_name(table)
        statements = [sql for sql in updates if re.match(rf"\s*UPDATE\s+{re.escape(quoted)}\s", sql, re.IGNORECASE)]
        if statements and not any(_unlogged_update(model, _set_columns(sql)) for sql in statements):
            updated = 0
        if inserted or updated or deleted:
            written[label] = {"inserted": inserted, "updated": updated, "deleted": deleted}
    unlogged = {label: rows for label, rows in written.items() if label not in covered and label not in (exempt or {})}
    assert unlogged == {}, f"rows written with no audit entry for their model: {unlogged}"


# The services that write in bulk, each run as a page would run it.


def case_meeting(zone, users):
    data = {"kind": MeetingKind.GENERAL, "held_on": DAY, "place": "党员活动室", "topic": "学习"}
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    with bulk_writes_checked():
        meeting = assessment_services.meeting_record(
            organisation=zone.b1, data=data, attendance=present, user=users.branch_admin
        )
    corrected = {**present, zone.b1_members[0].pk: (AttendanceStatus.EXCUSED, "病假")}
    with bulk_writes_checked():
        assessment_services.meeting_record(
            organisation=zone.b1, data=data, attendance=corrected, meeting=meeting, user=users.branch_admin
        )


def case_training(zone, users):
    with bulk_writes_checked():
        assessment_services.training_batch_record(
            organisation=zone.b1,
            kind=TrainingKind.COURSE,
            title="党的二十大精神专题培训",
            held_on=DAY,
            hours=Decimal(8),
            member_ids=[m.pk for m in zone.b1_members],
            user=users.branch_admin,
        )


def case_talks(zone, users):
    a, b, c = zone.b1_members
    with bulk_writes_checked():
        assessment_services.talks_record(
            organisation=zone.b1,
            held_on=DAY,
            topic="思想动态",
            member_ids=[b.pk, c.pk],
            talker=a,
            user=users.branch_admin,
        )


def _grades(final=Grade.QUALIFIED):
    q = Grade.QUALIFIED
    return {"self_grade": q, "peer_grade": q, "public_grade": q, "branch_grade": q, "grade": final, "disposal": ""}


def case_evaluation(zone, users):
    results = {m.pk: _grades() for m in zone.b1_members}
    with bulk_writes_checked():
        evaluation = assessment_services.evaluation_record(
            organisation=zone.b1, year=2024, held_on=DAY, results=results, user=users.branch_admin
        )
    results[zone.b1_members[0].pk] = _grades(Grade.EXCELLENT)
    with bulk_writes_checked():
        assessment_services.evaluation_record(
            organisation=zone.b1,
            year=2024,
            held_on=DAY,
            results=results,
            evaluation=evaluation,
            user=users.branch_admin,
        )


def case_weak_proposal(zone, users):
    with bulk_writes_checked():
        weak.weak_proposal_make(year=2024, user=users.bureau)
    with bulk_writes_checked():  # an undecided proposal is replaced
        weak.weak_proposal_make(year=2024, user=users.bureau)


def case_dues(zone, users):
    rows = {
        m.pk: {"monthly_income": Decimal(income)}
        for m, income in zip(zone.b1_members, (4000, 6000, 12000), strict=True)
    }
    with bulk_writes_checked():
        dues.dues_bases_record(organisation=zone.b1, year=2024, rows=rows, user=users.branch_admin)
    rows[zone.b1_members[0].pk] = {"monthly_income": Decimal(4500)}
    with bulk_writes_checked():  # a base changed: written over
        dues.dues_bases_record(organisation=zone.b1, year=2024, rows=rows, user=users.branch_admin)
    with bulk_writes_checked():
        dues.dues_collect(
            organisation=zone.b1,
            months=[datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)],
            member_ids=[m.pk for m in zone.b1_members],
            paid_on=datetime.date(2024, 2, 20),
            user=users.branch_admin,
        )


def case_policy_revision(zone, users):
    today = datetime.date(2017, 12, 1)
    values = {"activity_fund.agency_min_rate": Decimal("0.025"), "training.member_hours": Decimal(40)}
    with bulk_writes_checked():
        revision = portal_services.policy_revision_save(
            name="2018年调整",
            effective_from=datetime.date(2018, 1, 1),
            source="高新区组织人事局通知",
            values=values,
            today=today,
            user=users.sysadmin,
        )
    with bulk_writes_checked():  # its values written over before it is in force
        portal_services.policy_revision_save(
            name="2018年调整",
            effective_from=datetime.date(2018, 1, 1),
            source="高新区组织人事局通知",
            values={"training.member_hours": Decimal(36)},
            revision=revision,
            today=today,
            user=users.sysadmin,
        )


def case_dissolve(zone, users):
    for member in zone.b3_members:
        member_services.member_status_change(
            member=member, status=MemberStatus.LEFT, on=timezone.localdate(), reason="自行脱党"
        )
    with bulk_writes_checked():
        branch_services.organisation_dissolve(
            organisation=zone.b3, on=timezone.localdate(), reason="单位注销", user=users.bureau
        )


def case_status_change(zone, users):
    with bulk_writes_checked():
        member_services.member_status_change(
            member=zone.b1_members[2],
            status=MemberStatus.DECEASED,
            on=datetime.date(2024, 2, 1),
            reason="病故",
            user=users.bureau,
        )


def case_transfer(zone, users):
    with bulk_writes_checked():
        member_services.member_transfer(
            member=zone.b1_members[1],
            to_organisation=zone.b3,
            on=datetime.date(2024, 5, 10),
            letter_number="湘高组转〔2024〕12号",
            user=users.town_admin,
        )
    with bulk_writes_checked():
        member_services.member_transfer(
            member=zone.b1_members[2],
            external_organisation="中共岳麓区某街道工委",
            on=datetime.date(2024, 5, 10),
            letter_number="A-1",
            user=users.town_admin,
        )


def case_roster_import(zone, users):
    plan = preview(zone, sheet_rows(3), user=users.town_admin)
    exempt = {"members.membership": "the import's one entry counts the members it creates, one span each"}
    with bulk_writes_checked(exempt=exempt):
        imports.roster_import(plan=plan, user=users.town_admin)


def case_compliance_run(zone, users):
    with bulk_writes_checked():  # its findings are its own (ONLY_WHEN_SAVED)
        engine.compliance_run(year=2024, today=datetime.date(2025, 1, 10), trigger="test")


# Each function that writes in bulk (the static scan below finds them), and the case that runs it.
CASES = {
    "assessments.services.meeting_record": case_meeting,
    "assessments.services.training_batch_record": case_training,
    "assessments.services.talks_record": case_talks,
    "assessments.services.evaluation_record": case_evaluation,
    "assessments.weak.weak_proposal_make": case_weak_proposal,
    "funding.services.dues.dues_bases_record": case_dues,
    "funding.services.dues.dues_collect": case_dues,
    "core.services.policy_revision_save": case_policy_revision,
    "branches.services.organisation_dissolve": case_dissolve,
    "members.services.member_status_change": case_status_change,
    "members.services.member_transfer": case_transfer,
    "members.imports.roster_import": case_roster_import,  # COPY: no call site the scan sees
    "assessments.compliance.engine.compliance_run": case_compliance_run,  # raw SQL and COPY
}


@pytest.mark.parametrize("case", sorted(set(CASES.values()), key=lambda case: case.__name__), ids=lambda c: c.__name__)
def test_every_bulk_write_leaves_an_entry_for_its_model(zone, users, case):
    case(zone, users)


def test_the_harness_fails_on_a_bulk_write_without_an_entry(zone, users):
    member = zone.b1_members[0]
    with pytest.raises(AssertionError, match=r"assessments\.talk"), bulk_writes_checked():
        Talk.objects.bulk_create([Talk(organisation=zone.b1, member=member, held_on=DAY, topic="谈心")])
    with pytest.raises(AssertionError, match=r"assessments\.talk"), bulk_writes_checked():
        Talk.objects.filter(member=member).update(topic="谈话")
    with pytest.raises(AssertionError, match=r"assessments\.talk"), bulk_writes_checked():
        columns, make = bulkload.row_factory(
            model=Talk, fields=["organisation", "member", "held_on", "topic"], now=timezone.now()
        )
        bulkload.rows_copy(table=Talk._meta.db_table, columns=columns, rows=[make((zone.b1.pk, member.pk, DAY, "x"))])
    with bulk_writes_checked():  # the member count alone is the portal's own tally
        member_services.member_counts_refresh()
    finding = Finding.objects.create(
        rule="Q-THREE-MEETINGS",
        organisation=zone.b1,
        year=2024,
        period="2024-Q4",
        aspect="general",
        measured=0,
        required=1,
        due_on=datetime.date(2024, 12, 31),
        opened_at=timezone.now(),
    )
    with bulk_writes_checked():  # a run's own bookkeeping on its findings
        Finding.objects.filter(pk=finding.pk).update(measured=1)
    with pytest.raises(AssertionError, match=r"assessments\.finding"), bulk_writes_checked():  # a person's waiver
        Finding.objects.filter(pk=finding.pk).update(waived_reason="村委换届", waived_at=timezone.now())


def test_the_harness_reads_the_columns_an_update_sets():
    assert _set_columns('UPDATE "t" SET "a" = COALESCE((SELECT 1, 2), 0), "b" = 3 WHERE "id" = 1') == {"a", "b"}
    assert _set_columns('UPDATE "t" SET "member_count" = 0') == {"member_count"}


def test_a_named_action_is_dotted_and_declared_once():
    with pytest.raises(ValueError):
        audit.named_action("assessments.weak", label="x", models=())
    with pytest.raises(ValueError):
        audit.named_action("create", label="x", models=())
    with pytest.raises(ValueError):
        audit.log_action(action="assessments.meeting.undeclared")
    with pytest.raises(ValueError):
        audit.named_action(weak.PROPOSAL_MADE, label="x", models=("assessments.talk",))


# What the entries say.


def _rows(rows, *drop):
    return sorted(({k: v for k, v in row.items() if k not in ("id", *drop)} for row in rows), key=str)


def test_a_corrected_attendance_is_one_entry_with_the_rows_before_and_after(zone, users, client_for):
    a, b, c = zone.b1_members
    data = {"kind": MeetingKind.GENERAL, "held_on": DAY, "place": "党员活动室", "topic": "学习"}
    present = {m.pk: (AttendanceStatus.PRESENT, "") for m in zone.b1_members}
    with audit.acting_as(users.branch_admin):
        meeting = assessment_services.meeting_record(organisation=zone.b1, data=data, attendance=present)
        last_pk = AuditEntry.objects.aggregate(last=Max("pk"))["last"]
        assessment_services.meeting_record(
            organisation=zone.b1,
            data=data,
            meeting=meeting,
            attendance={**present, a.pk: (AttendanceStatus.EXCUSED, "病假")},
        )
    entries = list(AuditEntry.objects.filter(pk__gt=last_pk))
    assert [(e.action, e.model, e.object_pk, e.username) for e in entries] == [
        (assessment_services.ATTENDANCE_RECORDED, "assessments.meeting", str(meeting.pk), users.branch_admin.username)
    ]
    entry = entries[0]
    row = {"status": "present", "reason": "", "is_inflow": "false"}
    assert (entry.extra["rows"], _rows(entry.extra["replaced"]), _rows(entry.extra["written"])) == (
        3,
        _rows([{"member": str(m.pk), **row} for m in (a, b, c)]),
        _rows(
            [
                {"member": str(a.pk), **row, "status": "excused", "reason": "病假"},
                *({"member": str(m.pk), **row} for m in (b, c)),
            ]
        ),
    )

    client = client_for(users.auditor)
    with translation.override("zh-hans"):
        page = client.get(reverse("audit_entry", args=[entry.pk]))
        listed = client.get(reverse("audit"), {"action": assessment_services.ATTENDANCE_RECORDED})
        excused = str(AttendanceStatus.EXCUSED.label)
    assert page.context["entry"].action_label == "记录会议出勤"
    details = {str(label): table for label, _text, table in page.context["details"]}
    assert [str(head) for head in details["写入的记录"]["heads"]] == ["ID", "党员", "出勤", "缺席原因", "流入党员"]
    assert [excused, "病假"] in [row[2:4] for row in details["写入的记录"]["rows"]]
    recorded = assessment_services.ATTENDANCE_RECORDED
    assert [(e.pk == entry.pk, e.action) for e in listed.context["page"]] == [(True, recorded), (False, recorded)]
    assert "记录会议出勤" in listed.content.decode()


def test_dues_bases_written_over_keep_the_values_they_replaced(zone, users):
    a = zone.b1_members[0]
    dues.dues_bases_record(organisation=zone.b1, year=2024, rows={a.pk: {"monthly_income": Decimal(4000)}})
    dues.dues_bases_record(organisation=zone.b1, year=2024, rows={a.pk: {"monthly_income": Decimal(4500)}})
    entry = AuditEntry.objects.filter(action=dues.BASES_SET).latest("pk")
    assert (
        [r["monthly_income"] for r in entry.extra["replaced"]],
        [r["monthly_income"] for r in entry.extra["written"]],
        entry.extra["replaced"][0]["id"] == entry.extra["written"][0]["id"],
    ) == (["4000.00"], ["4500.00"], True)


def test_a_policy_revision_changed_keeps_the_values_it_replaced(zone, users):
    today = datetime.date(2017, 12, 1)
    fields = {"name": "2018年调整", "effective_from": datetime.date(2018, 1, 1), "source": "通知", "today": today}
    revision = portal_services.policy_revision_save(values={"training.member_hours": Decimal(40)}, **fields)
    portal_services.policy_revision_save(values={"training.member_hours": Decimal(36)}, revision=revision, **fields)
    entry = AuditEntry.objects.filter(action=portal_services.REVISION_VALUES_SET).latest("pk")
    values = [(r["key"], Decimal(r["value"])) for r in (*entry.extra["replaced"], *entry.extra["written"])]
    assert (entry.object_pk, values) == (
        str(revision.pk),
        [("training.member_hours", Decimal(40)), ("training.member_hours", Decimal(36))],
    )


def test_a_transfer_names_the_span_it_ended(zone, users):
    member = zone.b1_members[1]
    span = member.memberships.get(ended_on__isnull=True)
    transfer = member_services.member_transfer(
        member=member, to_organisation=zone.b3, on=datetime.date(2024, 5, 10), letter_number="1"
    )
    entry = AuditEntry.objects.filter(action=member_services.TRANSFERRED).get()
    assert (entry.object_pk, entry.extra["transfer"], entry.extra["ended_on"], entry.extra["written"]) == (
        str(member.pk),
        transfer.pk,
        "2024-05-09",
        [{"id": span.pk, "organisation": str(zone.b1.pk), "started_on": None}],
    )


def test_a_weak_proposal_counts_what_it_ranked_and_names_what_it_proposed(zone, users):
    selections = weak.weak_proposal_make(year=2024, user=users.bureau)
    weak.weak_proposal_make(year=2024, user=users.bureau)
    entry = AuditEntry.objects.filter(action=weak.PROPOSAL_MADE).latest("pk")
    assert (
        entry.extra["rows"],
        entry.extra["replaced"],
        sum(entry.extra["ranked"].values()),
        len(entry.extra["proposed"]),
    ) == (len(selections), len(selections), len(selections), sum(s.proposed for s in selections))


# The static scan ------------------------------------------------------------------------------

PRODUCT = ("branches", "members", "assessments", "funding", "portal")
# Outside the product: demo data (seed_demo logs one BULK entry for each of its operations) and
# benchmarks, which run in a throwaway database (`make bench`).
EXEMPT_MODULES = {
    "portal.demo",
    "devtools.demo_activity",
    "devtools.demo_funding",
    "devtools.benchmarks",
    "devtools.bench_secretary",
    "devtools.bench_assessments",
    "devtools.bench_funding",
    "devtools.management.commands.seed_demo",
    "devtools.management.commands.bench",
}
# Functions that write an audited model in bulk without an entry of their own, and why.
EXEMPT_FUNCTIONS = {
    "core.passwords.PasswordHistoryValidator.password_changed": (
        "the time of a password change, bookkeeping like last_login: the account's own entry logs the change"
    ),
}
WRITES = {"bulk_create", "bulk_update", "update", "delete"}
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "select_for_update",
    "only",
    "defer",
    "using",
    "annotate",
    "distinct",
    "none",
    "values",
    "values_list",
}
MANAGERS = {"objects", "_base_manager", "_default_manager"}
# Methods that return rows, numbers or nothing: what follows them is no queryset.
NOT_QUERYSETS = {
    "get",
    "first",
    "last",
    "earliest",
    "latest",
    "create",
    "get_or_create",
    "update_or_create",
    "count",
    "exists",
    "aggregate",
    "in_bulk",
    "iterator",
    "contains",
    "explain",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
}


def _modules():
    for app in PRODUCT:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            if name not in EXEMPT_MODULES:
                yield name, path


def _functions(tree):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def _queryset_model(expr, module, querysets: dict):
    """The model class a queryset expression is of; "unknown" for a queryset of a relation
    (`meeting.attendances.all()`); None when the expression is no queryset (a dict, an instance)."""
    chained = False
    while True:
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            if expr.func.attr in NOT_QUERYSETS:
                return None
            chained = chained or expr.func.attr in QUERYSET_METHODS
            expr = expr.func.value
        elif isinstance(expr, ast.Attribute) and expr.attr in MANAGERS:
            chained = True
            if isinstance(expr.value, ast.Name):
                found = getattr(module, expr.value.id, None)
                if isinstance(found, type) and hasattr(found, "_meta"):
                    return found
            expr = expr.value
        else:
            break
    if isinstance(expr, ast.Name) and expr.id in querysets:
        return querysets[expr.id]
    return "unknown" if chained else None


def _logged_write(label: str, method: str, call: ast.Call) -> bool:
    """Whether the trail would log this write were it saved row by row: not an update of ignored
    fields only (the member count), not a run's own records (ONLY_WHEN_SAVED) unless it sets what a
    person sets on them."""
    if method == "update":
        written = {k.arg for k in call.keywords}
    elif method == "bulk_update" and len(call.args) > 1 and isinstance(call.args[1], ast.List | ast.Tuple):
        written = {element.value for element in call.args[1].elts if isinstance(element, ast.Constant)}
    else:
        written = {None}  # rows created or deleted, or fields not named here
    if label in audit.ONLY_WHEN_SAVED:
        return method in ("update", "bulk_update") and not written.isdisjoint({None, *audit.ONLY_WHEN_SAVED[label]})
    return None in written or not written <= audit.IGNORED_FIELDS.get(label, frozenset())


def bulk_call_sites():
    """(module.function, line, method, model label or "unknown", function logs) for each bulk write."""
    audited = {model: model._meta.label_lower for model in audit.audited_models()}
    sites = []
    for name, path in _modules():
        module = importlib.import_module(name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function, node in _functions(tree):
            logs = any(
                isinstance(call, ast.Call)
                and (getattr(call.func, "attr", None) == "log_action" or getattr(call.func, "id", None) == "log_action")
                for call in ast.walk(node)
            )
            querysets = {}
            for _ in range(2):  # a queryset named, then narrowed under the same name
                for assign in ast.walk(node):
                    if isinstance(assign, ast.Assign) and len(assign.targets) == 1:
                        target = assign.targets[0]
                        if isinstance(target, ast.Name):
                            found = _queryset_model(assign.value, module, querysets)
                            if found is not None:
                                querysets[target.id] = found
            for call in ast.walk(node):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                    continue
                method = call.func.attr
                if method not in WRITES:
                    continue
                model = _queryset_model(call.func.value, module, querysets)
                if model is None:
                    continue
                label = "unknown" if model == "unknown" else audited.get(model)
                if label is None:
                    continue  # a model the trail does not keep
                if not _logged_write(label, method, call):
                    continue

                sites.append((f"{name}.{function}", call.lineno, method, label, logs))
    return sites


def test_the_scan_finds_the_known_bulk_writes():
    found = {(function, method, label) for function, _line, method, label, _logs in bulk_call_sites()}
    assert {
        ("assessments.services.meeting_record", "bulk_create", "assessments.attendance"),
        ("assessments.services.meeting_record", "delete", "unknown"),
        ("funding.services.dues.dues_bases_record", "bulk_create", "funding.duesbase"),
        ("members.services.member_transfer", "update", "members.membership"),
        ("branches.services.organisation_dissolve", "update", "branches.post"),
    } <= found
    assert not any(function == "members.services.member_counts_refresh" for function, _m, _l in found)


def test_every_bulk_write_on_an_audited_model_is_in_a_function_that_logs():
    unlogged = [
        f"{function}:{line} {method} on {label}"
        for function, line, method, label, logs in bulk_call_sites()
        if not logs and function not in EXEMPT_FUNCTIONS
    ]
    assert unlogged == []


def test_every_function_that_writes_in_bulk_is_run_by_the_harness():
    functions = {function for function, *_rest in bulk_call_sites()} - set(EXEMPT_FUNCTIONS)
    assert sorted(functions - set(CASES)) == []
