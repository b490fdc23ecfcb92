"""Every copy of personal data goes with it (issue 16, finding 10): other attendees'
outbox .eml files that name the person, kept import uploads (rows waiting for
confirmation, skipped rows of a finished import), the scanners' device names; and the
outbox folder keeps sent messages for OUTBOX_RETENTION_DAYS only."""

import os
import time
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

from eventapp.config import DEFAULTS, from_environment
from tests import factories
from tests.conftest import bearer
from tests.test_import import csv_bytes, import_url, report_url, upload
from tests.test_networking import company, official
from tests.test_privacy import database_text, end_event, scan

YOSHIKO = {"name": "Yoshiko Tanaka", "email": "yoshiko.tanaka@hokkaido.example",
           "organisation": "Hokkaido Dairy"}


def outbox_texts(app) -> dict[str, str]:
    """Each .eml file of the outbox as a person reads it (headers and text decoded)."""
    texts = {}
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        parts = [str(value) for value in message.values()]
        parts += [part.get_content() for part in message.walk()
                  if part.get_content_maintype() == "text"]
        texts[path.name] = "\n".join(parts)
    return texts


def import_files_text(app) -> str:
    folder = Path(app.instance_path) / "imports"
    return "\n".join(p.read_text("utf-8") for p in sorted(folder.glob("*.json")))


def naming(text: str, person: dict) -> bool:
    return any(person[key].casefold() in text.casefold() for key in ("name", "email"))


def test_deleting_my_data_removes_other_attendees_mail_that_names_me(app, client):
    event = factories.event()
    yoshiko = company(event, **YOSHIKO)
    grace = official(event, name="Grace Wanjiru", email="grace@mission-ke.example")
    kenji = company(event, name="Kenji Mori", email="kenji@mori.example")
    for asker in (yoshiko, kenji):  # each request is an e-mail to Grace naming the asker
        assert client.post(f"/r/{asker.manage_token}/networking/request",
                           data={"registration_id": grace.id}).status_code == 302
    texts = outbox_texts(app)
    assert sum(naming(t, YOSHIKO) for t in texts.values()) == 1
    assert sum("Kenji Mori" in t for t in texts.values()) == 1

    client.post(f"/r/{yoshiko.manage_token}/delete")

    texts = outbox_texts(app)
    assert [name for name, text in texts.items() if naming(text, YOSHIKO)] == []
    assert sum("Kenji Mori" in t for t in texts.values()) == 1  # others' mail stays


def test_deleting_my_data_removes_my_rows_from_kept_import_uploads(app, client,
                                                                   organiser_client):
    event = factories.event()
    yoshiko = factories.registration(event, **YOSHIKO)
    # A finished import that skipped her (already registered) ...
    finished = report_url(upload(organiser_client, event, csv_bytes(
        "name,email,category", f"{YOSHIKO['name']},{YOSHIKO['email'].upper()},guest",
        "Good One,good1@example.org,guest")))
    organiser_client.post(finished, data={"mode": "valid"})
    # ... and one still waiting for confirmation.
    waiting = report_url(upload(organiser_client, event, csv_bytes(
        "name,email,category", "Good Two,good2@example.org,guest",
        f"{YOSHIKO['name']},someone-else@example.org,guest")))
    assert naming(import_files_text(app), YOSHIKO)

    client.post(f"/r/{yoshiko.manage_token}/delete")

    text = import_files_text(app)
    assert not naming(text, YOSHIKO)
    assert "Good Two" in text
    page = organiser_client.get(waiting)
    assert page.status_code == 200 and "Good Two" in page.get_data(as_text=True)
    assert YOSHIKO["name"] not in page.get_data(as_text=True)


def test_anonymising_removes_the_events_import_uploads_and_scanner_device_names(
        app, client, organiser_client, organiser_token, door_token):
    event, other = factories.event(), factories.event("Other Seminar")
    reg = factories.registration(event, **YOSHIKO)
    response = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": reg.checkin_code},
                           headers=bearer(door_token) | {"X-Scanner-Device": "Yoshiko's iPhone"})
    assert response.status_code == 201
    scan(client, event, door_token, "not-a-code")
    upload(organiser_client, event, csv_bytes("name,email,category",
                                              "Waiting Person,wait@example.org,guest"))
    kept = report_url(upload(organiser_client, other, csv_bytes(
        "name,email,category", "Other Person,other@example.org,guest")))
    assert "Yoshiko's iPhone" in database_text()
    assert "Waiting Person" in import_files_text(app)

    end_event(event)
    assert organiser_client.post(f"/manage/events/{event.id}/anonymise",
                                 data={"understood": "y"}).status_code == 302

    assert "Yoshiko's iPhone" not in database_text()
    text = import_files_text(app)
    assert "Waiting Person" not in text and "Other Person" in text
    assert organiser_client.get(kept).status_code == 200
    assert organiser_client.get(import_url(event)).status_code == 200


def test_outbox_files_are_kept_for_the_retention_period_only(app):
    assert DEFAULTS["OUTBOX_RETENTION_DAYS"] == 30
    app.config["OUTBOX_RETENTION_DAYS"] = 2
    outbox = Path(app.config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for name, age_days in (("old-1.eml", 3), ("recent-2.eml", 1), ("new-3.eml", 0)):
        path = outbox / name
        path.write_text("Subject: hello\n\nYoshiko Tanaka\n", "utf-8")
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))

    jobs = app.extensions["jobs"]
    jobs.tidy.call_local()

    assert sorted(p.name for p in outbox.glob("*.eml")) == ["new-3.eml", "recent-2.eml"]
    # It runs every hour of every day, on its own.
    due = [datetime(2026, 12, 6, hour, 7) for hour in range(24)]
    assert all("remove_old_copies" in {t.name for t in jobs.huey.read_periodic(at)}
               for at in due)


def test_the_retention_period_can_be_set_in_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "7")
    assert from_environment(str(tmp_path))["OUTBOX_RETENTION_DAYS"] == 7
