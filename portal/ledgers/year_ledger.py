"""The year ledger (党建工作台账) of an organisation: the page a town or bureau inspector asks to see,
its sections in the order the opinion lists the duties (SECTIONS: 三.3 the venue, 三.4(1) the
三会一课, the secretary's lecture, the democratic evaluation and the talks, 三.4(2) study hours, 三.5(1)
dues, 四.2 the annual report), then the open findings with their clauses. Each section reads the
selector its own page reads, so the ledger shows what the pages show."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.compliance.selectors import aspect_label, number, rule_title
from assessments.enums import EVALUATING_KINDS, MEETING_KINDS_BY_ORGANISATION, MeetingKind, reports_annually
from assessments.models import AnnualReport, Evaluation, Finding, Venue
from assessments.norms import MONTH, QUARTER
from branches.enums import MEMBER_HOLDING_KINDS
from branches.models import Organisation
from funding.selectors.dues import DUE, MONTHS, PAID, dues_grid
from portal.ledgers.document import Document, Heading, Paragraph, Table, data_as_of, text_or_dash

# (clause, the opinion's section): the order of the ledger's sections is the order of the opinion.
SECTIONS = (
    ("Q-VENUE-SIXHAVE", "三.3"),
    ("Q-THREE-MEETINGS", "三.4(1)"),
    ("Q-LECTURE-SECRETARY", "三.4(1)"),
    ("Q-EVALUATION", "三.4(1)"),
    ("Q-TALKS", "三.4(1)"),
    ("Q-TRAINING-MEMBER", "三.4(2)"),
    ("N-DUES", "三.5(1)"),
    ("Q-ANNUAL-REPORT", "四.2"),
)


def _venue(organisation: Organisation) -> list:
    """Q-VENUE-SIXHAVE: 有场所、有设施、有标志、有党旗、有书报、有制度, venue by venue."""
    blocks = [Heading(_("Activity venue: the six standards"), level=2, small_print="Q-VENUE-SIXHAVE · 三.3")]
    venues = list(Venue.objects.filter(organisation=organisation).prefetch_related("checks").order_by("pk"))
    if not venues:
        return [*blocks, Paragraph(_("No venue is on record."))]
    for venue in venues:
        blocks.append(Paragraph(f"{venue.name}（{venue.get_kind_display()}）{venue.address}"))
        rows = [
            [
                str(standard.label),
                (_("Met") if check.is_met else _("Not met")) if check else _("Not checked"),
                check.checked_on.isoformat() if check else "—",
                text_or_dash(check.note if check else ""),
            ]
            for standard, check in selectors.venue_standards(venue=venue)
        ]
        blocks.append(Table([_("Standard"), _("State"), _("Checked on"), _("Evidence note")], rows, (2, 1, 1.4, 3)))
    return blocks


def _period_text(row) -> str:
    states = {"met": "", "missed": _("(missed)"), "due": _("(running)"), "future": ""}
    return " ".join(f"{label} {count}{states[state]}" for label, count, state in row.cells)


def _meetings(organisation: Organisation, year: int, today: datetime.date) -> list:
    """Q-THREE-MEETINGS against N-MEETINGS: the year page's table."""
    blocks = [Heading(_("Meetings against the norms"), level=2, small_print="Q-THREE-MEETINGS · N-MEETINGS · 三.4(1)")]
    if not MEETING_KINDS_BY_ORGANISATION.get(organisation.kind):
        return [*blocks, Paragraph(_("Meetings are recorded by branches and party groups."))]
    norm_labels = {MONTH: _("once a month"), QUARTER: _("once a quarter")}
    rows = [
        [row.label, norm_labels.get(row.period, _("once a year")), _period_text(row), str(row.missed)]
        for row in selectors.meeting_norms(organisation=organisation, year=year, today=today)
    ]
    blocks.append(
        Table([_("Kind of meeting"), _("Norm"), _("Held in each period"), _("Periods missed")], rows, (2, 1.2, 6, 1))
    )
    meetings = selectors.meetings_for_year(organisation=organisation, year=year).order_by("held_on", "pk")
    blocks.append(
        Paragraph(_("%(n)s meetings are on record; each is printed in the record book.") % {"n": meetings.count()})
    )
    return blocks


