"""E-mail confirmation before a public sign-up holds a seat (issue 16, finding 2).

A flood of sign-ups with made-up addresses took every seat: nothing checked that an
address belonged to the person. On an event that asks for it (new events do), a public
sign-up is `pending`, holding no seat, until the link in its first message is followed;
then the usual rules run and the ticket goes out. Unconfirmed sign-ups expire.
"""

import re
from datetime import timedelta

import pytest

from eventapp.database import utcnow
from eventapp.events.services import confirmed_count
from eventapp.extensions import db
from eventapp.models import Event, OutboundEmail, Registration, Status
from tests import factories
from tests.conftest import bearer


def sign_up(client, event, email, name="Aiko Tanaka", category="guest"):
    return client.post(f"/e/{event.slug}/register/{category}", data={
        "name": name, "email": email, "language": "en", "country": "JP",
        "consent_privacy": "y"})


def registration_of(email) -> Registration:
    return db.session.execute(db.select(Registration).where(
        Registration.email == email).order_by(Registration.id.desc())).scalars().first()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def has_qr(message) -> bool:
    return any(p.get_content_type() == "image/png" for p in message.walk())


def confirm_link(message) -> str:
    return re.search(r"http://localhost(/r/[^/\s]+/confirm)", text_of(message)).group(1)


def test_a_sign_up_holds_no_seat_until_its_address_is_confirmed_then_gets_the_ticket(
        smtp_inbox, client, app):
    event = factories.event(title="Water Seminar", capacity=5, confirm_email=True)
    response = sign_up(client, event, "aiko@example.jp")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please confirm your e-mail address" in page
    reg = registration_of("aiko@example.jp")
    assert reg.status == Status.PENDING and confirmed_count(event.id) == 0

    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["aiko@example.jp"]
    assert "Confirm your e-mail address" in message["Subject"]
    assert not has_qr(message) and "/ticket" not in text_of(message)
    link = confirm_link(message)
    assert link == f"/r/{reg.manage_token}/confirm"

    # Opening the link (a mail scanner may) changes nothing: it shows a button.
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.status == Status.PENDING and len(smtp_inbox.messages) == 1

    response = client.post(link)
    assert response.status_code == 302
    assert "your e-mail address is confirmed" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.status == Status.CONFIRMED and confirmed_count(event.id) == 1
    (_, ticket) = smtp_inbox.messages[1]
    assert "Your ticket" in ticket["Subject"] and has_qr(ticket)
    # A second press changes nothing and sends nothing.
    client.post(link)
    assert len(smtp_inbox.messages) == 2


def test_a_full_event_waitlists_on_confirmation_in_order_of_confirming(smtp_inbox, client, app):
    event = factories.event(capacity=1, confirm_email=True)
    sign_up(client, event, "first@example.org")
    sign_up(client, event, "second@example.org")
    first, second = registration_of("first@example.org"), registration_of("second@example.org")
    client.post(f"/r/{second.manage_token}/confirm")
    client.post(f"/r/{first.manage_token}/confirm")
    db.session.refresh(first)
    db.session.refresh(second)
    assert (second.status, first.status) == (Status.CONFIRMED, Status.WAITLISTED)
    subjects = [m["Subject"] for rcpts, m in smtp_inbox.messages if rcpts == [first.email]]
    assert any("waitlist" in s for s in subjects)


def test_a_category_needing_approval_awaits_it_after_the_confirmation(client, app):
    event = factories.event(confirm_email=True)
    embassy = next(c for c in event.categories if c.code == "embassy")
    embassy.requires_approval = True
    db.session.commit()
    sign_up(client, event, "envoy@example.org", category="embassy")
    reg = registration_of("envoy@example.org")
    assert reg.awaiting_email
    client.post(f"/r/{reg.manage_token}/confirm")
    db.session.refresh(reg)
    assert reg.status == Status.PENDING and not reg.awaiting_email


def test_registering_again_while_unconfirmed_resends_the_confirmation(smtp_inbox, client, app):
    event = factories.event(confirm_email=True)
    pages = []
    for _ in range(2):
        response = sign_up(client, event, "again@example.org")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        pages.append(re.search(r'<section class="card narrow outcome.*?</section>', page,
                               re.DOTALL).group(0))
    assert pages[0] == pages[1]  # the same words, whether or not the address was known
    assert db.session.execute(db.select(db.func.count()).select_from(Registration)
                              ).scalar_one() == 1
    links = [confirm_link(m) for _, m in smtp_inbox.messages]
    assert len(links) == 2 and links[0] == links[1]


