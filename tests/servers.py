"""Real app servers for the crash, scale-out and job tests: gunicorn (2 sync workers, as
in production and `make bench`) on a database of the test's own, in a process group of
its own so a test can SIGKILL the whole server at once; and `flask jobs worker`.

The database is a fresh SQLite file or a fresh PostgreSQL schema per test (the session
schema of conftest.py is shared with in-process tests, which truncate it).
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import pytest
import requests
import sqlalchemy

from bench.common import ROOT, free_port, make_instance
from tests.conftest import POSTGRES, SQLITE, _pg_base_url, temporary_pg_schema


@pytest.fixture(params=[SQLITE, POSTGRES])
def database(request, tmp_path):
    """A fresh database for app servers of the test's own, on SQLite and PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path):
    """A SQLAlchemy URL for gunicorn: a new SQLite file, or a new PostgreSQL schema
    (skipped without TEST_DATABASE_URL)."""
    if kind == SQLITE:
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    base = _pg_base_url()
    if base is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with temporary_pg_schema(base) as url:
        yield url


def prepare(database_url: str, build, config: str = "") -> tuple[str, dict]:
    """Creates the tables and runs build() (which uses tests.factories and returns a
    dict) in an app of its own; returns (instance folder, that dict). The instance's
    config.py lifts the abuse limits, as for the benchmarks, and adds `config`."""
    from eventapp import create_app
    from eventapp.extensions import db

    instance = make_instance(config)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=instance)
    with app.app_context():
        db.create_all()
        info = build()
        db.session.remove()
        db.engine.dispose()
    return instance, info


@dataclass
class Gunicorn:
    """`gunicorn -w 2 wsgi:app` serving database_url, leader of its own process group."""

    database_url: str
    instance: str
    workers: int = 2
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log: object = None
    env: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gunicorn":
        env = os.environ | {"DATABASE_URL": self.database_url,
                            "EVENTAPP_INSTANCE_PATH": self.instance} | self.env
        env.pop("MAIL_SERVER", None)  # e-mails go to the instance's outbox or config.py's
        # --preload: the app is imported once and the workers forked from it, which saves
        # seconds per start on a busy machine; create_app opens no database connection.
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "--preload",
               "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
               "--access-logfile", self.access_log, "wsgi:app"]
        # The log goes to a file: a pipe nobody reads could fill up and block the server.
        self.log = open(os.path.join(self.instance, f"gunicorn-{self.port}.log"), "wb")
        self.proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        return self

    @property
    def access_log(self) -> str:
        return os.path.join(self.instance, f"gunicorn-{self.port}-access.log")

    def requests_served(self) -> int:
        """Requests the server has answered so far, from its access log."""
        if not os.path.exists(self.access_log):
            return 0
        with open(self.access_log, "rb") as f:
            return sum(1 for _line in f)

    def log_tail(self) -> str:
        with open(self.log.name, "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")

    def wait_ready(self, timeout: float = 60) -> "Gunicorn":
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(self.url + "/", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not start: " + self.log_tail())
            time.sleep(0.1)

    def wait_listening(self, timeout: float = 60) -> "Gunicorn":
        """Ready to accept connections, found without sending a request."""
        deadline = time.monotonic() + timeout
        while True:
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not start: " + self.log_tail())
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        """Done with the server: its writes are committed, so it need not exit cleanly
        (a graceful shutdown takes seconds on a busy machine)."""
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        if self.log is not None:
            self.log.close()


@contextlib.contextmanager
def serving(*servers: Gunicorn):
    """Starts the servers side by side (their imports overlap), stops them after."""
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def csrf_session(form_url: str) -> requests.Session:
    """A browser-like session that has loaded the form and holds its CSRF token."""
    session = requests.Session()
    page = session.get(form_url, timeout=60).text
    session.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return session


@contextlib.contextmanager
def engine(database_url: str):
    """A plain SQLAlchemy engine on the servers' database, for checking what is stored."""
    eng = sqlalchemy.create_engine(database_url)
    try:
        yield eng
    finally:
        eng.dispose()


@dataclass
class JobsWorker:
    """`flask --app wsgi jobs worker`, the production job runner, in a process group of
    its own."""

    database_url: str
    instance: str
    threads: int = 2
    proc: subprocess.Popen | None = None
    log: object = None

    def start(self) -> "JobsWorker":
        env = os.environ | {"DATABASE_URL": self.database_url,
                            "EVENTAPP_INSTANCE_PATH": self.instance}
        env.pop("MAIL_SERVER", None)
        self.log = open(os.path.join(self.instance, f"worker-{id(self)}.log"), "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker",
             "--threads", str(self.threads)],
            cwd=str(ROOT), env=env, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=self.log)
        return self

    def log_tail(self) -> str:
        with open(self.log.name, "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")

    def stop(self) -> None:
        """SIGTERM: huey's consumer finishes the job it is running, then exits."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.log is not None:
            self.log.close()
