"""Check-in at the door: one code admits once, every scan is logged.

The single-entry rule lives in one conditional UPDATE (`... WHERE status = 'confirmed'
AND checked_in_at IS NULL`): of two scanners reading the same code at the same moment
exactly one changes the row; the other sees rowcount 0 and re-reads it to answer
"already checked in at 10:02 by <staff>". On SQLite the transaction starts with
BEGIN IMMEDIATE; on PostgreSQL the second UPDATE waits for the first to commit and
then finds the condition false (READ COMMITTED re-checks the updated row).

The hot path (a first scan of a confirmed code) is the write transaction alone: one
UPDATE that admits the registration and returns what the answer shows, one INSERT into
the scan log and the caller's COMMIT. On PostgreSQL a scanner with an API token does
even the token check in that one statement (admit_code_with_token). Every other
outcome updates nothing and is explained by reading the row in the same transaction.
Callers commit (a walk-in's e-mail goes out after it, see jobs.py).
"""

from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import Integer

from ..auth.access import ALL_STAFF
from ..auth.services import USER_BY_TOKEN, TokenUser
from ..database import begin_write, utcnow
from ..events.services import confirmed_count
from ..extensions import db
from ..models import (
    Category,
    Event,
    Registration,
    ScanLog,
    ScanResult,
    StaffUser,
    Status,
    hash_token,
    normalise_code,
)
from ..registration import services as registration_services

# Longest text looked at; anything longer is no code of ours (codes are 32 characters).
MAX_CODE_TEXT = 256
_CODE_COLUMN_LENGTH = Registration.__table__.c.checkin_code.type.length
_CODE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LOG_CODE_LENGTH = ScanLog.__table__.c.code.type.length
_LOG_DEVICE_LENGTH = ScanLog.__table__.c.device.type.length
_LOG_REASON_LENGTH = ScanLog.__table__.c.reason.type.length
_MAX_ID = 2**31 - 1

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


def printable(text: str, limit: int) -> str:
    """Text safe to store: no control characters, NULs or lone surrogates (which
    PostgreSQL and UTF-8 encoders reject), cut to the column's length."""
    return "".join(ch for ch in text[: limit * 4] if ch.isprintable())[:limit]


def plausible_code(code: str) -> bool:
    """Only text that could be one of our codes reaches the database."""
    return 0 < len(code) <= _CODE_COLUMN_LENGTH and _CODE_ALPHABET.issuperset(code)


# The hot path runs prebuilt Core statements: building a statement and loading ORM
# objects cost more than the database work itself, and a prebuilt statement keeps its
# compiled form and cache key. What the answer needs comes back as one row (DoorCard).
_REG = Registration.__table__
_STAFF = StaffUser.__table__
_CATEGORY = Category.__table__
_EVENT = Event.__table__
_CARD_QUERY = (
    db.select(_REG.c.id, _REG.c.event_id, _REG.c.name, _REG.c.name_kana, _REG.c.organisation,
              _REG.c.country, _REG.c.status, _REG.c.checked_in_at,
              _CATEGORY.c.code.label("category"), _EVENT.c.timezone,
              _EVENT.c.title.label("event_title"),
              _STAFF.c.name.label("staff_name"), _STAFF.c.email.label("staff_email"))
    .select_from(_REG.join(_CATEGORY, _CATEGORY.c.id == _REG.c.category_id)
                 .join(_EVENT, _EVENT.c.id == _REG.c.event_id)
                 .outerjoin(_STAFF, _STAFF.c.id == _REG.c.checked_in_by_id)))
_CARD_BY_CODE = _CARD_QUERY.where(_REG.c.checkin_code == db.bindparam("code"))
_CARD_BY_ID = _CARD_QUERY.where(_REG.c.id == db.bindparam("registration_id"))
_ADMIT = (_REG.update()
          .where(_REG.c.id == db.bindparam("registration_id"),
                 _REG.c.status == Status.CONFIRMED.value, _REG.c.checked_in_at.is_(None))
          .values(checked_in_at=db.bindparam("now", type_=_REG.c.checked_in_at.type),
                  checked_in_by_id=db.bindparam("staff_id", type_=Integer())))
