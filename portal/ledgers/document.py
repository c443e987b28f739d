"""What a printed ledger holds, apart from how it is drawn: a title, the header and footer lines and a
list of blocks. The builders (record_book, year_ledger, member_card) fill one; render_docx and
render_pdf draw the same one, so the Word file and the PDF cannot say different things."""

import dataclasses
import datetime

from django.utils.translation import gettext as _


@dataclasses.dataclass
class Heading:
    text: str
    level: int = 1  # 1: a section, 2: a part of one
    small_print: str = ""  # the clause IDs the section serves, printed small beside the title


@dataclasses.dataclass
class Paragraph:
    text: str
    small: bool = False


@dataclasses.dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: tuple[float, ...] = ()  # relative widths of the columns; equal when empty
    # Two-column "label: value" tables (a meeting's facts) print the first column bold and no header row.
    labelled: bool = False


@dataclasses.dataclass
class Image:
    path: str  # a file on the storage's disk
    caption: str
    # A page of a scanned PDF, already rendered at scan resolution (images.scan_pages_for_print): printed
    # as it is, larger than a photo's print copy.
    scan: bool = False


@dataclasses.dataclass
class PageBreak:
    pass


@dataclasses.dataclass
class Document:
    title: str  # on the first page and the file's properties
    organisation: str  # the header: the organisation's name and the year
    year: int | None
    generated_on: datetime.date
    data_as_of: datetime.date
    blocks: list = dataclasses.field(default_factory=list)
    # What the print contained, for the audit trail: organisation code, year, members, meetings…
    summary: dict = dataclasses.field(default_factory=dict)

    @property
    def header_text(self) -> str:
        if self.year is None:
            return self.organisation
        return _("%(organisation)s · %(year)s") % {"organisation": self.organisation, "year": self.year}

    @property
    def footer_text(self) -> str:
        return _("Generated on %(generated)s, data as of %(as_of)s") % {
            "generated": self.generated_on.isoformat(),
            "as_of": self.data_as_of.isoformat(),
        }

    def add(self, *blocks) -> "Document":
        self.blocks.extend(blocks)
        return self


def data_as_of(*, year: int, today: datetime.date) -> datetime.date:
    """A year's records stand as of its last day, or today while it runs."""
    return min(datetime.date(year, 12, 31), today)


def text_or_dash(value) -> str:
    return "—" if value in (None, "") else str(value)
