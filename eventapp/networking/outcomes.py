"""Which meetings were held, and what their participants said: counted one way for the
event dashboard, the event report and the programme report.

A meeting counts as held when at least one outcome for it (a participant's, or an
organiser's on someone's behalf) says it happened, and none says it did not; a meeting
with outcomes that disagree is not counted as held. Ratings, follow-ups and "applies in
my country" are read per outcome (per person).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import Meeting, MeetingOutcome


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
