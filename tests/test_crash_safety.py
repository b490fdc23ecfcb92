"""Crash safety: SIGKILL gunicorn in the middle of a rush, restart it, lose nothing.

gunicorn (2 sync workers) serves a fresh database. Threads sign people up through the
API (organiser token) and the public form (with its CSRF token), and door scanners check
people in (door token), for an event with a few seats left, so the waitlist is in play.
Every acknowledged answer is recorded: a 201 with the registration's id and status, a
redirect to the outcome page with the status, a check-in with its time. In the middle
of it the whole process group gets SIGKILL: master and workers die mid-request, with
e-mails half sent. The database is checked as the crash left it, then gunicorn starts
again on it and the restarted server must show every acknowledged write. Runs on SQLite
and PostgreSQL.
"""

import itertools
import sqlite3
import threading
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import text

from eventapp.models import (
    ACTIVE_STATUSES,
    Registration,
    Status,
    new_checkin_code,
    new_secret_token,
)
from tests import factories
from tests.servers import Gunicorn, csrf_session, engine, prepare, serving

ADMITTED = 200  # confirmed registrations with codes for the door scanners
SEATS_LEFT = 15  # seats for the sign-ups; later ones go to the waitlist
API_THREADS, FORM_THREADS, SCANNER_THREADS = 4, 2, 4
KILL_AFTER = {"signups": 40, "checkins": 60}  # acknowledged before the SIGKILL
KILL_DEADLINE = 20.0  # seconds: kill then whatever has been acknowledged


def build() -> dict:
    from eventapp.extensions import db

    event = factories.event(title="Crash Seminar", capacity=ADMITTED + SEATS_LEFT,
                            networking=False)
    guest = next(c for c in event.categories if c.code == "guest")
    db.session.execute(db.insert(Registration), [
        {"event_id": event.id, "category_id": guest.id, "name": f"Admitted {n}",
         "email": f"admitted{n}@crash.example", "organisation": f"Org {n % 30}",
         "country": "JP", "status": Status.CONFIRMED, "checkin_code": new_checkin_code(),
         "manage_token": new_secret_token(), "language": "en"}
        for n in range(ADMITTED)])
    db.session.commit()
    codes = [tuple(row) for row in db.session.execute(
        db.select(Registration.id, Registration.checkin_code)
        .where(Registration.event_id == event.id).order_by(Registration.id))]
    return {"event_id": event.id, "slug": event.slug, "capacity": event.capacity,
            "codes": codes,
            "organiser": factories.token(factories.staff("org@crash.example", "organiser")),
            "door": factories.token(factories.staff("door@crash.example", "door"))}


class Load:
    """The rush: sign-up and scanner threads that record every acknowledged answer and
    stop at their first connection error (the server is gone)."""

    def __init__(self, base: str, info: dict):
        self.base, self.info = base, info
        self.lock = threading.Lock()
        self.api_acks: list[tuple[str, int, str]] = []  # email, id, status
        self.form_acks: list[tuple[str, str]] = []  # email, status
        self.checkin_acks: list[tuple[int, str]] = []  # registration id, checked_in_at
        self.unexpected: list[str] = []  # answers that are neither an ack nor a crash
        self.broken = 0  # requests cut off by the kill
        self.stopping = threading.Event()
        self.emails = itertools.count()

    @property
    def signups(self) -> int:
        return len(self.api_acks) + len(self.form_acks)

    def _run(self, body):
        try:
            body()
        except requests.RequestException:
            with self.lock:
                self.broken += 1

    def api_signups(self):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.info['organiser']}"
        url = f"{self.base}/api/v1/events/{self.info['event_id']}/registrations"
        while not self.stopping.is_set():
            email = f"api{next(self.emails)}@crash.example"
            r = session.post(url, json={"name": "Api Person", "email": email,
                                        "category": "guest", "country": "KE"}, timeout=60)
            with self.lock:
                if r.status_code == 201:
                    self.api_acks.append((email, r.json()["id"], r.json()["status"]))
                else:
                    self.unexpected.append(f"API sign-up {r.status_code}: {r.text[:300]}")

    def form_signups(self):
        url = f"{self.base}/e/{self.info['slug']}/register/guest"
        session = csrf_session(url)
        while not self.stopping.is_set():
            email = f"form{next(self.emails)}@crash.example"
            r = session.post(url, data={"name": "Form Person", "email": email,
                                        "language": "en", "country": "", "consent_privacy": "y",
                                        "csrf_token": session.csrf},
                             allow_redirects=False, timeout=60)
            with self.lock:
                if r.status_code == 302 and "/registered?" in r.headers["Location"]:
                    status = parse_qs(urlsplit(r.headers["Location"]).query)["status"][0]
                    self.form_acks.append((email, status))
                else:
                    self.unexpected.append(f"form sign-up {r.status_code}: {r.text[:300]}")

    def scanner(self, share):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.info['door']}"
        url = f"{self.base}/api/v1/events/{self.info['event_id']}/checkins"
        for registration_id, code in share:
            if self.stopping.is_set():
                return
            r = session.post(url, json={"code": code}, timeout=60)
            with self.lock:
                if r.status_code == 201 and r.json()["result"] == "checked_in":
                    self.checkin_acks.append((registration_id, r.json()["checked_in_at"]))
                else:
                    self.unexpected.append(f"check-in {r.status_code}: {r.text[:300]}")

    def threads(self) -> list[threading.Thread]:
        codes = self.info["codes"]
        bodies = [self.api_signups] * API_THREADS + [self.form_signups] * FORM_THREADS + [
            lambda n=n: self.scanner(codes[n::SCANNER_THREADS]) for n in range(SCANNER_THREADS)]
        return [threading.Thread(target=self._run, args=(body,)) for body in bodies]


