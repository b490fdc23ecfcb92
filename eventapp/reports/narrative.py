"""The report in words, in the style of the seminar report:
"48 participants attended, including representatives of 9 companies and officials
from 7 countries."

Every sentence goes through gettext and every count through ngettext, so each language
gets its own word order and plural forms; numbers stay in digits.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask_babel import force_locale, format_percent, ngettext
from flask_babel import gettext as _

from ..i18n import current_language
from .figures import Attendance, Counts, Networking, Report


def summary_sentence(facts: Attendance, language: str | None = None) -> str:
    """The one-sentence summary; `language` forces a language (the API speaks English)."""
    with force_locale(language) if language else nullcontext():
        return _summary(facts)


def _summary(facts: Attendance) -> str:
    attended = ngettext("%(num)d participant attended", "%(num)d participants attended",
                        facts.attended)
    companies = ngettext("representatives of %(num)d company",
                         "representatives of %(num)d companies", facts.companies)
    countries = ngettext("officials from %(num)d country", "officials from %(num)d countries",
                         facts.official_countries)
    if facts.companies and facts.official_countries:
        return _("%(attended)s, including %(companies)s and %(countries)s.",
                 attended=attended, companies=companies, countries=countries)
    if facts.companies:
        return _("%(attended)s, including %(companies)s.", attended=attended,
                 companies=companies)
    if facts.official_countries:
        return _("%(attended)s, including %(countries)s.", attended=attended,
                 countries=countries)
    return _("%(attended)s.", attended=attended)


def attendance_sentence(counts: Counts) -> str:
    if not counts.confirmed:
        return _("No registration is confirmed yet.")
    return ngettext(
        "%(checked_in)d of %(num)d confirmed registration has checked in (%(rate)s).",
        "%(checked_in)d of %(num)d confirmed registrations have checked in (%(rate)s).",
        counts.confirmed, checked_in=counts.checked_in, rate=percent(counts.attendance_rate))


def networking_sentence(figures: Networking) -> str | None:
    if not figures.meetings:
        if not figures.opted_in:
            return None
        return ngettext("%(num)d person opted in to networking; no meeting is scheduled yet.",
                        "%(num)d people opted in to networking; no meeting is scheduled yet.",
                        figures.opted_in)
    return ngettext(
        "The networking schedule holds %(num)d meeting (%(published)d published); "
        "%(met)d of %(opted)d people who opted in have at least one.",
        "The networking schedule holds %(num)d meetings (%(published)d published); "
        "%(met)d of %(opted)d people who opted in have at least one.",
        figures.meetings, published=figures.published, met=figures.with_meeting,
        opted=figures.opted_in)


def paragraph(report: Report) -> str:
    """The report's opening paragraph: the summary, attendance and networking."""
    sentences = [summary_sentence(report.attendance), attendance_sentence(report.counts),
                 networking_sentence(report.networking)]
    text = ""
    for sentence in filter(None, sentences):
        # Japanese sentences follow each other without a space.
        text += sentence if not text or text.endswith(("。", "！", "？")) else " " + sentence
    return text


def percent(rate: float | None) -> str:
    return format_percent(rate) if rate is not None else "—"


def clock_time(value: datetime | None, tz: str) -> str:
    if value is None:
        return "—"
    return format_time(value, "short", tzinfo=ZoneInfo(tz), locale=current_language())
