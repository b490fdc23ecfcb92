"""Locale and country names shared by pages, e-mails and exports (times: timefmt.py)."""

from functools import lru_cache

import pycountry
from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = request.args.get("lang") or session.get("lang")
        if chosen in languages:
            return chosen
        return request.accept_languages.best_match(list(languages)) or "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "en")


@lru_cache(maxsize=1)
def country_codes() -> tuple[str, ...]:
    return tuple(sorted(c.alpha_2 for c in pycountry.countries))


@lru_cache(maxsize=1)
def _country_code_set() -> frozenset[str]:
    return frozenset(country_codes())


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in _country_code_set()


@lru_cache(maxsize=8)
def _territories(language: str) -> dict:
    return Locale.parse(language).territories


def country_name(code: str | None, language: str | None = None) -> str:
    if not code:
        return ""
    language = language or current_language()
    name = _territories(language).get(code.upper())
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def country_choices(language: str | None = None) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, by name in `language`: made once per language
    (every sign-up form lists them)."""
    return _country_choices(language or current_language())


@lru_cache(maxsize=8)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((c, country_name(c, language)) for c in country_codes()),
                        key=lambda pair: pair[1]))


def list_separator(language: str | None = None) -> str:
    """Between the items of a list of names: "、" in Japanese, ", " in English."""
    return "、" if (language or current_language()).startswith("ja") else ", "


def join_list(items, language: str | None = None) -> str:
    """Names, countries, technologies... joined as the language writes a list."""
    return list_separator(language).join(str(item) for item in items)


def sentences(*parts) -> str:
    """Sentences one after the other: a space between English ones, none after "。"
    (Japanese writes no space there). Empty parts are left out."""
    text = ""
    for part in (str(p).strip() for p in parts if p):
        if not part:
            continue
        text += part if not text or text.endswith(("。", "！", "？", "」")) else " " + part
    return text
