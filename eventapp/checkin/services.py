"""Check-in at the door: one code admits once, every scan is logged.

`admit` is the one way a registration is checked in, whether it is presented by the
code read from its QR (a scan), or by its id (a name search, a walk-in), on the
scanner page or through the API. It first tries a first entry (entry.py: the
conditional UPDATE with its scan-log row, each database's fastest way). When that
admits nobody, which is every other outcome (a repeat, a code of another event, a
cancelled registration, no such code), it reads the row to explain why, and logs that.
Callers commit.
"""

from dataclasses import dataclass
from datetime import datetime

from ..database import begin_write, utcnow
from ..events.services import confirmed_count
from ..extensions import db
from ..models import Category, Event, Registration, ScanResult, StaffUser, Status, normalise_code
from ..registration import services as registration_services
from ..urls import MAX_ID
from . import scanlog
from .entry import EVENT_TITLE, KEY_COLUMNS, first_entry

# Longest text looked at; anything longer is no code of ours (codes are 32 characters).
MAX_CODE_TEXT = 256
_CODE_COLUMN_LENGTH = Registration.__table__.c.checkin_code.type.length
_CODE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

HTTP_STATUS = {
    ScanResult.CHECKED_IN: 201,
    ScanResult.ALREADY_CHECKED_IN: 200,
    ScanResult.UNKNOWN_CODE: 404,
    ScanResult.NOT_ADMITTED: 409,
    ScanResult.WRONG_EVENT: 409,
    ScanResult.UNDONE: 200,
}


class EventMissing(LookupError):
    """The event in the address does not exist (nothing is logged against it)."""


class EventFull(Exception):
    """A walk-in would exceed the capacity and nobody overrode it."""

    def __init__(self, confirmed: int, capacity: int):
        super().__init__(f"{confirmed} of {capacity} seats taken")
        self.confirmed, self.capacity = confirmed, capacity


@dataclass(frozen=True)
class Scanner:
    """Who scans and with what: the staff member (for the row and the answer's
    "by <staff>") and the device named in the scan log."""

    staff_id: int
    staff_name: str
    device: str = ""


@dataclass(frozen=True)
class DoorCard:
    """A registration as the door sees it (no contact details), with its category code,
    its event's time zone and title, and who checked it in."""

    id: int
    event_id: int
    name: str
    name_kana: str
    organisation: str
    country: str | None
    status: str
    checked_in_at: datetime | None
    category: str
    timezone: str
    event_title: str
    checked_in_by: str | None

    @classmethod
    def from_row(cls, row) -> "DoorCard":
        staff = (row.staff_name or row.staff_email) if row.staff_email else None
        return cls(row.id, row.event_id, row.name, row.name_kana or "", row.organisation or "",
                   row.country, row.status, row.checked_in_at, row.category, row.timezone,
                   row.event_title, staff)

    @classmethod
    def admitted(cls, row, now: datetime, by: str) -> "DoorCard":
        """From the row a first entry gives back (by position)."""
        reg_id, event_id, name, name_kana, organisation, country, category, timezone, \
            event_title = row
        return cls(reg_id, event_id, name, name_kana or "", organisation or "", country,
                   Status.CONFIRMED, now, category, timezone, event_title, by)


@dataclass
class Answer:
    result: str
    registration: DoorCard | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    reason: str = ""
    # Walk-ins only: the e-mail already had a registration, which was checked in instead.
    existing: bool = False

    @property
    def status_code(self) -> int:
        return HTTP_STATUS[self.result]

    @property
    def admitted(self) -> bool:
        return self.result == ScanResult.CHECKED_IN


def plausible_code(code: str) -> bool:
    """Only text that could be one of our codes reaches the database."""
    return 0 < len(code) <= _CODE_COLUMN_LENGTH and _CODE_ALPHABET.issuperset(code)


_REG = Registration.__table__
_STAFF = StaffUser.__table__
_CATEGORY = Category.__table__
_EVENT = Event.__table__
_CARD_QUERY = (
    db.select(_REG.c.id, _REG.c.event_id, _REG.c.name, _REG.c.name_kana, _REG.c.organisation,
              _REG.c.country, _REG.c.status, _REG.c.checked_in_at,
              _CATEGORY.c.code.label("category"), _EVENT.c.timezone,
              EVENT_TITLE.label("event_title"),
              _STAFF.c.name.label("staff_name"), _STAFF.c.email.label("staff_email"))
    .select_from(_REG.join(_CATEGORY, _CATEGORY.c.id == _REG.c.category_id)
                 .join(_EVENT, _EVENT.c.id == _REG.c.event_id)
                 .outerjoin(_STAFF, _STAFF.c.id == _REG.c.checked_in_by_id)))
_CARD_BY_ID = _CARD_QUERY.where(_REG.c.id == db.bindparam("key"))
# Explaining a failed first entry reads the row locked (PostgreSQL; SQLite's write
# transaction holds the whole database), so that it cannot change before the answer.
_LOCKED_CARD = {by: _CARD_QUERY.where(column == db.bindparam("key")).with_for_update(of=_REG)
                for by, column in KEY_COLUMNS.items()}
_UNDO = (_REG.update()
         .where(_REG.c.id == db.bindparam("registration_id"),
                _REG.c.event_id == db.bindparam("in_event_id"),
                _REG.c.checked_in_at.is_not(None))
         .values(checked_in_at=None, checked_in_by_id=None))
