"""The organiser's registration desk: list, filters, actions, bulk actions, e-mail problems."""

import socket
from pathlib import Path

import pytest

from eventapp.extensions import db
from eventapp.models import EmailStatus, OutboundEmail, Registration, Status
from tests import factories


def desk_url(event, suffix=""):
    return f"/manage/events/{event.id}/registrations{suffix}"


def fresh(reg) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, reg.id)


def outbox(app) -> list[str]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [p.read_text("utf-8") for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def emails_to(app, address) -> list[str]:
    return [m for m in outbox(app) if f"To: {address}" in m]


def table(response) -> str:
    """The list's rows only (flash messages above it name people too)."""
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- access -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "/1", "/emails/failed", "/import"])
def test_anonymous_visitors_go_to_the_login_page(client, path):
    event = factories.event()
    factories.registration(event)
    response = client.get(desk_url(event, path))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("method,path", [("get", ""), ("get", "/import"),
                                         ("post", "/1/cancel"), ("post", "/bulk"),
                                         ("get", "/emails/failed")])
def test_door_staff_are_not_allowed(door_client, method, path):
    event = factories.event()
    reg = factories.registration(event)
    response = getattr(door_client, method)(desk_url(event, path))
    assert response.status_code == 403
    assert fresh(reg).status == Status.CONFIRMED


def test_unknown_or_foreign_registrations_are_404(organiser_client):
    event, other = factories.event(), factories.event(title="Other")
    foreign = factories.registration(other)
    assert organiser_client.get(desk_url(event, "/999")).status_code == 404
    assert organiser_client.get(desk_url(event, f"/{foreign.id}")).status_code == 404
    response = organiser_client.post(desk_url(event, f"/{foreign.id}/cancel"))
    assert response.status_code == 404
    assert fresh(foreign).status == Status.CONFIRMED
    reg = factories.registration(event)
    assert organiser_client.post(desk_url(event, f"/{reg.id}/explode")).status_code == 404
    assert organiser_client.get("/manage/events/999/registrations").status_code == 404


# -- the list ---------------------------------------------------------------------------

def test_list_shows_counts_people_and_waitlist_positions(organiser_client):
    event = factories.event(capacity=2)
    factories.registration(event, name="山田 太郎", name_kana="やまだ たろう",
                           organisation="Aqua Tech", country="KE")
    factories.registration(event, status=Status.CONFIRMED)
    first = factories.registration(event, status=Status.WAITLISTED, name="Wait One")
    factories.registration(event, status=Status.WAITLISTED, name="Wait Two")
    factories.registration(event, status=Status.PENDING)
    factories.registration(event, status=Status.CANCELLED)
    page = organiser_client.get(desk_url(event)).get_data(as_text=True)
    assert "2 / 2" in page
    assert "山田 太郎" in page and "やまだ たろう" in page and "Kenya" in page
    assert 'class="table-wrap' in page and "badge badge-waitlisted" in page
    assert "#1 on the waitlist" in page and "#2 on the waitlist" in page
    waitlisted = organiser_client.get(desk_url(event, "?status=waitlisted")).get_data(
        as_text=True)
    assert waitlisted.index("Wait One") < waitlisted.index("Wait Two")
    assert f'value="{first.id}"' in waitlisted


def test_search_by_kana_and_filters(organiser_client):
    event = factories.event()
    factories.registration(event, name="山田 太郎", name_kana="やまだ たろう", country="JP")
    factories.registration(event, name="Amina Otieno", category="embassy", country="KE",
                           organisation="Embassy of Kenya")
    checked = factories.registration(event, name="Checked Person", country="TZ")
    checked.checked_in_at = checked.created_at
    db.session.commit()

    def names(query):
        page = table(organiser_client.get(desk_url(event, query)))
        return {n for n in ("山田 太郎", "Amina Otieno", "Checked Person") if n in page}

    assert names("?q=やまだ") == {"山田 太郎"}
    assert names("?q=embassy") == {"Amina Otieno"}
    assert names("?category=embassy") == {"Amina Otieno"}
    assert names("?country=ke") == {"Amina Otieno"}
    assert names("?checked_in=yes") == {"Checked Person"}
    assert names("?checked_in=no") == {"山田 太郎", "Amina Otieno"}
    assert names("?status=cancelled") == set()
    assert names("?status=nonsense&page=x") == {"山田 太郎", "Amina Otieno", "Checked Person"}


def test_the_list_is_paginated(organiser_client):
    event = factories.event(capacity=500)
    for n in range(105):
        factories.registration(event, name=f"Person {n:03d}", email=f"p{n}@example.org")
    first = organiser_client.get(desk_url(event)).get_data(as_text=True)
    assert "Showing 1–100 of 105" in first and "Person 000" in first
    assert "Person 104" not in first
    second = organiser_client.get(desk_url(event, "?page=2")).get_data(as_text=True)
    assert "Showing 101–105 of 105" in second and "Person 104" in second


# -- actions ----------------------------------------------------------------------------

