"""What the cells of an invitation list mean: headers in English or Japanese, and values
as offices write them (countries by code or by name in either language, yes/no as ○/×,
categories and technology areas by code or by name).

Headers and names are compared through search.normalise (NFKC, so half- and full-width
alike, case folded, katakana as hiragana, spaces removed), the app's one normalisation.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

import pycountry
from babel import Locale
from flask_babel import gettext as _

from ..search import normalise

TEXT_COLUMNS = ("name", "name_kana", "email", "category", "organisation", "country",
                "job_title", "phone", "language")
LIST_COLUMNS = ("technologies_offered", "technology_needs", "target_countries")
COLUMNS = TEXT_COLUMNS + ("networking_opt_in",) + LIST_COLUMNS
REQUIRED_COLUMNS = ("name", "email", "category")
# Lists from sign-up forms often split the name (姓, 名; セイ, メイ): the parts make the
# name, joined in the file's column order, where the file has no whole-name column.
NAME_PARTS = {"family_name": "name", "given_name": "name", "family_name_kana": "name_kana",
              "given_name_kana": "name_kana"}

# Headers people write, as search.normalise writes them with _ - . ・ * ※ removed.
# Each column also answers to its own name (name_kana: "namekana", "Name Kana").
HEADER_ALIASES = {
    "name": ("fullname", "氏名", "名前", "お名前", "氏名(漢字)", "参加者名"),
    "name_kana": ("kana", "furigana", "reading", "フリガナ", "よみがな", "読み", "カナ",
                  "よみ", "氏名(フリガナ)", "氏名(カナ)"),
    "email": ("mail", "emailaddress", "メールアドレス", "メール", "eメール",
              "eメールアドレス"),
    "organisation": ("organization", "company", "affiliation", "所属", "会社名", "組織",
                     "団体名", "大使館", "所属先", "所属機関", "企業名"),
    "country": ("国", "国名", "国・地域"),
    "job_title": ("position", "役職", "役職名"),
    "category": ("type", "区分", "カテゴリ", "カテゴリー", "参加区分"),
    "phone": ("tel", "telephone", "電話", "電話番号"),
    "language": ("言語",),
    "networking_opt_in": ("networking", "ネットワーキング", "ネットワーキング参加"),
    "technologies_offered": ("提供技術",),
    "technology_needs": ("needs", "関心技術(ニーズ)", "関心技術", "ニーズ"),
    "target_countries": ("対象国", "ターゲット国"),
    "family_name": ("lastname", "surname", "姓", "氏", "苗字", "名字"),
    "given_name": ("firstname", "名"),
    "family_name_kana": ("セイ", "姓(フリガナ)", "姓(カナ)", "フリガナ(姓)", "姓(よみがな)"),
    "given_name_kana": ("メイ", "名(フリガナ)", "名(カナ)", "フリガナ(名)", "名(よみがな)"),
}
_HEADER_NOISE = re.compile(r"[_\-.・*※]")
_PARENTHESES = re.compile(r"\(.*?\)")

TRUE_WORDS = {"yes", "y", "true", "1", "はい", "x", "o", "○", "〇", "◯", "✓", "✔", "参加",
              "希望", "する", "有", "あり"}
FALSE_WORDS = {"no", "n", "false", "0", "いいえ", "", "×", "-", "―", "不参加", "しない",
               "無", "なし"}
LANGUAGE_WORDS = {"english": "en", "eng": "en", "英語": "en", "英": "en", "japanese": "ja",
                  "jpn": "ja", "日本語": "ja", "日": "ja", "jp": "ja"}
LIST_SEPARATORS = re.compile(r"[;,、\n]")
# Short forms Japanese offices write where the official name is long.
JAPANESE_SHORT_NAMES = {"アメリカ": "US", "米国": "US", "英国": "GB", "韓国": "KR",
                        "北朝鮮": "KP", "中国": "CN", "ロシア": "RU", "イラン": "IR",
                        "シリア": "SY", "ボリビア": "BO", "ベネズエラ": "VE", "タンザニア": "TZ",
                        "コンゴ民主共和国": "CD", "コンゴ共和国": "CG", "ラオス": "LA",
                        "モルドバ": "MD", "ミクロネシア": "FM", "パレスチナ": "PS"}


def header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", normalise(str(text or "")))


@lru_cache(maxsize=1)
def _header_table() -> dict[str, str]:
    table = {}
    for column in COLUMNS + tuple(NAME_PARTS):
        table[header_key(column)] = column
        for alias in HEADER_ALIASES.get(column, ()):
            table[header_key(alias)] = column
    return table


def column_for(header) -> str | None:
    """The column a header names, or None: "Name Kana", "フリガナ", "ﾌﾘｶﾞﾅ", "E-mail",
    "メールアドレス（必須）"..."""
    key = header_key(header)
    table = _header_table()
    return table.get(key) or table.get(_PARENTHESES.sub("", key))


def columns_present(keys) -> set[str]:
    """The columns a header row gives, a split name counting as the name."""
    return {NAME_PARTS.get(key, key) for key in keys if key}


def cell_values(keys: list, cells: list[str]) -> dict[str, str]:
    """A row's text by column: the first non-empty cell of a column named twice, and a
    split name joined (family name first where the file has it first)."""
    values: dict[str, str] = {}
    whole = set(keys)
    for key, text in zip(keys, cells, strict=False):
        if key in NAME_PARTS:
            target = NAME_PARTS[key]
            if text and target not in whole:
                values[target] = f"{values[target]} {text}" if values.get(target) else text
        elif key and not values.get(key):
            values[key] = text
    return values


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into Excel as a number
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def split_list(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)  # full-width ；， become ; and ,
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


# -- countries --------------------------------------------------------------------------

def _add_name(table: dict[str, str], name: str, code: str) -> None:
    """The name, and without what it says in parentheses ("大韓民国 (韓国)")."""
    if name:
        key = normalise(name)
        table.setdefault(key, code)
        if stripped := _PARENTHESES.sub("", key):
            table.setdefault(stripped, code)


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    """Every way of writing a country we read, normalised, to its alpha-2 code: the
    codes, pycountry's names (official, common) and their Japanese translations, and the
    names the app itself shows (Babel's, so an export re-imports)."""
    japanese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"],
                                   fallback=True)
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.alpha_3, country.name, getattr(country, "common_name", ""),
                 getattr(country, "official_name", "")]
        names += [japanese.gettext(n) for n in names[1:] if n]
        for name in names:
            _add_name(table, name, code)
    for language in ("en", "ja"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                _add_name(table, name, code)
    for name, code in JAPANESE_SHORT_NAMES.items():
        _add_name(table, name, code)
    for country in pycountry.countries:  # a code always wins over a name
        table[normalise(country.alpha_2)] = country.alpha_2
    return table


def country_code(text: str) -> str | None:
    """JP, JPN, Japan, 日本, ケニア, Viet Nam, ﾍﾞﾄﾅﾑ... as an alpha-2 code; None if unknown."""
    key = normalise(text)
    return _country_table().get(key) or _country_table().get(_PARENTHESES.sub("", key))


# -- one row ----------------------------------------------------------------------------

def row_data(values: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Spreadsheet text to the values services.validate expects, plus the problems found
    in the text itself. Categories and technology areas, which depend on the event, are
    resolved when the rows are checked (Names.resolve)."""
    errors = []
    data = {key: values.get(key, "") for key in TEXT_COLUMNS}
    data["email"] = unicodedata.normalize("NFKC", data["email"]).strip()
    language = normalise(data["language"])
    data["language"] = LANGUAGE_WORDS.get(language, language) or "en"
    opt_in = normalise(values.get("networking_opt_in", ""))
    data["networking_opt_in"] = opt_in in TRUE_WORDS
    if opt_in not in TRUE_WORDS | FALSE_WORDS:
        errors.append(("networking_opt_in", _("Write yes or no.")))
    if data["country"]:
        code = country_code(data["country"])
        if code is None:
            errors.append(("country", _("Unknown country: %(value)s.", value=data["country"])))
        data["country"] = code or ""
    for key in LIST_COLUMNS:
        data[key] = split_list(values.get(key, ""))
    if data["target_countries"]:
        codes = [(text, country_code(text)) for text in data["target_countries"]]
        unknown = [text for text, code in codes if code is None]
        if unknown:
            errors.append(("target_countries", _("Unknown country: %(value)s.",
                                                 value="、".join(unknown))))
        data["target_countries"] = [code for _text, code in codes if code]
    # Question columns (questions/imports.py names them "answers.<code>").
    data["answers"] = {key.partition(".")[2]: text for key, text in values.items()
                       if key.startswith("answers.")}
    return data, errors


class Names:
    """An event's categories and technology areas by code, English or Japanese name."""

    def __init__(self, event):
        self.categories = self._table(event.categories)
        self.areas = self._table(event.technology_areas)

    @staticmethod
    def _table(items) -> dict[str, str]:
        table = {}
        for item in items:
            for name in (item.name, getattr(item, "name_ja", "")):
                if name:
                    table.setdefault(normalise(name), item.code)
        for item in items:
            table[normalise(item.code)] = item.code
        return table

    def resolve(self, data: dict) -> dict:
        """The row's data with categories and areas as codes (unknown ones kept as
        written, for validation to name them)."""
        data = dict(data)
        category = str(data.get("category") or "")
        data["category"] = self.categories.get(normalise(category), category.lower())
        for key in ("technologies_offered", "technology_needs"):
            data[key] = [self.areas.get(normalise(v), v) for v in data.get(key) or []]
        return data
