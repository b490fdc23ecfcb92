"""Feedback after an event, the follow-up months later, and programmes of events.

A feedback request is one row per registration and stage (the feedback just after the
event, the follow-up later): the unique pair is what makes "once per person" hold,
also when the periodic job runs in two processes at the same moment.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .events import Event
from .registrations import Registration
from .states import sql_in


class FeedbackStage(enum.StrEnum):
    FEEDBACK = "feedback"  # the survey after the event
    FOLLOW_UP = "follow_up"  # months later, to those who said they would follow up


class QuoteAttribution(enum.StrEnum):
    ORGANISATION = "organisation"  # quoted with their organisation's name
    ANONYMOUS = "anonymous"


class FollowUpResult(enum.StrEnum):
    MEETING = "meeting"  # a further meeting
    PILOT = "pilot"  # a pilot or demonstration
    AGREEMENT = "agreement"
    NOTHING_YET = "nothing_yet"


class FeedbackSettings(db.Model):
    """When an event's feedback requests go out by themselves. No row: the defaults
    (the next morning after the event, the follow-up 90 days after that)."""

    __tablename__ = "feedback_settings"
    __table_args__ = (
        CheckConstraint("delay_hours IS NULL OR delay_hours BETWEEN 0 AND 2160",
                        name="delay_hours"),
        CheckConstraint("follow_up_days BETWEEN 1 AND 730", name="follow_up_days"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    # Hours after the event ends; None: 09:00 the next morning in the event's time zone.
    delay_hours: Mapped[int | None] = mapped_column(Integer)
    follow_up_days: Mapped[int] = mapped_column(Integer, default=90)
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)


class FeedbackQuestionKind(enum.StrEnum):
    TEXT = "text"  # a few lines of text
    SCALE = "scale"  # 1 to 5
    YES_NO = "yes_no"


class FeedbackQuestion(db.Model):
    """A question an organiser adds to an event's feedback form, after the standard ones.
    Its answers live in `FeedbackResponse.answers` under the question's id."""

    __tablename__ = "feedback_questions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(FeedbackQuestionKind)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    label_ja: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackRequest(db.Model):
    __tablename__ = "feedback_requests"
    __table_args__ = (
        UniqueConstraint("registration_id", "stage", name="uq_feedback_requests_stage"),
        CheckConstraint(f"stage IN ({sql_in(FeedbackStage)})", name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackResponse(db.Model):
    """An attendee's answers to the survey (one per registration; sending the form
    again replaces them)."""

    __tablename__ = "feedback_responses"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint(f"attribution IN ({sql_in(QuoteAttribution)})", name="attribution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int] = mapped_column(Integer)
    useful: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    comments: Mapped[str] = mapped_column(Text, default="")
    quote_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    attribution: Mapped[str] = mapped_column(String(16), default=QuoteAttribution.ANONYMOUS)
    # The organiser's own questions: {str(question id): text, 1-5 or true/false}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()


class FollowUpResponse(db.Model):
    """Months later: what following up with someone met at the event led to."""

    __tablename__ = "follow_up_responses"
    __table_args__ = (
        CheckConstraint(f"result IN ({sql_in(FollowUpResult)})", name="result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    result: Mapped[str] = mapped_column(String(16))
    with_whom: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


programme_events = Table(
    "programme_events", db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(db.Model):
    """Events an organiser groups to report on together (e.g. a year's seminars)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(secondary=programme_events,
                                               order_by=Event.starts_at)
