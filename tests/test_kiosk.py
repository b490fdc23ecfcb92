"""The self check-in kiosk: locked to one event until staff enter the PIN; an attendee's
own ticket checks them in and gets their badge, every refusal shows no one's data."""

import pytest

from eventapp.extensions import db
from eventapp.models import Registration, Status
from tests import factories
from tests.test_badges import decoded_codes


@pytest.fixture
def kiosk(organiser_client, app):
    event = factories.event(title="Water Technology Seminar")
    response = organiser_client.post(f"/events/{event.id}/kiosk",
                                     data={"pin": "2468", "pin_again": "2468"})
    assert response.status_code == 302
    return organiser_client, event


def scan(client, event, code):
    response = client.post(f"/events/{event.id}/kiosk/scan", json={"code": code})
    assert response.status_code == 200
    return response.get_json()


def test_pin_must_be_digits_and_repeated(organiser_client, app):
    event = factories.event()
    url = f"/events/{event.id}/kiosk"
    for pin, again in (("12", "12"), ("abcd", "abcd"), ("1234", "1235")):
        response = organiser_client.post(url, data={"pin": pin, "pin_again": again})
        assert response.status_code == 422
    # Not locked: other pages still open.
    assert organiser_client.get(f"/manage/events/{event.id}/registrations").status_code != 302


def test_a_ticket_checks_in_greets_in_the_attendees_language_and_prints_their_badge(kiosk):
    client, event = kiosk
    guest = factories.registration(event, name="山田 太郎", name_kana="やまだ たろう",
                                   language="ja")
    body = scan(client, event, guest.checkin_code.lower())
    assert body["result"] == "welcome"
    assert body["title"] == "ようこそ、山田 太郎 様" and body["language"] == "ja"
    db.session.expire_all()
    assert db.session.get(Registration, guest.id).checked_in_at is not None
    badge = client.get(body["badge_url"])
    assert badge.status_code == 200 and badge.mimetype == "application/pdf"
    assert decoded_codes(badge.data) == [guest.checkin_code]
    english = factories.registration(event, name="Jane Smith", language="en")
    assert scan(client, event, english.checkin_code)["title"] == "Welcome, Jane Smith!"


def test_refusals_send_to_the_desk_without_data(kiosk):
    client, event = kiosk
    cancelled = factories.registration(event, name="Cancelled Person", organisation="Secret Co",
                                       status=Status.CANCELLED)
    other_event = factories.event(title="Other")
    elsewhere = factories.registration(other_event, name="Elsewhere Person")
    twice = factories.registration(event, name="Twice Person")
    assert scan(client, event, twice.checkin_code)["result"] == "welcome"
    for code in (cancelled.checkin_code, elsewhere.checkin_code, twice.checkin_code,
                 "NOTACODE", ""):
        response = client.post(f"/events/{event.id}/kiosk/scan", json={"code": code})
        text = response.get_data(as_text=True)
        assert response.get_json()["result"] == "see_desk"
        assert "Please see the registration desk." in text
        for secret in ("Cancelled", "Secret Co", "Elsewhere", "Twice", "Other"):
            assert secret not in text
    # The badge of the last welcome does not become someone else's.
    other_badge = client.get(f"/events/{event.id}/registrations/{cancelled.id}/badge.pdf")
    assert other_badge.status_code == 302


def test_the_locked_browser_sees_only_the_kiosk_until_the_pin(kiosk):
    client, event = kiosk
    kiosk_url = f"/events/{event.id}/kiosk"
    for path in (f"/manage/events/{event.id}", f"/manage/events/{event.id}/registrations",
                 f"/manage/events/{event.id}/scanner", "/manage/events", "/staff",
                 f"/api/v1/events/{event.id}/registrations",
                 f"/events/{event.id}/badges.pdf", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith(kiosk_url), path
    assert client.post("/logout").status_code == 302
    page = client.get(kiosk_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="q"' not in text and "Sign out" not in text  # no search, no way out
    wrong = client.post(f"/events/{event.id}/kiosk/unlock", data={"pin": "1111"})
    assert wrong.status_code == 422
    assert client.get("/manage/events").status_code == 302
    right = client.post(f"/events/{event.id}/kiosk/unlock", data={"pin": "2468"})
    assert right.status_code == 302
    assert client.get("/manage/events").status_code == 200


def test_only_organisers_open_a_kiosk(door_client, app):
    event = factories.event()
    response = door_client.post(f"/events/{event.id}/kiosk",
                                data={"pin": "2468", "pin_again": "2468"})
    assert response.status_code == 403


def test_guessing_the_pin_is_slowed_down(limits_on, organiser_client, app):
    event = factories.event()
    organiser_client.post(f"/events/{event.id}/kiosk", data={"pin": "2468", "pin_again": "2468"})
    url = f"/events/{event.id}/kiosk/unlock"
    answers = [organiser_client.post(url, data={"pin": f"{n:04d}"}).status_code
               for n in range(11)]
    assert answers[:10] == [422] * 10 and answers[10] == 429
    # Even the right PIN waits now: no way to tell it from a wrong one by the answer.
    assert organiser_client.post(url, data={"pin": "2468"}).status_code == 429
