"""Messages on real app servers: gunicorn (2 sync workers, jobs in the process beside
them) and a real SMTP server (aiosmtpd), on SQLite and PostgreSQL. A scheduled message
goes out at its time with no request arriving; an automatic reminder skips those who
opted out, while their ticket still reaches them."""

import re
import time
from datetime import UTC, datetime, timedelta

import requests

from bench.common import free_port
from tests import factories
from tests.mailbox import SmtpServer
from tests.servers import Gunicorn, csrf_session, prepare, serving
from tests.test_jobs_servers import mail_config, wait_for

SUBJECT = {"en": "For {name}", "ja": "{name}様へ"}
BODY = {"en": "Your ticket: {ticket_url}", "ja": "チケット：{ticket_url}"}


def build() -> dict:
    from eventapp.database import utcnow

    event = factories.event(title="Embassy Briefing", capacity=100, networking=False)
    organiser = factories.staff("org@messages.example", "organiser")
    people = {
        "en": factories.registration(event, "embassy", name="Amina Otieno",
                                     email="amina@embassy.example", language="en"),
        "ja": factories.registration(event, "embassy", name="山本 一郎",
                                     email="yamamoto@embassy.example", language="ja"),
        "came": factories.registration(event, "embassy", email="came@embassy.example",
                                       checked_in_at=utcnow()),
        "company": factories.registration(event, "company", email="firm@company.example"),
    }
    return {"event_id": event.id, "slug": event.slug, "token": factories.token(organiser),
            "links": {k: p.manage_token for k, p in people.items()}}


def post_message(server, info, **fields):
    response = requests.post(
        f"{server.url}/api/v1/events/{info['event_id']}/messages",
        headers={"Authorization": f"Bearer {info['token']}"},
        json={"subject": SUBJECT, "body": BODY} | fields, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_message_to_embassy_officials_not_checked_in_reaches_exactly_them(database):
    smtp = SmtpServer(free_port()).start()
    try:
        instance, info = prepare(database, build, mail_config(smtp.port))
        with serving(Gunicorn(database, instance)) as (server,):
            answer = post_message(server, info,
                                  to={"category": ["embassy"], "checked_in": False})
            assert answer["recipients"] == 2 and answer["status"] == "queued"
            wait_for(lambda: len(smtp.messages) >= 2, 60, "both messages", server)
            time.sleep(1)  # nobody else gets one
            got = {rcpts[0]: m for rcpts, m in smtp.messages}
            assert set(got) == {"amina@embassy.example", "yamamoto@embassy.example"}
            en, ja = got["amina@embassy.example"], got["yamamoto@embassy.example"]
            assert en["Subject"] == "For Amina Otieno" and ja["Subject"] == "山本 一郎様へ"
            assert f"/r/{info['links']['en']}/ticket" in text_of(en)
            assert f"/r/{info['links']['ja']}/ticket" in text_of(ja)
            assert "チケット" in text_of(ja) and "Your ticket" in text_of(en)
            state = lambda: requests.get(  # noqa: E731
                f"{server.url}/api/v1/events/{info['event_id']}/messages/{answer['id']}",
                headers={"Authorization": f"Bearer {info['token']}"}, timeout=30).json()
            wait_for(lambda: state()["status"] == "sent", 30, "the record", server)
            assert state()["sent"] == 2 and state()["failed"] == 0
    finally:
        smtp.stop()


def test_a_message_scheduled_30_s_ahead_arrives_with_no_request_made(database):
    smtp = SmtpServer(free_port()).start()
    try:
        instance, info = prepare(database, build, mail_config(smtp.port))
        with serving(Gunicorn(database, instance)) as (server,):
            send_at = datetime.now(UTC) + timedelta(seconds=30)
            answer = post_message(server, info, to={"category": ["company"]},
                                  send_at=send_at.isoformat())
            assert answer == {"id": answer["id"], "recipients": 1, "status": "scheduled"}
            wait_for(lambda: b"POST /api/v1/" in open(server.access_log, "rb").read(), 10,
                     "the request in the access log", server)
            answered = server.requests_served()
            time.sleep(20)
            assert smtp.messages == []  # not before its time
            wait_for(lambda: smtp.to("firm@company.example"), 90, "the scheduled message",
                     server)
            arrived = datetime.now(UTC)
            assert arrived >= send_at - timedelta(seconds=1)
            time.sleep(2)
            assert len(smtp.messages) == 1
            # Nothing but the server's own jobs got it there.
            assert server.requests_served() == answered
    finally:
        smtp.stop()


def _signed_in(server) -> requests.Session:
    session = csrf_session(server.url + "/login")
    response = session.post(server.url + "/login", data={
        "csrf_token": session.csrf, "email": "org@messages.example",
        "password": factories.PASSWORD}, timeout=60, allow_redirects=False)
    assert response.status_code == 302, response.text
    return session


def test_opting_out_stops_the_next_reminder_but_not_a_ticket(database):
    smtp = SmtpServer(free_port()).start()
    try:
        instance, info = prepare(database, build, mail_config(smtp.port))
        with serving(Gunicorn(database, instance)) as (server,):
            quiet = info["links"]["en"]
            # The mail client's one-click opt-out (List-Unsubscribe-Post).
            response = requests.post(f"{server.url}/r/{quiet}/messages/unsubscribe",
                                     data={"List-Unsubscribe": "One-Click"}, timeout=60)
            assert response.status_code == 200
            organiser = _signed_in(server)
            url = f"{server.url}/manage/events/{info['event_id']}/messages/automatic"
            page = organiser.get(url, timeout=60).text
            token = re.search(r'name="reminder-csrf_token" type="hidden" value="([^"]+)"',
                              page).group(1)
            # The event starts in ten days: a reminder ten days before is due now.
            response = organiser.post(url, data={
                "kind": "reminder", "reminder-csrf_token": token, "reminder-enabled": "y",
                "reminder-offset_days": "10", "reminder-subject": "See you soon",
                "reminder-subject_ja": "まもなく開催", "reminder-body": "Dear {name}: {ticket_url}",
                "reminder-body_ja": "{name}様"}, timeout=60, allow_redirects=False)
            assert response.status_code == 302, response.text
            wait_for(lambda: len(smtp.messages) >= 3, 90, "the reminders", server)
            time.sleep(2)
            reminded = sorted(r for rcpts, _m in smtp.messages for r in rcpts)
            assert reminded == ["came@embassy.example", "firm@company.example",
                                "yamamoto@embassy.example"]
            # Registering again resends the ticket: an essential message, it arrives.
            signup = csrf_session(f"{server.url}/e/{info['slug']}/register/embassy")
            response = signup.post(f"{server.url}/e/{info['slug']}/register/embassy", data={
                "csrf_token": signup.csrf, "name": "Amina Otieno",
                "email": "amina@embassy.example", "language": "en", "country": "KE",
                "consent_privacy": "y"}, timeout=60, allow_redirects=False)
            assert response.status_code == 302, response.text
            wait_for(lambda: smtp.to("amina@embassy.example"), 60, "the ticket", server)
            [ticket] = smtp.to("amina@embassy.example")
            assert "Embassy Briefing" in ticket["Subject"]
            assert "List-Unsubscribe" not in ticket
    finally:
        smtp.stop()
