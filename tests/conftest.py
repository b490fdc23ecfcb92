"""Fixtures in the style of the Flask tutorial: app, client, runner, signed-in staff.

Every database test runs on SQLite and, when TEST_DATABASE_URL names a PostgreSQL
database, on PostgreSQL too (in a schema of its own, so parallel runs don't meet).
"""

import contextlib
import os
import threading
import uuid
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from eventapp import create_app
from eventapp.extensions import db
from tests import factories

SQLITE, POSTGRES = "sqlite", "postgresql"


def _pg_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return url or None


@contextlib.contextmanager
def temporary_pg_schema(base: str):
    """Yields a SQLAlchemy URL whose search_path is a fresh schema, dropped afterwards."""
    import psycopg

    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = plain.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def pg_url():
    base = _pg_base_url()
    if base is None:
        yield None
        return
    with temporary_pg_schema(base) as url:
        yield url


@pytest.fixture
def redis_url():
    """The Redis of TEST_REDIS_URL, for tests whose point is a shared store."""
    url = os.environ.get("TEST_REDIS_URL", "").strip()
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    return url


@pytest.fixture
def limits_on(app_config):
    """The shipped abuse limits, as in production (the suite otherwise runs without them)."""
    app_config.update(RATELIMIT_ENABLED=True)
    return app_config


@pytest.fixture
def redis_limits(limits_on, redis_url):
    """The limits counted in the Redis of TEST_REDIS_URL, under a key prefix of the test's
    own (removed afterwards); tests may change the limits in the returned config."""
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    limits_on.update(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix,
                     LOGIN_RATE_LIMIT="4 per minute", API_WRITE_RATE_LIMIT="4 per minute")
    yield limits_on
    store = redis.Redis.from_url(redis_url)
    keys = list(store.scan_iter(f"*{prefix}*"))
    if keys:
        store.delete(*keys)


@pytest.fixture(params=[SQLITE, POSTGRES])
def database_url(request, tmp_path, pg_url):
    if request.param == SQLITE:
        return f"sqlite:///{tmp_path / 'test.db'}"
    if pg_url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    return pg_url


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database with no tables yet, for running the migrations on."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        with temporary_pg_schema(os.environ["TEST_DATABASE_URL"]) as url:
            yield url


def make_test_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "",
        "JOBS_IMMEDIATE": True,  # a job runs as it is enqueued: after the commit, in-process
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "BASE_URL": "http://localhost",
    }


@pytest.fixture
def app_config(database_url, tmp_path):
    """Tests may change this dict before the app is made."""
    return make_test_config(database_url, tmp_path)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production: a fresh `g` and its
    own database session, so nothing leaks between requests or from the test."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # The test's own session then sees what the request committed.
        db.session.rollback()
        return response


@pytest.fixture
def app(app_config, tmp_path):
    app = create_app(app_config, instance_path=str(tmp_path / "instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name == POSTGRES:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def organiser(app):
    return factories.staff("organiser@test.example", "organiser")


@pytest.fixture
def door(app):
    return factories.staff("door@test.example", "door")


def login(client, user, password=factories.PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def organiser_client(client, organiser):
    login(client, organiser)
    return client


@pytest.fixture
def door_client(app, door):
    c = app.test_client()
    login(c, door)
    return c


@pytest.fixture
def organiser_token(app, organiser):
    return factories.token(organiser)


@pytest.fixture
def door_token(app, door):
    return factories.token(door)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@contextlib.contextmanager
def statements():
    """The SQL statements the app's engine runs meanwhile."""
    from sqlalchemy import event

    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP by a threaded server, for concurrency tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in e-mails lead here, as in a deployment
    yield url
    server.shutdown()
    thread.join(5)


def pytest_terminal_summary(terminalreporter):
    """Shows that both databases ran: CI output must prove the PostgreSQL run."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for name in (SQLITE, POSTGRES):
                if f"[{name}" in nodeid or f"-{name}]" in nodeid or f"-{name}-" in nodeid:
                    counts.setdefault(name, {}).setdefault(outcome, 0)
                    counts[name][outcome] += 1
    for name in (SQLITE, POSTGRES):
        figures = counts.get(name, {})
        line = ", ".join(f"{n} {o}" for o, n in sorted(figures.items())) or "none"
        terminalreporter.write_line(f"database {name}: {line}")


# Fixtures for tests that run real app servers (gunicorn) on a database of their own,
# and a real SMTP server.
pytest_plugins = ("tests.servers", "tests.mailbox")
