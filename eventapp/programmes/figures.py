"""A programme's figures over its events, as plain data.

A participant of the programme is a person who checked in at one of its events; a
person is known across events by their e-mail address, compared without regard to
case, so someone who came to two seminars counts once (and is counted among the
people who came more than once). Companies are the distinct organisations (compared
without regard to case) of checked-in attendees on the offering side; countries the
distinct countries of all checked-in attendees; officials' countries those of the
needing side. Meetings held follow `networking.outcomes` (the one rule); follow-ups are
participants' meeting outcomes that say they want to follow up, on held meetings.

The checked-in registrations are read in one query and counted here: a programme of
ten events of 2,000 people is 20,000 short rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from ..content import localized
from ..extensions import db
from ..feedback.figures import FeedbackFigures, feedback_figures
from ..i18n import country_name
from ..models import (
    Category,
    Event,
    Meeting,
    MeetingOutcome,
    NetworkingSide,
    Programme,
    Registration,
)
from ..networking.outcomes import count_held, held_meetings

_company_side = or_(Category.networking_side == NetworkingSide.OFFER, Category.code == "company")
_official_side = or_(Category.networking_side == NetworkingSide.NEED, Category.code == "embassy")


@dataclass(frozen=True)
class CountryRow:
    code: str
    label: str
    participants: int  # distinct people from this country
    meetings_held: int = 0  # held meetings with a participant from this country


@dataclass(frozen=True)
class AreaRow:
    code: str
    label: str
    offering: int  # distinct checked-in people offering it
    needing: int  # distinct checked-in people needing it
    meetings_held: int = 0  # held meetings matched on it


@dataclass(frozen=True)
class EventRow:
    event: Event
    checked_in: int
    meetings_held: int
    responses: int
    mean_rating: float | None


@dataclass
class ProgrammeFigures:
    programme: Programme
    events: list[Event]
    attendances: int = 0  # check-ins over all events (a person at two events: two)
    participants: int = 0  # distinct people who came
    repeat_participants: int = 0  # of them, people who came to more than one event
    companies: int = 0
    countries: int = 0
    official_countries: int = 0
    meetings_held: int = 0
    follow_ups: int = 0
    applicable: int = 0  # officials' outcomes of held meetings: the technology applies
    feedback: FeedbackFigures = field(default_factory=FeedbackFigures)
    by_country: list[CountryRow] = field(default_factory=list)
    by_area: list[AreaRow] = field(default_factory=list)
    per_event: list[EventRow] = field(default_factory=list)

    @property
    def event_ids(self) -> list[int]:
        return [e.id for e in self.events]


def person_key(email: str) -> str:
    return (email or "").strip().casefold()


def _outcomes_saying(event_ids: list[int], column) -> int:
    """Outcomes of held meetings where `column` is true (one per person and meeting)."""
    held = held_meetings(event_ids).subquery()
    return db.session.scalar(
        select(func.count()).select_from(MeetingOutcome)
        .where(MeetingOutcome.meeting_id.in_(select(held.c.id)), column.is_(True))) or 0


def _held_by_country_and_area(event_ids: list[int]) -> tuple[Counter, Counter]:
    """Held meetings per country of either participant, and per technology area the
    meeting was matched on (its reasons)."""
    held = held_meetings(event_ids).subquery()
    meetings = db.session.execute(
        select(Meeting.id, Meeting.a_id, Meeting.b_id, Meeting.reasons)
        .where(Meeting.id.in_(select(held.c.id)))).all()
    people = {m.a_id for m in meetings} | {m.b_id for m in meetings}
    country_of = dict(db.session.execute(
        select(Registration.id, Registration.country)
        .where(Registration.id.in_(people))).all()) if people else {}
    by_country: Counter = Counter()
    by_area: Counter = Counter()
    for _id, a_id, b_id, reasons in meetings:
        by_country.update({c for c in (country_of.get(a_id), country_of.get(b_id)) if c})
        areas = (reasons or {}).get("technologies") if isinstance(reasons, dict) else None
        by_area.update({a for a in areas or () if isinstance(a, str)})
    return by_country, by_area


def _area_labels(events: list[Event], language: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for event in events:
        for area in event.technology_areas:
            labels.setdefault(area.code, localized(area, language))
    return labels


def programme_figures(programme: Programme, language: str) -> ProgrammeFigures:
    events = list(programme.events)
    ids = [e.id for e in events]
    figures = ProgrammeFigures(programme, events)
    if not ids:
        return figures
    rows = db.session.execute(
        select(Registration.event_id, Registration.email, Registration.organisation,
               Registration.country, _company_side, _official_side,
               Registration.technologies_offered, Registration.technology_needs)
        .join(Category, Category.id == Registration.category_id)
        .where(Registration.event_id.in_(ids), Registration.checked_in_at.is_not(None))).all()
    events_of: dict[str, set[int]] = defaultdict(set)
    companies, countries, official_countries = set(), set(), set()
    people_from: dict[str, set[str]] = defaultdict(set)
    offering: dict[str, set[str]] = defaultdict(set)
    needing: dict[str, set[str]] = defaultdict(set)
    checked_in: dict[int, int] = defaultdict(int)
    for event_id, email, organisation, country, company, official, offered, needed in rows:
        person = person_key(email)
        events_of[person].add(event_id)
        checked_in[event_id] += 1
        if company and organisation.strip():
            companies.add(organisation.strip().casefold())
        if country:
            countries.add(country)
            people_from[country].add(person)
            if official:
                official_countries.add(country)
        for code in offered or ():
            offering[code].add(person)
        for code in needed or ():
            needing[code].add(person)
    figures.attendances = len(rows)
    figures.participants = len(events_of)
    figures.repeat_participants = sum(1 for seen in events_of.values() if len(seen) > 1)
    figures.companies, figures.countries = len(companies), len(countries)
    figures.official_countries = len(official_countries)
    figures.meetings_held = count_held(ids)
    figures.follow_ups = _outcomes_saying(ids, MeetingOutcome.follow_up)
    figures.applicable = _outcomes_saying(ids, MeetingOutcome.applicable)
    figures.feedback = feedback_figures(ids)
    held_in, held_on = _held_by_country_and_area(ids)
    figures.by_country = sorted(
        (CountryRow(code, country_name(code, language), len(people), held_in[code])
         for code, people in people_from.items()),
        key=lambda r: (-r.participants, r.label))
    labels = _area_labels(events, language)
    named = set(offering) | set(needing) | set(held_on)
    codes = [c for c in labels if c in named] + sorted(named - set(labels))
    figures.by_area = [AreaRow(c, labels.get(c, c), len(offering.get(c, ())),
                               len(needing.get(c, ())), held_on[c]) for c in codes]
    for event in events:
        own = feedback_figures([event.id], with_quotes=False)
        figures.per_event.append(EventRow(event, checked_in.get(event.id, 0),
                                          count_held([event.id]), own.responses,
                                          own.mean_rating))
    return figures
