"""The database behind the requests: a dropped connection answers 503 with Retry-After
(never 500) and loses no acknowledged e-mail; errors and logs show no stored values.

In-process tests run on SQLite and PostgreSQL; the burst against a real gunicorn
terminates PostgreSQL backends, which SQLite does not have.
"""

import logging
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from bench.common import free_port
from eventapp.extensions import db
from eventapp.models import OutboundEmail, Registration, StaffUser
from tests import factories
from tests.conftest import POSTGRES, bearer
from tests.servers import Gunicorn, engine, fresh_database, prepare, serving
from tests.test_jobs_servers import wait_for

SECRET_EMAIL = "yoshiko.secret@example.org"


# -- a connection dropped in the middle of a request -----------------------------------

class DropConnection:
    """Closes the request's database connection just before the first statement that
    starts with `prefix`, as a server restart or pg_terminate_backend would."""

    def __init__(self, engine_, prefix: str):
        self.engine, self.prefix, self.dropped = engine_, prefix, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.before)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.before)

    def before(self, conn, _cursor, statement, *_args):
        if not self.dropped and statement.lstrip().upper().startswith(self.prefix):
            self.dropped += 1
            conn.connection.dbapi_connection.close()


def sign_up_json(name: str, email: str) -> dict:
    return {"name": name, "email": email, "category": "guest"}


def test_an_api_sign_up_whose_connection_drops_answers_503_and_the_retry_succeeds(
        app, client, organiser_token):
    ev = factories.event(networking=False)
    url = f"/api/v1/events/{ev.id}/registrations"
    with DropConnection(db.engine, "INSERT INTO REGISTRATIONS") as drop:
        response = client.post(url, headers=bearer(organiser_token),
                               json=sign_up_json("Dropped Guest", "dropped@example.org"))
    assert drop.dropped == 1
    assert response.status_code == 503, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json()["error"] == "unavailable"
    assert response.get_json()["message"]
    # Nothing half-done: no registration and no e-mail for the failed attempt.
    assert db.session.execute(select(Registration.id)).all() == []
    assert db.session.execute(select(OutboundEmail.id)).all() == []

    # The pool has replaced the connection: the client's retry goes through.
    again = client.post(url, headers=bearer(organiser_token),
                        json=sign_up_json("Dropped Guest", "dropped@example.org"))
    assert again.status_code == 201, again.get_data(as_text=True)
    assert db.session.execute(select(OutboundEmail.status)).scalars().all() == ["sent"]


def test_a_page_whose_connection_drops_answers_a_503_page_then_works_again(app, client):
    factories.event(title="Listed Seminar", networking=False)
    with DropConnection(db.engine, "SELECT") as drop:
        response = client.get("/")
    assert drop.dropped == 1
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.mimetype == "text/html"
    assert "try again" in response.get_data(as_text=True)
    again = client.get("/")
    assert again.status_code == 200 and "Listed Seminar" in again.get_data(as_text=True)


# -- no stored values in errors and logs ----------------------------------------------

@pytest.fixture
def caplog(caplog):
    """The app's loggers, as in a server process: a migration test earlier in the run
    (Alembic's fileConfig) disables every logger that existed then."""
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("eventapp") and isinstance(logger, logging.Logger):
            logger.disabled = False
    return caplog


def test_sql_errors_and_the_error_log_show_no_stored_values(app, client, caplog):
    factories.staff(SECRET_EMAIL, "door")
    reg = factories.registration(factories.event(networking=False))
    code = reg.checkin_code

    with pytest.raises(IntegrityError) as duplicate_code:
        db.session.add(Registration(event_id=reg.event_id, category_id=reg.category_id,
                                    name="Another Person", email="another@example.org",
                                    organisation="", country="JP", language="en",
                                    checkin_code=code))
        db.session.flush()
    db.session.rollback()
    assert code not in str(duplicate_code.value)

    @app.route("/test-duplicate-staff")
    def duplicate_staff():
        # As a race between two requests would: the duplicate meets the constraint.
        user = StaffUser(email=SECRET_EMAIL, role="door", name="Secret Name")
        user.set_password("another secret password")
        db.session.add(user)
        db.session.commit()

    with caplog.at_level(logging.INFO):
        response = client.get("/test-duplicate-staff")
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text  # the error is logged...
    for value in (SECRET_EMAIL, "Secret Name", "pbkdf2:", "scrypt:"):
        assert value not in caplog.text  # ...without what the statement held


