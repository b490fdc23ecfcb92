"""Networking: profiles, requests and the meeting schedule, around the pure matching module."""

from datetime import timedelta

from ..extensions import db
from ..models import Event, Meeting, Registration


def slot_start(event: Event, slot: int):
    return event.networking_starts_at + timedelta(minutes=event.networking_slot_minutes * slot)


def published_meetings_for(reg: Registration) -> list[Meeting]:
    return list(db.session.execute(
        db.select(Meeting)
        .where(Meeting.event_id == reg.event_id, Meeting.published.is_(True),
               db.or_(Meeting.a_id == reg.id, Meeting.b_id == reg.id))
        .order_by(Meeting.slot)).scalars())