def test_unconfirmed_sign_ups_expire_freeing_nothing_they_did_not_hold(smtp_inbox, client, app):
    event = factories.event(capacity=1, confirm_email=True)
    seated = factories.registration(event, "guest", email="seated@example.org")
    waiting = factories.registration(event, "guest", status=Status.WAITLISTED,
                                     email="waiting@example.org")
    sign_up(client, event, "late@example.org")
    late = registration_of("late@example.org")
    late.email_confirm_by = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sent = len(smtp_inbox.messages)

    app.extensions["jobs"].expire()  # the periodic job (run at once in the tests)
    db.session.expire_all()
    assert db.session.get(Registration, late.id).status == Status.CANCELLED
    assert db.session.get(Registration, seated.id).status == Status.CONFIRMED
    assert db.session.get(Registration, waiting.id).status == Status.WAITLISTED
    assert len(smtp_inbox.messages) == sent  # nobody is e-mailed

    # Its old link says so; the address may register again.
    response = client.post(f"/r/{late.manage_token}/confirm")
    assert db.session.get(Registration, late.id).status == Status.CANCELLED
    sign_up(client, event, "late@example.org")
    again = registration_of("late@example.org")
    assert again.id != late.id and again.awaiting_email
    assert response.status_code == 302


def test_a_link_followed_after_its_deadline_does_not_confirm(client, app):
    event = factories.event(confirm_email=True)
    sign_up(client, event, "slow@example.org")
    reg = registration_of("slow@example.org")
    reg.email_confirm_by = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"/r/{reg.manage_token}/confirm")
    assert "This confirmation link has expired" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.status == Status.CANCELLED


def test_organiser_creates_are_never_held_for_confirmation(client, app, organiser_token):
    event = factories.event(confirm_email=True)
    response = client.post(f"/api/v1/events/{event.id}/registrations",
                           headers=bearer(organiser_token),
                           json={"name": "Imported", "email": "imported@example.org",
                                 "category": "guest", "language": "en"})
    assert response.status_code == 201 and response.json["status"] == "confirmed"


def test_new_events_ask_for_confirmation_unless_the_organiser_switches_it_off(
        client, app, organiser_token, organiser_client):
    body = {"title": "Default Day", "starts_at": "2027-05-01T10:00:00+09:00",
            "ends_at": "2027-05-01T16:00:00+09:00", "capacity": 10}
    created = client.post("/api/v1/events", json=body, headers=bearer(organiser_token))
    assert created.status_code == 201 and created.json["confirm_email"] is True
    off = client.post("/api/v1/events", json=body | {"confirm_email": False},
                      headers=bearer(organiser_token))
    assert off.json["confirm_email"] is False
    assert db.session.get(Event, off.json["id"]).confirm_email is False
    form = organiser_client.get("/manage/events/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="confirm_email"|'
                     r'<input[^>]*name="confirm_email"[^>]*checked', form)
    bad = client.post("/api/v1/events", json=body | {"confirm_email": "yes"},
                      headers=bearer(organiser_token))
    assert bad.status_code == 422
    # A change of something else keeps the setting; PATCH switches it.
    url = f"/api/v1/events/{created.json['id']}"
    renamed = client.patch(url, json={"title": "Default Day, renamed"},
                           headers=bearer(organiser_token))
    assert renamed.status_code == 200 and renamed.json["confirm_email"] is True
    switched = client.patch(url, json={"confirm_email": False}, headers=bearer(organiser_token))
    assert switched.status_code == 200 and switched.json["confirm_email"] is False


@pytest.mark.parametrize("lang, words", [("en", "Awaiting e-mail confirmation"),
                                         ("ja", "メール確認待ち")])
def test_desk_and_door_show_a_sign_up_awaiting_its_confirmation(
        client, app, organiser_client, door_token, lang, words):
    event = factories.event(confirm_email=True)
    sign_up(client, event, "unsure@example.org", name="Unsure Person")
    reg = registration_of("unsure@example.org")
    desk = organiser_client.get(f"/manage/events/{event.id}/registrations?lang={lang}")
    assert words in desk.get_data(as_text=True)
    one = organiser_client.get(f"/manage/events/{event.id}/registrations/{reg.id}?lang={lang}")
    assert words in one.get_data(as_text=True)
    scan = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": reg.checkin_code},
                       headers=bearer(door_token))
    assert scan.status_code == 409
    assert (scan.json["result"], scan.json["reason"]) == ("not_admitted", "pending")
    assert db.session.execute(db.select(db.func.count()).select_from(OutboundEmail)).scalar_one()


def test_an_organiser_switches_confirmation_off_on_the_event_form(client, app, organiser_client):
    form = {"title": "Switch Seminar", "timezone": "Asia/Tokyo", "starts_at": "2027-05-01T10:00",
            "ends_at": "2027-05-01T16:00", "capacity": "40", "listed": "y",
            "confirm_email": "y"}
    assert organiser_client.post("/manage/events/new", data=form).status_code == 302
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.confirm_email is True
    sign_up(client, event, "held@example.org")
    assert registration_of("held@example.org").awaiting_email
    edit = organiser_client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="confirm_email"' in edit
    response = organiser_client.post(f"/manage/events/{event.id}/edit",
                                     data={k: v for k, v in form.items() if k != "confirm_email"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.confirm_email is False
    sign_up(client, event, "direct@example.org")
    assert registration_of("direct@example.org").status == Status.CONFIRMED
