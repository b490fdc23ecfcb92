"""A programme's report as the API answers it, and as a workbook (XLSX)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import timefmt
from ..content import translated
from ..models import Programme
from ..reports.exports import Sheet
from ..reports.narrative import percent
from . import narrative
from .figures import ProgrammeFigures, programme_figures


def api_report(programme: Programme) -> dict:
    figures = programme_figures(programme, "en")
    f = figures.feedback
    return {
        "events": len(figures.events), "participants": figures.participants,
        "companies": figures.companies, "countries": figures.countries,
        "meetings_held": figures.meetings_held, "follow_ups": figures.follow_ups,
        "feedback": {"requested": f.requested, "responses": f.responses,
                     "mean_rating": f.mean_rating},
        "summary": narrative.summary(figures),
    }


def _rating(value: float | None):
    return "—" if value is None else value


def workbook_sheets(figures: ProgrammeFigures, language: str, results: dict) -> list[Sheet]:
    """The figures, one sheet per table, in `language`."""
    f = figures.feedback
    with force_locale(language):
        text = "\n\n".join(narrative.paragraphs(figures, language))
        summary = [
            (_("Events"), len(figures.events)),
            (_("Participants (distinct people who checked in)"), figures.participants),
            (_("Check-ins over all events"), figures.attendances),
            (_("People who came to more than one event"), figures.repeat_participants),
            (_("Companies"), figures.companies), (_("Countries"), figures.countries),
            (_("Officials' countries"), figures.official_countries),
            (_("Meetings held"), figures.meetings_held),
            (_("Follow-ups wanted after meetings"), figures.follow_ups),
            (_("Technology applies in the official's country (after meetings)"),
             figures.applicable),
            (_("Asked for feedback"), f.requested), (_("Feedback answers"), f.responses),
            (_("Response rate"), percent(f.response_rate)),
            (_("Mean rating (1–5)"), _rating(f.mean_rating)),
            (_("Will follow up with someone they met"), f.will_follow_up),
            (_("Asked about the follow-up"), f.follow_up_requested),
            (_("Follow-up answers"), f.follow_up_responses),
            *((str(label), f.follow_up_results.get(code, 0))
              for code, label in results.items()),
            (_("Report"), text),
        ]
        sheets = [
            Sheet(_("Summary"), [_("Figure"), _("Value")], summary, (44, 100)),
            Sheet(_("Events"), [_("Date"), _("Event"), _("Checked in"), _("Meetings held"),
                                _("Feedback answers"), _("Mean rating (1–5)")],
                  [(timefmt.day(e.event.starts_at, e.event.timezone, language),
                    translated(e.event, "title", language),
                    e.checked_in, e.meetings_held, e.responses, _rating(e.mean_rating))
                   for e in figures.per_event], (12, 50, 12, 14, 14, 16)),
            Sheet(_("By country"), [_("Country code"), _("Country"), _("Participants"),
                                    _("Meetings held")],
                  [(r.code, r.label, r.participants, r.meetings_held)
                   for r in figures.by_country], (12, 28, 14, 14)),
            Sheet(_("By technology area"), [_("Code"), _("Technology area"), _("Offering"),
                                            _("Needing"), _("Meetings held")],
                  [(r.code, r.label, r.offering, r.needing, r.meetings_held)
                   for r in figures.by_area], (16, 36, 12, 12, 14)),
            Sheet(_("Quotes"), [_("Quote"), _("Source")],
                  [(q.text, q.source or _("a participant")) for q in f.quotes], (90, 36)),
            Sheet(_("Follow-up"), [_("Result"), _("With whom"), _("Organisation")],
                  [(str(results.get(p.result, p.result)), p.with_whom, p.organisation)
                   for p in f.partners], (30, 50, 36)),
        ]
    return sheets
