"""Messages organisers send to a group of attendees, now, at a set time or
automatically (a reminder before the event, a thank-you or a "sorry we missed you" after
it). The per-person e-mails are rows of the outbox (`outbound_emails.message_id`); the
message keeps who it is for, when, and whether it has been handed to the outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .events import Event
from .staff import StaffUser
from .states import sql_in


class MessageKind(enum.StrEnum):
    ORGANISER = "organiser"  # written by an organiser, to a group they chose
    REMINDER = "reminder"    # automatic: N days before the event
    THANKS = "thanks"        # automatic: after the event, to those who came
    MISSED = "missed"        # automatic: after the event, to confirmed people who did not


AUTOMATIC_KINDS = (MessageKind.REMINDER, MessageKind.THANKS, MessageKind.MISSED)


class MessageStatus(enum.StrEnum):
    """Stored states. The API's "sending" and "sent" are a queued message's progress,
    read from its e-mails (messages.services.progress)."""

    SCHEDULED = "scheduled"  # waiting for its time (or, automatic, for its rule's time)
    QUEUED = "queued"        # its e-mails are in the outbox
    CANCELLED = "cancelled"  # withdrawn before its time


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(MessageKind)})", name="kind"),
        CheckConstraint(f"status IN ({sql_in(MessageStatus)})", name="status"),
        # One rule per automatic kind per event.
        Index("uq_messages_event_automatic_kind", "event_id", "kind", unique=True,
              sqlite_where=text("kind != 'organiser'"),
              postgresql_where=text("kind != 'organiser'")),
        Index("ix_messages_status_send_at", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(16), default=MessageKind.ORGANISER)
    subject: Mapped[str] = mapped_column(String(300), default="")
    subject_ja: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_ja: Mapped[str] = mapped_column(Text, default="")
    # Who it is for: {"status": [...], "category": [...], "checked_in": bool,
    # "registration_ids": [...], "answer": {"question": code, "option": code}}
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    # An organiser's message: when it goes out. Automatic ones: computed from the event.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Automatic ones: on or off, and how many days before the start (reminder) or after
    # the end (thank-you, sorry we missed you).
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    offset_days: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.SCHEDULED)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()

    @property
    def automatic(self) -> bool:
        return self.kind != MessageKind.ORGANISER
