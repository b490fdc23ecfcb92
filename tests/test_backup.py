"""`flask backup` while the app writes, and restoring into a fresh instance."""

import os
import shutil
import sqlite3
import subprocess
import threading
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy.engine import make_url

from eventapp import create_app
from eventapp.backup import pg_dump_command
from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Event
from eventapp.registration import services
from tests import factories
from tests.conftest import bearer, make_test_config


class Writer(threading.Thread):
    """Registers and checks in one guest per transaction until stopped, as a busy
    registration desk would while the backup runs."""

    def __init__(self, app, event_id: int):
        super().__init__(daemon=True)
        self.app, self.event_id = app, event_id
        self.stop, self.written, self.error = threading.Event(), [], None

    def run(self):
        with self.app.app_context():
            try:
                while not self.stop.is_set():
                    n = len(self.written)
                    event = db.session.get(Event, self.event_id)
                    outcome = services.register(
                        event, {"name": f"Writer Guest {n}", "email": f"writer{n}@example.org",
                                "category": "guest", "country": "JP", "language": "en"},
                        notify=False, public=False)
                    outcome.registration.checked_in_at = utcnow()  # the same transaction
                    db.session.commit()
                    self.written.append(outcome.registration.id)
            except Exception as e:  # reported by the test
                self.error = e
            finally:
                db.session.remove()

    def wait_for(self, count: int):
        while len(self.written) < count and self.is_alive():
            self.stop.wait(0.01)

    def finish(self):
        self.stop.set()
        self.join(30)
        assert self.error is None, self.error


def api_state(client, event_id: int, token: str) -> tuple[list, dict]:
    """What an organiser sees: every registration (with check-in) and the report."""
    registrations = client.get(f"/api/v1/events/{event_id}/registrations",
                               headers=bearer(token))
    report = client.get(f"/api/v1/events/{event_id}/report", headers=bearer(token))
    assert registrations.status_code == 200 and report.status_code == 200
    return sorted(registrations.get_json(), key=lambda r: r["id"]), report.get_json()


def comparable(state):
    """Links are absolute URLs of the host serving them; everything else must match."""
    registrations, report = state
    return [{k: v for k, v in r.items() if not k.endswith("_url")} for r in registrations], \
        report


@pytest.fixture
def busy_event(app, organiser):
    event = factories.event(capacity=10_000, networking=False)
    for n in range(5):
        reg = factories.registration(event, name=f"Early Bird {n}",
                                     email=f"early{n}@example.org")
        if n % 2 == 0:
            reg.checked_in_at, reg.checked_in_by = utcnow(), organiser
    db.session.commit()
    return event


def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite backup file")


def test_sqlite_backup_while_writing_is_a_consistent_snapshot(app, runner, database_url,
                                                              busy_event, tmp_path):
    sqlite_only(database_url)
    writer = Writer(app, busy_event.id)
    writer.start()
    writer.wait_for(20)
    written_before = len(writer.written)
    result = runner.invoke(args=["backup", str(tmp_path / "during.db")])
    writer.wait_for(written_before + 20)  # still writing after the backup
    writer.finish()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    assert result.output.strip().splitlines()[-1] == str(tmp_path / "during.db")

    with sqlite3.connect(tmp_path / "during.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        saved = copy.execute("SELECT id, checked_in_at FROM registrations "
                             "WHERE name LIKE 'Writer Guest %' ORDER BY id").fetchall()
    assert not (tmp_path / "during.db-wal").exists()
    # A snapshot: some of the writer's transactions, each one whole, none half-done.
    assert written_before <= len(saved) < len(writer.written)
    assert [rid for rid, _at in saved] == writer.written[:len(saved)]
    assert all(at is not None for _rid, at in saved)


def test_sqlite_restore_into_a_fresh_instance_shows_every_registration_and_check_in(
        app, runner, client, database_url, busy_event, organiser_token, tmp_path):
    sqlite_only(database_url)
    writer = Writer(app, busy_event.id)
    writer.start()
    writer.wait_for(10)
    writer.finish()
    live = api_state(client, busy_event.id, organiser_token)
    assert sum(1 for r in live[0] if r["checked_in_at"]) == 3 + len(writer.written)
    backup = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output

    # `flask restore` into a new instance whose database does not exist yet
    fresh = create_app(make_test_config(f"sqlite:///{tmp_path / 'fresh' / 'app.db'}",
                                        tmp_path / "fresh"),
                       instance_path=str(tmp_path / "fresh"))
    with fresh.app_context():  # the CLI would otherwise use the test's app, already current
        restored = fresh.test_cli_runner().invoke(args=["restore", "--yes", str(backup)])
        assert restored.exit_code == 0, restored.output
        assert f"Restored {len(live[0])} registrations" in restored.output
        assert (tmp_path / "fresh" / "app.db").is_file()
        assert comparable(api_state(fresh.test_client(), busy_event.id, organiser_token)) \
            == comparable(live)
        db.engine.dispose()

    # or: the file copied into place while the app is stopped
    shutil.copy(backup, tmp_path / "copied.db")
    copied = create_app(make_test_config(f"sqlite:///{tmp_path / 'copied.db'}", tmp_path),
                        instance_path=str(tmp_path / "copied"))
    with copied.app_context():
        assert comparable(api_state(copied.test_client(), busy_event.id, organiser_token)) \
            == comparable(live)
        db.engine.dispose()


