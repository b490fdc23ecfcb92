"""Locale, country names and time formatting shared by pages, e-mails and exports."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import pycountry
from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
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


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in set(country_codes())


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


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    language = language or current_language()
    return sorted(((c, country_name(c, language)) for c in country_codes()),
                  key=lambda pair: pair[1])


def local_time(value: datetime | None, tz: str, fmt: str = "medium",
               language: str | None = None) -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, fmt, tzinfo=ZoneInfo(tz),
                                 locale=language or current_language())


def to_local(value: datetime, tz: str) -> datetime:
    return value.astimezone(ZoneInfo(tz))


def event_span(event, language: str | None = None) -> str:
    """“Wednesday, June 9, 2027 · 13:30–17:05 (Asia/Tokyo)”: the date once, then times."""
    from babel.dates import format_date

    language = language or current_language()
    tz = ZoneInfo(event.timezone)
    starts, ends = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
    day = format_date(starts.date(), "full", locale=language)
    if starts.date() == ends.date():
        return f"{day} · {starts:%H:%M}–{ends:%H:%M} ({event.timezone})"
    last = format_date(ends.date(), "full", locale=language)
    return f"{day} {starts:%H:%M} – {last} {ends:%H:%M} ({event.timezone})"