# The door's common case in one statement: a confirmed, not yet checked-in code of this
# event is admitted and comes back as its door card. Any other outcome (a repeat, a code
# of another event, a cancelled registration, no such code) updates nothing and is then
# explained by reading the row. Columns of other tables come from scalar subqueries,
# since SQLite's RETURNING may name only the updated table.
_ADMIT_BY_CODE = (
    _REG.update()
    .where(_REG.c.checkin_code == db.bindparam("code"),
           _REG.c.event_id == db.bindparam("in_event_id"),
           _REG.c.status == Status.CONFIRMED.value, _REG.c.checked_in_at.is_(None))
    .values(checked_in_at=db.bindparam("now", type_=_REG.c.checked_in_at.type),
            checked_in_by_id=db.bindparam("staff_id", type_=Integer()))
    .returning(
        _REG.c.id, _REG.c.event_id, _REG.c.name, _REG.c.name_kana, _REG.c.organisation,
        _REG.c.country, _REG.c.status, _REG.c.checked_in_at,
        db.select(_CATEGORY.c.code).where(_CATEGORY.c.id == _REG.c.category_id)
        .correlate(_REG).scalar_subquery().label("category"),
        *(db.select(column).where(_EVENT.c.id == _REG.c.event_id)
          .correlate(_REG).scalar_subquery().label(label)
          for column, label in ((_EVENT.c.timezone, "timezone"),
                                (_EVENT.c.title, "event_title"))),
        db.null().label("staff_name"), db.null().label("staff_email")))
_UNDO = (_REG.update()
         .where(_REG.c.id == db.bindparam("registration_id"),
                _REG.c.event_id == db.bindparam("in_event_id"),
                _REG.c.checked_in_at.is_not(None))
         .values(checked_in_at=None, checked_in_by_id=None))
_LOG = ScanLog.__table__.insert()
_EVENT_EXISTS = db.select(_EVENT.c.id).where(_EVENT.c.id == db.bindparam("event_id"))


def _token_admission_statement(roles: tuple[str, ...]):
    """PostgreSQL: the door's common case as ONE statement. The token's staff member
    (`scanner`), the conditional UPDATE that admits the code (`admitted`, only when the
    token is valid and its staff member has one of `roles`) and the scan-log INSERT
    (`logged`) are data-modifying CTEs, atomic together. The row that comes back is the
    staff member, with the admitted registration's door card, or NULLs when nothing was
    admitted; no row means the token is unknown or revoked. Being one statement, it runs as its own
    transaction (autocommit: no BEGIN and COMMIT round trips); when the answer leaves,
    it is committed. SQLite has no data-modifying CTEs: there the same steps are
    separate statements of one transaction."""
    scanner = USER_BY_TOKEN.cte("scanner")
    now = db.bindparam("now", type_=_REG.c.checked_in_at.type)
    admitted = (
        _REG.update()
        .where(_REG.c.checkin_code == db.bindparam("code"),
               _REG.c.event_id == db.bindparam("in_event_id"),
               _REG.c.status == Status.CONFIRMED.value, _REG.c.checked_in_at.is_(None),
               db.exists(db.select(scanner.c.id).where(
                   db.or_(*(scanner.c.role == str(role) for role in roles)))))
        .values(checked_in_at=now, updated_at=now,
                checked_in_by_id=db.select(scanner.c.id).scalar_subquery())
        .returning(_REG.c.id, _REG.c.event_id, _REG.c.name, _REG.c.name_kana,
                   _REG.c.organisation, _REG.c.country, _REG.c.category_id)
        .cte("admitted"))
    logged = ScanLog.__table__.insert().from_select(
        ["event_id", "registration_id", "staff_user_id", "code", "method", "result",
         "reason", "device", "created_at"],
        db.select(admitted.c.event_id, admitted.c.id, scanner.c.id, db.bindparam("code"),
                  db.literal("code"), db.literal(ScanResult.CHECKED_IN.value), db.literal(""),
                  db.bindparam("device"), now)
        .select_from(admitted.join(scanner, db.true()))).cte("logged")
    return (
        db.select(scanner.c.id.label("staff_id"), scanner.c.email.label("staff_email"),
                  scanner.c.name.label("staff_name"), scanner.c.role.label("staff_role"),
                  admitted.c.id, admitted.c.name, admitted.c.name_kana,
                  admitted.c.organisation, admitted.c.country,
                  _CATEGORY.c.code.label("category"), _EVENT.c.timezone,
                  _EVENT.c.title.label("event_title"))
        .select_from(scanner.outerjoin(admitted, db.true())
                     .outerjoin(_CATEGORY, _CATEGORY.c.id == admitted.c.category_id)
                     .outerjoin(_EVENT, _EVENT.c.id == admitted.c.event_id))
        .add_cte(logged))