def test_restore_replaces_what_the_database_held(app, runner, client, database_url,
                                                 busy_event, organiser_token, tmp_path):
    sqlite_only(database_url)
    before = api_state(client, busy_event.id, organiser_token)
    assert runner.invoke(args=["backup", str(tmp_path / "b.db")]).exit_code == 0
    factories.registration(busy_event, name="After The Backup", email="late@example.org")
    db.session.remove()
    refused = runner.invoke(args=["restore", str(tmp_path / "b.db")], input="n\n")
    assert refused.exit_code != 0
    assert runner.invoke(args=["restore", "--yes", str(tmp_path / "b.db")]).exit_code == 0
    assert comparable(api_state(client, busy_event.id, organiser_token)) == comparable(before)


def test_backup_refuses_to_overwrite(app, runner, database_url, tmp_path):
    sqlite_only(database_url)
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and "--force" in result.output
    assert target.read_text() == "keep me"
    live = make_url(database_url).database
    result = runner.invoke(args=["backup", "--force", live])
    assert result.exit_code != 0 and "live database" in result.output
    assert runner.invoke(args=["backup", "--force", str(target)]).exit_code == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    result = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "folder.db")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_without_pg_dump_a_postgresql_backup_fails_with_the_procedure(monkeypatch, tmp_path):
    app = create_app(make_test_config("postgresql+psycopg://u:secret@db.invalid/prod",
                                      tmp_path), instance_path=str(tmp_path / "instance"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump is not on PATH" in result.output and "README.md" in result.output
    assert not (tmp_path / "x.dump").exists()
    result = app.test_cli_runner().invoke(args=["restore", "--yes", __file__])
    assert result.exit_code == 1 and "pg_restore" in result.output


def test_pg_dump_gets_the_password_by_environment_and_the_search_path_schema():
    url = make_url("postgresql+psycopg://app:s3cret@db.example:5433/events"
                   f"?options={quote('-csearch_path=tenant_a')}")
    args, env = pg_dump_command(url, "/backups/x.dump")
    assert "s3cret" not in " ".join(args) and env["PGPASSWORD"] == "s3cret"
    assert "--format=custom" in args and "--schema=tenant_a" in args
    assert any(a.startswith("--dbname=postgresql://app@db.example:5433/events") for a in args)


def test_postgresql_backup_while_writing_restores_into_a_fresh_database(
        app, runner, client, database_url, busy_event, organiser_token, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump archive")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump and pg_restore are not installed")
    writer = Writer(app, busy_event.id)
    writer.start()
    writer.wait_for(10)
    during = runner.invoke(args=["backup", str(tmp_path / "during.dump")])
    writer.finish()
    assert during.exit_code == 0, during.output
    live = api_state(client, busy_event.id, organiser_token)
    quiet = runner.invoke(args=["backup", str(tmp_path / "quiet.dump")])
    assert quiet.exit_code == 0, quiet.output

    base = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql")
    schema = make_url(database_url).query["options"].split("=", 1)[1]
    for name in ("during", "quiet"):
        database = f"restore_{uuid.uuid4().hex[:10]}"
        admin = base.render_as_string(hide_password=False)
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{database}"'], check=True)
        target = base.set(database=database)
        try:
            subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                            f"--dbname={target.render_as_string(hide_password=False)}",
                            str(tmp_path / f"{name}.dump")], check=True)
            url = target.set(drivername="postgresql+psycopg",
                             query={"options": f"-csearch_path={schema}"})
            fresh = create_app(make_test_config(url.render_as_string(hide_password=False),
                                                tmp_path / name),
                               instance_path=str(tmp_path / name))
            with fresh.app_context():
                state = comparable(api_state(fresh.test_client(), busy_event.id,
                                             organiser_token))
                db.engine.dispose()
        finally:
            subprocess.run(["psql", admin, "-qc",
                            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], check=True)
        if name == "quiet":
            assert state == comparable(live)
        else:
            ids = [r["id"] for r in state[0] if r["name"].startswith("Writer Guest")]
            assert ids == writer.written[:len(ids)] and len(ids) >= 10
            assert all(r["checked_in_at"] for r in state[0]
                       if r["name"].startswith("Writer Guest"))
