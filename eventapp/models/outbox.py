"""E-mail to send: the record the background jobs work from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .states import EmailStatus, sql_in


class OutboundEmail(db.Model):
    """A message recorded in the same transaction as what it reports, composed and sent
    after the commit."""

    __tablename__ = "outbound_emails"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(EmailStatus)})", name="status"),
        Index("ix_outbound_emails_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                                 index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    # The organiser's or automatic message this e-mail is one person's copy of.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    composer: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2), default="en")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    mime: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default=EmailStatus.QUEUED)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