def _lecture(organisation: Organisation, year: int) -> list:
    """Q-LECTURE-SECRETARY: the secretary gives at least one party lecture a year."""
    blocks = [Heading(_("The secretary's party lecture"), level=2, small_print="Q-LECTURE-SECRETARY · 三.4(1)")]
    if MeetingKind.LECTURE not in MEETING_KINDS_BY_ORGANISATION.get(organisation.kind, ()):
        return [*blocks, Paragraph(_("A party group has no secretary and holds no lecture (its branch does)."))]
    lectures = selectors.secretary_lectures(organisation=organisation, year=year)
    state = _("Given") if lectures["met"] else _("Not yet given")
    given = "；".join(f"{day.isoformat()} {topic}" for _pk, day, topic in lectures["lectures"])
    return [*blocks, Paragraph(f"{state}（{lectures['count']}/{lectures['expected']}）{given}")]


def _evaluation(organisation: Organisation, year: int) -> list:
    """Q-EVALUATION: the four evaluations and each member's grade."""
    blocks = [Heading(_("Democratic evaluation"), level=2, small_print="Q-EVALUATION · 三.4(1)")]
    if organisation.kind not in EVALUATING_KINDS:
        return [*blocks, Paragraph(_("Members are evaluated by their branch."))]
    evaluation = Evaluation.objects.filter(organisation=organisation, year=year).first()
    if evaluation is None:
        return [*blocks, Paragraph(_("No democratic evaluation is on record this year."))]
    results = evaluation.results.select_related("member").order_by("member__name_pinyin", "member_id")
    rows = [
        [
            r.member.name,
            r.get_self_grade_display(),
            r.get_peer_grade_display(),
            r.get_public_grade_display(),
            r.get_branch_grade_display(),
            r.get_grade_display(),
            text_or_dash(r.get_disposal_display()),
        ]
        for r in results
    ]
    header = [
        _("Name"),
        _("Self-evaluation"),
        _("Peer evaluation"),
        _("Public evaluation"),
        _("Branch evaluation"),
        _("Final grade"),
        _("Disposal"),
    ]
    return [
        *blocks,
        Paragraph(_("Held on %(day)s.") % {"day": evaluation.held_on.isoformat()}),
        Table(header, rows, (1.4, 1, 1, 1, 1, 1, 1.6)),
    ]


def _talks(organisation: Organisation, year: int, today: datetime.date) -> list:
    """Q-TALKS: a heart-to-heart talk with every member a year."""
    blocks = [Heading(_("Heart-to-heart talks"), level=2, small_print="Q-TALKS · 三.4(1)")]
    day = data_as_of(year=year, today=today)
    members = selectors.members_under_on(organisation=organisation, day=day).count()
    missing = list(selectors.members_not_talked_to(organisation=organisation, year=year, today=today))
    blocks.append(
        Paragraph(
            _("%(talked)s of %(members)s members were talked with this year.")
            % {"talked": members - len(missing), "members": members}
        )
    )
    if missing:
        blocks.append(Paragraph(_("Not yet talked with: %(names)s") % {"names": "、".join(m.name for m in missing)}))
    return blocks


def _training(organisation: Organisation, year: int, today: datetime.date) -> tuple[list, int]:
    """Q-TRAINING-MEMBER / Q-TRAINING-LEADER: each member's study hours against the target."""
    blocks = [Heading(_("Study hours"), level=2, small_print="Q-TRAINING-MEMBER · Q-TRAINING-LEADER · 三.4(2)")]
    table = selectors.training_table(organisation=organisation, year=year, today=today)
    rows = [
        [
            row.member.name + (_(" (committee)") if row.is_leader else ""),
            number(row.ledger),
            number(row.meetings),
            number(row.total),
            number(row.target),
            _("Met") if row.met else _("%(short)s h short") % {"short": number(row.short)},
        ]
        for row in table
    ]
    if not rows:
        return [*blocks, Paragraph(_("No member."))], 0
    header = [_("Name"), _("Ledger"), _("Lectures and themed days"), _("Total"), _("Target"), _("State")]
    return [*blocks, Table(header, rows, (2, 1, 1.4, 1, 1, 1.2))], len(table)