def check_stored_integrity(database_url: str, capacity: int) -> dict:
    """What must hold in any state the database can be in, crash or not."""
    active = ", ".join(f"'{s}'" for s in ACTIVE_STATUSES)
    with engine(database_url) as eng, eng.connect() as conn:
        def rows(sql):
            return conn.execute(text(sql)).all()

        assert rows(f"""SELECT event_id, email FROM registrations WHERE status IN ({active})
                        GROUP BY event_id, email HAVING count(*) > 1""") == []
        assert rows("""SELECT e.id FROM events e WHERE (SELECT count(*) FROM registrations r
                        WHERE r.event_id = e.id AND r.status = 'confirmed') > e.capacity""") == []
        assert rows(f"SELECT 1 FROM events WHERE capacity <> {capacity}") == []
        # A check-in and its scan-log row are one transaction: both or neither.
        assert rows("""SELECT r.id FROM registrations r WHERE r.checked_in_at IS NOT NULL
                       AND (SELECT count(*) FROM scan_logs s WHERE s.registration_id = r.id
                            AND s.result = 'checked_in') <> 1""") == []
        assert rows("""SELECT s.id FROM scan_logs s JOIN registrations r
                       ON r.id = s.registration_id WHERE s.result = 'checked_in'
                       AND r.checked_in_at IS NULL""") == []
        assert rows("""SELECT id FROM registrations WHERE checked_in_at IS NOT NULL
                       AND status <> 'confirmed'""") == []
        # No row points at nothing.
        assert rows("""SELECT s.id FROM scan_logs s LEFT JOIN registrations r
                       ON r.id = s.registration_id
                       WHERE s.registration_id IS NOT NULL AND r.id IS NULL""") == []
        assert rows("""SELECT r.id FROM registrations r LEFT JOIN categories c
                       ON c.id = r.category_id WHERE c.id IS NULL""") == []
        assert rows("""SELECT o.id FROM outbound_emails o LEFT JOIN registrations r
                       ON r.id = o.registration_id
                       WHERE o.registration_id IS NOT NULL AND r.id IS NULL""") == []
        counts = dict(rows("SELECT status, count(*) FROM registrations GROUP BY status"))
        counts["checked_in"] = conn.execute(text(
            "SELECT count(*) FROM registrations WHERE checked_in_at IS NOT NULL")).scalar_one()
    return {"counts": counts} | (sqlite_checks(database_url) if database_url.startswith(
        "sqlite") else postgres_checks(database_url))


def sqlite_checks(database_url: str) -> dict:
    conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    return {"integrity_check": "ok", "foreign_key_check": "empty"}


