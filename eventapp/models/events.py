"""Events with their agenda, categories and technology areas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .staff import StaffUser
from .states import NetworkingSide, sql_in


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # English and Japanese content (content.translated picks the reader's, falling back
    # to the other); either title may be empty, not both.
    title: Mapped[str] = mapped_column(String(300))
    title_ja: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    venue_ja: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int] = mapped_column(Integer)
    # How many of its registrations are confirmed: kept by the database itself, by
    # triggers on registrations (registrations.SEATS_TRIGGERS), whatever writes them.
    # Read under the event lock (events.services.lock_event), it gives the free seats in
    # the statement that takes the lock, where counting the confirmed rows took a
    # statement of its own, longer the more people had signed up. Never set it here.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    # A public sign-up holds no seat until its e-mail address is confirmed (a link in
    # the first message); organisers' imports and API creates are never held.
    confirm_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Networking session; networking_starts_at None means the event has none.
    networking_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    networking_slot_minutes: Mapped[int] = mapped_column(Integer, default=15)
    networking_slots: Mapped[int] = mapped_column(Integer, default=6)
    networking_tables: Mapped[int] = mapped_column(Integer, default=10)
    networking_max_meetings: Mapped[int] = mapped_column(Integer, default=4)
    networking_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The badge stock printed on (a key of badges/layouts.SHEETS).
    badge_layout: Mapped[str] = mapped_column(String(16), default="a4-2x4",
                                              server_default="a4-2x4")
    # When the draft beside the published schedule was built; None: no draft (it may be
    # empty: "only checked-in attendees" before anyone came).
    networking_draft_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once an organiser has removed the attendees' personal data after the event.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    anonymised_by: Mapped[StaffUser | None] = relationship()
    categories: Mapped[list[Category]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Category.position")
    technology_areas: Mapped[list[TechnologyArea]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="TechnologyArea.position")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="(AgendaItem.starts_at, AgendaItem.position)")
    old_slugs: Mapped[list[EventSlug]] = relationship(
        back_populates="event", cascade="all, delete-orphan")

    @property
    def has_networking(self) -> bool:
        return self.networking_starts_at is not None


class EventSlug(db.Model):
    """An address an event had before its slug changed: `/e/<old>` redirects to it."""

    __tablename__ = "event_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="old_slugs")


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    title_ja: Mapped[str] = mapped_column(String(300), default="")
    speaker: Mapped[str] = mapped_column(String(300), default="")
    speaker_ja: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="agenda_items")


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("event_id", "code", name="uq_categories_event_code"),
        CheckConstraint(f"networking_side IN ({sql_in(NetworkingSide)})", name="networking_side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    name_ja: Mapped[str] = mapped_column(String(120), default="")
    networking_side: Mapped[str] = mapped_column(String(8), default=NetworkingSide.NONE)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="categories")


class TechnologyArea(db.Model):
    __tablename__ = "technology_areas"
    __table_args__ = (UniqueConstraint("event_id", "code", name="uq_technology_areas_event_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    name_ja: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="technology_areas")