@pytest.fixture
def closed_smtp(app_config):
    app_config["MAIL_SERVER"] = "127.0.0.1"
    app_config["MAIL_PORT"] = free_port()  # nothing listens there


def test_a_failed_e_mail_is_logged_without_its_address(closed_smtp, app, client,
                                                        organiser_token, caplog):
    ev = factories.event(networking=False)
    with caplog.at_level(logging.INFO):
        response = client.post(f"/api/v1/events/{ev.id}/registrations",
                               headers=bearer(organiser_token),
                               json=sign_up_json("Yoshiko Secret", SECRET_EMAIL))
    assert response.status_code == 201
    [email] = db.session.execute(select(OutboundEmail)).scalars().all()
    assert email.status == "failed"  # the organiser sees it, with its error
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert failures and str(email.id) in failures[0]
    assert SECRET_EMAIL not in caplog.text and "Yoshiko" not in caplog.text


# -- terminated backends under load, against gunicorn ---------------------------------

def build() -> dict:
    ev = factories.event(title="Burst Seminar", capacity=10_000, networking=False)
    organiser = factories.staff("org@burst.example", "organiser")
    return {"event_id": ev.id, "slug": ev.slug, "token": factories.token(organiser)}


class BackendTerminator(threading.Thread):
    """pg_terminate_backend on the server's connections (and only theirs: they carry
    an application_name of their own) every 0.3 s."""

    def __init__(self, plain_url: str, application_name: str):
        super().__init__(daemon=True)
        self.url, self.name = plain_url, application_name
        self.stop, self.terminated = threading.Event(), 0

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.3):
                self.terminated += len(conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()",
                    (self.name,)).fetchall())


def test_terminated_backends_give_503_not_500_and_lose_no_acknowledged_e_mail(tmp_path):
    with fresh_database(POSTGRES, tmp_path) as database:
        name = f"eventapp-burst-{uuid.uuid4().hex[:8]}"
        server_url = f"{database}&application_name={name}"
        # A message cut off mid-send is taken up again after 3 s, not 10 minutes.
        instance, info = prepare(database, build,
                                 "MAIL_SENDING_TIMEOUT = 3\nMAIL_RETRY_SECONDS = 1\n")
        plain = re.sub(r"^postgresql\+psycopg://", "postgresql://", database.split("?")[0])
        with serving(Gunicorn(server_url, instance)) as (server,):
            statuses, signed_up = run_burst(server, info, plain, name)
            # The server recovers: a request after the burst is answered normally.
            assert requests.get(f"{server.url}/", timeout=30).status_code == 200

            def settled():
                with engine(database) as eng, eng.connect() as conn:
                    rows = conn.execute(text(
                        "SELECT recipient, status FROM outbound_emails")).all()
                states = dict(rows)
                return all(states.get(a) in ("sent", "failed") for a in signed_up)

            wait_for(settled, 150, "every acknowledged sign-up's e-mail to be sent", server)
        assert 500 not in statuses, server.log_tail()
        assert set(statuses) <= {200, 201, 503}, statuses


def run_burst(server: Gunicorn, info: dict, plain_url: str, name: str):
    terminator = BackendTerminator(plain_url, name)
    headers = {"Authorization": f"Bearer {info['token']}"}
    api = f"{server.url}/api/v1/events/{info['event_id']}/registrations"

    def one(n: int) -> tuple[int, str | None]:
        if n % 3 == 0:
            email = f"burst{n}@example.org"
            response = requests.post(api, headers=headers, timeout=60,
                                     json=sign_up_json(f"Burst Guest {n}", email))
            if response.status_code == 503:
                assert response.headers.get("Retry-After")
                assert response.json()["error"] == "unavailable"
            return response.status_code, email if response.status_code == 201 else None
        url = api if n % 3 == 1 else f"{server.url}/e/{info['slug']}"
        response = requests.get(url, headers=headers if n % 3 == 1 else {}, timeout=60)
        return response.status_code, None

    terminator.start()
    try:
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(one, range(450)))
    finally:
        terminator.stop.set()
        terminator.join(10)
    assert terminator.terminated > 0
    statuses = [status for status, _email in results]
    signed_up = [email for _status, email in results if email]
    assert signed_up
    return statuses, signed_up
