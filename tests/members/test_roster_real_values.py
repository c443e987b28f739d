"""Real rosters read right (issue 14, the two gaps): the national collection form's detailed 工作岗位
values read as the nearest occupational status, and months typed into Excel as numbers (2005.07,
1998.1) read as year.month, not as date serials."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from members import imports, roster, roster_template
from members.enums import LifeStatus
from members.models import Member
from tests.members.test_imports import person
from tests.members.test_roster_real_files import FILE_NAME, NATIONAL_HEADER, preview, workbook_bytes

pytestmark = pytest.mark.django_db

# The 工作岗位 values of the national collection form the issue names, and the status each is read as.
NATIONAL_OCCUPATIONS = {
    "公务员": LifeStatus.IN_SERVICE,
    "参照公务员法管理的工作人员": LifeStatus.IN_SERVICE,
    "事业单位管理人员": LifeStatus.IN_SERVICE,
    "事业单位专业技术人员": LifeStatus.IN_SERVICE,
    "企业管理人员": LifeStatus.IN_SERVICE,
    "企业专业技术人员": LifeStatus.IN_SERVICE,
    "工勤技能人员": LifeStatus.IN_SERVICE,
    "农牧渔民": LifeStatus.FARMER,
    "学生": LifeStatus.STUDENT,
    "离退休人员": LifeStatus.RETIRED,
    "自由职业人员": LifeStatus.SELF_EMPLOYED,
    "私营企业主": LifeStatus.SELF_EMPLOYED,
    "个体工商户": LifeStatus.SELF_EMPLOYED,
    "无固定职业人员": LifeStatus.UNEMPLOYED,
    "军人武警": LifeStatus.IN_SERVICE,
    "其他": LifeStatus.OTHER,
}


def member_row(n: int, occupation: str = "公务员", joined="2005.07", full="2006.07") -> list:
    """One full member of 东村第2党支部 on the national form (columns as NATIONAL_HEADER)."""
    fixed = [n, f"党员{n}", "男" if n % 2 else "女", person(n), "汉族", "大学本科", "正式党员"]
    return [*fixed, joined, full, occupation, "13800138000", "东村2组", "东村第2党支部"]


def national_file(rows: list[list]) -> list[list]:
    return [["党员信息采集表"], NATIONAL_HEADER, *rows]


def dry_run_lines(tmp_path, capsys, rows: list[list]) -> list[str]:
    path = tmp_path / FILE_NAME
    path.write_bytes(workbook_bytes(national_file(rows)))
    with translation.override("zh-hans"), pytest.raises(SystemExit):
        call_command("import_roster", str(path), "--dry-run")
    return capsys.readouterr().out.splitlines()


def test_national_form_occupations_are_read_as_the_nearest_status(zone, users):
    """Issue 14: every 工作岗位 value of the national collection form is imported, each as the nearest
    occupational status (公务员 → 在岗职工, 私营企业主 → 个体, 无固定职业人员 → 失业人员)."""
    rows = [member_row(n, occupation) for n, occupation in enumerate(NATIONAL_OCCUPATIONS)]
    with translation.override("zh-hans"):
        plan = preview(national_file(rows), users.town_admin)
    assert (plan.counts, plan.errors) == ({"new": 16, "changed": 0, "unchanged": 0, "rejected": 0}, [])
    imports.roster_import(plan=plan, user=users.town_admin)
    stored = dict(Member.objects.filter(organisation=zone.b2).values_list("id_number", "life_status"))
    assert stored == {person(n): status for n, status in enumerate(NATIONAL_OCCUPATIONS.values())}


def test_preview_says_which_occupation_was_read_as_what(zone, tmp_path, capsys):
    """Issue 14: the portal's statuses are coarser than the form's 工作岗位, and the member keeps only
    the status, so the preview says which value was read as what, and in how many rows; values that
    are the portal's own words (农牧渔民) need no word."""
    rows = [member_row(0, "公务员"), member_row(1, "事业单位专业技术人员"), member_row(2, "公务员")]
    rows += [member_row(3, "私营企业主"), member_row(4, "农牧渔民")]
    path = tmp_path / FILE_NAME
    path.write_bytes(workbook_bytes(national_file(rows)))
    with translation.override("zh-hans"):
        call_command("import_roster", str(path), "--dry-run", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"new": 5, "changed": 0, "unchanged": 0, "rejected": 0}
    assert report["readings"][0]["field"] == "category"  # 人员类别 holds 正式党员 on the national form
    assert [(r["value"], r["read_as"], r["rows"], r["text"]) for r in report["readings"][1:]] == [
        (
            "公务员",
            "在岗职工",
            2,
            "“工作岗位”列的“公务员”（2行）按人员身份“在岗职工”读取：这是全国党员信息采集表的工作岗位，"
            "本系统的人员身份较粗，取最接近的一项。",
        ),
        (
            "事业单位专业技术人员",
            "在岗职工",
            1,
            "“工作岗位”列的“事业单位专业技术人员”（1行）按人员身份“在岗职工”读取：这是全国党员信息采集表的工作岗位，"
            "本系统的人员身份较粗，取最接近的一项。",
        ),
        (
            "私营企业主",
            "个体/自由职业",
            1,
            "“工作岗位”列的“私营企业主”（1行）按人员身份“个体/自由职业”读取：这是全国党员信息采集表的工作岗位，"
            "本系统的人员身份较粗，取最接近的一项。",
        ),
    ]


