"""The states and kinds the data model knows, with their SQL CHECK lists."""

from __future__ import annotations

import enum


def sql_in(values) -> str:
    """A CHECK constraint's list: 'a', 'b'."""
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
# Not a status: how pages name a pending registration awaiting its e-mail confirmation
# (Registration.state); the API and the database say `pending`.
UNCONFIRMED = "unconfirmed"


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