def _dues(organisation: Organisation, year: int, today: datetime.date) -> list:
    """N-DUES (F-DUES-REFUND for non-public enterprises): the branch's dues month by month."""
    blocks = [Heading(_("Party dues by month"), level=2, small_print="N-DUES · F-DUES-REFUND · 三.5(1)")]
    if organisation.kind not in MEMBER_HOLDING_KINDS:
        return [*blocks, Paragraph(_("Dues are collected by the branches."))]
    grid = dues_grid(organisation=organisation, year=year, today=today)
    rows = []
    for month in MONTHS:
        cells = [row.cells[month - 1] for row in grid]
        paid = [amount for _m, state, amount in cells if state == PAID]
        unpaid = sum(1 for _m, state, _a in cells if state == DUE)
        rows.append(
            [_("Month %(month)s") % {"month": month}, str(len(paid)), number(sum(paid, Decimal(0))), str(unpaid)]
        )
    header = [_("Month"), _("Members who paid"), _("Amount paid (yuan)"), _("Members owing")]
    return [*blocks, Table(header, rows, (1, 1, 1, 1))]


def _report(organisation: Organisation, year: int) -> list:
    """Q-ANNUAL-REPORT: the special report on party building and its evaluation, published."""
    blocks = [Heading(_("Annual report and its evaluation"), level=2, small_print="Q-ANNUAL-REPORT · 四.2")]
    if not reports_annually(organisation):
        return [*blocks, Paragraph(_("This organisation gives no special report (四.2)."))]
    reports = AnnualReport.objects.filter(organisation=organisation, year=year).select_related("reporter")
    rows = [
        [
            r.reported_on.isoformat(),
            text_or_dash(r.reporter.name if r.reporter else ""),
            r.get_result_display(),
            f"{r.published_on.isoformat()} {r.published_where}",
        ]
        for r in reports.order_by("reported_on", "pk")
    ]
    if not rows:
        return [*blocks, Paragraph(_("No report on %(year)s is on record.") % {"year": year})]
    header = [_("Reported on"), _("Reporter"), _("Evaluation"), _("Evaluation published")]
    return [*blocks, Table(header, rows, (1, 1, 1, 2))]


def _findings(organisation: Organisation, year: int) -> list:
    """The compliance check's open findings of the year, each with its clause."""
    blocks = [Heading(_("Open findings"), level=2)]
    findings = Finding.objects.filter(organisation=organisation, year=year, status=Finding.Status.OPEN)
    rows = [
        [
            f"{rule_title(f.rule)}\n{f.rule}",
            " ".join(part for part in (f.period, aspect_label(f)) if part),
            text_or_dash(f.member.name if f.member else ""),
            number(f.measured),
            number(f.required),
            f.due_on.isoformat(),
        ]
        for f in findings.select_related("member").order_by("due_on", "rule", "pk")
    ]
    if not rows:
        return [*blocks, Paragraph(_("No finding is open."))]
    header = [_("Duty and clause"), _("Period"), _("Member"), _("Measured"), _("Required"), _("Due on")]
    return [*blocks, Table(header, rows, (3, 1.2, 1, 0.8, 0.8, 1.2))]


def year_ledger_build(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> Document:
    """The organisation's year as an inspector reads it, duty by duty in the opinion's order."""
    today = today or timezone.localdate()
    document = Document(
        title=_("Party-building ledger"),
        organisation=organisation.name,
        year=year,
        generated_on=today,
        data_as_of=data_as_of(year=year, today=today),
    )
    document.add(
        Heading(document.title, level=1),
        Paragraph(
            _("%(organisation)s (code %(code)s, %(kind)s), %(year)s.")
            % {
                "organisation": organisation.name,
                "code": organisation.code,
                "kind": organisation.get_kind_display(),
                "year": year,
            }
        ),
    )
    training, members = _training(organisation, year, today)
    document.add(
        *_venue(organisation),
        *_meetings(organisation, year, today),
        *_lecture(organisation, year),
        *_evaluation(organisation, year),
        *_talks(organisation, year, today),
        *training,
        *_dues(organisation, year, today),
        *_report(organisation, year),
        *_findings(organisation, year),
    )
    document.summary = {"organisation": organisation.code, "year": year, "members": members}
    return document
