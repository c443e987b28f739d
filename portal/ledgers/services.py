"""Printing the ledgers: one document in one format, audited with what it contained, and a whole
subtree's ledgers as one ZIP written by a task with its progress in the cache (issue 17), with every
member's record card in their organisation's folder, masked as for the user who asked.

Printing reads; it changes no record. Who may see an organisation or a member may print it (the
views load them through core.scoping), and every print leaves one entry on the trail naming the
document, the format, the organisation, the year and how many members it covered."""

import contextlib
import datetime
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from assessments.enums import MEETING_KINDS_BY_ORGANISATION
from branches.models import Organisation
from core import audit
from core.masking import sees_personal_data
from core.progress import progress_get, progress_set
from core.scoping import subtree
from core.work_locks import work_lock
from members.enums import MemberStatus
from members.models import Member
from portal.ledgers.member_card import member_card_build
from portal.ledgers.record_book import record_book_build
from portal.ledgers.render_docx import docx_render
from portal.ledgers.render_pdf import pdf_render
from portal.ledgers.year_ledger import year_ledger_build

PRINTED = audit.named_action("ledgers.ledger.printed", label=gettext_lazy("Ledger printed"), models=())

FORMATS = {
    "pdf": (pdf_render, "application/pdf"),
    "docx": (docx_render, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
RECORD_BOOK, YEAR_LEDGER, MEMBER_CARD, SUBTREE = "record_book", "year_ledger", "member_card", "subtree"
DOCUMENT_NAMES = {
    RECORD_BOOK: gettext_lazy("Record book"),
    YEAR_LEDGER: gettext_lazy("Party-building ledger"),
    MEMBER_CARD: gettext_lazy("Member's record card"),
}
BUILDERS = {RECORD_BOOK: record_book_build, YEAR_LEDGER: year_ledger_build}


def holds_meetings(organisation: Organisation) -> bool:
    return bool(MEETING_KINDS_BY_ORGANISATION.get(organisation.kind))


def ledger_file_name(*, kind: str, organisation: Organisation, year: int | None, fmt: str) -> str:
    parts = [organisation.code, organisation.name, str(year) if year else "", str(DOCUMENT_NAMES[kind])]
    return "-".join(p for p in parts if p) + f".{fmt}"


def ledger_render(*, kind: str, organisation: Organisation, year: int, fmt: str, today=None) -> tuple[bytes, dict]:
    """The record book or the year ledger of an organisation's year in a format: (bytes, what it holds)."""
    document = BUILDERS[kind](organisation=organisation, year=year, today=today)
    return FORMATS[fmt][0](document), document.summary


def _printed_log(*, kind: str, fmt: str, organisation: Organisation, summary: dict, user=None, **extra) -> None:
    audit.log_action(
        action=PRINTED,
        instance=organisation,
        extra={"document": kind, "format": fmt, **summary, **extra},
        user=user,
    )


def ledger_print(*, kind: str, organisation: Organisation, year: int, fmt: str, user=None) -> bytes:
    """Q-THREE-MEETINGS and the year's duties on paper: the document, its print on the audit trail."""
    content, summary = ledger_render(kind=kind, organisation=organisation, year=year, fmt=fmt)
    _printed_log(kind=kind, fmt=fmt, organisation=organisation, summary=summary, user=user)
    return content


def member_card_print(*, member: Member, fmt: str, unmasked: bool, user=None) -> bytes:
    """The member's record card, masked as the member's page is for the reader; audited."""
    document = member_card_build(member=member, unmasked=unmasked)
    content = FORMATS[fmt][0](document)
    audit.log_action(
        action=PRINTED,
        instance=member,
        extra={"document": MEMBER_CARD, "format": fmt, "unmasked": unmasked, **document.summary},
        user=user,
    )
    return content


# The subtree's ZIP ------------------------------------------------------------------------------


CARDS_PER_PROGRESS = 20  # the bar moves every 20 cards, not at every one (a cache write each)


def subtree_unmasked(user) -> bool:
    """Whether the ZIP a user asks for holds the members' ID numbers and phones in full: as on the
    member's page (core.masking); no user (the command) prints them masked."""
    return user is not None and sees_personal_data(user)


def _variant(unmasked: bool) -> str:
    return "full" if unmasked else "masked"


def subtree_zip_path(*, organisation: Organisation, year: int, fmt: str, unmasked: bool = False) -> Path:
    """Where the latest ZIP of a subtree's year is kept: outside MEDIA_ROOT, served only by the view.
    The masked and the full ZIP are two files: who may not see ID numbers never gets the full one."""
    name = f"subtree-{organisation.pk}-{year}-{_variant(unmasked)}.{fmt}.zip"
    return Path(settings.VAR_DIR) / "ledgers" / name


def _progress_key(organisation: Organisation, year: int, fmt: str, unmasked: bool) -> str:
    return f"ledgers:subtree:{organisation.pk}:{year}:{fmt}:{_variant(unmasked)}"


def _lock_key(organisation: Organisation, year: int, fmt: str, unmasked: bool) -> int:
    return ((organisation.pk * 10_000 + year) * 10 + list(FORMATS).index(fmt)) * 2 + int(unmasked)


def subtree_progress(*, organisation: Organisation, year: int, fmt: str, unmasked: bool = False) -> dict:
    """{"state": running / done / failed / none, "done", "total", "percent", "file": the finished ZIP's
    date or None} for the page's progress bar. A cache that cannot be reached says nothing: the file
    on disk still tells whether a ZIP is ready."""
    progress = progress_get(_progress_key(organisation, year, fmt, unmasked)) or {
        "state": "none",
        "done": 0,
        "total": 0,
    }
    progress["percent"] = min(100, round(100 * progress["done"] / progress["total"])) if progress["total"] else 0
    path = subtree_zip_path(organisation=organisation, year=year, fmt=fmt, unmasked=unmasked)
    progress["file"] = (
        timezone.localtime(datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC))
        if path.exists()
        else None
    )
    return progress


def subtree_zip_start(*, organisation: Organisation, year: int, fmt: str, unmasked: bool = False) -> None:
    """Mark a subtree's ZIP as asked for, before its task is queued (the page shows the bar at once)."""
    key = _progress_key(organisation, year, fmt, unmasked)
    progress_set(key, {"state": "running", "done": 0, "total": 0}, timeout=6 * 3600)


def subtree_organisations(*, organisation: Organisation):
    """Every organisation under one (itself included) that has not been dissolved, in tree order."""
    return Organisation.objects.filter(subtree(organisation), dissolved_on__isnull=True).order_by("path")


def subtree_card_members(*, organisation: Organisation):
    """The members whose card goes in an organisation's folder: those on its roll now, by name."""
    return (
        Member.objects.filter(organisation=organisation, status=MemberStatus.ACTIVE)
        .select_related("organisation")
        .order_by("name_pinyin", "pk")
    )


def subtree_zip_write(*, organisation: Organisation, year: int, fmt: str, user=None, today=None) -> dict:
    """Every organisation's year ledger, the record book of those holding meetings and the record card
    of each member on its roll (in a 党员档案卡 folder inside its own, masked as for `user`: see
    subtree_unmasked) under one organisation as one ZIP, one document in memory at a time; the ZIP
    replaces the previous one when complete. The progress counts documents, cards included. A second
    task for the same ZIP while one runs does nothing. Audited once with the counts."""
    unmasked = subtree_unmasked(user)
    key = _progress_key(organisation, year, fmt, unmasked)
    with work_lock(name="ledger-subtree", key=_lock_key(organisation, year, fmt, unmasked)) as held:
        if not held:
            return {"state": "skipped"}
        organisations = list(subtree_organisations(organisation=organisation))
        cards = dict(
            Member.objects.filter(organisation__in=organisations, status=MemberStatus.ACTIVE)
            .values_list("organisation")
            .annotate(n=Count("pk"))
            .order_by()
        )
        total = sum(2 if holds_meetings(org) else 1 for org in organisations) + sum(cards.values())
        done = 0
        path = subtree_zip_path(organisation=organisation, year=year, fmt=fmt, unmasked=unmasked)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        counts = {"organisations": 0, "documents": 0, "members": 0, "meetings": 0, "cards": 0}
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for org in organisations:
                    progress_set(key, {"state": "running", "done": done, "total": total}, timeout=6 * 3600)
                    folder = f"{org.code}-{org.name}"
                    kinds = (YEAR_LEDGER, RECORD_BOOK) if holds_meetings(org) else (YEAR_LEDGER,)
                    for kind in kinds:
                        content, summary = ledger_render(kind=kind, organisation=org, year=year, fmt=fmt, today=today)
                        name = ledger_file_name(kind=kind, organisation=org, year=year, fmt=fmt)
                        archive.writestr(f"{folder}/{name}", content)
                        counts["documents"] += 1
                        done += 1
                        if kind == YEAR_LEDGER:
                            counts["members"] += summary["members"]
                        counts["meetings"] += summary.get("meetings", 0)
                        del content
                    cards_folder = f"{folder}/{DOCUMENT_NAMES[MEMBER_CARD]}"
                    for member in subtree_card_members(organisation=org).iterator(chunk_size=200):
                        document = member_card_build(member=member, unmasked=unmasked, today=today)
                        # Two members of one name apart by their record number.
                        archive.writestr(f"{cards_folder}/{member.name}-{member.pk}.{fmt}", FORMATS[fmt][0](document))
                        counts["cards"] += 1
                        done += 1
                        if counts["cards"] % CARDS_PER_PROGRESS == 0:
                            progress_set(key, {"state": "running", "done": done, "total": total}, timeout=6 * 3600)
                    counts["organisations"] += 1
            partial.replace(path)
        except BaseException:
            progress_set(key, {"state": "failed", "done": 0, "total": total}, timeout=6 * 3600)
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
        progress_set(key, {"state": "done", "done": total, "total": total}, timeout=6 * 3600)
        _printed_log(
            kind=SUBTREE,
            fmt=fmt,
            organisation=organisation,
            summary={"organisation": organisation.code, "year": year, "unmasked": unmasked, **counts},
            user=user,
        )
        return {"state": "done", **counts}


def subtree_zip_read_log(*, organisation: Organisation, year: int, fmt: str, unmasked: bool = False, user=None) -> None:
    """A download of the ZIP is a print too: on the trail with the organisation, the year and whether
    the cards in it show ID numbers in full."""
    _printed_log(
        kind=f"{SUBTREE}_download",
        fmt=fmt,
        organisation=organisation,
        summary={"organisation": organisation.code, "year": year, "unmasked": unmasked},
        user=user,
    )