_EVENT_EXISTS = db.select(_EVENT.c.id).where(_EVENT.c.id == db.bindparam("event_id"))


def _card(conn, statement, key) -> DoorCard | None:
    row = conn.execute(statement, {"key": key}).first()
    return DoorCard.from_row(row) if row is not None else None


def admit(event_id: int, scanner: Scanner, *, code: str | None = None,
          registration_id: int | None = None, method: str | None = None) -> Answer:
    """Checks in the registration presented at the door of event `event_id`: by `code`
    (text read by a camera or a hand-held scanner, or typed: case and whitespace do not
    matter, a retired code is unknown) or by `registration_id`. It admits only a
    confirmed registration of this event, once. Every call is logged, with `method`
    ("code" for a code, "search" for an id unless told, "walk_in"). Raises EventMissing
    when the code or id is not of this event and the event does not exist. Callers
    commit (a first entry on PostgreSQL outside a transaction is committed already)."""
    if code is not None:
        by, method = "code", method or "code"
        normalised = normalise_code(code) if len(code) <= MAX_CODE_TEXT else ""
        log_code = normalised or code.strip()
        key = normalised if plausible_code(normalised) else None
    else:
        by, method, log_code = "id", method or "search", ""
        key = registration_id if 0 < registration_id <= MAX_ID else None
    now = utcnow()
    device = scanlog.printable(scanner.device, scanlog.DEVICE_LENGTH)
    params = {"key": key, "in_event_id": event_id, "now": now, "staff_id": scanner.staff_id,
              "method": method, "log_code": scanlog.printable(log_code, scanlog.CODE_LENGTH),
              "device": device}
    if key is not None:
        row = first_entry(by, params)
        if row is not None:
            return _checked_in(row, now, scanner)
    # Nobody was admitted: explain why from the row.
    begin_write()
    conn = db.session.connection()
    card = _card(conn, _LOCKED_CARD[by], key) if key is not None else None
    if card is None:
        _require_event(conn, event_id)
        answer = Answer(ScanResult.UNKNOWN_CODE,
                        reason="" if code is not None else "no_such_registration")
    elif card.event_id != event_id:
        _require_event(conn, event_id)
        answer = Answer(ScanResult.WRONG_EVENT, card, card.checked_in_at, card.checked_in_by)
    elif card.status != Status.CONFIRMED:
        answer = Answer(ScanResult.NOT_ADMITTED, card, card.checked_in_at, card.checked_in_by,
                        reason=card.status)
    elif card.checked_in_at is None:
        # It became admissible since the first entry was tried (an undo, an approval in
        # between): admitted now, under the lock, so this cannot fail.
        return _checked_in(first_entry("id", params | {"key": card.id}), now, scanner)
    else:
        answer = Answer(ScanResult.ALREADY_CHECKED_IN, card, card.checked_in_at,
                        card.checked_in_by)
    scanlog.record(conn, event_id, scanner.staff_id, device, now, method=method,
                   result=answer.result, registration_id=card.id if card else None,
                   code=log_code, reason=answer.reason)
    return answer


def _checked_in(row, now: datetime, scanner: Scanner) -> Answer:
    card = DoorCard.admitted(row, now, scanner.staff_name)
    return Answer(ScanResult.CHECKED_IN, card, now, scanner.staff_name)


def _require_event(conn, event_id: int) -> None:
    if conn.execute(_EVENT_EXISTS, {"event_id": event_id}).first() is None:
        raise EventMissing(event_id)


def undo(event_id: int, registration_id: int, scanner: Scanner) -> Answer | None:
    """Takes back a check-in (a mistaken scan). None when the registration is not
    checked in at this event. One conditional UPDATE, so two undos cannot both count."""
    begin_write()
    conn = db.session.connection()
    updated = conn.execute(_UNDO, {"registration_id": registration_id,
                                   "in_event_id": event_id})
    if updated.rowcount != 1:
        return None
    card = _card(conn, _CARD_BY_ID, registration_id)
    scanlog.record(conn, event_id, scanner.staff_id, scanner.device, utcnow(), method="undo",
                   result=ScanResult.UNDONE, registration_id=card.id)
    return Answer(ScanResult.UNDONE, card)


def registration_of_event(event_id: int, registration_id: int) -> DoorCard | None:
    card = _card(db.session.connection(), _CARD_BY_ID, registration_id)
    return card if card is not None and card.event_id == event_id else None


def walk_in(event: Event, data: dict, scanner: Scanner, *, override_capacity: bool = False,
            notify: bool = True) -> Answer:
    """Registers someone at the door and checks them in (admit), in one transaction.

    The capacity holds unless an organiser overrides it (the caller decides who may).
    An e-mail that already has an active registration is not registered twice: that
    registration is admitted under the usual rules instead (answer.existing).
    Raises ValidationErrors for bad fields and EventFull; the caller rolls back then.
    """
    outcome = registration_services.register(
        event, data, source="walk_in", hold_for_approval=False,
        override_capacity=override_capacity, public=False, notify=notify)
    reg, event_id = outcome.registration, event.id
    if not outcome.created:
        # Drop the ticket reminder register() queued; this person is standing here.
        registration_id = reg.id
        db.session.rollback()
        answer = admit(event_id, scanner, registration_id=registration_id, method="walk_in")
        answer.existing = True
        return answer
    if reg.status != Status.CONFIRMED:
        raise EventFull(confirmed_count(event_id), event.capacity)
    db.session.flush()
    return admit(event_id, scanner, registration_id=reg.id, method="walk_in")
