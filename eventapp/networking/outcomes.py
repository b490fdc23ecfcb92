"""Which meetings were held, and what their participants said: counted one way for the
event dashboard, the event report and the programme report.

A meeting counts as held when it is on the published sheet (what attendees see: not a
draft, not cancelled by a later publication, not replaced after a no-show) and at least
one outcome for it (a participant's, or an organiser's on someone's behalf) says it
happened, and none says it did not; a meeting with outcomes that disagree is not counted
as held. Arrivals at the table alone do not make a meeting held. Ratings, follow-ups and
"applies in my country" are read per outcome (per person).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from ..extensions import db
from ..models import Meeting, MeetingOutcome, Registration
from ..models.networking import PUBLISHED


def held_meetings(event_ids: Iterable[int]):
    """A select of the ids of the held meetings of these events (published ones only)."""
    said_yes = func.sum(case((MeetingOutcome.held.is_(True), 1), else_=0))
    said_no = func.sum(case((MeetingOutcome.held.is_(False), 1), else_=0))
    return (select(Meeting.id)
            .join(MeetingOutcome, MeetingOutcome.meeting_id == Meeting.id)
            .where(Meeting.event_id.in_(list(event_ids)), Meeting.published.is_(True))
            .group_by(Meeting.id)
            .having(and_(said_yes > 0, said_no == 0)))


def count_held(event_ids: Iterable[int]) -> int:
    return db.session.scalar(select(func.count()).select_from(
        held_meetings(event_ids).subquery())) or 0


# -- the session's figures (dashboard, report, narrative) --------------------------------

@dataclass(frozen=True)
class Applicability:
    """Officials' "applies in my country", for one technology area and one country."""

    technology: str  # an area code, "" for a meeting without a shared technology
    country: str  # the official's country (ISO alpha-2), "" when unknown
    yes: int
    no: int


@dataclass(frozen=True)
class SessionFigures:
    """What happened at the networking session. `scheduled`: meetings attendees were
    told of that stand (the published sheet) or fell through with a no-show (replaced or
    not); meetings a later publication cancelled are not counted. `held`: the one rule
    above. `no_shows`: meetings with someone marked absent. `replacements`: meetings
    booked after a no-show. Ratings, follow-ups and applicability are per person."""

    scheduled: int = 0
    held: int = 0
    no_shows: int = 0
    replacements: int = 0
    rated: int = 0
    mean_rating: float | None = None
    follow_ups: int = 0
    applicability: tuple[Applicability, ...] = ()

    @property
    def happened(self) -> bool:
        """Something was recorded at the session itself."""
        return bool(self.held or self.no_shows or self.rated)


def _told(event_id: int):
    return and_(Meeting.event_id == event_id,
                or_(Meeting.sheet == PUBLISHED, Meeting.absent_id.is_not(None)))


def session_figures(event_id: int) -> SessionFigures:
    scheduled, no_shows, replacements = db.session.execute(
        select(func.count(), func.count(Meeting.absent_id),
               func.count(case((Meeting.replaces_id.is_not(None), 1))))
        .where(_told(event_id))).one()
    rated, mean, follow_ups = db.session.execute(
        select(func.count(MeetingOutcome.rating), func.avg(MeetingOutcome.rating),
               func.count(case((MeetingOutcome.follow_up.is_(True), 1))))
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .where(_told(event_id))).one()
    tally: dict[tuple[str, str], list[int]] = {}
    for applicable, country, reasons in db.session.execute(
            select(MeetingOutcome.applicable, Registration.country, Meeting.reasons)
            .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
            .join(Registration, Registration.id == MeetingOutcome.registration_id)
            .where(_told(event_id), MeetingOutcome.applicable.is_not(None))):
        areas = (reasons or {}).get("technologies") or [""]
        for area in areas:
            counts = tally.setdefault((area, country or ""), [0, 0])
            counts[0 if applicable else 1] += 1
    return SessionFigures(
        scheduled=scheduled, held=count_held([event_id]), no_shows=no_shows,
        replacements=replacements, rated=rated,
        mean_rating=round(float(mean), 2) if mean is not None else None,
        follow_ups=follow_ups,
        applicability=tuple(Applicability(t, c, yes, no)
                            for (t, c), (yes, no) in sorted(tally.items())))
