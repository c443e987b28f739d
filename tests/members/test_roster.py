import datetime

import pytest
from django.utils import translation

from members.enums import Education, Gender, LifeStatus, MemberCategory
from members.roster import COLUMNS, RosterError, date_parse, header_find, row_values


def test_template_has_the_national_form_fields_and_the_organisation():
    assert len(COLUMNS) == 18
    assert [c.header for c in COLUMNS[:3]] == ["姓名", "性别", "公民身份号码"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-03-30", datetime.date(2015, 3, 30)),
        ("2015/3/30", datetime.date(2015, 3, 30)),
        ("2015.3.30", datetime.date(2015, 3, 30)),
        ("2015年3月30日", datetime.date(2015, 3, 30)),
        ("２０１５年３月３０日", datetime.date(2015, 3, 30)),
        (" 20150330 ", datetime.date(2015, 3, 30)),
        ("2015.03", datetime.date(2015, 3, 1)),
        ("2015年3月", datetime.date(2015, 3, 1)),
        (42093, datetime.date(2015, 3, 30)),
        ("42093", datetime.date(2015, 3, 30)),
        (datetime.datetime(2015, 3, 30, 0, 0), datetime.date(2015, 3, 30)),
    ],
)
def test_date_parse_accepts_the_forms_rosters_use(value, expected):
    assert date_parse(value) == expected


@pytest.mark.parametrize("value", ["2015-13-01", "三月", "2015-02-30", "1.5"])
def test_date_parse_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        date_parse(value)


def test_header_found_below_title_rows_with_variants():
    rows = [
        ["麓谷街道党员花名册", None, None],
        ["填报单位：东村第1党支部", None, None],
        ["序号", " 姓 名 ", "身份证号码", "入党时间", "备注", "手机"],
        [1, "张三", "11010519491231002x", "1975.7", "", 13800138000],
    ]
    index, columns = header_find(rows)
    assert index == 2
    assert {position: column.field for position, column in columns.items()} == {
        1: "name",
        2: "id_number",
        3: "joined_on",
        5: "phone",
    }


def test_header_without_id_column_refused_in_chinese():
    with translation.override("zh-hans"), pytest.raises(RosterError) as exc:
        header_find([["姓名", "性别", "民族", "入党日期"]])
    assert str(exc.value) == "第1行像是表头，但缺少以下列：公民身份号码。"


def test_no_header_refused():
    with pytest.raises(RosterError):
        header_find([["a", "b"], [1, 2]])


def test_row_values_normalise_messy_cells():
    _, columns = header_find(
        [["姓名", "性别", "公民身份号码", "民族", "学历", "党员类别", "人员类别", "入党日期", "联系电话"]]
    )
    row = [
        " 张三 ",
        "男",
        "１１０１０５１９４９１２３１００２ｘ",
        "汉",
        "大学本科",
        "正式党员",
        "退休",
        "1975年7月",
        13800138000.0,
    ]
    values, errors = row_values(row, columns, row_number=5)
    assert errors == []
    assert values == {
        "name": "张三",
        "gender": Gender.MALE,
        "id_number": "11010519491231002X",
        "ethnicity": "01",
        "education": Education.BACHELOR,
        "category": MemberCategory.FULL,
        "life_status": LifeStatus.RETIRED,
        "joined_on": datetime.date(1975, 7, 1),
        "phone": "13800138000",
    }


def test_row_values_report_row_column_value_and_reason_in_chinese():
    _, columns = header_find([["姓名", "公民身份号码", "性别", "入党日期"]])
    with translation.override("zh-hans"):
        values, errors = row_values(["李四", 1.10105194912310e17, "未知", "去年"], columns, row_number=7)
    assert values == {"name": "李四"}
    assert [(e.row, e.column, e.value, e.message) for e in errors] == [
        (
            7,
            "公民身份号码",
            "1.1010519491231e+17",
            "身份证号码被存成了数字，已丢失位数：请将该列设为文本格式后重新输入。",
        ),
        (7, "性别", "未知", "请填写“男”或“女”。"),
        (
            7,
            "入党日期",
            "去年",
            "不是有效日期：请按2015-03-30、2015/3/30、2015.3.30、2015年3月30日或2015年3月的格式填写。",
        ),
    ]
