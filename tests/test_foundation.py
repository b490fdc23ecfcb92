"""Data model, migrations, configuration."""

import random
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from eventapp import create_app
from eventapp.config import database_url_from_env
from eventapp.extensions import db
from eventapp.models import Registration, Status, new_checkin_code, normalise_code
from eventapp.models.registrations import SEARCH_KEY_INDEX
from tests import factories
from tests.conftest import make_test_config


def test_migrations_give_exactly_the_models_schema(empty_database_url, tmp_path):
    app = create_app(make_test_config(empty_database_url, tmp_path),
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": _not_the_search_index}),
                db.metadata)
        db.engine.dispose()
    assert diff == []


def _not_the_search_index(name, type_, _parents) -> bool:
    """PostgreSQL's trigram index of the search key is made by DDL (its operator class
    is found at run time), not declared in the metadata: test_search_index checks it."""
    return not (type_ == "index" and name == SEARCH_KEY_INDEX)


def test_postgresql_finds_a_substring_of_the_search_key_through_its_trigram_index(
        empty_database_url, tmp_path):
    """Made by the migrations as by create_all; with statistics on 30,000 people of
    varied names the planner reads it for a name search instead of every row."""
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no index for LIKE '%...%'")
    app = create_app(make_test_config(empty_database_url, tmp_path),
                     instance_path=str(tmp_path / "instance"))
    names = [f"{random.Random(n).getrandbits(40):010x} Tanaka" for n in range(30_000)]
    with app.app_context():
        upgrade()
        event = factories.event(capacity=10_000)
        db.session.execute(db.insert(Registration), [
            {"event_id": event.id, "category_id": event.categories[0].id,
             "name": name, "email": f"p{n}@example.org", "organisation": "Org",
             "status": "confirmed", "checkin_code": new_checkin_code(),
             "manage_token": f"token-{n}", "language": "en",
             **Registration.name_keys(name, "", "Org")} for n, name in enumerate(names)])
        db.session.commit()
        db.session.execute(db.text("ANALYZE registrations"))
        query = db.text("SELECT id FROM registrations WHERE event_id = :e "
                        "AND search_key LIKE :pattern")
        params = {"e": event.id, "pattern": f"%{names[4321][2:9]}%"}
        plan = "\n".join(db.session.execute(db.text(f"EXPLAIN {query.text}"), params).scalars())
        found = db.session.execute(query, params).scalars().all()
        db.session.rollback()
        db.engine.dispose()
    assert len(found) == 1
    assert SEARCH_KEY_INDEX in plan, plan


def test_one_active_registration_per_email_is_enforced_by_the_database(app):
    event = factories.event()
    factories.registration(event, email="dup@example.org")
    with pytest.raises(IntegrityError):
        factories.registration(event, email="dup@example.org")
    db.session.rollback()


def test_a_cancelled_registration_frees_the_email(app):
    event = factories.event()
    first = factories.registration(event, email="again@example.org")
    first.status = Status.CANCELLED
    db.session.commit()
    second = factories.registration(event, email="again@example.org")
    assert second.id != first.id


def test_the_database_rejects_an_unknown_status(app):
    event = factories.event()
    reg = factories.registration(event)
    reg.status = "maybe"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_checkin_codes_are_opaque_base32_with_at_least_128_bits(app):
    codes = {new_checkin_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert re.fullmatch(r"[A-Z2-7]{32}", code)  # 32 chars x 5 bits = 160 bits
    event = factories.event()
    reg = factories.registration(event, name="Aiko Tanaka", email="aiko@example.org")
    assert str(reg.id) not in reg.checkin_code and "AIKO" not in reg.checkin_code
    assert normalise_code(f"  {reg.checkin_code.lower()}\n") == reg.checkin_code


def test_times_come_back_timezone_aware(app):
    event = factories.event()
    db.session.expire_all()
    again = db.session.get(Registration, factories.registration(event).id)
    assert again.created_at.tzinfo is not None
    assert again.event.starts_at.utcoffset().total_seconds() == 0


def test_postgresql_urls_use_psycopg_3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/prod")
    assert database_url_from_env(str(tmp_path)) == "postgresql+psycopg://u@db.example/prod"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url_from_env(str(tmp_path)).startswith("sqlite:///")


def test_a_missing_secret_key_is_generated_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_cookies_are_secure_when_configured_for_https(monkeypatch, tmp_path):
    monkeypatch.setenv("BASE_URL", "https://events.example.org")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.delenv("BASE_URL")
    assert not create_app(instance_path=str(tmp_path)).config.get("SESSION_COOKIE_SECURE")
