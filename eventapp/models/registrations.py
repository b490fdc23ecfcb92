"""Registrations (kept searchable on every write) and the scan log of the door."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import search
from ..database import UTCDateTime, utcnow
from ..extensions import db
from .codes import new_checkin_code, new_secret_token
from .events import Category, Event
from .staff import StaffUser
from .states import ACTIVE_STATUSES, UNCONFIRMED, ScanResult, Status, sql_in


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(Status)})", name="status"),
        CheckConstraint("language IN ('en', 'ja')", name="language"),
        # One active registration per e-mail per event, enforced by the database.
        Index("uq_registrations_active_email", "event_id", "email", unique=True,
              sqlite_where=text(f"status IN ({sql_in(ACTIVE_STATUSES)})"),
              postgresql_where=text(f"status IN ({sql_in(ACTIVE_STATUSES)})")),
        Index("ix_registrations_event_status", "event_id", "status"),
        Index("ix_registrations_event_sort_name", "event_id", "sort_name"),
        Index("ix_registrations_email_confirm_by", "email_confirm_by"),
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
    # A public sign-up awaiting the confirmation of its e-mail address (status pending,
    # no seat held) until then; cancelled by a periodic job after it.
    email_confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Personal data erased (the attendee deleted it, or the event was anonymised): the
    # row stays for the statistics, its links and code no longer work.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The attendee opted out of non-essential messages (the organiser's messages,
    # reminders, thank-yous, feedback requests) by the link in one; tickets and changes
    # to their own registration still reach them.
    messages_opt_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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

    @property
    def awaiting_email(self) -> bool:
        """Pending until its attendee confirms the e-mail address (not an approval)."""
        return self.status == Status.PENDING and self.email_confirm_by is not None

    @property
    def state(self) -> str:
        """The status, or UNCONFIRMED for a pending sign-up awaiting its e-mail
        confirmation: the key of the labels staff and attendees read."""
        return UNCONFIRMED if self.awaiting_email else self.status

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


# PostgreSQL finds a substring of the search key (LIKE '%...%', search.like_pattern)
# through a trigram index (the pg_trgm extension, trusted since PostgreSQL 13, so the
# database's owner may add it); a B-tree cannot serve a pattern that starts with %.
# SQLite has no such index: it reads the event's rows (by ix_registrations_event_sort_name).
# Migration 0006 makes it; so does create_all (tests, benchmarks), through this DDL. Not
# in the metadata: its operator class lives in the extension's schema, found at run time.
SEARCH_KEY_INDEX = "ix_registrations_search_key_trgm"
SEARCH_KEY_INDEX_DDL = f"""
DO $$
DECLARE trgm_schema text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
  EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;  -- made meanwhile
  END;
  SELECT n.nspname INTO trgm_schema FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  EXECUTE format('CREATE INDEX IF NOT EXISTS {SEARCH_KEY_INDEX} ON registrations '
                 'USING gin (search_key %I.gin_trgm_ops)', trgm_schema);
END $$
"""
event.listen(Registration.__table__, "after_create",
             DDL(SEARCH_KEY_INDEX_DDL.replace("%", "%%")).execute_if(dialect="postgresql"))

# events.seats_taken, kept by the database on every write of registrations (the ORM's,
# bulk statements', imports', the tests' factories'): one row's status or event changing
# moves a seat. Statements per dialect, run when the table is created and by migration
# 0013.
_CONFIRMED = f"'{Status.CONFIRMED.value}'"


def _count_per_statement(function: str, rows: str, sign: str) -> str:
    """PostgreSQL: a trigger function adding (+) or taking (-) the confirmed rows of a
    statement's transition table `rows` to or from their events' seats."""
    return f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE events SET seats_taken = events.seats_taken {sign} counted.n
              FROM (SELECT event_id, count(*) AS n FROM {rows}
                    WHERE status = {_CONFIRMED} GROUP BY event_id) AS counted
              WHERE events.id = counted.event_id;
              RETURN NULL;
            END $$"""


SEATS_TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations
            WHEN NEW.status = {_CONFIRMED}
            BEGIN UPDATE events SET seats_taken = seats_taken + 1 WHERE id = NEW.event_id; END""",
        f"""CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations
            WHEN OLD.status = {_CONFIRMED}
            BEGIN UPDATE events SET seats_taken = seats_taken - 1 WHERE id = OLD.event_id; END""",
        f"""CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, event_id
            ON registrations
            WHEN (OLD.status = {_CONFIRMED} OR NEW.status = {_CONFIRMED})
              AND (OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id)
            BEGIN
              UPDATE events SET seats_taken = seats_taken - 1
                WHERE id = OLD.event_id AND OLD.status = {_CONFIRMED};
              UPDATE events SET seats_taken = seats_taken + 1
                WHERE id = NEW.event_id AND NEW.status = {_CONFIRMED};
            END""",
    ],
    # On PostgreSQL inserted and deleted rows are counted once per statement (its
    # transition table): row by row, a bulk insert of N confirmed registrations would
    # update the event's row N times in one transaction, and each update walks the
    # versions the earlier ones left (the benchmarks' 72,000 codes took 15 minutes).
    # Status changes come one row at a time; they are counted per row.
    "postgresql": [
        _count_per_statement("registrations_seats_inserted", "new_rows", "+"),
        _count_per_statement("registrations_seats_deleted", "old_rows", "-"),
        f"""CREATE OR REPLACE FUNCTION registrations_seats_updated() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.status = {_CONFIRMED} THEN
                UPDATE events SET seats_taken = seats_taken - 1 WHERE id = OLD.event_id;
              END IF;
              IF NEW.status = {_CONFIRMED} THEN
                UPDATE events SET seats_taken = seats_taken + 1 WHERE id = NEW.event_id;
              END IF;
              RETURN NULL;
            END $$""",
        """CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION registrations_seats_inserted()""",
        """CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
            EXECUTE FUNCTION registrations_seats_deleted()""",
        """CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, event_id
            ON registrations FOR EACH ROW
            WHEN (OLD.status IS DISTINCT FROM NEW.status
                  OR OLD.event_id IS DISTINCT FROM NEW.event_id)
            EXECUTE FUNCTION registrations_seats_updated()""",
    ],
}
# The triggers' names, the same on both databases (and PostgreSQL's functions).
SEATS_TRIGGER_NAMES = ("registrations_seats_insert", "registrations_seats_delete",
                       "registrations_seats_update")
SEATS_FUNCTIONS = ("registrations_seats_inserted", "registrations_seats_deleted",
                   "registrations_seats_updated")
SEATS_TAKEN_BACKFILL = f"""UPDATE events SET seats_taken = (
    SELECT count(*) FROM registrations
    WHERE registrations.event_id = events.id AND registrations.status = {_CONFIRMED})"""
for _dialect, _statements in SEATS_TRIGGERS.items():
    for _statement in _statements:
        event.listen(Registration.__table__, "after_create",
                     DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))


class ScanLog(db.Model):
    __tablename__ = "scan_logs"
    __table_args__ = (
        CheckConstraint(f"result IN ({sql_in(ScanResult)})", name="result"),
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
