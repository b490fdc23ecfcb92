"""A name as its reader expects it on a badge or a list.

Japanese names (written in kanji or kana) are shown as stored, family name first
(registrations keep them "family given": 山田 太郎), with the reading in small kana
above and, when a reading is given, a romanised name for readers of Latin letters
(family name in capitals, as Japanese passports and ministries write it: YAMADA Taro).
Other names are shown as written.
"""

import re
import unicodedata
from dataclasses import dataclass

from .. import search

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]")
_SPACES = re.compile(r"[\s\u3000]+")


def is_japanese(name: str) -> bool:
    return bool(_JAPANESE.search(name or ""))


@dataclass(frozen=True)
class ShownName:
    name: str
    reading: str
    romanised: str


def romanised(reading: str) -> str:
    """ヤマダ タロウ -> YAMADA Taro: each part's Hepburn rōmaji, long vowels written
    plainly, the first part (the family name) in capitals."""
    parts = [p for p in _SPACES.split(unicodedata.normalize("NFKC", reading).strip()) if p]
    words = []
    for index, part in enumerate(parts):
        romaji = search.plain_vowels(search.reading_and_romaji(search.normalise(part))[1])
        if not romaji.isascii():
            return ""
        words.append(romaji.upper() if index == 0 else romaji.capitalize())
    return " ".join(words)


def shown_name(name: str, name_kana: str) -> ShownName:
    name = _SPACES.sub(" ", (name or "").strip())
    reading = _SPACES.sub(" ", (name_kana or "").strip())
    if is_japanese(name):
        return ShownName(name, reading, romanised(reading) if reading else "")
    return ShownName(name, reading, "")