_ADMIT_WITH_TOKEN = _token_admission_statement(ALL_STAFF)


@dataclass(frozen=True)
class _Admission:
    engine: object  # the app's engine with its connections in autocommit (same pool)
    sql: str  # _ADMIT_WITH_TOKEN compiled for the driver
    constants: dict  # the values of its constant parameters


def _admission() -> _Admission:
    """Made once per app. The hot path runs the compiled statement on the driver's
    connection (SQLAlchemy still lends and takes back the connection): per scan,
    SQLAlchemy's execution and result machinery cost a fifth of the request's CPU."""
    extensions = current_app.extensions
    if "checkin_admission" not in extensions:
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        compiled = _ADMIT_WITH_TOKEN.compile(dialect=engine.dialect)
        extensions["checkin_admission"] = _Admission(
            engine, compiled.string,
            {name: value for name, value in compiled.params.items() if value is not None})
    return extensions["checkin_admission"]


def _connection():
    """Starts the write transaction (BEGIN IMMEDIATE on SQLite) and returns the session's
    connection. The hot path executes its Core statements on it directly, skipping the
    ORM layer they do not need; they stay in the session's transaction."""
    begin_write()
    return db.session.connection()


def _card(conn, statement, **params) -> DoorCard | None:
    row = conn.execute(statement, params).first()
    return DoorCard.from_row(row) if row is not None else None


def _require_event(conn, event_id: int) -> None:
    if conn.execute(_EVENT_EXISTS, {"event_id": event_id}).first() is None:
        raise EventMissing(event_id)


def _log(conn, event_id: int, scanner: Scanner, now: datetime, *, method: str, result: str,
         registration_id: int | None = None, code: str = "", reason: str = "") -> None:
    conn.execute(_LOG, {
        "event_id": event_id, "registration_id": registration_id,
        "staff_user_id": scanner.staff_id, "code": printable(code, _LOG_CODE_LENGTH),
        "method": method, "result": str(result), "reason": reason[:_LOG_REASON_LENGTH],
        "device": printable(scanner.device, _LOG_DEVICE_LENGTH), "created_at": now})


def _admit(conn, card: DoorCard, scanner: Scanner, now: datetime) -> Answer:
    """The one place a registration gets checked in. `card` belongs to the event."""
    if card.status == Status.CONFIRMED and card.checked_in_at is None:
        updated = conn.execute(_ADMIT, {"registration_id": card.id, "now": now,
                                        "staff_id": scanner.staff_id})
        if updated.rowcount == 1:
            card = replace(card, checked_in_at=now, checked_in_by=scanner.staff_name)
            return Answer(ScanResult.CHECKED_IN, card, now, scanner.staff_name)
        # Someone else got there first (or the status changed): answer from the row now.
        card = _card(conn, _CARD_BY_ID, registration_id=card.id)
    if card.status != Status.CONFIRMED:
        return Answer(ScanResult.NOT_ADMITTED, card, card.checked_in_at, card.checked_in_by,
                      reason=card.status)
    return Answer(ScanResult.ALREADY_CHECKED_IN, card, card.checked_in_at, card.checked_in_by)


