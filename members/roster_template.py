"""The roster template users download: the columns the import reads, an example row it skips,
drop-down lists of the values it accepts, and a sheet of instructions in Chinese (issue 12).

Everything here is taken from what the import itself uses (members.roster's columns and choice
tables, members.imports' limits, the member model's lengths), so the template cannot promise
what the import refuses.
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import excel
from core.idcard import id_make
from members import roster, services
from members.imports import MAX_FILE_BYTES
from members.models import Member

TEXT_FORMAT, DATE_FORMAT = "@", "yyyy-mm-dd"
# Text, so Excel keeps all 18 characters of an ID number and the leading 0 of a landline or a code.
TEXT_FORMATTED = frozenset({"id_number", "phone", "organisation_code"})
WIDTHS = {
    "name": 14,
    "gender": 8,
    "id_number": 22,
    "ethnicity": 12,
    "education": 16,
    "category": 12,
    "life_status": 14,
    "work_unit": 26,
    "job_title": 14,
    "phone": 16,
    "household_registration": 24,
    "residence": 28,
    "organisation_code": 14,
    "organisation_name": 26,
}
DATE_WIDTH = 16
MAX_CHOICES_NAMED = 10  # a drop-down's error message names its values when there are no more
EXAMPLE_BORN = datetime.date(1985, 6, 15)


def example_row() -> dict:
    """A full member as the template shows one; the name begins with 示例, so the import skips it."""
    return {
        "name": f"{roster.EXAMPLE_MARK}：张三",
        "gender": roster.choice_values("gender")[0],
        "id_number": id_make(area="110101", born=EXAMPLE_BORN, sequence=123, male=True),
        "ethnicity": roster.choice_values("ethnicity")[0],
        "birth_date": EXAMPLE_BORN,
        "education": roster.choice_values("education")[2],
        "category": roster.choice_values("category")[0],
        "joined_on": datetime.date(2008, 7, 1),
        "full_member_on": datetime.date(2009, 7, 1),
        "life_status": roster.choice_values("life_status")[0],
        "work_unit": "某某科技有限公司",
        "job_title": "工程师",
        "phone": "13800000000",
        "household_registration": "湖南省长沙市",
        "residence": "长沙市岳麓区某某小区",
        "probation_ends_on": None,
        "organisation_code": "",
        "organisation_name": "",
    }


def _column_notes() -> dict[str, str]:
    from_id = _("Taken from the ID number when left blank; if given, it must agree with it.")
    return {
        "name": _("The member's full name as on the ID card; spaces inside it are removed."),
        "gender": from_id,
        "id_number": _(
            "18 characters (the last may be X). The column is formatted as text: type or paste the number as "
            "text, never as a number (Excel keeps only 15 digits of a number). Rows are matched to the members on "
            "record by this number, and a number may appear only once in a file."
        ),
        "ethnicity": _("One of the 56 ethnic groups; 汉 and 汉族 are both accepted."),
        "birth_date": from_id,
        "education": _("The highest education completed."),
        "category": _(
            "Blank means a full member. A probationary member needs the date of joining and has no date of "
            "full membership."
        ),
        "joined_on": _("At 18 or older."),
        "full_member_on": _("Full members: after the date of joining."),
        "life_status": _("What the member lives on; it decides the dues rules and community registration."),
        "phone": _("Give an 11-digit mobile number or a landline such as 0731-88888888."),
        "probation_ends_on": _(
            "Probationary members: one year after joining when left blank; an extension makes it at most two "
            "years after joining."
        ),
        "organisation_code": _(
            "The code of the member's branch, joint branch or party group, within your responsibility. When "
            "blank, the organisation named in the next column; when both are blank, the organisation chosen "
            "on the upload page."
        ),
        "organisation_name": _("Read only when the code is blank; the name must match exactly one organisation."),
    }


def _column_help(column: roster.Column, notes: dict) -> str:
    parts = [notes.get(column.field, "")]
    if column.field in roster.DATE_FIELDS:
        parts.append(
            _(
                "A date: 2015-03-30, 2015/3/30, 2015.3.30 or 2015年3月30日; 2015年3月 or 2015.03 when only the "
                "month is known (read as its first day). Not in the future."
            )
        )
        parts.append(
            _(
                "A month typed as a number (2005.07) is read as that month. Excel keeps 1998.10 as the number "
                "1998.1, so a single 1 after the point is read as October: type January as 1998.01. A year alone "
                "(1998) is not a date."
            )
        )
    elif column.field in roster.CHOICE_TABLES:
        parts.append(_("Choose from the drop-down list."))
    if column.field == "life_status":
        parts.append(
            _(
                "Rosters in the national collection form's 工作岗位 (公务员, 事业单位专业技术人员, 企业管理人员, "
                "工勤技能人员, 私营企业主 …) are read too, each as the nearest status here; the preview says "
                "which value was read as what."
            )
        )
    if column.field in services.TEXT_FIELDS:
        parts.append(_("At most %(limit)s characters.") % {"limit": Member._meta.get_field(column.field).max_length})
    return " ".join(p for p in parts if p)


def _choice_error(column: roster.Column, choices: list[str]) -> str:
    message = _("%(column)s: choose one of the values in the drop-down list: %(values)s.") % {
        "column": column.header,
        "values": "、".join(choices),
    }
    if len(choices) <= MAX_CHOICES_NAMED and len(message) <= excel.MAX_VALIDATION_MESSAGE:
        return message
    return _("%(column)s: choose one of the %(n)s values in the drop-down list (such as %(first)s).") % {
        "column": column.header,
        "n": len(choices),
        "first": choices[0],
    }


def template_columns() -> list[excel.TemplateColumn]:
    """The template's columns, each with its width, cell format and drop-down list."""
    columns = []
    for column in roster.COLUMNS:
        choices = roster.choice_values(column.field) if column.field in roster.CHOICE_TABLES else []
        is_date = column.field in roster.DATE_FIELDS
        columns.append(
            excel.TemplateColumn(
                header=column.header,
                width=DATE_WIDTH if is_date else WIDTHS.get(column.field, 14),
                number_format=DATE_FORMAT if is_date else TEXT_FORMAT if column.field in TEXT_FORMATTED else "General",
                choices=tuple(choices),
                required=column.required,
                choice_error=_choice_error(column, choices) if choices else "",
            )
        )
    return columns


