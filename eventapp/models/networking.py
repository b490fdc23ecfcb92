"""Meeting requests between attendees and the meetings of the schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .registrations import Registration
from .states import RequestStatus, sql_in

# The two sheets of a schedule (see Meeting).
DRAFT, PUBLISHED = "draft", "published"
SHEETS = (DRAFT, PUBLISHED)


class MeetingRequest(db.Model):
    __tablename__ = "meeting_requests"
    __table_args__ = (
        UniqueConstraint("requester_id", "recipient_id", name="uq_meeting_requests_pair"),
        CheckConstraint(f"status IN ({sql_in(RequestStatus)})", name="status"),
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.PENDING)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[Registration] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Registration] = relationship(foreign_keys=[recipient_id])


def _sheet_of(context) -> str:
    """A meeting made without saying its sheet goes where `published` puts it."""
    return PUBLISHED if context.get_current_parameters().get("published") else DRAFT


class Meeting(db.Model):
    """One meeting of a schedule. A schedule has two sheets: the draft the organiser
    builds and checks, and the published one attendees see; a row sits on one of them
    (`sheet`), or on neither once it no longer holds its table (cancelled by a later
    publication, or replaced after a no-show), when it stays as the record of what
    attendees were told. `published` is true exactly for the rows on the published
    sheet. Publishing moves a changed meeting in place (same id, so the same calendar
    UID) and raises its `sequence`; `revision` is the publication that last changed it."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("event_id", "sheet", "slot", "table_number",
                         name="uq_meetings_sheet_slot_table"),
        CheckConstraint("a_id < b_id", name="ordered_pair"),
        CheckConstraint(f"sheet IN ({sql_in(SHEETS)})", name="sheet"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    a_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                      index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                      index=True)
    slot: Mapped[int] = mapped_column(Integer)
    table_number: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sheet: Mapped[str | None] = mapped_column(String(16), default=_sheet_of)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    previous_slot: Mapped[int | None] = mapped_column(Integer)
    previous_table: Mapped[int | None] = mapped_column(Integer)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    a_arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    b_arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    absent_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    absent_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"))
    kept: Mapped[bool] = mapped_column(Boolean, default=False)

    a: Mapped[Registration] = relationship(foreign_keys=[a_id])
    b: Mapped[Registration] = relationship(foreign_keys=[b_id])


class MeetingOutcome(db.Model):
    """What one participant of a meeting says of it (or an organiser on their behalf):
    whether it happened, a rating 1-4, whether they want to follow up, a note, and for
    officials whether the technology applies in their country. A meeting counts as held
    when an outcome says so (`networking.outcomes`)."""

    __tablename__ = "meeting_outcomes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "registration_id", name="uq_meeting_outcomes_side"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 4", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    held: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    follow_up: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    applicable: Mapped[bool | None] = mapped_column(Boolean)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()
    registration: Mapped[Registration] = relationship()
