"""Reading real roster sheets: the template's columns, header variants, and messy cell values.

The template follows the member fields of the national party-member information collection form
(全国党员管理信息系统 信息采集), so one sheet serves both systems. Real files put a title row or two
above the header, spell headers several ways, type full-width digits, stray spaces, a lowercase x,
and dates as 2015-03-30, 2015/3/30, 2015.3.30, 2015年3月30日, Excel date serials, or only a month
(2015.03, 2015年3月) where the roster knows no more. This module turns such rows into the values
members.services.member_clean expects, or says in Chinese what is wrong with which cell.
"""

import dataclasses
import datetime
import re

from django.utils.translation import gettext as _

from core.idcard import half_width, id_normalise
from members.enums import ETHNICITY_BY_CHINESE_NAME, Education, Gender, LifeStatus, MemberCategory


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    header: str
    variants: tuple[str, ...] = ()
    required: bool = False


# The template's columns, in order (16 member fields of the national form, then the organisation).
COLUMNS = (
    Column("name", "姓名", ("党员姓名",), required=True),
    Column("gender", "性别"),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码"), required=True),
    Column("ethnicity", "民族"),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日")),
    Column("education", "学历", ("文化程度", "最高学历")),
    Column("category", "党员类别", ("党员身份", "类别")),
    Column("joined_on", "入党日期", ("入党时间", "加入党组织日期")),
    Column("full_member_on", "转为正式党员日期", ("转正日期", "转正时间")),
    Column("life_status", "人员类别", ("工作岗位", "人员身份")),
    Column("work_unit", "工作单位", ("单位",)),
    Column("job_title", "单位职务", ("职务", "工作单位及职务")),
    Column("phone", "联系电话", ("手机号码", "手机", "电话", "联系方式")),
    Column("household_registration", "户籍所在地", ("户籍地", "户口所在地")),
    Column("residence", "现居住地", ("家庭住址", "居住地", "现住址")),
    Column("probation_ends_on", "预备期满日期", ("预备期满时间",)),
    Column("organisation_code", "组织代码", ("党组织代码", "所在党支部代码")),
    Column("organisation_name", "所在党组织", ("所在党支部", "党组织名称", "所在支部")),
)
TEMPLATE_HEADERS = [c.header for c in COLUMNS]
DATE_FIELDS = frozenset({"birth_date", "joined_on", "full_member_on", "probation_ends_on"})
HEADER_SEARCH_ROWS = 10
MIN_RECOGNISED_HEADERS = 3


def _header_key(text) -> str:
    return re.sub(r"[\s*（）()：:]", "", id_normalise(str(text or "")))


_HEADER_LOOKUP = {_header_key(v): c for c in COLUMNS for v in (c.header, *c.variants)}
FIELD_HEADERS = {c.field: c.header for c in COLUMNS}


class RosterError(ValueError):
    """The file as a whole cannot be read as a roster (no header, …); the message is for the user."""


def header_find(rows: list[list]) -> tuple[int, dict[int, Column]]:
    """The header row among the first rows (titles may stand above it) and its column positions.

    Columns the template does not know are ignored; a header with fewer than three known columns,
    or without the name and the ID number, is refused with a message.
    """
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {}
        for position, cell in enumerate(row):
            column = _HEADER_LOOKUP.get(_header_key(cell))
            if column is not None and column not in found.values():
                found[position] = column
        if len(found) >= MIN_RECOGNISED_HEADERS:
            missing = [c.header for c in COLUMNS if c.required and c not in found.values()]
            if missing:
                raise RosterError(
                    _("Row %(row)s looks like the header but lacks the column(s): %(columns)s.")
                    % {"row": index + 1, "columns": "、".join(missing)}
                )
            return index, found
    raise RosterError(
        _("No header row was found in the first %(n)s rows; the header needs at least %(columns)s.")
        % {"n": HEADER_SEARCH_ROWS, "columns": "、".join(c.header for c in COLUMNS if c.required)}
    )


# 人员类别 means two things in real rosters. The national collection form (全国党员管理信息系统) and
# many branches' rosters write the party category there (正式党员, 预备党员), and the occupational
# status under 工作岗位; the template and other rosters write the occupational status there. The
# column's values decide which it is (`columns_settle`), so neither kind of file is refused for it.
AMBIGUOUS_HEADER = "人员类别"
_AMBIGUOUS_KEY = _header_key(AMBIGUOUS_HEADER)
SETTLE_SAMPLE_ROWS = 500  # the data rows whose 人员类别 cells decide the column's reading


