"""A ledger as Word (.docx: offices edit and print it): A4, the organisation and year in the header,
the generation and data dates and "page n of m" (Word's PAGE and NUMPAGES fields) in the footer. The
Chinese text is set in 宋体 (SimSun) by name, on every style Word uses here, which every Chinese Windows
and WPS has; the Latin text in Times New Roman."""

import io

from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from portal.ledgers import document as doc
from portal.ledgers.images import PRINT_LONG_EDGE, SCAN_LONG_EDGE, image_for_print

CHINESE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
MARGIN = Mm(18)
TEXT_WIDTH = Mm(210 - 2 * 18)
IMAGE_MAX_HEIGHT = Mm(190)
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid", "Caption")


def _fonts(word) -> None:
    for name in STYLES:
        style = word.styles[name]
        style.font.name = LATIN_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), CHINESE_FONT)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
    word.styles["Normal"].font.size = Pt(10.5)


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the pages."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_setup(word, document: doc.Document) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    header = section.header.paragraphs[0]
    header.text = document.header_text
    footer = section.footer.paragraphs[0]
    footer.text = document.footer_text + "    "
    # "Page {PAGE} of {NUMPAGES}" as the catalogue words it: the text around the two fields, in its order.
    before, _sep, rest = (_("Page %(page)s of %(pages)s") % {"page": "\x00", "pages": "\x01"}).partition("\x00")
    between, _sep, after = rest.partition("\x01")
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(between)
    _field(footer, "NUMPAGES")
    footer.add_run(after)
    word.core_properties.title = document.title
    word.core_properties.author = document.organisation


def _heading(word, block: doc.Heading) -> None:
    if block.level == 1:
        paragraph = word.add_paragraph(style="Title")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(block.text)
    else:
        paragraph = word.add_heading(block.text, level=min(block.level, 3))
    if block.small_print:
        run = paragraph.add_run("　" + block.small_print)
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(word, block: doc.Table) -> None:
    columns = len(block.header or block.rows[0])
    rows = ([block.header] if block.header else []) + block.rows
    table = word.add_table(rows=len(rows), cols=columns, style="Table Grid")
    widths = block.widths or (1,) * columns
    for index, column in enumerate(table.columns):
        column.width = int(TEXT_WIDTH * widths[index] / sum(widths))
    for number, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = int(TEXT_WIDTH * widths[index] / sum(widths))
            cell.text = str(value)
            if (block.header and number == 0) or (block.labelled and index == 0):
                for run in cell.paragraphs[0].runs:
                    run.bold = True
        if block.header and number == 0:
            _repeat_header(row)
    word.add_paragraph()


def _image(word, block: doc.Image) -> None:
    source, width, height = image_for_print(block.path, long_edge=SCAN_LONG_EDGE if block.scan else PRINT_LONG_EDGE)
    scale = min(TEXT_WIDTH / width, IMAGE_MAX_HEIGHT / height)
    word.add_picture(source, width=int(width * scale), height=int(height * scale))
    word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = word.add_paragraph(block.caption, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def docx_render(document: doc.Document) -> bytes:
    word = WordDocument()
    _fonts(word)
    _page_setup(word, document)
    for block in document.blocks:
        if isinstance(block, doc.Heading):
            _heading(word, block)
        elif isinstance(block, doc.Paragraph):
            paragraph = word.add_paragraph(block.text)
            if block.small:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
        elif isinstance(block, doc.Table):
            if block.rows or block.header:
                _table(word, block)
        elif isinstance(block, doc.Image):
            _image(word, block)
        elif isinstance(block, doc.PageBreak):
            word.add_page_break()
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