def instructions() -> list[list[str]]:
    """The instruction sheet: one row for each column (required or not, how to write it, the
    values allowed), then what happens to the file."""
    notes = _column_notes()
    rows = [
        [
            pgettext("roster template", "Column"),
            pgettext("roster template", "Required?"),
            _("How to fill it in"),
            _("Allowed values"),
        ]
    ]
    for column in roster.COLUMNS:
        required = (
            pgettext("roster template", "Required") if column.required else pgettext("roster template", "Optional")
        )
        allowed = "、".join(roster.choice_values(column.field)) if column.field in roster.CHOICE_TABLES else ""
        rows.append([column.header, required, _column_help(column, notes), allowed])
    rows.append([])
    rows += [
        [
            _("The file"),
            "",
            _(
                "Upload .xlsx, .xls or .csv (UTF-8 or GBK) of at most %(mb)s MB, without a password; only the first "
                "sheet is read. Split a larger roster into several files."
            )
            % {"mb": MAX_FILE_BYTES // 2**20},
        ],
        [
            _("The header"),
            "",
            _(
                "Keep the header row (the red headers are required). Title rows may stand above it, the columns may "
                "be in any order and extra columns are ignored. One member a row; blank rows are skipped."
            ),
        ],
        [
            _("The example row"),
            "",
            _(
                "The grey row whose name begins with %(mark)s is an example and is never imported: overwrite it or "
                "leave it."
            )
            % {"mark": roster.EXAMPLE_MARK},
        ],
        [
            _("The preview"),
            "",
            _(
                "After the upload every row is checked and nothing is written yet. The preview counts the new, "
                "changed, unchanged and rejected rows, names the members to be added and those whose details "
                "change (each field with its old and new value), and gives each rejected cell with its row, "
                "column and reason."
            ),
        ],
        [
            _("The import"),
            "",
            _(
                "Confirming imports all new and changed rows at once; rejected rows are left out: fix them in the "
                "file and upload it again. A blank cell keeps the value on record, every change is kept in the "
                "member's history, and importing the same file again changes nothing."
            ),
        ],
        [
            _("Responsibility"),
            "",
            _(
                "Only organisations within your responsibility can be named. A member of another branch moves by "
                "a transfer, not by an import."
            ),
        ],
    ]
    return rows


def roster_template_xlsx() -> bytes:
    """The template: the national collection form's member fields and the organisation, an example
    row, drop-down lists and the instructions."""
    example = example_row()
    guide_title = _("Instructions")
    return excel.xlsx_template(
        title="党员信息",
        note=_(
            "Member roster, one member a row. Red headers are required; the grey example row is not imported. "
            "See the sheet %(sheet)s."
        )
        % {"sheet": guide_title},
        columns=template_columns(),
        example=[example[c.field] for c in roster.COLUMNS],
        instructions_title=guide_title,
        instructions=instructions(),
        instruction_widths=(16, 10, 70, 40),
        choices_title=_("Allowed values"),
        choice_error_title=_("Not an allowed value"),
    )
