"""A first entry: the conditional UPDATE that checks a registration in, with its row in
the scan log. services.admit runs it first; when it admits nobody, admit explains why.

The single-entry rule lives in the UPDATE's condition (`... WHERE status = 'confirmed'
AND checked_in_at IS NULL`): of two scanners reading the same code at the same moment
exactly one changes the row; the other admits nobody and is answered "already checked
in at 10:02 by <staff>". On SQLite the transaction starts with BEGIN IMMEDIATE; on
PostgreSQL the second UPDATE waits for the first to commit and then finds the
condition false (READ COMMITTED re-checks the updated row).

Each database has its own implementation of the same step, giving back the same row:
- PostgreSQL: ONE statement. The UPDATE (`admitted`) and the scan-log INSERT (`logged`)
  are data-modifying CTEs, atomic together. Run by database.execute_alone, a check-in
  that is all its request does (the API's) is a transaction by itself in autocommit:
  one round trip, no BEGIN or COMMIT. This took PostgreSQL check-in from 46-50% to
  63% of the bare endpoint (bench/bench_checkin.py). The API token is checked before,
  by auth, in a statement of its own: 0.16 ms more server CPU per scan than when the
  token check rode in this statement (1.20 -> 1.36 ms), with req/s against the bare
  endpoint within the benchmark's noise (67-72% -> 69-82%, 2026-12-06).
- Elsewhere (SQLite, which has no data-modifying CTEs): the UPDATE, returning the row,
  and the INSERT, as two statements of one write transaction. A check-in that is all
  its request does runs it by database.write_alone, outside the session: the write
  lock (BEGIN IMMEDIATE ... COMMIT) is then held for the two statements alone, not for
  the request's Python work, and the other worker's check-ins wait that much less.
Prebuilt Core statements: building a statement and loading ORM objects cost more than
the database work itself, and a prebuilt statement keeps its compiled form.
"""

from sqlalchemy import Integer

from ..database import begin_write, execute_alone, in_session_transaction, write_alone
from ..extensions import db
from ..models import Category, Event, Registration, ScanLog, ScanResult, Status
from . import scanlog

_REG = Registration.__table__
_CATEGORY = Category.__table__
_EVENT = Event.__table__
# The event's title on the door's card (a ticket of another event), read in the same
# statement: the English one, or the Japanese one of an event in Japanese only.
EVENT_TITLE = db.func.coalesce(db.func.nullif(_EVENT.c.title, ""), _EVENT.c.title_ja)
# A registration is presented by its check-in code (a scan) or by its id (a name search,
# a walk-in); `key` is bound to one or the other.
KEY_COLUMNS = {"code": _REG.c.checkin_code, "id": _REG.c.id}

_NOW = db.bindparam("now", type_=_REG.c.checked_in_at.type)
_STAFF_ID = db.bindparam("staff_id", type_=Integer())


def _admits(key_column):
    """The conditional UPDATE: a confirmed registration of this event, not checked in."""
    return (_REG.update()
            .where(key_column == db.bindparam("key", type_=key_column.type),
                   _REG.c.event_id == db.bindparam("in_event_id", type_=Integer()),
                   _REG.c.status == Status.CONFIRMED.value, _REG.c.checked_in_at.is_(None))
            .values(checked_in_at=_NOW, updated_at=_NOW, checked_in_by_id=_STAFF_ID))


def _in_one_statement(key_column):
    """PostgreSQL: admission, scan log and the door card's columns in one statement."""
    admitted = (_admits(key_column)
                .returning(_REG.c.id, _REG.c.event_id, _REG.c.name, _REG.c.name_kana,
                           _REG.c.organisation, _REG.c.country, _REG.c.category_id)
                .cte("admitted"))
    logged = ScanLog.__table__.insert().from_select(
        ["event_id", "registration_id", "staff_user_id", "code", "method", "result",
         "reason", "device", "created_at"],
        db.select(admitted.c.event_id, admitted.c.id, _STAFF_ID, db.bindparam("log_code"),
                  db.bindparam("method"), db.literal(ScanResult.CHECKED_IN.value),
                  db.literal(""), db.bindparam("device"), _NOW)).cte("logged")
    return (
        db.select(admitted.c.id, admitted.c.event_id, admitted.c.name, admitted.c.name_kana,
                  admitted.c.organisation, admitted.c.country,
                  _CATEGORY.c.code.label("category"), _EVENT.c.timezone,
                  EVENT_TITLE.label("event_title"))
        .select_from(admitted.join(_CATEGORY, _CATEGORY.c.id == admitted.c.category_id)
                     .join(_EVENT, _EVENT.c.id == admitted.c.event_id))
        .add_cte(logged))


def _returning_the_card(key_column):
    """Elsewhere: the UPDATE gives back the door card's columns. Those of other tables
    come from scalar subqueries, since SQLite's RETURNING may name only the updated
    table."""
    def of_event(column):
        return (db.select(column).where(_EVENT.c.id == _REG.c.event_id)
                .correlate(_REG).scalar_subquery())

    return _admits(key_column).returning(
        _REG.c.id, _REG.c.event_id, _REG.c.name, _REG.c.name_kana, _REG.c.organisation,
        _REG.c.country,
        db.select(_CATEGORY.c.code).where(_CATEGORY.c.id == _REG.c.category_id)
        .correlate(_REG).scalar_subquery().label("category"),
        of_event(_EVENT.c.timezone).label("timezone"),
        of_event(EVENT_TITLE).label("event_title"))


_POSTGRESQL = {by: _in_one_statement(column) for by, column in KEY_COLUMNS.items()}
_PORTABLE = {by: _returning_the_card(column) for by, column in KEY_COLUMNS.items()}
# The scan log's row of a first entry, as the driver takes it (write_alone).
_LOGGED = scanlog.LOG.insert().values(
    event_id=db.bindparam("in_event_id", type_=Integer()),
    registration_id=db.bindparam("registration_id", type_=Integer()),
    staff_user_id=_STAFF_ID, code=db.bindparam("log_code"), method=db.bindparam("method"),
    result=ScanResult.CHECKED_IN.value, reason="", device=db.bindparam("device"),
    created_at=_NOW)


def first_entry(by: str, params: dict):
    """Checks in the registration whose `by` ("code" or "id") is params["key"] when it
    is a confirmed registration of params["in_event_id"] not yet checked in, and logs
    the scan. Gives back (id, event_id, name, name_kana, organisation, country,
    category, timezone, event_title), or None when it admitted nobody (and then wrote
    nothing). params also hold now, staff_id, method, and the log_code and device as
    they are to be stored (scanlog.printable)."""
    if db.engine.dialect.name == "postgresql":
        return execute_alone(_POSTGRESQL[by], params)
    if not in_session_transaction():
        def steps(execute):
            row = execute(_PORTABLE[by], params).fetchone()
            if row is not None:
                execute(_LOGGED, params | {"registration_id": row[0]})
            return row
        return write_alone(steps)
    begin_write()
    conn = db.session.connection()
    row = conn.execute(_PORTABLE[by], params).first()
    if row is not None:
        scanlog.record(conn, params["in_event_id"], params["staff_id"], params["device"],
                       params["now"], method=params["method"], result=ScanResult.CHECKED_IN,
                       registration_id=row[0], code=params["log_code"])
    return row