def test_occupation_outside_the_list_rejects_only_its_row(zone, tmp_path, capsys):
    """Issue 14: a 工作岗位 value outside the national list rejects its row alone, the message naming
    file, row, column and the value as typed."""
    rows = [member_row(0, "公务员"), member_row(1, "程序员 "), member_row(2, "工勤技能人员")]
    lines = dry_run_lines(tmp_path, capsys, rows)
    assert lines[0] == f"{FILE_NAME}：新增2行，变更0行，未变0行，拒绝1行。"
    assert lines[-1] == (
        f"{FILE_NAME}，第4行，工作岗位（读作人员类别）列，值“程序员 ”：无法识别的人员类别：请填写在岗职工、离退休人员、"
        "学生、失业人员、农牧渔民、个体或其他，或全国党员信息采集表的工作岗位（公务员、事业单位专业技术人员、企业管理人员、"
        "工勤技能人员、自由职业人员等）。"
    )


def test_person_category_column_of_national_occupations_is_the_occupational_status(zone):
    """Issue 14: a 人员类别 column holding the form's 工作岗位 values is read as the occupational status."""
    header = ["姓名", "身份证号", "党员类别", "入党时间", "转正时间", "人员类别", "所在支部"]
    rows = [
        header,
        ["王芳", person(2), "正式党员", "2005.07", "2006.07", "事业单位管理人员", "东村第2党支部"],
        ["赵军", person(3), "正式党员", "2005.07", "2006.07", "个体工商户", "东村第2党支部"],
    ]
    plan = preview(rows)
    assert (plan.counts["new"], plan.readings[0]) == (
        2,
        {"column": "人员类别", "field": "life_status", "matched": 2, "sampled": 2},
    )
    imports.roster_import(plan=plan)
    stored = dict(Member.objects.filter(organisation=zone.b2).values_list("name", "life_status"))
    assert stored == {"王芳": LifeStatus.IN_SERVICE, "赵军": LifeStatus.SELF_EMPLOYED}


@pytest.mark.parametrize(
    ("number", "month"),
    [
        (2005.07, (2005, 7)),
        (2005.7, (2005, 7)),
        (1998.1, (1998, 10)),
        (1998.01, (1998, 1)),
        (1998.11, (1998, 11)),
        (1998.12, (1998, 12)),
        (1998.2, (1998, 2)),
        (38000, None),
        (38000.5, None),
        (1899.12, None),
    ],
)
def test_number_month_reads_year_dot_month(number, month):
    """Issue 14: a number whose whole part is a year 1900 to 2100 is year.month; one digit 1 is October
    (Excel keeps 1998.10 as 1998.1); serials (38000) are not months."""
    assert roster.number_month(number) == month


@pytest.mark.parametrize("number", [1998, 1998.0, 2005.13, 2005.00001, 2005.002])
def test_number_month_refuses_a_year_alone_or_a_fraction_that_is_no_month(number):
    """Issue 14: a year alone is not a date, and 2005.13 holds no month."""
    with pytest.raises(roster.CellRefused):
        roster.number_month(number)


