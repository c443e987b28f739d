"""Writing .xlsx files that are safe to open: no cell is ever read as a formula.

openpyxl writes any string that starts with "=" as a formula, and spreadsheet programs also run
cells starting with "+", "-", "@" (and tab, carriage return or NUL before them). Every export goes
through `cell_safe`, which puts an apostrophe before such text.
"""

import dataclasses
import io

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

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


@dataclasses.dataclass(frozen=True)
class TemplateColumn:
    """One column of a fill-in template: its header, width, cell format and, for a closed set of
    values, the drop-down list offered (and enforced) by Excel's data validation."""

    header: str
    width: float = 14
    number_format: str = "General"
    choices: tuple[str, ...] = ()
    required: bool = False
    choice_error: str = ""


# What spreadsheet programs allow: a validation message of 255 characters, a title of 32.
MAX_VALIDATION_MESSAGE, MAX_VALIDATION_TITLE = 255, 32
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")


def xlsx_template(
    *,
    title: str,
    note: str,
    columns: list[TemplateColumn],
    example: list,
    instructions_title: str,
    instructions: list[list],
    instruction_widths: tuple = (),
    choices_title: str,
    choice_error_title: str,
) -> bytes:
    """A workbook to fill in: the sheet (a note row, the header frozen above an example row, each
    column's width and format, drop-down lists), a sheet of instructions, and a hidden sheet
    holding the drop-down lists (a list written into the rule itself is limited to 255
    characters). Every cell is made safe; the data sheet comes first, where importers read."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([cell_safe(note)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([cell_safe(c.header) for c in columns])
    sheet.append([cell_safe(v) for v in example])
    header_row, example_row = 2, 3
    lists = workbook.create_sheet(title=choices_title[:31])
    lists.sheet_state = "hidden"
    lists_column = 0
    for position, column in enumerate(columns, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = column.width
        sheet.column_dimensions[letter].number_format = column.number_format
        header = sheet.cell(row=header_row, column=position)
        header.font, header.fill = Font(bold=True, color="C00000" if column.required else None), _HEADER_FILL
        example_cell = sheet.cell(row=example_row, column=position)
        example_cell.number_format = column.number_format
        example_cell.font, example_cell.fill = Font(italic=True, color="808080"), _EXAMPLE_FILL
        if column.choices:
            lists_column += 1
            list_letter = get_column_letter(lists_column)
            lists.cell(row=1, column=lists_column, value=cell_safe(column.header))
            for offset, choice in enumerate(column.choices, start=2):
                lists.cell(row=offset, column=lists_column, value=cell_safe(choice))
            quoted = lists.title.replace("'", "''")
            rule = DataValidation(
                type="list",
                formula1=f"'{quoted}'!${list_letter}$2:${list_letter}${len(column.choices) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=choice_error_title[:MAX_VALIDATION_TITLE],
                error=column.choice_error[:MAX_VALIDATION_MESSAGE],
            )
            rule.add(f"{letter}{example_row}:{letter}1048576")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = f"A{example_row}"

    guide = workbook.create_sheet(title=instructions_title[:31], index=1)
    for row in instructions:
        guide.append([cell_safe(v) for v in row])
    for cell in guide[1]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for position, width in enumerate(instruction_widths, start=1):
        guide.column_dimensions[get_column_letter(position)].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
