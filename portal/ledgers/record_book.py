"""The 三会一课 record book (会议记录本) of a branch's year: every meeting in date order, each in its own
section with its facts, its attendance counted as the paper book counts it (应到 / 实到 / 请假 with
reasons / 缺席), the minutes and the photos and sign-in sheets on record (Q-THREE-MEETINGS, N-MEETINGS;
Q-LECTURE-SECRETARY for lectures)."""

import dataclasses
import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.enums import STUDY_MEETING_KINDS, AttachmentKind, AttendanceStatus
from assessments.models import Attendance, Meeting
from branches.models import Organisation
from core.uploads import IMAGE_TYPES
from portal.ledgers.document import Document, Heading, Image, PageBreak, Paragraph, Table, data_as_of, text_or_dash
from portal.ledgers.images import PDF_TYPE, ScanUnreadable, scan_pages_for_print


@dataclasses.dataclass
class AttendanceCount:
    """应到: those the meeting lists as its own; 实到: present; 请假: excused; 缺席: absent. Those sitting
    in without a vote (列席) are not of the meeting's own and are counted apart."""

    expected: int
    present: int
    excused: list  # (name, reason)
    absent: list  # names
    sitting_in: list  # names


def attendance_count(*, attendances) -> AttendanceCount:
    count = AttendanceCount(0, 0, [], [], [])
    for attendance in sorted(attendances, key=lambda a: (a.member.name_pinyin, a.member_id)):
        name = attendance.member.name
        if attendance.status == AttendanceStatus.ATTENDING_NONVOTING:
            count.sitting_in.append(name)
            continue
        count.expected += 1
        if attendance.status == AttendanceStatus.PRESENT:
            count.present += 1
        elif attendance.status == AttendanceStatus.EXCUSED:
            count.excused.append((name, attendance.reason))
        else:
            count.absent.append(name)
    return count


def record_book_meetings(*, organisation: Organisation, year: int) -> list[Meeting]:
    """The year's meetings, earliest first, with what the book prints of each; four queries."""
    return list(
        Meeting.objects.filter(organisation=organisation, held_on__year=year)
        .select_related("chaired_by", "lecturer", "recorded_by")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("member")),
            "attachments",
        )
        .order_by("held_on", "pk")
    )


def _facts(meeting: Meeting, count: AttendanceCount) -> list[list[str]]:
    rows = [
        [_("Kind of meeting"), meeting.get_kind_display()],
        [_("Held on"), meeting.held_on.isoformat()],
        [_("Place"), meeting.place],
        [_("Chaired by"), text_or_dash(meeting.chaired_by.name if meeting.chaired_by else "")],
        [_("Recorded by"), text_or_dash(meeting.recorded_by.display_name if meeting.recorded_by else "")],
    ]
    if meeting.is_lecture:
        rows.append([_("Lecturer"), text_or_dash(meeting.lecturer.name if meeting.lecturer else meeting.lecturer_name)])
    rows.append([_("Topic"), meeting.topic])
    if meeting.also_counts_as:
        rows.append([_("Also counts as"), "、".join(str(kind.label) for kind in meeting.also_counts_as)])
    if meeting.kind in STUDY_MEETING_KINDS:
        rows.append([_("Study hours credited"), text_or_dash(meeting.study_hours)])
    rows.append(
        [
            _("Attendance"),
            _("Expected %(expected)s, present %(present)s, excused %(excused)s, absent %(absent)s")
            % {
                "expected": count.expected,
                "present": count.present,
                "excused": len(count.excused),
                "absent": len(count.absent),
            },
        ]
    )
    if count.excused:
        rows.append(
            [
                _("Excused (reason)"),
                "；".join(f"{name}（{reason}）" if reason else name for name, reason in count.excused),
            ]
        )
    if count.absent:
        rows.append([_("Absent"), "、".join(count.absent)])
    if count.sitting_in:
        rows.append([_("Sitting in (non-voting)"), "、".join(count.sitting_in)])
    return rows