def header_ambiguous(header: list) -> bool:
    """Whether the header holds a column whose meaning its values decide (人员类别)."""
    return any(_header_key(cell) == _AMBIGUOUS_KEY for cell in header)


def columns_settle(header: list, columns: dict[int, Column], rows: list[list]) -> tuple[dict[int, Column], list]:
    """The columns with 人员类别 read as its values show, and what was decided, one reading a column.

    A 人员类别 column whose values are mostly party categories (正式党员, 预备党员) is the category;
    otherwise it is the occupational status, as in the template. When it is the category, the
    occupational status is read from the column the national form keeps it in (工作岗位, 人员身份),
    named as the file names it. A reading is {"column", "field", "matched", "sampled"}."""
    positions = [p for p, cell in enumerate(header) if _header_key(cell) == _AMBIGUOUS_KEY]
    if not positions:
        return columns, []
    life_status = _HEADER_LOOKUP[_AMBIGUOUS_KEY]
    settled = {p: c for p, c in columns.items() if c.field != "life_status"}
    readings = []
    for position in positions:
        party = status = sampled = 0
        for row in rows:
            cell = row[position] if position < len(row) else None
            if cell is None or not str(cell).strip():
                continue
            sampled += 1
            key = _choice_key(half_width(cell).strip())
            party += key in _CATEGORIES
            status += key in _LIFE_STATUSES
        field = "category" if party > status else "life_status"
        if field == "category":
            # Beside a 党员类别 column, this one is read too, and a row where they disagree is refused.
            settled[position] = Column("category", AMBIGUOUS_HEADER)
        elif not any(c.field == "life_status" for c in settled.values()):
            settled[position] = life_status
        readings.append(
            {
                "column": AMBIGUOUS_HEADER,
                "field": field,
                "matched": party if field == "category" else status,
                "sampled": sampled,
            }
        )
    if not any(c.field == "life_status" for c in settled.values()):
        for position, cell in enumerate(header):
            if position not in settled and _HEADER_LOOKUP.get(_header_key(cell)) is life_status:
                settled[position] = dataclasses.replace(life_status, header=" ".join(str(cell).split()))
                break
    return dict(sorted(settled.items())), readings


def column_text(column: str, field: str) -> str:
    """A column as a message names it: 人员类别, or 人员类别 (read as 党员类别) when it was read as another field."""
    if not field or field == column:
        return column
    return _("%(column)s (read as %(field)s)") % {"column": column, "field": field}


def reading_text(reading: dict) -> str:
    """What a preview says about how it read a column whose meaning its values decide, or a value
    it read as something its words do not say (a national-form occupation, a month typed as x.1)."""
    if reading.get("kind") == "occupation":
        return (
            _(
                "Column %(column)s: %(value)s (%(rows)s rows) was read as the occupational status %(read_as)s, "
                "the nearest of the portal's statuses to this value of the national collection form."
            )
            % reading
        )
    if reading.get("kind") == "month_october":
        return (
            _(
                "Column %(column)s: %(rows)s cells hold a month typed as a number with a single 1 after the point "
                "(such as %(example)s); Excel keeps 1998.10 as 1998.1, so they were read as October. "
                "January is typed 1998.01."
            )
            % reading
        )
    if reading["field"] == "category":
        return (
            _(
                "Column %(column)s was read as the party category (正式党员/预备党员): "
                "%(matched)s of the %(sampled)s values checked are party categories."
            )
            % reading
        )
    if not reading["sampled"]:
        return (
            _(
                "Column %(column)s has no values to tell its meaning: it was read as the occupational status "
                "(在岗职工, 离退休人员 …), as in the template."
            )
            % reading
        )
    return (
        _(
            "Column %(column)s was read as the occupational status (在岗职工, 离退休人员 …): "
            "%(matched)s of the %(sampled)s values checked are occupational statuses."
        )
        % reading
    )


EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Branches type a month as 2005.07 or 1998.10, and Excel keeps such a cell as the number 2005.07 or
# 1998.1. A number whose whole part is a year in this range is read as year.month, not as a date
# serial (the serials of 1905, the only ones it hides, are no roster's dates).
NUMBER_YEARS = range(1900, 2101)


class CellRefused(ValueError):
    """A cell that cannot be read, with a message for this value (the column's own message otherwise)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _number_digits(value: float) -> str:
    """The digits after the point as the sheet shows the number (2005.07 → "07", 1998.1 → "1")."""
    text = repr(float(value))
    return text.partition(".")[2] if "e" not in text else ""


def number_month(value) -> tuple[int, int] | None:
    """The (year, month) of a month typed as a number (2005.07 → July 2005, 1998.1 → October 1998,
    1998.2 → February 1998), None for a number that is no year (a date serial such as 38000).

    Two digits after the point are the month (01 to 12). One digit is the month 2 to 9, except 1: Excel
    keeps 1998.10 as 1998.1 and cannot tell the two apart, and branches type January as 1998.01, so
    a single 1 is October. A year alone (1998), or digits that are no month (2005.13), are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (NUMBER_YEARS.start <= value < NUMBER_YEARS.stop):
        return None
    year = int(value)
    if value == year:
        raise CellRefused(
            _("A year alone is not a date: write the month too (%(year)s.07 or %(year)s年7月) or the whole date.")
            % {"year": year}
        )
    digits = _number_digits(value)
    if len(digits) == 1:
        month = 10 if digits == "1" else int(digits)
    elif len(digits) == 2:
        month = int(digits)
    else:
        month = 0
    if not 1 <= month <= 12:
        raise CellRefused(
            _(
                "%(value)s typed as a number is read as year.month, but %(digits)s is not a month: write "
                "%(year)s.07, %(year)s.10 or a whole date such as %(year)s-07-01."
            )
            % {"value": cell_text(value), "digits": digits, "year": year}
        )
    return year, month


def number_month_october(value) -> bool:
    """Whether a cell is a month typed as a number with a single 1 after the point (1998.1), read
    as October: the preview says so, as the same number is what 1998.1 typed for January gives."""
    return (
        type(value) is float
        and NUMBER_YEARS.start <= value < NUMBER_YEARS.stop
        and value != int(value)
        and _number_digits(value) == "1"
    )


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
_MONTH_PATTERNS = (re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?$"), re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"))


