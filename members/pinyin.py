"""Pinyin keys for names: the full pinyin sorts the roster, the initials find "zs" for 张三.

pypinyin reads a name as ordinary text, so surnames with a special reading (曾 zeng, 单 shan,
解 xie…) and compound surnames (syllables separated by spaces) are looked up here first.
"""

import functools

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

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
