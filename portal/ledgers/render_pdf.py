"""A ledger as PDF (archived as is): A4, the organisation and year in the header, the generation and
data dates and "page n of m" in the footer. The text is set in STSong-Light, one of the CID fonts every
PDF reader carries for Chinese (Adobe-GB1, named, not embedded), so the file prints the same on any
computer without shipping a font; the Noto CJK fonts on this machine are OpenType/CFF, which reportlab
cannot embed."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.ledgers import document as doc
from portal.ledgers.images import PRINT_LONG_EDGE, SCAN_LONG_EDGE, image_for_print

FONT = "STSong-Light"
MARGIN = 18 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - 12 * mm
IMAGE_MAX_HEIGHT = FRAME_HEIGHT * 0.8

pdfmetrics.registerFont(UnicodeCIDFont(FONT))
# Pictures as binary streams: ASCII85 would make a photo a quarter larger and cost seconds to encode.
rl_config.useA85 = 0

STYLES = {
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, wordWrap="CJK", textColor=colors.grey),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK"),
    "caption": ParagraphStyle("caption", fontName=FONT, fontSize=8.5, leading=11, alignment=1, spaceAfter=8),
    1: ParagraphStyle("h1", fontName=FONT, fontSize=18, leading=26, alignment=1, spaceAfter=10),
    2: ParagraphStyle("h2", fontName=FONT, fontSize=13, leading=19, spaceBefore=8, spaceAfter=5),
    3: ParagraphStyle("h3", fontName=FONT, fontSize=11, leading=16, spaceBefore=5, spaceAfter=3),
}


def _text(value: str) -> str:
    return escape(str(value)).replace("\n", "<br/>")


def _numbered_canvas(document: doc.Document):
    """A canvas that draws the header and footer once the page count is known ("page n of m")."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []
            self.setTitle(document.title)
            self.setAuthor(document.organisation)

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int):
            self.saveState()
            self.setFont(FONT, 9)
            self.setFillColor(colors.black)
            top = PAGE_HEIGHT - MARGIN + 4 * mm
            self.drawString(MARGIN, top, document.header_text)
            self.setStrokeColor(colors.grey)
            self.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
            bottom = MARGIN - 8 * mm
            self.drawString(MARGIN, bottom, document.footer_text)
            page = _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total}
            self.drawRightString(PAGE_WIDTH - MARGIN, bottom, page)
            self.restoreState()

    return NumberedCanvas


def _heading(block: doc.Heading):
    text = _text(block.text)
    if block.small_print:
        text += f'　<font size="8" color="grey">{_text(block.small_print)}</font>'
    return Paragraph(text, STYLES[min(block.level, 3)])


def _table(block: doc.Table):
    widths = block.widths or (1,) * len((block.header or block.rows[0]) if (block.header or block.rows) else [1])
    scale = FRAME_WIDTH / sum(widths)
    rows = [[Paragraph(_text(cell), STYLES["cell"]) for cell in row] for row in block.rows]
    if block.header:
        rows.insert(0, [Paragraph(f"<b>{_text(cell)}</b>", STYLES["cell"]) for cell in block.header])
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if block.header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    if block.labelled:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")))
    table = Table(rows, colWidths=[w * scale for w in widths], repeatRows=1 if block.header else 0)
    table.setStyle(TableStyle(style))
    return table


def _image(block: doc.Image):
    """The picture scaled to the page's width, or to most of its height when it is tall."""
    source, width, height = image_for_print(block.path, long_edge=SCAN_LONG_EDGE if block.scan else PRINT_LONG_EDGE)
    scale = min(FRAME_WIDTH / width, IMAGE_MAX_HEIGHT / height)
    picture = Image(source, width=width * scale, height=height * scale, lazy=2)
    return KeepTogether([picture, Paragraph(_text(block.caption), STYLES["caption"])])


def pdf_render(document: doc.Document) -> bytes:
    flowables = []
    for block in document.blocks:
        if isinstance(block, doc.Heading):
            flowables.append(_heading(block))
        elif isinstance(block, doc.Paragraph):
            flowables.append(Paragraph(_text(block.text), STYLES["small" if block.small else "body"]))
        elif isinstance(block, doc.Table):
            flowables += [_table(block), Spacer(1, 3 * mm)] if block.rows or block.header else []
        elif isinstance(block, doc.Image):
            flowables.append(_image(block))
        elif isinstance(block, doc.PageBreak):
            flowables.append(PageBreak())
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN,
        title=document.title,
        author=document.organisation,
        invariant=True,  # the same records give the same bytes
    )
    template.build(flowables, canvasmaker=_numbered_canvas(document))
    return out.getvalue()