def date_parse(value) -> datetime.date | None:
    """A date from any of the forms rosters use; a month alone means its first day."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        month = number_month(value)
        if month is not None:
            return datetime.date(*month, 1)
        if 1 <= value < 100_000:  # an Excel date serial
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError
    text = id_normalise(str(value)).replace(" ", "")
    if re.fullmatch(r"\d+(\.0)?", text) and 20_000 <= float(text) < 100_000:  # a serial written as text
        return EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            return datetime.date(int(match["y"]), int(match["m"]), 1)
    raise ValueError


_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE}
_CATEGORIES = {
    "正式党员": MemberCategory.FULL,
    "正式": MemberCategory.FULL,
    "预备党员": MemberCategory.PROBATIONARY,
    "预备": MemberCategory.PROBATIONARY,
}
_EDUCATIONS = {
    "研究生(博士)": Education.DOCTORATE,
    "博士": Education.DOCTORATE,
    "博士研究生": Education.DOCTORATE,
    "研究生(硕士)": Education.MASTER,
    "硕士": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "研究生": Education.MASTER,
    "大学本科": Education.BACHELOR,
    "本科": Education.BACHELOR,
    "大学专科": Education.COLLEGE,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "中等专科": Education.TECHNICAL,
    "中专": Education.TECHNICAL,
    "中技": Education.TECHNICAL,
    "高中": Education.HIGH_SCHOOL,
    "初中及以下": Education.JUNIOR,
    "初中": Education.JUNIOR,
    "小学": Education.JUNIOR,
}
_LIFE_STATUSES = {
    "在岗职工": LifeStatus.IN_SERVICE,
    "在职": LifeStatus.IN_SERVICE,
    "在岗": LifeStatus.IN_SERVICE,
    "离退休人员": LifeStatus.RETIRED,
    "离退休": LifeStatus.RETIRED,
    "退休": LifeStatus.RETIRED,
    "离休": LifeStatus.RETIRED,
    "学生": LifeStatus.STUDENT,
    "失业人员": LifeStatus.UNEMPLOYED,
    "失业": LifeStatus.UNEMPLOYED,
    "无业": LifeStatus.UNEMPLOYED,
    "农牧渔民": LifeStatus.FARMER,
    "农民": LifeStatus.FARMER,
    "个体/自由职业": LifeStatus.SELF_EMPLOYED,
    "个体": LifeStatus.SELF_EMPLOYED,
    "自由职业": LifeStatus.SELF_EMPLOYED,
    "其他": LifeStatus.OTHER,
}
# 工作岗位 of the national collection form (全国党员管理信息系统 党员基本信息采集表), finer than the
# portal's occupational statuses (人员类别, which decide the dues rules, N-DUES): each is read as the
# nearest status, and the preview says which value was read as what (`occupation_note`). The member
# record keeps the status only; the national wording stays in the file.
NATIONAL_OCCUPATIONS = {
    "公务员": LifeStatus.IN_SERVICE,
    "党政机关公务员": LifeStatus.IN_SERVICE,
    "参照公务员法管理的工作人员": LifeStatus.IN_SERVICE,
    "参照公务员法管理人员": LifeStatus.IN_SERVICE,
    "事业单位管理人员": LifeStatus.IN_SERVICE,
    "事业单位专业技术人员": LifeStatus.IN_SERVICE,
    "企业管理人员": LifeStatus.IN_SERVICE,
    "企业专业技术人员": LifeStatus.IN_SERVICE,
    "公有经济控制企业管理人员": LifeStatus.IN_SERVICE,
    "公有经济控制企业专业技术人员": LifeStatus.IN_SERVICE,
    "非公有经济控制企业管理人员": LifeStatus.IN_SERVICE,
    "非公有经济控制企业专业技术人员": LifeStatus.IN_SERVICE,
    "民办非企业单位管理人员": LifeStatus.IN_SERVICE,
    "民办非企业单位专业技术人员": LifeStatus.IN_SERVICE,
    "工勤技能人员": LifeStatus.IN_SERVICE,
    "工人": LifeStatus.IN_SERVICE,
    "军人武警": LifeStatus.IN_SERVICE,
    "解放军、武警": LifeStatus.IN_SERVICE,
    "军人": LifeStatus.IN_SERVICE,
    "农牧渔民": LifeStatus.FARMER,
    "学生": LifeStatus.STUDENT,
    "离退休人员": LifeStatus.RETIRED,
    "自由职业人员": LifeStatus.SELF_EMPLOYED,
    "私营企业主": LifeStatus.SELF_EMPLOYED,
    "个体工商户": LifeStatus.SELF_EMPLOYED,
    "无固定职业人员": LifeStatus.UNEMPLOYED,
    "下岗失业人员": LifeStatus.UNEMPLOYED,
    "其他职业人员": LifeStatus.OTHER,
    "其他": LifeStatus.OTHER,
}
# The template's word for each status (its drop-down list's), as a preview names what a value was read as.
_LIFE_STATUS_WORDS: dict = {}
for _text, _status in _LIFE_STATUSES.items():
    _LIFE_STATUS_WORDS.setdefault(_status, _text)
for _text, _status in NATIONAL_OCCUPATIONS.items():
    _LIFE_STATUSES.setdefault(_text, _status)
del _text, _status


def occupation_note(raw) -> tuple[str, str] | None:
    """(the national form's value, the portal's word it was read as) for a 工作岗位 value that is not
    the portal's own word (公务员 → 在岗职工), else None."""
    if not isinstance(raw, str):
        return None
    key = _choice_key(" ".join(half_width(raw).split()))
    status = NATIONAL_OCCUPATIONS.get(key)
    if status is None or _LIFE_STATUS_WORDS[status] == key:
        return None
    return key, _LIFE_STATUS_WORDS[status]


def notes_readings(notes: dict) -> list[dict]:
    """The readings a preview shows for values read as something their words do not say, from
    {(column, kind, value, read_as): [rows, example]} gathered over a file's rows."""
    readings = []
    for (column, kind, value, read_as), (rows, example) in notes.items():
        if kind == "occupation":
            readings.append(
                {
                    "kind": kind,
                    "column": column,
                    "field": "life_status",
                    "value": value,
                    "read_as": read_as,
                    "rows": rows,
                }
            )
        else:
            readings.append({"kind": kind, "column": column, "field": "date", "rows": rows, "example": example})
    return readings


