"""Files holding personal data or secrets are readable by their owner only (0600), under
the usual umask 022: the SQLite database and its -wal/-shm files, the job queue,
outbox .eml files, pending imports, backups and the secret key."""

import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from eventapp import create_app
from eventapp.backup import backup_postgresql, backup_sqlite
from eventapp.extensions import db
from eventapp.jobs import make_huey
from eventapp.registration.import_store import save_pending
from eventapp.registration.importing import ImportRow, ParsedFile
from tests import factories
from tests.conftest import make_test_config


@pytest.fixture(autouse=True)
def usual_umask():
    """The common default: new files readable by everyone unless made otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def assert_private(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"


def test_the_sqlite_database_and_its_wal_and_shm_files_are_private(tmp_path):
    database = tmp_path / "instance" / "eventapp.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        factories.registration(factories.event(networking=False))
        # While a connection is open, WAL mode keeps the -wal and -shm files.
        with db.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM registrations")).scalar()
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
                assert path.exists(), path.name
                assert_private(path)
        db.engine.dispose()
    assert_private(tmp_path / "instance" / "secret_key")


def test_the_sqlite_job_queue_is_private(tmp_path):
    config = {"JOBS_NAME": "modes", "JOBS_URL": "", "JOBS_IMMEDIATE": False}
    huey = make_huey(config, str(tmp_path))
    huey.put("key", "value")  # opens (creates) the queue's file
    assert huey.get("key") == "value"
    assert_private(tmp_path / "jobs.db")
    for extra in ("jobs.db-wal", "jobs.db-shm"):
        if (tmp_path / extra).exists():
            assert_private(tmp_path / extra)


def test_outbox_mail_files_are_private(app, client, tmp_path):
    event = factories.event(networking=False)
    organiser = factories.staff("org@modes.example", "organiser")
    response = client.post(f"/api/v1/events/{event.id}/registrations",
                           headers={"Authorization": f"Bearer {factories.token(organiser)}"},
                           json={"name": "Private Guest", "email": "guest@modes.example",
                                 "category": "guest"})
    assert response.status_code == 201, response.get_data(as_text=True)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert files
    for path in files:
        assert_private(path)


def test_pending_import_files_are_private(tmp_path):
    parsed = ParsedFile(rows=[ImportRow(2, {"name": "Pending Person",
                                            "email": "pending@modes.example"})],
                        ignored_columns=[])
    token = save_pending(str(tmp_path), 1, 1, "people.xlsx", parsed)
    [path] = [p for p in tmp_path.rglob("*.json") if p.stem == token]
    assert_private(path)


def test_a_sqlite_backup_is_private(tmp_path):
    database = tmp_path / "live.db"
    app = create_app(make_test_config(f"sqlite:///{database}", tmp_path),
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        factories.registration(factories.event(networking=False))
        db.engine.dispose()
    os.chmod(database, 0o644)  # even from a database made readable by others
    backup_sqlite(database, tmp_path / "copy.db")
    assert_private(tmp_path / "copy.db")


def test_a_postgresql_backup_is_private(pg_url, tmp_path):
    if pg_url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    backup_postgresql(make_url(pg_url), tmp_path / "copy.dump")
    assert_private(tmp_path / "copy.dump")
