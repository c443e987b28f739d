"""Pinyin keys: the short path for single-reading characters agrees with pypinyin's phrase rules."""

import pytest
from pypinyin import Style, lazy_pinyin

from devtools.demo import GIVEN, SURNAMES
from members.pinyin import _syllables, name_pinyin


def test_short_path_agrees_with_pypinyin_on_every_demo_name_character():
    names = [s + g for s in SURNAMES for g in GIVEN[:12]] + [g + h for g in GIVEN for h in GIVEN[:5]]
    for name in names:
        assert _syllables(name) == [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL)], name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", ("zhangsan", "zs")),
        ("曾国藩", ("zengguofan", "zgf")),  # a surname with its own reading
        ("欧阳修", ("ouyangxiu", "oyx")),  # a compound surname
        ("李长江", ("lichangjiang", "lcj")),  # 长 has two readings: the phrase rules decide
        ("王小2", ("wangxiao2", "wx2")),  # a non-Chinese character keeps the slow path
    ],
)
def test_name_pinyin(name, expected):
    assert name_pinyin(name) == expected