def test_months_typed_as_numbers_are_imported_as_year_and_month(zone, tmp_path, capsys):
    """Issue 14: 2005.07 and 1998.1 typed as numbers are July 2005 and October 1998, not the serials of
    1905; a birth month as a number that agrees with the ID number leaves the day to it; the preview
    says x.1 was read as October; real date cells and genuine serials keep working."""
    header = ["姓名", "身份证号", "出生年月", "党员类别", "入党时间", "转正时间", "所在支部"]
    rows = [
        ["东村第2党支部党员花名册"],
        header,
        ["张志强", person(1), 1980.01, "正式党员", 2005.07, 2006.07, "东村第2党支部"],
        ["陈丽", person(2), None, "正式党员", 1998.1, 1999.1, "东村第2党支部"],
        ["刘洋", person(3), None, "正式党员", datetime.datetime(2004, 1, 14), 38366, "东村第2党支部"],
        ["周敏", person(4), None, "正式党员", 38000, 2005.1, "东村第2党支部"],
    ]
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with translation.override("zh-hans"):
        call_command("import_roster", str(path), "--org", "B2")
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "花名册.xlsx：新增4行，变更0行，未变0行，拒绝0行。",
        "“入党日期”列有1个单元格是以数字录入、小数点后只有一个1的年月（如1998.1）：Excel会把1998.10存为1998.1，"
        "因此按10月读取。1月请写作1998.01。",
        "“转为正式党员日期”列有2个单元格是以数字录入、小数点后只有一个1的年月（如1999.1）：Excel会把1998.10存为1998.1，"
        "因此按10月读取。1月请写作1998.01。",
    ]
    stored = {
        m.name: (m.birth_date, m.joined_on, m.full_member_on) for m in Member.objects.filter(organisation=zone.b2)
    }
    assert stored == {
        "张志强": (datetime.date(1980, 1, 2), datetime.date(2005, 7, 1), datetime.date(2006, 7, 1)),
        "陈丽": (datetime.date(1980, 1, 3), datetime.date(1998, 10, 1), datetime.date(1999, 10, 1)),
        "刘洋": (datetime.date(1980, 1, 4), datetime.date(2004, 1, 14), datetime.date(2005, 1, 14)),
        "周敏": (datetime.date(1980, 1, 5), datetime.date(2004, 1, 14), datetime.date(2005, 10, 1)),
    }


def test_year_alone_or_no_month_typed_as_a_number_rejects_its_row_saying_where(zone, tmp_path, capsys):
    """Issue 14: an integer 1998 in a date column is a year alone, not the serial of 1905-06-20; 2005.13
    holds no month; each rejects its row with file, row, column and the value as typed."""
    header = ["姓名", "身份证号", "党员类别", "入党时间", "转正时间", "所在支部"]
    rows = [
        header,
        ["张志强", person(1), "正式党员", 1998, 1999.07, "东村第2党支部"],
        ["陈丽", person(2), "正式党员", 2005.07, 2005.13, "东村第2党支部"],
        ["刘洋", person(3), "正式党员", 2005.07, 2006.07, "东村第2党支部"],
    ]
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(workbook_bytes(rows))
    with translation.override("zh-hans"), pytest.raises(SystemExit):
        call_command("import_roster", str(path), "--dry-run", "--org", "B2")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "花名册.xlsx：新增1行，变更0行，未变0行，拒绝2行。"
    assert lines[-2:] == [
        "花名册.xlsx，第2行，入党日期列，值“1998”：只有年份不是日期：请写明月份（如1998.07或1998年7月）或完整日期。",
        "花名册.xlsx，第3行，转为正式党员日期列，值“2005.13”：以数字录入的2005.13按“年.月”读取，但13不是月份："
        "请写作2005.07、2005.10或完整日期（如2005-07-01）。",
    ]


def test_template_help_states_the_october_rule_and_the_national_occupations():
    """Issue 14: the template's instructions say how a month typed as a number is read (x.1 is
    October) and that the form's 工作岗位 values are read as the nearest status."""
    with translation.override("zh-hans"):
        rows = {row[0]: row[2] for row in roster_template.instructions() if row}
    assert rows["入党日期"].endswith(
        "以数字录入的年月（如2005.07）按该月读取。Excel会把1998.10存为数字1998.1，因此小数点后只有一个1时按10月读取："
        "1月请写作1998.01。只有年份（如1998）不是日期。"
    )
    assert rows["人员类别"].endswith(
        "也可填写全国党员信息采集表的工作岗位（公务员、事业单位专业技术人员、企业管理人员、工勤技能人员、私营企业主等），"
        "各按最接近的人员类别读取；预览会说明哪个值按什么读取。"
    )
