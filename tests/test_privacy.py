"""Data protection: an organiser anonymises an event after it ended; an attendee deletes
their own registration. Figures survive, personal data does not."""

import quopri
from datetime import timedelta
from pathlib import Path

import pytest

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Event, MeetingRequest, OutboundEmail, Registration, Status
from eventapp.registration import services as registration_services
from tests import factories
from tests.conftest import bearer
from tests.mailbox import messages_to, outbox_messages

# What attendees typed in; none of it may survive anonymisation.
HARUTO = {"name": "Haruto Sato", "name_kana": "さとう はると", "email": "haruto@aqua.example",
          "organisation": "Aqua Pure K.K.", "country": "JP", "job_title": "Overseas Manager",
          "phone": "+81 3 1234 5678", "language": "en",
          "technologies_offered": ["water", "sanitation"], "target_countries": ["KE", "ET"],
          "networking_opt_in": "y", "consent_privacy": "y"}
GRACE = {"name": "Grace Wanjiru", "email": "grace@mission-ke.example",
         "organisation": "Embassy of Kenya", "country": "KE", "job_title": "First Secretary",
         "language": "ja", "technology_needs": ["water", "diagnostics"],
         "networking_opt_in": "y", "consent_privacy": "y"}
KENJI = {"name": "森田 健二", "name_kana": "もりた けんじ", "email": "kenji@itpo.example.org",
         "organisation": "株式会社ミズホ浄水システム", "job_title": "営業部長"}
SECRET_NOTES = ("Prefers halal lunch, call mobile", "Met Haruto at JETRO last year",
                "Would love to discuss Nairobi pilot")


def database_text() -> str:
    """Every value of every row of every table, with stored MIME text decoded too."""
    db.session.rollback()
    parts = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                parts.extend(str(value) for value in row if value is not None)
    text = "\n".join(parts)
    return text + "\n" + quopri.decodestring(text.encode("utf-8")).decode("utf-8", "replace")


def personal_strings(*people: dict) -> list[str]:
    return [person[key] for person in people
            for key in ("name", "name_kana", "email", "organisation", "job_title", "phone")
            if person.get(key)]


def sign_up(app, event, category: str, data: dict) -> Registration:
    response = app.test_client().post(f"/e/{event.slug}/register/{category}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.execute(db.select(Registration).where(
        Registration.email == data["email"])).scalar_one()


def end_event(event: Event) -> None:
    event = db.session.get(Event, event.id)
    event.starts_at = utcnow() - timedelta(hours=5)
    event.ends_at = utcnow() - timedelta(minutes=1)
    event.networking_starts_at = event.starts_at + timedelta(hours=1)
    db.session.commit()


def scan(client, event, token, code):
    return client.post(f"/api/v1/events/{event.id}/checkins", json={"code": code},
                       headers=bearer(token))


def report(client, event, token) -> dict:
    response = client.get(f"/api/v1/events/{event.id}/report", headers=bearer(token))
    assert response.status_code == 200
    return response.get_json()


def meetings(client, event, token) -> list:
    response = client.get(f"/api/v1/events/{event.id}/networking/meetings",
                          headers=bearer(token))
    assert response.status_code == 200
    return sorted(response.get_json(), key=lambda m: m["id"])


@pytest.fixture
def seminar(app, client, organiser_token, door_token):
    """A seminar as it looks after the day: sign-ups on the page (e-mails sent), notes,
    a cancellation, a waitlist, check-ins, meeting requests and a published schedule."""
    event = factories.event(capacity=4)
    haruto = sign_up(app, event, "company", HARUTO)
    grace = sign_up(app, event, "embassy", GRACE)
    kenji = factories.registration(event, "organiser", **KENJI, phone="090-1111-2222",
                                   notes=SECRET_NOTES[0])
    haruto.notes, haruto.networking_note = SECRET_NOTES[1], SECRET_NOTES[2]
    extra = [factories.registration(event, "guest", name=f"Guest Person {n}",
                                    email=f"guest{n}@example.net", organisation=f"Guest Org {n}",
                                    country=country)
             for n, country in enumerate(("FR", "DE", "JP"))]
    extra[0].status = Status.CANCELLED
    extra[2].status, extra[2].waitlisted_at = Status.WAITLISTED, utcnow()
    db.session.add(MeetingRequest(event_id=event.id, requester_id=haruto.id,
                                  recipient_id=grace.id, status="accepted",
                                  message="Dear Grace Wanjiru, shall we meet?"))
    db.session.commit()
    for reg in (haruto, grace, kenji):
        assert scan(client, event, door_token, reg.checkin_code).status_code == 201
    # A scanner may read anything, such as a business card's QR code.
    scan(client, event, door_token, "MECARD:N:Sato,Haruto;TEL:+81312345678;")
    assert client.post(f"/api/v1/events/{event.id}/networking/schedule",
                       json={"only_checked_in": False},
                       headers=bearer(organiser_token)).status_code == 200
    assert client.post(f"/api/v1/events/{event.id}/networking/publish",
                       headers=bearer(organiser_token)).status_code == 200
    people = [HARUTO, GRACE, KENJI] + [
        {"name": r.name, "email": r.email, "organisation": r.organisation} for r in extra]
    return event, {"haruto": haruto, "grace": grace, "kenji": kenji}, people


