"""The shared data model. Imports no feature code."""

from __future__ import annotations

import enum
import hashlib
import secrets
from base64 import b32encode
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import search
from .database import UTCDateTime, utcnow
from .extensions import db


def max_length(attribute) -> int:
    """A text field's length limit, declared once by its column (`String(200)`): forms,
    services and API schemas read it here, e.g. `max_length(Registration.name)`."""
    return attribute.expression.type.length


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    DOOR = "door"


class Status(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)


class NetworkingSide(enum.StrEnum):
    OFFER = "offer"
    NEED = "need"
    BOTH = "both"
    NONE = "none"


class ScanResult(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN_CODE = "unknown_code"
    NOT_ADMITTED = "not_admitted"
    WRONG_EVENT = "wrong_event"
    UNDONE = "undone"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_INTERESTED = "not_interested"


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


# Optional registration fields a category can ask for, beyond the common ones.
CATEGORY_FIELDS = ("job_title", "phone", "technologies_offered", "target_countries",
                   "technology_needs")


def new_checkin_code() -> str:
    """160 random bits as RFC 4648 base32: digits and upper-case letters only,
    which keeps the QR in alphanumeric mode (small) and survives any keyboard layout."""
    return b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def new_secret_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_code(text_read: str) -> str:
    return "".join(text_read.split()).upper()


def hash_token(token: str) -> str:
    # API tokens carry 256 random bits, so a fast hash is as safe as a slow one
    # and keeps every authenticated request cheap.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(f"role IN ({_in(Role)})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user",
                                                  cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship(back_populates="tokens")


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Networking session; networking_starts_at None means the event has none.
    networking_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    networking_slot_minutes: Mapped[int] = mapped_column(Integer, default=15)
    networking_slots: Mapped[int] = mapped_column(Integer, default=6)
    networking_tables: Mapped[int] = mapped_column(Integer, default=10)
    networking_max_meetings: Mapped[int] = mapped_column(Integer, default=4)
    networking_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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

    @property
    def has_networking(self) -> bool:
        return self.networking_starts_at is not None


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    speaker: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="agenda_items")


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("event_id", "code", name="uq_categories_event_code"),
        CheckConstraint(f"networking_side IN ({_in(NetworkingSide)})", name="networking_side"),
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


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(Status)})", name="status"),
        CheckConstraint("language IN ('en', 'ja')", name="language"),
        # One active registration per e-mail per event, enforced by the database.
        Index("uq_registrations_active_email", "event_id", "email", unique=True,
              sqlite_where=text(f"status IN ({_in(ACTIVE_STATUSES)})"),
              postgresql_where=text(f"status IN ({_in(ACTIVE_STATUSES)})")),
        Index("ix_registrations_event_status", "event_id", "status"),
        Index("ix_registrations_event_sort_name", "event_id", "sort_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    language: Mapped[str] = mapped_column(String(2), default="en")
    status: Mapped[str] = mapped_column(String(16), default=Status.CONFIRMED)
    source: Mapped[str] = mapped_column(String(16), default="online")
    consent_privacy_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    networking_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    technologies_offered: Mapped[list[str]] = mapped_column(JSON, default=list)
    technology_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    networking_note: Mapped[str] = mapped_column(Text, default="")
    unavailable_slots: Mapped[list[int]] = mapped_column(JSON, default=list)
    networking_table: Mapped[int | None] = mapped_column(Integer)
    checkin_code: Mapped[str] = mapped_column(String(40), unique=True, default=new_checkin_code)
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_secret_token)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Personal data erased (the attendee deleted it, or the event was anonymised): the
    # row stays for the statistics, its links and code no longer work.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Kept in step with name, reading and organisation on every write (see search.py).
    search_key: Mapped[str] = mapped_column(Text, default="")
    # Byte order ("C") on PostgreSQL: hiragana then sort in gojūon order, as on SQLite.
    sort_name: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    category: Mapped[Category] = relationship()
    checked_in_by: Mapped[StaffUser | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @staticmethod
    def name_keys(name: str, name_kana: str, organisation: str) -> dict[str, str]:
        """The search columns for these values: for bulk statements that bypass the
        ORM's events (anonymisation, imports through Core)."""
        return {"search_key": search.search_key(name, name_kana, organisation),
                "sort_name": search.sort_name(name, name_kana)}


@event.listens_for(Registration, "before_insert")
@event.listens_for(Registration, "before_update")
def _keep_search_keys(_mapper, _connection, reg: Registration) -> None:
    state = inspect(reg)
    if state.pending or any(state.attrs[key].history.has_changes()
                            for key in ("name", "name_kana", "organisation")):
        for key, value in Registration.name_keys(reg.name or "", reg.name_kana or "",
                                                 reg.organisation or "").items():
            setattr(reg, key, value)


class ScanLog(db.Model):
    __tablename__ = "scan_logs"
    __table_args__ = (
        CheckConstraint(f"result IN ({_in(ScanResult)})", name="result"),
        Index("ix_scan_logs_event_created", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(16), default="code")
    result: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(24), default="")
    device: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration | None] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship()


class MeetingRequest(db.Model):
    __tablename__ = "meeting_requests"
    __table_args__ = (
        UniqueConstraint("requester_id", "recipient_id", name="uq_meeting_requests_pair"),
        CheckConstraint(f"status IN ({_in(RequestStatus)})", name="status"),
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


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("event_id", "slot", "table_number", name="uq_meetings_slot_table"),
        CheckConstraint("a_id < b_id", name="ordered_pair"),
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

    a: Mapped[Registration] = relationship(foreign_keys=[a_id])
    b: Mapped[Registration] = relationship(foreign_keys=[b_id])


class OutboundEmail(db.Model):
    """A message recorded in the same transaction as what it reports, composed and sent
    after the commit."""

    __tablename__ = "outbound_emails"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(EmailStatus)})", name="status"),
        Index("ix_outbound_emails_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                                 index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
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
