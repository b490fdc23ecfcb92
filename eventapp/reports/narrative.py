"""The report in words, in the style of the seminar report:
"48 participants attended, including representatives of 9 companies and officials
from 7 countries."

Every sentence goes through gettext and every count through ngettext, so each language
gets its own word order and plural forms; numbers stay in digits.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta

from flask_babel import force_locale, format_percent, ngettext
from flask_babel import gettext as _

from .. import timefmt
from ..i18n import sentences as join_sentences
from ..networking.outcomes import SessionFigures
from .figures import Arrivals, Attendance, Counts, Networking, Report


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


def session_sentence(figures: SessionFigures) -> str | None:
    """What happened at the networking session, once anything was recorded there."""
    if not figures.scheduled or not figures.happened:
        return None
    values = {"held": figures.held, "no_shows": figures.no_shows,
              "replacements": figures.replacements, "follow_ups": figures.follow_ups}
    if figures.mean_rating is None:
        return ngettext(
            "At the networking session, %(held)d of %(num)d meeting took place "
            "(%(no_shows)d with a no-show, %(replacements)d replacements made), and "
            "%(follow_ups)d follow-ups were asked for.",
            "At the networking session, %(held)d of %(num)d meetings took place "
            "(%(no_shows)d with a no-show, %(replacements)d replacements made), and "
            "%(follow_ups)d follow-ups were asked for.", figures.scheduled, **values)
    values["mean"] = f"{figures.mean_rating:.1f}"
    return ngettext(
        "At the networking session, %(held)d of %(num)d meeting took place "
        "(%(no_shows)d with a no-show, %(replacements)d replacements made); participants "
        "rated them %(mean)s of 4 on average and asked for %(follow_ups)d follow-ups.",
        "At the networking session, %(held)d of %(num)d meetings took place "
        "(%(no_shows)d with a no-show, %(replacements)d replacements made); participants "
        "rated them %(mean)s of 4 on average and asked for %(follow_ups)d follow-ups.",
        figures.scheduled, **values)


def paragraph(report: Report) -> str:
    """The report's opening paragraph: the summary, attendance and networking."""
    sentences = [summary_sentence(report.attendance), attendance_sentence(report.counts),
                 networking_sentence(report.networking),
                 session_sentence(report.networking.session)]
    return join_sentences(*sentences)


def percent(rate: float | None) -> str:
    return format_percent(rate) if rate is not None else "—"


def clock_time(value: datetime | None, tz: str) -> str:
    if value is None:
        return "—"
    return timefmt.clock(value, tz)


def arrival_time(start: datetime, arrivals: Arrivals, tz: str) -> str:
    """A bin's start: the clock within a day, the date for daily bins."""
    if arrivals.bin_minutes >= 24 * 60:
        return timefmt.day(start, tz)
    return timefmt.moment(start, tz)


def arrivals_sentence(arrivals: Arrivals, tz: str) -> str:
    """Said instead of the arrivals chart when a chart would show nothing (nobody yet)
    or a single block (every check-in in one bin)."""
    if not arrivals.total:
        return _("No one has checked in yet.")
    start = next(start for start, n in arrivals.bins if n)
    if arrivals.bin_minutes >= 24 * 60:
        return ngettext("%(num)d check-in so far, all on %(day)s.",
                        "%(num)d check-ins so far, all on %(day)s.",
                        arrivals.total, day=timefmt.day(start, tz))
    ends = start + timedelta(minutes=arrivals.bin_minutes)
    return ngettext("%(num)d check-in so far, all between %(start)s and %(end)s.",
                    "%(num)d check-ins so far, all between %(start)s and %(end)s.",
                    arrivals.total, start=timefmt.moment(start, tz),
                    end=timefmt.clock(ends, tz))
