"""Finding a person however a Japanese keyboard or a hand-held scanner wrote the query.

One normalisation, used on what is stored (a registration's `search_key` and
`sort_name`, kept in step on every write) and on every query: Unicode NFKC (half-width
ｻﾄｳ and full-width ＦＵＪＩＭＯＴＯ become サトウ and fujimoto), case folded,
katakana folded to hiragana, and every space removed (half-width, full-width or none:
渡辺健一 finds 渡辺 健一). A reading is also stored in rōmaji, so `fujimoto` finds
ふじもと; names without a kana reading get one guessed from the kanji by pykakasi, a
maintained kana/kanji converter, so a search and the gojūon sort still work for them.

Pure functions: no Flask, no database.
"""

import re
import unicodedata
from functools import lru_cache

import pykakasi

# Parts of a search key are kept apart so a query never matches across two of them.
PART_SEPARATOR = "\n"
_SPACES = re.compile(r"\s+")
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")
# Long vowels as people type them in rōmaji: satou, sato and satoh are one name.
_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"), ("oh", "o"))


def _hiragana(match: re.Match) -> str:
    return chr(ord(match.group()) - 0x60)


def normalise(text: str) -> str:
    """What the search compares: NFKC, case folded, katakana as hiragana, no spaces."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return _SPACES.sub("", _KATAKANA.sub(_hiragana, folded)).replace(PART_SEPARATOR, "")


@lru_cache(maxsize=1)
def _converter() -> pykakasi.kakasi:
    return pykakasi.kakasi()


@lru_cache(maxsize=4096)
def reading_and_romaji(text: str) -> tuple[str, str]:
    """(the reading in hiragana, the Hepburn rōmaji) of a normalised name; kanji are
    read as pykakasi reads them, other characters kept."""
    if not text or text.isascii():
        return text, text
    parts = _converter().convert(text)
    reading = "".join(p["hira"] for p in parts)
    romaji = "".join(p["hepburn"] for p in parts).replace("'", "")
    return reading, romaji


def plain_vowels(romaji: str) -> str:
    """satou -> sato, oono -> ono: rōmaji without long-vowel spellings."""
    for long, short in _LONG_VOWELS:
        romaji = romaji.replace(long, short)
    return romaji


def search_key(name: str, name_kana: str, organisation: str) -> str:
    """Everything a person may be found by, normalised: name, reading, the reading in
    rōmaji (as written and without long vowels), organisation. No e-mail address: door
    staff search with it and are not shown addresses."""
    name_n, kana_n = normalise(name), normalise(name_kana)
    reading, romaji = reading_and_romaji(kana_n or name_n)
    parts = [name_n, kana_n, reading, romaji, plain_vowels(romaji), normalise(organisation)]
    return PART_SEPARATOR.join(dict.fromkeys(p for p in parts if p))


def sort_name(name: str, name_kana: str) -> str:
    """The name as lists sort it: by its reading, in hiragana, so 佐藤 (さとう) comes in
    gojūon order among さ; names in Latin letters by themselves, case folded."""
    kana_n = normalise(name_kana)
    if kana_n:
        return kana_n[:200]
    return reading_and_romaji(normalise(name))[0][:200]


def query_forms(query: str) -> list[str]:
    """The normalised forms a query is looked up by (the query itself and, for rōmaji,
    the same without long vowels). Empty when the query has nothing to look for."""
    q = normalise(query)
    if not q:
        return []
    forms = [q]
    if q.isascii() and plain_vowels(q) != q:
        forms.append(plain_vowels(q))
    return forms


def like_pattern(form: str) -> str:
    """A LIKE pattern finding `form` anywhere, its own % and _ taken literally (escaped
    with a backslash: use ESCAPE '\\')."""
    escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def romanised_words(text: str) -> list[str]:
    """Text as Hepburn rōmaji words for an address: 技術移転セミナー -> gijutsu, iten,
    semina. Long vowels are written short (as in Tokyo); a kanji compound that pykakasi
    reads as one word is split into pairs where the pairs read the same on their own.
    Latin text is kept as written."""
    words = []
    for part in _converter().convert(unicodedata.normalize("NFKC", text or "")):
        orig, romaji = part["orig"], part["hepburn"]
        if orig.isascii():
            words.append(orig)
            continue
        pieces = [orig[i:i + 2] for i in range(0, len(orig), 2)]
        split = ["".join(p["hepburn"] for p in _converter().convert(piece)) for piece in pieces]
        if len(orig) >= 4 and _KANJI.fullmatch(orig) and "".join(split) == romaji:
            words.extend(_short_vowels(w) for w in split)
        else:
            words.append(_short_vowels(romaji))
    return words


_KANJI = re.compile(r"[\u4e00-\u9fff\u3005]+")


def _short_vowels(romaji: str) -> str:
    for long, short in (*_LONG_VOWELS, ("aa", "a"), ("ee", "e")):
        romaji = romaji.replace(long, short)
    return romaji