def test_anonymising_keeps_the_figures_and_removes_every_personal_string(
        app, seminar, organiser_client, organiser_token, door_token):
    event, regs, people = seminar
    secrets = personal_strings(*people) + list(SECRET_NOTES) + ["Dear Grace Wanjiru",
                                                                 "MECARD:N:SATO"]
    old_codes = {name: reg.checkin_code for name, reg in regs.items()}
    old_tokens = {name: reg.manage_token for name, reg in regs.items()}
    end_event(event)
    before = report(organiser_client, event, organiser_token)
    meetings_before = meetings(organiser_client, event, organiser_token)
    assert before["checked_in"] == 3 and before["cancelled"] == 1 and meetings_before
    text = database_text()
    assert all(s in text for s in secrets), [s for s in secrets if s not in text]
    assert outbox_messages(app)
    dashboard = organiser_client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert f"/manage/events/{event.id}/anonymise" in dashboard

    page = organiser_client.get(f"/manage/events/{event.id}/anonymise")
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    unconfirmed = organiser_client.post(f"/manage/events/{event.id}/anonymise", data={})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert "Haruto Sato" in database_text()

    done = organiser_client.post(f"/manage/events/{event.id}/anonymise",
                                 data={"understood": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/manage/events/{event.id}")
    dashboard = organiser_client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "registrations was anonymised" in dashboard
    assert "Anonymised on" in dashboard and "Organiser" in dashboard

    assert report(organiser_client, event, organiser_token) == before
    assert meetings(organiser_client, event, organiser_token) == meetings_before
    text = database_text()
    assert [s for s in secrets if s in text] == []
    assert outbox_messages(app) == []
    db.session.expire_all()
    stored = db.session.get(Event, event.id)
    assert stored.anonymised_at is not None and stored.anonymised_by.email == \
        "organiser@test.example"
    haruto = db.session.get(Registration, regs["haruto"].id)
    assert haruto.name == f"Anonymised attendee #{haruto.id}"
    assert (haruto.status, haruto.country, haruto.category.code) == ("confirmed", "JP", "company")
    assert haruto.checked_in_at is not None and haruto.technologies_offered == ["water",
                                                                                "sanitation"]

    for name in regs:
        answer = scan(organiser_client, event, door_token, old_codes[name])
        assert answer.get_json()["result"] == "unknown_code"
        gone = organiser_client.get(f"/r/{old_tokens[name]}")
        assert gone.status_code == 404 and "This link is not valid" in gone.get_data(
            as_text=True)
    again = organiser_client.post(f"/manage/events/{event.id}/anonymise",
                                  data={"understood": "y"}, follow_redirects=True)
    assert "already been anonymised" in again.get_data(as_text=True)


def test_an_anonymised_event_takes_no_new_personal_data(app, client, organiser,
                                                        organiser_token):
    from eventapp.privacy.services import anonymise_event

    event = factories.event()
    factories.registration(event, name="Aiko Tanaka", email="aiko@example.org")
    end_event(event)
    anonymise_event(event, organiser)
    db.session.commit()
    response = client.post(f"/api/v1/events/{event.id}/registrations", json={
        "name": "Late Entry", "email": "late@example.org", "category": "guest",
        "language": "en"}, headers=bearer(organiser_token))
    assert response.status_code == 422
    assert "anonymised" in response.get_json()["fields"]["event"]
    db.session.rollback()
    names = db.session.execute(db.select(Registration.name)
                               .where(Registration.event_id == event.id)).scalars().all()
    assert len(names) == 1 and "Late Entry" not in names and "Aiko Tanaka" not in names


def test_anonymising_waits_for_the_end_of_the_event(app, organiser_client):
    event = factories.event()
    factories.registration(event, name="Aiko Tanaka", email="aiko@example.org")
    page = organiser_client.get(f"/manage/events/{event.id}/anonymise").get_data(as_text=True)
    assert "available once the event has ended" in page and 'type="checkbox"' not in page
    refused = organiser_client.post(f"/manage/events/{event.id}/anonymise",
                                    data={"understood": "y"}, follow_redirects=True)
    assert "only after the event has ended" in refused.get_data(as_text=True)
    assert "Aiko Tanaka" in database_text()
    assert db.session.get(Event, event.id).anonymised_at is None


def test_only_organisers_anonymise(app, client, door_client):
    event = factories.event()
    end_event(event)
    url = f"/manage/events/{event.id}/anonymise"
    assert client.get(url).status_code == 302  # to the login page
    assert client.post(url, data={"understood": "y"}).status_code == 302
    assert door_client.get(url).status_code == 403
    assert door_client.post(url, data={"understood": "y"}).status_code == 403
    assert db.session.get(Event, event.id).anonymised_at is None


def test_deleting_my_data_promotes_the_waitlist_and_retires_link_ticket_and_code(
        app, client, organiser_token, door_token):
    event = factories.event(capacity=2)
    haruto = sign_up(app, event, "company", HARUTO)
    grace = sign_up(app, event, "embassy", GRACE)
    waiting = sign_up(app, event, "guest", {"name": "Emma Fischer", "country": "DE",
                                            "email": "emma@example.de", "language": "en",
                                            "consent_privacy": "y"})
    assert (haruto.status, waiting.status) == ("confirmed", "waitlisted")
    assert client.post(f"/r/{haruto.manage_token}/networking/request",
                       data={"registration_id": grace.id}).status_code == 302
    assert messages_to(app, "grace@mission-ke.example")  # she was told who asked
    token, code = haruto.manage_token, haruto.checkin_code

    manage = client.get(f"/r/{token}").get_data(as_text=True)
    assert f"/r/{token}/delete" in manage and f"/r/{token}/cancel" in manage
    confirm = client.get(f"/r/{token}/delete")
    assert confirm.status_code == 200 and "seat goes to the next person" in confirm.get_data(
        as_text=True)
    response = client.post(f"/r/{token}/delete")
    assert response.status_code == 302
    assert "Your data is deleted" in client.get(response.headers["Location"]).get_data(
        as_text=True)

    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == Status.CONFIRMED
    assert len(messages_to(app, "emma@example.de")) == 2  # waitlisted, then promoted
    erased = db.session.get(Registration, haruto.id)
    assert erased.status == Status.CANCELLED and erased.erased_at is not None
    assert db.session.execute(db.select(MeetingRequest)).first() is None
    assert messages_to(app, HARUTO["email"]) == []
    text = database_text()
    assert [s for s in personal_strings(HARUTO) if s in text] == []
    assert "Grace Wanjiru" in text  # the others' data is theirs to delete

    for path in ("", "/ticket", "/qr.png", "/edit", "/cancel", "/delete", "/networking",
                 "/agenda"):
        gone = client.get(f"/r/{token}{path}")
        assert gone.status_code == 404, path
    assert "This link is not valid" in client.get(f"/r/{token}").get_data(as_text=True)
    assert client.post(f"/r/{token}/delete").status_code == 404
    answer = scan(client, event, door_token, code)
    assert (answer.status_code, answer.get_json()["result"]) == (404, "unknown_code")
    by_name = client.post(f"/api/v1/events/{event.id}/checkins",
                          json={"registration_id": haruto.id}, headers=bearer(door_token))
    assert by_name.get_json()["result"] == "not_admitted"
    figures = report(client, event, organiser_token)
    assert (figures["confirmed"], figures["waitlisted"], figures["cancelled"]) == (2, 0, 1)


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.WAITLISTED, Status.PENDING])
def test_any_registration_can_delete_its_data_without_moving_anyone(app, client, status):
    event = factories.event(capacity=1)
    seated = factories.registration(event, name="Seated Person", email="seated@example.org")
    waiting = factories.registration(event, status=Status.WAITLISTED, name="Next In Line",
                                     email="next@example.org")
    mine = factories.registration(event, "guest", status=status, name="Aiko Tanaka",
                                  email="aiko@example.org", phone="03-0000-0000")
    assert client.post(f"/r/{mine.manage_token}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, seated.id).status == Status.CONFIRMED
    assert db.session.get(Registration, waiting.id).status == Status.WAITLISTED
    assert db.session.get(Registration, mine.id).status == Status.CANCELLED
    text = database_text()
    assert "Aiko" not in text and "aiko@example.org" not in text and "03-0000-0000" not in text


def test_an_unknown_link_gets_the_same_page(client, app):
    response = client.get("/r/not-a-real-token/delete")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_erased_registrations_get_no_mail(app):
    event = factories.event()
    reg = factories.registration(event)
    reg.erased_at = utcnow()
    db.session.commit()
    registration_services.resend_ticket(reg)
    db.session.commit()
    assert db.session.execute(db.select(OutboundEmail)).first() is None


def test_outbox_copies_of_deleted_messages_go_too(app, client):
    event = factories.event()
    reg = sign_up(app, event, "guest", {"name": "Emma Fischer", "country": "DE",
                                        "email": "emma@example.de", "language": "en",
                                        "consent_privacy": "y"})
    outbox = Path(app.config["OUTBOX_DIR"])
    assert len(list(outbox.glob("*.eml"))) == 1
    client.post(f"/r/{reg.manage_token}/delete")
    assert list(outbox.glob("*.eml")) == []
