"""Pinyin keys: the short path for single-reading characters agrees with pypinyin's phrase rules."""

import json
from pathlib import Path

import pypinyin
import pytest
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

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


def test_the_phrases_loaded_compactly_are_pypinyins_own_reading_for_reading():
    """members.pinyin reads pypinyin's phrases itself (35 MB → about 10 MB a process): every
    phrase, with the same readings, each syllable's readings one tuple shared by all its phrases;
    pypinyin's segmenter knows them (长江 in a name is read as the phrase)."""
    with open(Path(pypinyin.__file__).parent / "phrases_dict.json", encoding="utf-8") as handle:
        published = json.load(handle)
    assert len(PHRASES_DICT) == len(published) > 40_000
    assert all(
        [list(reading) for reading in PHRASES_DICT[phrase]] == readings for phrase, readings in published.items()
    )
    tuples = {id(reading) for readings in PHRASES_DICT.values() for reading in readings}
    assert len(tuples) < 2_000  # shared, not one per syllable of each phrase (about 150,000)
    assert lazy_pinyin("长江", style=Style.TONE) == ["cháng", "jiāng"]  # 长 read zhǎng on its own
    assert lazy_pinyin("长", style=Style.TONE) == ["zhǎng"]
    assert name_pinyin("李长江") == ("lichangjiang", "lcj")
    assert pypinyin.pinyin("银行", heteronym=True) == [["yín"], ["háng"]]
