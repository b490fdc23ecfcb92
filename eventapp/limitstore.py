"""Abuse-limit counters in the app's own database: a `limits` storage.

Without Redis, Flask-Limiter's memory:// storage counts per process, so each of
gunicorn's workers (and each app server) grants a limit's whole budget again: 100
sign-ups from one address got through a limit of 30. The rare, abuse-prone limits (the
public sign-up, the staff login) count here instead, in one small table every process
shares, driven by the `limits` library's own fixed-window strategy: this storage only
increments a key's counter for its window, atomically (one upsert), and reads it back.

The high-rate limits (check-in, API writes) stay in memory without Redis: a database
write per scan would cost the door its throughput. Expired windows are deleted by the
hourly job (jobs.py, `remove_expired`).

The storage is named by the URI `eventapp-db://` and needs the app:
`storage_from_string("eventapp-db://", app=app)`.
"""

import hashlib
import time

from flask import Flask
from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import RateLimitCounter

SCHEME = "eventapp-db"
URI = f"{SCHEME}://"
KEY_LENGTH = 255
_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _key(key: str) -> str:
    """The stored key: a key longer than the column is kept as its hash."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit_counters` table (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 app: Flask | None = None, **options):
        if app is None:
            raise ValueError("The database storage of the limits needs the app")
        self.app = app
        self._engine = None
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @property
    def engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def _write(self):
        # SQLite: take the write lock at BEGIN, so the upsert queues on the busy timeout.
        return self.engine.connect().execution_options(sqlite_immediate=True)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Counts `amount` for `key`; a window that has ended starts again from here."""
        now = time.time()
        table = RateLimitCounter.__table__
        insert = _INSERT[self.engine.dialect.name](table).values(
            key=_key(key), count=amount, expires_at=now + expiry)
        ended = table.c.expires_at <= now
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((ended, amount), else_=table.c.count + amount),
                  "expires_at": case((ended, now + expiry), else_=table.c.expires_at)},
        ).returning(table.c.count)
        with self._write() as conn, conn.begin():
            return conn.execute(statement).scalar_one()

    def _row(self, key: str):
        table = RateLimitCounter.__table__
        with self.engine.connect() as conn:
            return conn.execute(select(table.c.count, table.c.expires_at)
                                .where(table.c.key == _key(key))).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = time.time()
        return row.expires_at if row is not None and row.expires_at > now else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._write() as conn, conn.begin():
            return conn.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with self._write() as conn, conn.begin():
            conn.execute(delete(table).where(table.c.key == _key(key)))


def remove_expired(app: Flask) -> int:
    """Deletes the counters of windows that have ended (the hourly job)."""
    table = RateLimitCounter.__table__
    with app.app_context():
        with db.engine.connect().execution_options(sqlite_immediate=True) as conn, \
                conn.begin():
            return conn.execute(delete(table).where(table.c.expires_at <= time.time())).rowcount