def postgres_checks(database_url: str) -> dict:
    """Every B-tree index of the schema checked against its table with amcheck
    (bt_index_check with heapallindexed: each row is in each index), and each table's
    heap with verify_heapam, when the extension can be had."""
    with engine(database_url) as eng, eng.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        where = conn.execute(text("""SELECT n.nspname FROM pg_extension e JOIN pg_namespace n
                                     ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'"""
                                  )).scalar()
        if where is None:
            try:
                # Into the test's own schema, so it goes when the schema is dropped.
                conn.execute(text(f'CREATE EXTENSION amcheck SCHEMA "{schema}"'))
                conn.commit()
                where = schema
            except Exception as exc:  # no contrib package, or not allowed
                conn.rollback()
                return {"amcheck": f"not available ({type(exc).__name__})"}
        indexes = conn.execute(text(f"""
            SELECT c.relname, "{where}".bt_index_check(c.oid, true) IS NULL
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am a ON a.oid = c.relam
            WHERE a.amname = 'btree' AND c.relnamespace = '"{schema}"'::regnamespace""")).all()
        heap_errors = conn.execute(text(f"""
            SELECT c.relname, v.msg FROM pg_class c,
            LATERAL "{where}".verify_heapam(c.oid) v
            WHERE c.relkind = 'r' AND c.relnamespace = '"{schema}"'::regnamespace""")).all()
        conn.rollback()
    assert len(indexes) >= 10, indexes
    assert heap_errors == []
    return {"amcheck": f"{len(indexes)} B-tree indexes and every table verified"}


def test_acknowledged_writes_survive_sigkill(database):
    instance, info = prepare(database, build)
    first = Gunicorn(database, instance)
    with serving(first):
        load = Load(first.url, info)
        threads = load.threads()
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while (load.signups < KILL_AFTER["signups"]
               or len(load.checkin_acks) < KILL_AFTER["checkins"]) \
                and time.monotonic() - started < KILL_DEADLINE:
            time.sleep(0.01)
        with load.lock:
            at_kill = {"seconds": round(time.monotonic() - started, 2),
                       "signups": load.signups, "checkins": len(load.checkin_acks)}
        first.kill()
        load.stopping.set()
        for thread in threads:
            thread.join(60)
    assert not load.unexpected, load.unexpected[:5]
    assert at_kill["signups"] >= KILL_AFTER["signups"] // 2, at_kill
    assert at_kill["checkins"] >= KILL_AFTER["checkins"] // 2, at_kill

    crashed = check_stored_integrity(database, info["capacity"])

    second = Gunicorn(database, instance)
    with serving(second):
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {info['organiser']}"
        listed = api.get(f"{second.url}/api/v1/events/{info['event_id']}/registrations",
                         timeout=60).json()
        by_id = {r["id"]: r for r in listed}
        by_email = {r["email"]: r for r in listed}
        for email, registration_id, status in load.api_acks:
            assert by_id[registration_id]["email"] == email
            assert by_id[registration_id]["status"] == status
        for email, status in load.form_acks:
            assert by_email[email]["status"] == status
        for registration_id, checked_in_at in load.checkin_acks:
            stored = by_id[registration_id]["checked_in_at"]
            assert stored is not None
            assert datetime.fromisoformat(stored) == datetime.fromisoformat(checked_in_at)
        statuses = [r["status"] for r in listed]
        assert statuses.count(Status.CONFIRMED) <= info["capacity"]
        acked_statuses = {s for _, _, s in load.api_acks} | {s for _, s in load.form_acks}
        assert acked_statuses <= {Status.CONFIRMED, Status.WAITLISTED}

        # The restarted server carries on where the dead one stopped.
        full = statuses.count(Status.CONFIRMED) >= info["capacity"]
        after = api.post(f"{second.url}/api/v1/events/{info['event_id']}/registrations",
                         json={"name": "After Restart", "email": "after@crash.example",
                               "category": "guest"}, timeout=60)
        assert after.status_code == 201
        assert after.json()["status"] == (Status.WAITLISTED if full else Status.CONFIRMED)
        scanned = {rid for rid, _ in load.checkin_acks}
        rid, code = next((rid, code) for rid, code in info["codes"]
                         if by_id[rid]["checked_in_at"] is None and rid not in scanned)
        door = requests.post(f"{second.url}/api/v1/events/{info['event_id']}/checkins",
                             json={"code": code}, headers={"Authorization": f"Bearer {info['door']}"},
                             timeout=60)
        assert door.status_code == 201 and door.json()["registration"]["id"] == rid

    restarted = check_stored_integrity(database, info["capacity"])
    # The figures, for `pytest -s`.
    print(f"\n[{database.split(':')[0]}] killed at {at_kill}; acknowledged in all: "
          f"{len(load.api_acks)} API + {len(load.form_acks)} form sign-ups, "
          f"{len(load.checkin_acks)} check-ins; {load.broken} requests cut off; "
          f"stored after the crash: {crashed}; after restart: {restarted['counts']}")
