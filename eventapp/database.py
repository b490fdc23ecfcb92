"""Database engine behaviour shared by every app instance.

The listeners are registered once, at import, on the Engine class (not inside
create_app, where they would pile up in tests). Each touches only the connections of
its database: SQLite's file mode, settings and transactions, PostgreSQL's stale
connections and the values in its error messages.
begin_write starts a write transaction; execute_alone runs a statement that needs none,
and write_alone (SQLite) a short write transaction outside the session.

A connection the server dropped in the middle of a request (a restart, a terminated
backend) raises a DBAPIError with connection_invalidated set: the pool has already
discarded it (and every connection opened before it), and web.py answers 503 with
Retry-After. Statements are logged without their parameters (hide_parameters in
config.py), and a PostgreSQL error's DETAIL, which quotes the row's values (a check-in
code, an e-mail), is left out of its message.
"""

import select
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .files import create_private, sqlite_file
from .validation import EARLIEST, LATEST

SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "do_connect")
def _create_sqlite_file_private(dialect, _record, cargs, cparams):
    """A new SQLite database file is created 0600 before SQLite opens it (its -wal and
    -shm files then take the same mode). Returns None: the dialect connects as usual."""
    if dialect.name != "sqlite" or not cargs:
        return
    path = sqlite_file(cargs[0], uri=bool(cparams.get("uri")))
    if path is not None and path.parent.is_dir():
        create_private(path)


def _without_detail(error: BaseException) -> None:
    """Keeps only the primary message of a PostgreSQL error: its DETAIL repeats the
    values of the row that failed (`Key (code)=(...) already exists`)."""
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if primary and getattr(diag, "message_detail", None):
        error.args = (primary,)


@event.listens_for(Engine, "handle_error")
def _hide_error_values(context):
    original, wrapped = context.original_exception, context.sqlalchemy_exception
    _without_detail(original)
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (wrapped.args[0].split("\nDETAIL:", 1)[0],)