def test_approve_reject_and_promote_change_the_status_on_the_list(organiser_client):
    event = factories.event(capacity=5)
    pending = factories.registration(event, status=Status.PENDING, name="Pending Person")
    other = factories.registration(event, status=Status.PENDING, name="Rejected Person")
    waiting = factories.registration(event, status=Status.WAITLISTED, name="Waiting Person")
    back = desk_url(event, "?status=pending&q=person")
    response = organiser_client.post(desk_url(event, f"/{pending.id}/approve"),
                                     data={"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    organiser_client.post(desk_url(event, f"/{other.id}/reject"))
    organiser_client.post(desk_url(event, f"/{waiting.id}/promote"))
    confirmed = table(organiser_client.get(desk_url(event, "?status=confirmed")))
    assert "Pending Person" in confirmed and "Waiting Person" in confirmed
    assert "Rejected Person" not in confirmed
    assert fresh(other).status == Status.REJECTED


def test_next_never_leaves_the_site(organiser_client):
    event = factories.event()
    reg = factories.registration(event, status=Status.PENDING)
    response = organiser_client.post(desk_url(event, f"/{reg.id}/approve"),
                                     data={"next": "https://evil.example/"})
    assert response.headers["Location"] == desk_url(event)


def test_approve_when_full_waitlists(organiser_client):
    event = factories.event(capacity=1)
    factories.registration(event)
    pending = factories.registration(event, status=Status.PENDING)
    response = organiser_client.post(desk_url(event, f"/{pending.id}/approve"),
                                     follow_redirects=True)
    assert "The event is full" in response.get_data(as_text=True)
    assert fresh(pending).status == Status.WAITLISTED


def test_promote_when_full_says_why(organiser_client):
    event = factories.event(capacity=1)
    factories.registration(event)
    waiting = factories.registration(event, status=Status.WAITLISTED)
    response = organiser_client.post(desk_url(event, f"/{waiting.id}/promote"),
                                     follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The event is full: raise the capacity or wait for a cancellation." in page
    assert fresh(waiting).status == Status.WAITLISTED


def test_cancelling_a_confirmed_registration_promotes_the_first_waitlisted(
        organiser_client, app):
    event = factories.event(capacity=1)
    seated = factories.registration(event, name="Seated Person")
    first = factories.registration(event, status=Status.WAITLISTED, name="First Waiting",
                                   email="first@example.org")
    second = factories.registration(event, status=Status.WAITLISTED, name="Second Waiting")
    response = organiser_client.post(desk_url(event, f"/{seated.id}/cancel"),
                                     follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Seated Person is cancelled." in page and "First Waiting" in page
    assert fresh(seated).status == Status.CANCELLED
    assert fresh(first).status == Status.CONFIRMED
    assert fresh(second).status == Status.WAITLISTED
    assert emails_to(app, "first@example.org")
    listed = table(organiser_client.get(desk_url(event, "?status=confirmed")))
    assert "First Waiting" in listed and "Seated Person" not in listed


def test_cancelling_twice_is_told_not_crashed(organiser_client):
    event = factories.event()
    reg = factories.registration(event, status=Status.CANCELLED, name="Gone Person")
    response = organiser_client.post(desk_url(event, f"/{reg.id}/cancel"),
                                     follow_redirects=True)
    assert response.status_code == 200
    assert "Gone Person is already cancelled" in response.get_data(as_text=True)


def test_reissue_makes_a_new_code_and_resend_writes_an_email(organiser_client, app):
    event = factories.event()
    reg = factories.registration(event, email="ticket@example.org")
    old_code = reg.checkin_code
    organiser_client.post(desk_url(event, f"/{reg.id}/reissue"))
    new_code = fresh(reg).checkin_code
    assert new_code != old_code and len(new_code) >= 26
    assert len(emails_to(app, "ticket@example.org")) == 1
    organiser_client.post(desk_url(event, f"/{reg.id}/resend"))
    assert len(emails_to(app, "ticket@example.org")) == 2
    cancelled = factories.registration(event, status=Status.CANCELLED)
    response = organiser_client.post(desk_url(event, f"/{cancelled.id}/reissue"),
                                     follow_redirects=True)
    assert "there is no ticket to send" in response.get_data(as_text=True)


def test_organiser_edits_details_and_notes(organiser_client):
    event = factories.event()
    reg = factories.registration(event, name="Old Name")
    page = organiser_client.get(desk_url(event, f"/{reg.id}")).get_data(as_text=True)
    assert "Old Name" in page and "Notes (organisers only)" in page
    response = organiser_client.post(desk_url(event, f"/{reg.id}"), data={
        "name": "新しい 名前", "name_kana": "あたらしい なまえ", "organisation": "New Org",
        "country": "JP", "language": "ja", "notes": "VIP, seat in front"})
    assert response.status_code == 302
    saved = fresh(reg)
    assert (saved.name, saved.name_kana, saved.notes) == ("新しい 名前", "あたらしい なまえ",
                                                          "VIP, seat in front")
    response = organiser_client.post(desk_url(event, f"/{reg.id}"), data={
        "name": "", "country": "XX", "language": "en"})
    assert response.status_code == 422
    assert fresh(reg).name == "新しい 名前"


# -- bulk -------------------------------------------------------------------------------

def test_bulk_approve_reports_the_skipped_rows(organiser_client):
    event = factories.event(capacity=10)
    pending = [factories.registration(event, status=Status.PENDING) for _ in range(3)]
    gone = factories.registration(event, status=Status.CANCELLED, name="Gone Person")
    response = organiser_client.post(desk_url(event, "/bulk"), data={
        "action": "approve", "ids": [r.id for r in pending] + [gone.id]},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "3 approved; 1 skipped: already cancelled (Gone Person)." in page
    assert all(fresh(r).status == Status.CONFIRMED for r in pending)
    assert fresh(gone).status == Status.CANCELLED


def test_bulk_cancel_and_resend(organiser_client, app):
    event = factories.event(capacity=2)
    a = factories.registration(event, email="a@example.org")
    b = factories.registration(event, email="b@example.org")
    waiting = factories.registration(event, status=Status.WAITLISTED, email="w@example.org")
    response = organiser_client.post(desk_url(event, "/bulk"), data={
        "action": "cancel", "ids": [a.id]}, follow_redirects=True)
    assert "1 cancelled; 1 moved from the waitlist to confirmed." in response.get_data(
        as_text=True)
    assert fresh(waiting).status == Status.CONFIRMED
    response = organiser_client.post(desk_url(event, "/bulk"), data={
        "action": "resend", "ids": [a.id, b.id]}, follow_redirects=True)
    assert "1 ticket e-mail sent; 1 skipped: already cancelled" in response.get_data(
        as_text=True)
    assert len(emails_to(app, "b@example.org")) == 1


def test_bulk_without_selection_or_action_is_told(organiser_client):
    event = factories.event()
    reg = factories.registration(event)
    page = organiser_client.post(desk_url(event, "/bulk"), data={"action": "approve"},
                                 follow_redirects=True).get_data(as_text=True)
    assert "Tick at least one registration first." in page
    page = organiser_client.post(desk_url(event, "/bulk"), data={"action": "explode",
                                                                 "ids": [reg.id]},
                                 follow_redirects=True).get_data(as_text=True)
    assert "Choose what to do" in page
    assert fresh(reg).status == Status.CONFIRMED


# -- e-mail problems --------------------------------------------------------------------

def test_a_failed_email_is_shown_and_can_be_sent_again(organiser_client, app):
    event = factories.event()
    reg = factories.registration(event, email="bounce@example.org", name="Mail Person")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port())
    try:
        organiser_client.post(desk_url(event, f"/{reg.id}/resend"))
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    failed = db.session.execute(db.select(OutboundEmail)).scalar_one()
    assert failed.status == EmailStatus.FAILED and failed.last_error
    assert not emails_to(app, "bounce@example.org")

    listing = organiser_client.get(desk_url(event)).get_data(as_text=True)
    assert "1 e-mail for this event could not be sent." in listing
    page = organiser_client.get(desk_url(event, "/emails/failed")).get_data(as_text=True)
    assert "bounce@example.org" in page and failed.subject in page
    assert "ConnectionRefusedError" in page
    detail = organiser_client.get(desk_url(event, f"/{reg.id}")).get_data(as_text=True)
    assert "ConnectionRefusedError" in detail and "Send again" in detail

    response = organiser_client.post(desk_url(event, f"/emails/{failed.id}/retry"),
                                     follow_redirects=True)
    assert "was sent" in response.get_data(as_text=True)
    assert len(emails_to(app, "bounce@example.org")) == 1
    db.session.expire_all()
    assert db.session.get(OutboundEmail, failed.id).status == EmailStatus.SENT
    assert "could not be sent" not in organiser_client.get(desk_url(event)).get_data(
        as_text=True)


def test_retry_all_failed_emails(organiser_client, app):
    event = factories.event()
    regs = [factories.registration(event) for _ in range(2)]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port())
    try:
        organiser_client.post(desk_url(event, "/bulk"), data={
            "action": "resend", "ids": [r.id for r in regs]})
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert "2 e-mails for this event could not be sent." in organiser_client.get(
        desk_url(event)).get_data(as_text=True)
    response = organiser_client.post(desk_url(event, "/emails/failed/retry"),
                                     follow_redirects=True)
    assert "2 e-mails sent again." in response.get_data(as_text=True)
    assert len(outbox(app)) == 2


def test_an_email_of_another_event_cannot_be_retried_here(organiser_client):
    event, other = factories.event(), factories.event(title="Other")
    email = OutboundEmail(event_id=other.id, kind="reminder", composer="registration",
                          recipient="x@example.org", subject="Hi", mime="",
                          status=EmailStatus.FAILED)
    db.session.add(email)
    db.session.commit()
    assert organiser_client.post(desk_url(event, f"/emails/{email.id}/retry")).status_code \
        == 404