# The tables of the closed columns. The first spelling of each value is the one the template's
# drop-down lists offer (the national form's word); the others are variants rosters write.
CHOICE_TABLES = {
    "gender": _GENDERS,
    "ethnicity": ETHNICITY_BY_CHINESE_NAME,
    "education": _EDUCATIONS,
    "category": _CATEGORIES,
    "life_status": _LIFE_STATUSES,
}


def choice_values(field: str) -> list[str]:
    """The spellings a template's drop-down list offers for a closed column, one for each value,
    taken from the table the import reads the column with (so the list never drifts from it)."""
    first: dict = {}
    for text, value in CHOICE_TABLES[field].items():
        first.setdefault(value, text)
    return [text.replace("(", "（").replace(")", "）") for text in first.values()]


# The template's example row: its name begins with this word, and an import skips such rows.
EXAMPLE_MARK = "示例"


def row_is_example(row: list, name_position: int | None) -> bool:
    """The template's example row (its name begins with 示例), which an import leaves out."""
    if name_position is None or name_position >= len(row):
        return False
    cell = row[name_position]
    return isinstance(cell, str) and cell.strip().startswith(EXAMPLE_MARK)


def _choice_key(text) -> str:
    return str(text).replace("（", "(").replace("）", ")").replace(" ", "")


def _choice(table: dict, text) -> str:
    key = _choice_key(text)
    if key in table:
        return table[key]
    raise ValueError


MAX_SHOWN_VALUE = 200


@dataclasses.dataclass
class CellError:
    """One bad cell: where (sheet row, column header), what was there, and why, in Chinese. `field`
    is the template's name of what the column was read as (人员类别 read as 党员类别); it is the
    column itself when blank."""

    row: int
    column: str
    value: str
    message: str
    field: str = ""

    def __post_init__(self):
        self.field = self.field or self.column
        # Kept with the upload (jsonb refuses NUL) and shown on its page: a long cell is cut short.
        value = self.value.replace("\x00", "\\x00")
        self.value = value if len(value) <= MAX_SHOWN_VALUE else f"{value[:MAX_SHOWN_VALUE]}…"


def row_values(
    row: list, columns: dict[int, Column], *, row_number: int, memo: dict | None = None
) -> tuple[dict, list[CellError]]:
    """One sheet row as service values (organisation code/name kept as given) and its cell errors.

    `memo` (one dict per file) remembers the parse of repeated cells: a roster repeats its
    categories, genders, dates and organisation codes thousands of times."""
    values: dict = {}
    errors: list[CellError] = []
    memo = {} if memo is None else memo
    width = len(row)
    for position, column in columns.items():
        raw = row[position] if position < width else None
        if raw is None or raw == "":
            continue
        key = (position, raw)
        parsed = memo.get(key)
        if parsed is None:
            try:
                parsed = _cell_value(column.field, raw)
            except CellRefused as exc:
                parsed = exc
            except ValueError:
                parsed = _BAD
            if column.field in _MEMO_FIELDS:
                memo[key] = parsed
        if parsed is _BAD or isinstance(parsed, CellRefused):
            message = parsed.message if parsed is not _BAD else _cell_message(column)
            errors.append(CellError(row_number, column.header, cell_text(raw), message, FIELD_HEADERS[column.field]))
        elif parsed is _BLANK:
            continue
        elif column.field in values and values[column.field] != parsed:
            # Two columns read as one field (党员类别, and 人员类别 holding party categories) disagree.
            other = next(c.header for c in columns.values() if c.field == column.field)
            message = _("This disagrees with column %(column)s of the same row.") % {"column": other}
            errors.append(CellError(row_number, column.header, cell_text(raw), message, FIELD_HEADERS[column.field]))
        else:
            values[column.field] = parsed
    _birth_settle(values)
    return values, errors


def cell_text(raw) -> str:
    """A cell's value as the sheet shows it, for a message: 女, not the value it was read as; a date
    cell as its day; a whole number typed as a number without its ".0"."""
    if raw is None:
        return ""
    if isinstance(raw, datetime.datetime) and raw.time() == datetime.time():
        return raw.date().isoformat()
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    return str(raw)


