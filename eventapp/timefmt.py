"""The one way the app shows a moment: in the event's time zone, in the reader's
language, without seconds, with dates nobody can misread ("Dec 7, 2026",
"2026年12月7日"), and the zone named ("10:02 CET") where it is not the office's
(config TIMEZONE), which is the zone staff pages and viewers are taken to be in.

Pages use the template filters `moment`, `day` and `clock` and the globals
`clock_span` and `event_span` (registered in web.py); e-mails and Python code call the
functions. The API keeps its ISO 8601 times (with the event's offset); scanner.js shows
only times the server formatted.
"""

import functools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, match_skeleton
from flask import current_app, has_app_context

from .database import utcnow
from .i18n import current_language

DEFAULT_ZONE = "Asia/Tokyo"
# Skeletons, not patterns: each language orders them its own way (CLDR).
DATE = "yMMMd"            # Dec 7, 2026 · 2026年12月7日
LONG_DATE = "yMMMMEEEEd"  # Monday, December 7, 2026 · 2026年12月7日月曜日
CLOCK = "HH:mm"           # 24-hour, both languages, no seconds


def office_zone() -> str:
    """The zone of the office and its staff: times in it are shown without a zone name."""
    if has_app_context():
        return current_app.config.get("TIMEZONE") or DEFAULT_ZONE
    return DEFAULT_ZONE


def _lang(language: str | None) -> str:
    return language or current_language()


def _local(value: datetime, tz: str | None) -> datetime:
    return value.astimezone(ZoneInfo(tz or office_zone()))


def zone_name(value: datetime, tz: str | None) -> str:
    """"" where `tz` keeps the office's clock at that moment, else its abbreviation
    ("CET", "UTC", "UTC+03" where the zone has no letters)."""
    local = _local(value, tz)
    if local.utcoffset() == value.astimezone(ZoneInfo(office_zone())).utcoffset():
        return ""
    name = local.tzname() or ""
    if name[:1] in "+-":
        name = "UTC" + name
    return name


def _with_zone(text: str, value: datetime, tz: str | None) -> str:
    name = zone_name(value, tz)
    return f"{text} {name}" if name else text


def _clock(local: datetime) -> str:
    return f"{local:%H:%M}"


def clock(value: datetime | None, tz: str | None = None, language: str | None = None,
          zone: bool = True) -> str:
    """"13:30", or "13:30 CET" away from the office's zone."""
    if value is None:
        return ""
    text = _clock(_local(value, tz))
    return _with_zone(text, value, tz) if zone else text


def clock_span(start: datetime, end: datetime | None, tz: str | None = None,
               language: str | None = None) -> str:
    """"13:30–14:00" (the zone once, at the end)."""
    if end is None:
        return clock(start, tz)
    return _with_zone(f"{_clock(_local(start, tz))}–{_clock(_local(end, tz))}", start, tz)


def day(value: datetime | date | None, tz: str | None = None, language: str | None = None,
        long: bool = False) -> str:
    """"Dec 7, 2026" / "2026年12月7日" (long: with the weekday and the month in full)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, tz).date()
    language = _lang(language)
    return format_date(value, _date_pattern(LONG_DATE if long else DATE, language),
                       locale=language)


@functools.lru_cache(maxsize=32)
def _date_pattern(skeleton: str, language: str):
    """The locale's pattern for a skeleton, as babel's format_skeleton finds it, found
    once: matching a skeleton took a tenth of composing a ticket e-mail."""
    skeletons = Locale.parse(language).datetime_skeletons
    return skeletons[skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)]


def moment(value: datetime | None, tz: str | None = None, language: str | None = None) -> str:
    """"Dec 7, 2026, 13:30" / "2026年12月7日 13:30", with the zone where it differs."""
    if value is None:
        return ""
    language = _lang(language)
    pattern = Locale.parse(language).datetime_formats["medium"]
    text = str(pattern).replace("{1}", day(value, tz, language)).replace(
        "{0}", _clock(_local(value, tz)))
    return _with_zone(text, value, tz)


def span(starts: datetime, ends: datetime, tz: str, language: str | None = None) -> str:
    """"Wednesday, June 9, 2027 · 13:30–17:05": the date once, then the times; a span over
    several days names both."""
    language = _lang(language)
    first, last = _local(starts, tz), _local(ends, tz)
    if first.date() == last.date() or last - first < timedelta(0):
        return f"{day(starts, tz, language, long=True)} · {clock_span(starts, ends, tz)}"
    return (f"{day(starts, tz, language, long=True)} {clock(starts, tz, zone=False)} – "
            f"{day(ends, tz, language, long=True)} {clock(ends, tz)}")


def event_span(event, language: str | None = None) -> str:
    return span(event.starts_at, event.ends_at, event.timezone, language)


def utc_offset_minutes(tz: str, at: datetime | None = None) -> int:
    """The zone's offset from UTC (at `at`, default now), in minutes."""
    offset = (at or utcnow()).astimezone(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def register(app) -> None:
    """The template filters and globals every page and e-mail uses."""
    app.add_template_filter(moment, "moment")
    app.add_template_filter(day, "day")
    app.add_template_filter(clock, "clock")
    app.add_template_global(clock_span, "clock_span")
    app.add_template_global(event_span, "event_span")