# The groups the book prints a meeting's files in, each under its own heading: the sign-in sheets (签到表)
# first, as the paper book glues them in, then the photos (照片), then anything else on file.
ATTACHMENT_GROUPS = (
    (AttachmentKind.SIGN_IN, gettext_lazy("Sign-in sheets")),
    (AttachmentKind.PHOTO, gettext_lazy("Photos")),
    (AttachmentKind.OTHER, gettext_lazy("Other documents")),
)


def _scan_blocks(attachment, caption: str) -> list:
    """A PDF scan drawn page by page (at most images.SCAN_MAX_PAGES), each page scaled to the page."""
    try:
        pages, count = scan_pages_for_print(attachment.file.path)
    except (ScanUnreadable, OSError):
        return [Paragraph(_("%(caption)s (a document, kept on file, not printed here)") % {"caption": caption})]
    blocks = [
        Image(
            path=path,
            caption=_("%(caption)s, page %(page)s of %(pages)s") % {"caption": caption, "page": n, "pages": count}
            if count > 1
            else caption,
            scan=True,
        )
        for n, (path, _width, _height) in enumerate(pages, start=1)
    ]
    if count > len(pages):
        blocks.append(
            Paragraph(
                _("%(caption)s: the first %(printed)s of its %(pages)s pages are printed; the whole file is kept.")
                % {"caption": caption, "printed": len(pages), "pages": count},
                small=True,
            )
        )
    return blocks


def _attachment_blocks(attachments) -> list:
    """Q-THREE-MEETINGS: the meeting's sign-in sheets and photos, each group under its own label."""
    blocks = []
    for kind, title in ATTACHMENT_GROUPS:
        group = sorted((a for a in attachments if a.kind == kind), key=lambda a: a.pk)
        if not group:
            continue
        blocks.append(Heading(str(title), level=3))
        for attachment in group:
            caption = f"{attachment.get_kind_display()}：{attachment.file_name}"
            if attachment.content_type in IMAGE_TYPES:
                blocks.append(Image(path=attachment.file.path, caption=caption))
            elif attachment.content_type == PDF_TYPE:
                blocks += _scan_blocks(attachment, caption)
            else:
                blocks.append(
                    Paragraph(_("%(caption)s (a document, kept on file, not printed here)") % {"caption": caption})
                )
    return blocks


def record_book_build(*, organisation: Organisation, year: int, today: datetime.date | None = None) -> Document:
    """Q-THREE-MEETINGS: the year's meetings as the paper record book holds them, one section each."""
    today = today or timezone.localdate()
    meetings = record_book_meetings(organisation=organisation, year=year)
    document = Document(
        title=_("Record book of the three meetings and one lecture"),
        organisation=organisation.name,
        year=year,
        generated_on=today,
        data_as_of=data_as_of(year=year, today=today),
    )
    document.add(
        Heading(document.title, level=1, small_print="Q-THREE-MEETINGS · N-MEETINGS"),
        Paragraph(
            _("%(organisation)s (code %(code)s), %(year)s: %(n)s meetings on record, in date order.")
            % {"organisation": organisation.name, "code": organisation.code, "year": year, "n": len(meetings)}
        ),
    )
    if not meetings:
        document.add(Paragraph(_("No meeting is on record this year.")))
    for number, meeting in enumerate(meetings, start=1):
        count = attendance_count(attendances=meeting.attendances.all())
        clauses = "Q-THREE-MEETINGS" + (" · Q-LECTURE-SECRETARY" if meeting.is_lecture else "")
        document.add(
            PageBreak(),
            Heading(
                _("%(number)s. %(day)s %(kind)s: %(topic)s")
                % {
                    "number": number,
                    "day": meeting.held_on.isoformat(),
                    "kind": meeting.get_kind_display(),
                    "topic": meeting.topic,
                },
                level=2,
                small_print=clauses,
            ),
            Table(header=[], rows=_facts(meeting, count), widths=(1, 4), labelled=True),
            Heading(_("Minutes"), level=3),
            Paragraph(meeting.minutes or _("No minutes are on record.")),
        )
        document.add(*_attachment_blocks(meeting.attachments.all()))
    listed = {a.member_id for meeting in meetings for a in meeting.attendances.all()}
    document.summary = {
        "organisation": organisation.code,
        "year": year,
        "members": len(listed),
        "meetings": len(meetings),
    }
    return document
