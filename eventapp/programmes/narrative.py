"""A programme's report in words, in the style of the seminar report ("48 participants,
including representatives of 9 Japanese companies and embassy officials from 7
countries, ..."), in English and Japanese.

Every sentence is built from a counted figure; a sentence whose figure is not known (no
meeting outcome recorded, no feedback asked) is left out, never guessed. Quotes are
only those their authors agreed to (feedback.figures.quotes).
"""

from __future__ import annotations

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from .. import timefmt
from ..i18n import join_list, sentences
from ..models import FollowUpResult
from ..reports.figures import Attendance
from ..reports.narrative import summary_sentence
from .figures import ProgrammeFigures

QUOTES_IN_TEXT = 3


def _when(figures: ProgrammeFigures, language: str) -> str:
    first, last = figures.events[0], figures.events[-1]
    start = timefmt.day(first.starts_at, first.timezone, language, long=False)
    end = timefmt.day(last.starts_at, last.timezone, language, long=False)
    return start if start == end else f"{start} – {end}"


def _overview(figures: ProgrammeFigures, language: str) -> str:
    held = ngettext("The programme “%(title)s” comprised %(num)d event (%(when)s).",
                    "The programme “%(title)s” comprised %(num)d events (%(when)s).",
                    len(figures.events), title=figures.programme.title,
                    when=_when(figures, language))
    came = summary_sentence(Attendance(
        attended=figures.participants, companies=figures.companies,
        official_countries=figures.official_countries))
    if figures.repeat_participants:
        once = ngettext(
            "%(num)d person came to more than one event and is counted once (people are "
            "recognised across events by their e-mail address).",
            "%(num)d people came to more than one event and are counted once (people are "
            "recognised across events by their e-mail address).",
            figures.repeat_participants)
    else:
        once = _("Each person is counted once, recognised across events by their e-mail "
                 "address.")
    return sentences(held, came, once)


def _networking(figures: ProgrammeFigures) -> str:
    if not figures.meetings_held:
        return ""
    held = ngettext("In the networking sessions, %(num)d meeting was held.",
                    "In the networking sessions, %(num)d meetings were held.",
                    figures.meetings_held)
    wanted = ngettext(
        "After them, participants said %(num)d time that they want to follow up.",
        "After them, participants said %(num)d times that they want to follow up.",
        figures.follow_ups) if figures.follow_ups else ""
    applies = ngettext(
        "Officials said %(num)d time that a technology they discussed applies in their "
        "country.",
        "Officials said %(num)d times that a technology they discussed applies in their "
        "country.", figures.applicable) if figures.applicable else ""
    return sentences(held, wanted, applies)


def _quote(quote) -> str:
    return _("“%(text)s” (%(source)s)", text=quote.text,
             source=quote.source or _("a participant"))


def _feedback(figures: ProgrammeFigures, language: str) -> str:
    f = figures.feedback
    if not f.responses:
        return ""
    if f.requested:
        answered = ngettext(
            "%(responses)d of the %(num)d participant asked for feedback answered.",
            "%(responses)d of the %(num)d participants asked for feedback answered.",
            f.requested, responses=f.responses_when_asked)
    else:
        answered = ngettext("%(num)d participant answered the feedback survey.",
                            "%(num)d participants answered the feedback survey.", f.responses)
    rated = _("They rated the events %(mean)s out of 5 on average.",
              mean=f"{f.mean_rating:.1f}") if f.mean_rating is not None else ""
    will = ngettext("%(num)d said they would follow up with someone they met.",
                    "%(num)d said they would follow up with someone they met.",
                    f.will_follow_up) if f.will_follow_up else ""
    quoted = ""
    if f.quotes:
        quoted = _("Participants remarked %(quotes)s.", quotes=join_list(
            [_quote(q) for q in f.quotes[:QUOTES_IN_TEXT]], language))
    return sentences(answered, rated, will, quoted)


def _follow_up(figures: ProgrammeFigures, language: str) -> str:
    f = figures.feedback
    if not f.follow_up_responses:
        return ""
    results = f.follow_up_results
    words = {
        FollowUpResult.MEETING: lambda n: ngettext(
            "%(num)d further meeting", "%(num)d further meetings", n),
        FollowUpResult.PILOT: lambda n: ngettext(
            "%(num)d pilot or demonstration", "%(num)d pilots or demonstrations", n),
        FollowUpResult.AGREEMENT: lambda n: ngettext(
            "%(num)d agreement", "%(num)d agreements", n),
        FollowUpResult.NOTHING_YET: lambda n: ngettext(
            "nothing yet in %(num)d case", "nothing yet in %(num)d cases", n),
    }
    parts = [word(results.get(code, 0)) for code, word in words.items()
             if results.get(code, 0)]
    return ngettext(
        "Asked again later, %(num)d participant said what following up led to: %(results)s.",
        "Asked again later, %(num)d participants said what following up led to: %(results)s.",
        f.follow_up_responses, results=join_list(parts, language))


def paragraphs(figures: ProgrammeFigures, language: str) -> list[str]:
    """The report's text in `language`: only paragraphs with counted figures behind them."""
    if not figures.events:
        with force_locale(language):
            return [_("This programme has no events yet.")]
    with force_locale(language):
        found = [_overview(figures, language), _networking(figures),
                 _feedback(figures, language), _follow_up(figures, language)]
    return [p for p in found if p]


def summary(figures: ProgrammeFigures) -> dict[str, str]:
    """The API's `summary`: the text in English and in Japanese."""
    return {language: "\n\n".join(paragraphs(figures, language)) for language in ("en", "ja")}