def _answer_and_log(conn, event_id: int, card: DoorCard | None, scanner: Scanner, *,
                    method: str, code: str = "", unknown_reason: str = "") -> Answer:
    now = utcnow()
    if card is None:
        _require_event(conn, event_id)
        answer = Answer(ScanResult.UNKNOWN_CODE, reason=unknown_reason)
    elif card.event_id != event_id:
        _require_event(conn, event_id)
        answer = Answer(ScanResult.WRONG_EVENT, card, card.checked_in_at, card.checked_in_by)
    else:
        answer = _admit(conn, card, scanner, now)
    _log(conn, event_id, scanner, now, method=method, result=answer.result,
         registration_id=card.id if card is not None else None, code=code,
         reason=answer.reason if answer.result == ScanResult.NOT_ADMITTED else unknown_reason)
    return answer


def check_in_code(event_id: int, text: str, scanner: Scanner, method: str = "code") -> Answer:
    """A code read by a camera, a hand-held scanner or typed in. Case and whitespace
    do not matter; a retired (reissued) code is unknown."""
    code = normalise_code(text) if len(text) <= MAX_CODE_TEXT else ""
    if not plausible_code(code):
        return _answer_and_log(_connection(), event_id, None, scanner, method=method,
                               code=code or text.strip())
    conn = _connection()
    now = utcnow()
    row = conn.execute(_ADMIT_BY_CODE, {"code": code, "in_event_id": event_id, "now": now,
                                        "staff_id": scanner.staff_id}).first()
    if row is not None:
        card = replace(DoorCard.from_row(row), checked_in_at=now,
                       checked_in_by=scanner.staff_name)
        _log(conn, event_id, scanner, now, method=method, result=ScanResult.CHECKED_IN,
             registration_id=card.id, code=code)
        return Answer(ScanResult.CHECKED_IN, card, now, scanner.staff_name)
    return _answer_and_log(conn, event_id, _card(conn, _CARD_BY_CODE, code=code), scanner,
                           method=method, code=code)


def admit_code_with_token(event_id: int, text: str, token_secret: str,
                          device: str) -> tuple[TokenUser | None, Answer | None]:
    """The door's hot path on PostgreSQL: a code sent with an API token, checked in by
    one statement (see _token_admission_statement). Returns the token's staff member
    (None when unknown, or when this path does not apply) and the answer when the code
    was admitted. Anything else (a repeat, another event, not confirmed, an unknown
    code, a staff role that may not scan) changed nothing: the caller then takes the
    usual path, which checks, explains and logs it."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None, None
    code = normalise_code(text) if len(text) <= MAX_CODE_TEXT else ""
    if not plausible_code(code):
        return None, None
    now = utcnow()
    # Outside the ORM session (which has nothing to do here), on a pool connection in
    # autocommit: the statement commits on its own before the answer leaves.
    admission = _admission()
    with admission.engine.connect() as conn:
        row = conn.connection.driver_connection.execute(admission.sql, admission.constants | {
            "token_hash": hash_token(token_secret), "code": code, "in_event_id": event_id,
            "now": now, "device": printable(device, _LOG_DEVICE_LENGTH)}).fetchone()
    if row is None:
        return None, None
    (staff_id, staff_email, staff_name, staff_role, reg_id, name, name_kana, organisation,
     country, category, timezone, event_title) = row
    user = TokenUser(staff_id, staff_email, staff_name, staff_role)
    if reg_id is None:
        return user, None
    card = DoorCard(reg_id, event_id, name, name_kana or "", organisation or "", country,
                    Status.CONFIRMED, now, category, timezone, event_title, user.display_name)
    return user, Answer(ScanResult.CHECKED_IN, card, now, user.display_name)


def check_in_registration(event_id: int, registration_id: int, scanner: Scanner,
                          method: str = "search") -> Answer:
    """A check-in chosen from a name search: the same rules as a code."""
    card = (_card(db.session.connection(), _CARD_BY_ID, registration_id=registration_id)
            if 0 < registration_id <= _MAX_ID else None)
    return _answer_and_log(_connection(), event_id, card, scanner, method=method,
                           unknown_reason="" if card else "no_such_registration")


def undo(event_id: int, registration_id: int, scanner: Scanner) -> Answer | None:
    """Takes back a check-in (a mistaken scan). None when the registration is not
    checked in at this event. One conditional UPDATE, so two undos cannot both count."""
    if not 0 < registration_id <= _MAX_ID:
        return None
    conn = _connection()
    updated = conn.execute(_UNDO, {"registration_id": registration_id,
                                   "in_event_id": event_id})
    if updated.rowcount != 1:
        return None
    card = _card(conn, _CARD_BY_ID, registration_id=registration_id)
    _log(conn, event_id, scanner, utcnow(), method="undo", result=ScanResult.UNDONE,
         registration_id=card.id)
    return Answer(ScanResult.UNDONE, card)


def registration_of_event(event_id: int, registration_id: int) -> DoorCard | None:
    if not 0 < registration_id <= _MAX_ID:
        return None
    card = _card(db.session.connection(), _CARD_BY_ID, registration_id=registration_id)
    return card if card is not None and card.event_id == event_id else None


def walk_in(event: Event, data: dict, scanner: Scanner, *, override_capacity: bool = False,
            notify: bool = True) -> Answer:
    """Registers someone at the door and checks them in, in one transaction.

    The capacity holds unless an organiser overrides it (the caller decides who may).
    An e-mail that already has an active registration is not registered twice: that
    registration is checked in under the usual rules instead (answer.existing).
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
        answer = check_in_registration(event_id, registration_id, scanner, method="walk_in")
        answer.existing = True
        return answer
    if reg.status != Status.CONFIRMED:
        raise EventFull(confirmed_count(event_id), event.capacity)
    now = utcnow()
    db.session.flush()
    conn = db.session.connection()
    answer = _admit(conn, _card(conn, _CARD_BY_ID, registration_id=reg.id), scanner, now)
    _log(conn, event_id, scanner, now, method="walk_in", result=answer.result,
         registration_id=reg.id)
    return answer