def configure_engines(app) -> None:
    """On PostgreSQL, an INSERT of many rows at once is sent as multi-row VALUES
    statements (SQLAlchemy's "insertmanyvalues", as it already does when the INSERT
    returns columns), not as one statement per row: the statement-level triggers that
    keep events.seats_taken (models/registrations.SEATS_TRIGGERS) then update an
    event's row once per thousand registrations, where once per row would update it as
    many times in one transaction, each update walking the versions the earlier ones
    left (72,000 rows took 15 minutes)."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "postgresql":
                engine.dialect.use_insertmanyvalues_wo_returning = True


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # We emit BEGIN ourselves (see _begin_sqlite) so writers can start with
    # BEGIN IMMEDIATE and queue on the busy timeout instead of failing.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "checkout")
def _drop_dead_postgres_connections(dbapi_connection, _record, _proxy):
    """A pooled PostgreSQL connection whose server went away (a restart, a terminated
    backend) is replaced before use, without a ping round trip per request: an idle
    connection's socket has nothing to read unless the server sent its goodbye or
    closed it. SQLAlchemy then takes another connection from the pool (or opens one)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("connection closed")
    poller = select.poll()  # (select.select fails on descriptors above 1023)
    poller.register(pgconn.socket, select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("the server closed or is closing the connection")


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get("sqlite_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def begin_write():
    """Start the request's write transaction.

    On SQLite a write transaction must take the write lock when it begins
    (BEGIN IMMEDIATE); a deferred transaction that read first and writes later
    fails with "database is locked" when another writer committed in between.
    A read-only transaction already open is ended first (it wrote nothing); one
    that already holds changes is kept.
    On PostgreSQL nothing is needed here: services take row locks explicitly.
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        conn = session.connection()
        if conn.get_execution_options().get("sqlite_immediate"):
            return
        if session.new or session.dirty or session.deleted:
            # Changes already made belong to this transaction: keep it. SQLite takes the
            # write lock at the first flush (waiting on the busy timeout); only a writer
            # committing between our first read and that flush can make it fail.
            return
        session.commit()
    session.connection(execution_options={"sqlite_immediate": True})


def in_session_transaction() -> bool:
    """Whether the request's session has a transaction open, without making a session
    when the request has none yet (a check-in may run on the driver's connection alone,
    and a session made only to ask costs it its making and its teardown)."""
    registry = db.session.registry
    return registry.has() and registry().in_transaction()


def execute_alone(statement, params: dict):
    """The first row of `statement` (or None): one statement that needs no transaction
    around it, such as an API token check, or (PostgreSQL) a check-in that writes its
    own scan log. `statement` is built once, at import: its compiled form is kept per
    app, by identity.

    Inside the session's transaction it joins that transaction. Outside one it is a
    transaction by itself, in autocommit (on PostgreSQL no BEGIN and COMMIT round trips;
    on SQLite no BEGIN, so no lock is held longer than the statement), on the driver's
    connection, skipping SQLAlchemy's execution and result machinery, which cost a fifth
    of a check-in's CPU. The driver then takes the parameters and gives back the columns
    as they are (no type conversion by SQLAlchemy): keep to numbers, text and aware
    datetimes (stored as SQLAlchemy stores them), and read the row by position."""
    if in_session_transaction():
        return db.session.connection().execute(statement, params).first()
    with _driver() as (driver, call):
        if isinstance(driver, sqlite3.Connection):
            return driver.execute(*call(statement, params)).fetchone()
        driver.autocommit = True
        row = driver.execute(*call(statement, params)).fetchone()
        driver.autocommit = False
        return row


def write_alone(steps):
    """SQLite: `steps(execute)` in a write transaction of its own (BEGIN IMMEDIATE ...
    COMMIT) on the driver's connection, outside the session, as execute_alone does for
    one statement: the write lock is held for the statements alone, not for the
    request's Python work around them. `execute(statement, params)` gives back the
    driver's cursor. Returns what `steps` returns. Only outside the session's
    transaction, which would hold the lock already."""
    with _driver() as (driver, call):
        driver.execute("BEGIN IMMEDIATE")
        try:
            result = steps(lambda statement, params: driver.execute(*call(statement, params)))
            driver.execute("COMMIT")
        except BaseException:
            if driver.in_transaction:
                driver.rollback()
            raise
        return result


def _sqlite_value(value):
    """A value as SQLAlchemy's types store it on SQLite (aware datetimes: naive UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


@contextmanager
def _driver():
    """A pool connection's driver connection (the checkout listener above drops dead
    ones: 11 instead of 26 microseconds a checkout, against SQLAlchemy's own
    Connection), and a function giving (SQL, parameters) for a prebuilt statement. After
    an error the connection is closed, not reused, and the error raised as SQLAlchemy
    would have: a DBAPIError that says whether the server dropped the connection (web.py
    answers 503 then) and shows no values."""
    compiled = current_app.extensions.setdefault("database_alone", {})
    dialect = db.engine.dialect
    last_sql = [None]

    def call(statement, params: dict):
        form = compiled.get(id(statement))
        if form is None:
            c = statement.compile(dialect=dialect)
            form = compiled[id(statement)] = (
                c.string, {k: v for k, v in c.params.items() if v is not None},
                tuple(c.positiontup) if c.positional else None)
        sql, fixed, order = form
        last_sql[0] = sql
        if order is None:
            return sql, fixed | params
        values = fixed | params
        return sql, [_sqlite_value(values[name]) for name in order]

    pooled = db.engine.raw_connection()
    driver = pooled.driver_connection
    try:
        yield driver, call
    except dialect.loaded_dbapi.Error as e:
        pooled.invalidate(e)
        _without_detail(e)
        raise DBAPIError.instance(
            last_sql[0], None, e, dialect.loaded_dbapi.Error, hide_parameters=True,
            connection_invalidated=dialect.is_disconnect(e, driver, None),
            dialect=dialect) from e
    except BaseException:
        pooled.invalidate()
        raise
    finally:
        pooled.close()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # Within the years the app handles (validation.EARLIEST/LATEST), which every
        # write checks: a time stored before that check still shows, near its year.
        return min(max(value, EARLIEST), LATEST)