_BAD, _BLANK = object(), object()
# Cells worth remembering: their values repeat down a roster (names, ID numbers and phones do not).
_MEMO_FIELDS = DATE_FIELDS | {
    "gender",
    "ethnicity",
    "education",
    "category",
    "life_status",
    "work_unit",
    "job_title",
    "household_registration",
    "residence",
    "organisation_code",
    "organisation_name",
}


class BirthMonth(tuple):
    """A birth date given to the month only (出生年月 1980.01): the ID number gives the day."""

    __slots__ = ()

    def __new__(cls, year: int, month: int):
        return super().__new__(cls, (year, month))

    def __getnewargs__(self):
        return tuple(self)


def _birth_month(raw) -> BirthMonth | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        month = number_month(raw)
        return BirthMonth(*month) if month is not None else None
    if not isinstance(raw, str):
        return None
    text = id_normalise(raw)
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            return BirthMonth(int(match["y"]), int(match["m"]))
    return None


def _birth_settle(values: dict) -> None:
    """A birth month that agrees with the ID number's is left to the ID number (which gives the
    day); one that does not stands as its first day, for member_clean to refuse with the ID's date."""
    month = values.get("birth_date")
    if not isinstance(month, BirthMonth):
        return
    if values.get("id_number", "")[6:12] == f"{month[0]:04d}{month[1]:02d}":
        del values["birth_date"]
    else:
        values["birth_date"] = datetime.date(month[0], month[1], 1)


def _cell_value(field: str, raw):
    if field in DATE_FIELDS:
        if isinstance(raw, str) and not raw.strip():
            return _BLANK
        if field == "birth_date" and (month := _birth_month(raw)) is not None:
            date_parse(raw)  # a month that is no month (2015.13) is refused as a date
            return month
        return date_parse(raw)
    if not isinstance(raw, str):
        if field == "id_number":
            # Excel keeps 15 significant digits: an ID typed as a number has already lost digits.
            raise ValueError
        if field == "phone" and isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        text = str(raw)
    elif field == "name":
        text = "".join(raw.split())  # rosters pad two-character names with spaces
    elif field == "id_number":
        text = id_normalise(raw)
    else:
        # Full-width forms as ASCII, runs of spaces as one.
        text = " ".join(half_width(raw).split())
    if not text:
        return _BLANK
    if field == "gender":
        return _choice(_GENDERS, text)
    if field == "ethnicity":
        name = text if text.endswith("族") else f"{text}族"
        if name not in ETHNICITY_BY_CHINESE_NAME:
            raise ValueError
        return ETHNICITY_BY_CHINESE_NAME[name]
    if field == "education":
        return _choice(_EDUCATIONS, text)
    if field == "category":
        return _choice(_CATEGORIES, text)
    if field == "life_status":
        return _choice(_LIFE_STATUSES, text)
    return text


def _cell_message(column: Column) -> str:
    field = column.field
    if field == "category" and column.header == AMBIGUOUS_HEADER:
        return _(
            "Column 人员类别 is read as the party category, as most of its values are: write 正式党员 or 预备党员."
        )
    if field in DATE_FIELDS:
        return _("Not a date: write it as 2015-03-30, 2015/3/30, 2015.3.30, 2015年3月30日 or 2015年3月.")
    if field == "id_number":
        return _("The ID number was stored as a number and has lost digits: set the column to text and type it again.")
    if field == "gender":
        return _("Write 男 or 女.")
    if field == "ethnicity":
        return _("Not one of the 56 ethnic groups (for example 汉族).")
    if field == "education":
        return _(
            "Unknown education: use 研究生（博士）, 研究生（硕士）, 大学本科, 大学专科, 中等专科, 高中 or 初中及以下."
        )
    if field == "category":
        return _("Write 正式党员 or 预备党员.")
    if field == "life_status":
        return _(
            "Unknown occupational status: use 在岗职工, 离退休人员, 学生, 失业人员, 农牧渔民, 个体 or 其他, or a "
            "工作岗位 of the national collection form (公务员, 事业单位专业技术人员, 企业管理人员, 工勤技能人员, "
            "自由职业人员 …)."
        )
    return _("This value cannot be read.")
