"""Pinyin keys for names: the full pinyin sorts the roster, the initials find "zs" for 张三.

pypinyin reads a name as ordinary text, so surnames with a special reading (曾 zeng, 单 shan,
解 xie…) and compound surnames (syllables separated by spaces) are looked up here first.
"""

import functools
import json
import os
import re
from pathlib import Path

# pypinyin decodes its 47,000 phrases from JSON as 400,000 small lists and strings: 35 MB in every
# process, web and worker alike (a roster preview's peak memory, issue 16). They are loaded here
# instead (_phrases_load), so these are read before pypinyin is imported (this module is its one
# importer; imported before, pypinyin keeps its own copy and the phrases read the same).
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")

import pypinyin
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

_PHRASE_KEY = re.compile(r'\s*[{,]\s*"((?:[^"\\]|\\.)*)"\s*:\s*')


def _phrases_load() -> dict[str, list[tuple]]:
    """pypinyin's phrases (phrases_dict.json) read one at a time, each syllable's readings a tuple
    shared by every phrase that has them (1,249 tuples in all): about 10 MB instead of 35 MB, the
    same readings. pypinyin copies a phrase's list and replaces its items, never changes them."""
    text = (Path(pypinyin.__file__).parent / "phrases_dict.json").read_text(encoding="utf-8")
    decoder, shared, phrases, position = json.JSONDecoder(), {}, {}, 0
    while match := _PHRASE_KEY.match(text, position):
        readings, position = decoder.raw_decode(text, match.end())
        phrase = json.loads(f'"{match[1]}"') if "\\" in match[1] else match[1]
        phrases[phrase] = [shared.setdefault(tuple(reading), tuple(reading)) for reading in readings]
    return phrases


pypinyin.load_phrases_dict(_phrases_load())  # into PHRASES_DICT, and pypinyin's segmenter retrained

SURNAME_READINGS = {
    "欧阳": "ou yang",
    "司马": "si ma",
    "上官": "shang guan",
    "诸葛": "zhu ge",
    "东方": "dong fang",
    "皇甫": "huang fu",
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "长孙": "zhang sun",
    "令狐": "ling hu",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "秘": "bi",
    "种": "chong",
    "黑": "he",
    "重": "chong",
    "繁": "po",
    "召": "shao",
    "尉": "yu",
    "车": "che",
    "柏": "bai",
    "沈": "shen",
    "宁": "ning",
    "薄": "bo",
    "隗": "wei",
    "任": "ren",
    "华": "hua",
    "员": "yun",
}


@functools.cache
def _reading(char: str) -> str | None:
    """The reading pypinyin gives one character on its own; None for a non-Chinese character."""
    if not "\u4e00" <= char <= "\u9fff":
        return None
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def _syllables(name: str) -> list[str]:
    """pypinyin reads a character by itself unless it stands in one of its phrases (长江, 重庆…);
    a name with no such phrase and only Chinese characters is read character by character from a
    cache. A roster import reads 100,000 names: this is several times faster than pypinyin's
    segmentation, with the same result."""
    readings = [_reading(char) for char in name]
    phrase = any(
        name[start:end] in PHRASES_DICT for start in range(len(name)) for end in range(start + 2, len(name) + 1)
    )
    if None not in readings and not phrase:
        return readings
    return [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip()]


@functools.lru_cache(maxsize=100_000)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case without spaces: ("zengguofan", "zgf")."""
    name = name.strip()
    syllables: list[str] = []
    for length in (2, 1):
        surname = name[:length]
        if len(name) > length and surname in SURNAME_READINGS:
            syllables += SURNAME_READINGS[surname].split()
            name = name[length:]
            break
    syllables += _syllables(name)
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum())
    return full[:200], initials[:20]