# -- live counts and the scan log -----------------------------------------------

def stats(event: Event) -> dict:
    """Checked in / expected (confirmed), overall and by category, in one query."""
    confirmed = db.func.sum(db.case((Registration.status == Status.CONFIRMED, 1), else_=0))
    arrived = db.func.sum(db.case((Registration.checked_in_at.is_not(None), 1), else_=0))
    rows = dict((row.category_id, row) for row in db.session.execute(
        db.select(Registration.category_id, confirmed.label("expected"),
                  arrived.label("checked_in"))
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id)))
    by_category = []
    for category in event.categories:
        row = rows.get(category.id)
        by_category.append({"category": category,
                            "expected": int(row.expected or 0) if row else 0,
                            "checked_in": int(row.checked_in or 0) if row else 0})
    return {"checked_in": sum(c["checked_in"] for c in by_category),
            "expected": sum(c["expected"] for c in by_category),
            "by_category": by_category}


LOG_PAGE_SIZE = 50


def scan_log_query(event_id: int, *, result: str | None = None, staff_id: int | None = None):
    query = (db.select(ScanLog).where(ScanLog.event_id == event_id)
             .options(db.selectinload(ScanLog.registration),
                      db.selectinload(ScanLog.staff_user)))
    if result:
        query = query.where(ScanLog.result == result)
    if staff_id:
        query = query.where(ScanLog.staff_user_id == staff_id)
    return query.order_by(ScanLog.created_at.desc(), ScanLog.id.desc())


def scan_log_page(event_id: int, page: int, **filters):
    return db.paginate(scan_log_query(event_id, **filters), page=page,
                       per_page=LOG_PAGE_SIZE, error_out=False)


def scanning_staff(event_id: int) -> list[StaffUser]:
    """Staff members who scanned at this event, for the log's filter."""
    ids = db.select(ScanLog.staff_user_id).where(ScanLog.event_id == event_id).distinct()
    return list(db.session.execute(
        db.select(StaffUser).where(StaffUser.id.in_(ids)).order_by(StaffUser.name,
                                                                     StaffUser.email)
    ).scalars())
