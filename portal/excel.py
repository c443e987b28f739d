"""Writing .xlsx files that are safe to open: no cell is ever read as a formula.

openpyxl writes any string that starts with "=" as a formula, and spreadsheet programs also run
cells starting with "+", "-", "@" (and tab, carriage return or NUL before them). Every export goes
through `cell_safe`, which puts an apostrophe before such text.
"""

import io

import openpyxl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def cell_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_bytes(*, title: str, header: list[str], rows, note: str = "") -> bytes:
    """A one-sheet workbook: an optional note row, the header, then the rows, every cell made safe."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    if note:
        sheet.append([cell_safe(note)])
    sheet.append([cell_safe(h) for h in header])
    for row in rows:
        sheet.append([cell_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_sheets(*, sheets) -> bytes:
    """A workbook of several sheets: (title, header, rows) each, every cell made safe."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([cell_safe(h) for h in header])
        for row in rows:
            sheet.append([cell_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
