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
    """What a preview says about how it read a column whose meaning its values decide."""
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
            except ValueError:
                parsed = _BAD
            if column.field in _MEMO_FIELDS:
                memo[key] = parsed
        if parsed is _BAD:
            errors.append(
                CellError(row_number, column.header, cell_text(raw), _cell_message(column), FIELD_HEADERS[column.field])
            )
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
        return _("Unknown category of person: use 在岗职工, 离退休人员, 学生, 失业人员, 农牧渔民, 个体 or 其他.")
    return _("This value cannot be read.")
