"""E-mail through a real SMTP server (aiosmtpd) on this machine."""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from eventapp.extensions import db
from eventapp.models import OutboundEmail, Registration
from tests.mailbox import wait_until_sent


def test_confirmation_arrives_over_smtp_with_the_ticket_link_and_qr(smtp_inbox, client, app):
    from tests import factories

    event = factories.event(title="Water Seminar")
    response = client.post(f"/e/{event.slug}/register/guest", data={
        "name": "山田 花子", "name_kana": "やまだ はなこ", "email": "hanako@example.jp",
        "language": "ja", "country": "JP", "consent_privacy": "y"})
    assert response.status_code == 302
    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["hanako@example.jp"]
    assert message["From"] == "Seminar Office <office@itpo.example>"
    assert "Water Seminar" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "山田 花子" in text
    reg = db.session.execute(db.select(Registration)).scalar_one()
    assert re.search(rf"http://localhost/r/{reg.manage_token}/ticket", text)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'src="cid:' in html
    png = next(p for p in message.walk() if p.get_content_type() == "image/png").get_content()
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text == reg.checkin_code
    row = db.session.execute(db.select(OutboundEmail)).scalar_one()
    assert row.status == "sent" and row.attempts == 1


@pytest.fixture
def background_mail(app_config, tmp_path):
    """Jobs on a real queue (a SQLite file), run by the consumer thread that the app's
    first request starts, as in the default setup."""
    app_config.update(JOBS_IMMEDIATE=False, JOBS_URL=f"sqlite:///{tmp_path / 'jobs.db'}")


@pytest.fixture
def consumer_stopped_after(app):
    yield
    app.extensions["jobs"].stop_consumer()


def test_a_rush_of_sign_ups_gets_every_confirmation_once_from_the_background_sender(
        smtp_inbox, background_mail, app, consumer_stopped_after, organiser_token):
    """Commits enqueue a send run unless one is waiting to start, which will see their
    rows. Whatever the interleaving, each person gets exactly one message, in a first
    rush and in a second one after the consumer went idle."""
    import threading

    from tests import factories
    from tests.conftest import bearer

    # A slow mail server: sign-ups keep arriving while a run is sending.
    smtp_inbox.delay = 0.01
    event = factories.event(capacity=1000)
    url = f"/api/v1/events/{event.id}/registrations"
    failures = []

    def sign_up(mine):
        client = app.test_client()
        with app.app_context():
            for address in mine:
                response = client.post(url, headers=bearer(organiser_token), json={
                    "name": "Rush Guest", "email": address, "category": "guest",
                    "language": "en"})
                if response.status_code != 201:
                    failures.append(response.get_data(as_text=True))

    def rush(emails):
        threads = [threading.Thread(target=sign_up, args=(emails[i::6],)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        wait_until_sent(app)

    first = [f"rush{n}@example.org" for n in range(36)]
    second = [f"later{n}@example.org" for n in range(12)]
    for emails, so_far in ((first, first), (second, first + second)):
        rush(emails)
        received = sorted(address for recipients, _message in smtp_inbox.messages
                          for address in recipients)
        assert received == sorted(so_far)
    db.session.rollback()
    rows = db.session.execute(db.select(OutboundEmail)).scalars().all()
    assert len(rows) == 48 and {(row.status, row.attempts) for row in rows} == {("sent", 1)}


@pytest.mark.parametrize("name, value", [
    ("To", "hanako@example.jp"),
    ("Message-ID", "<177712345678.123.456789@eventapp.local>"),
    ("Subject", "x" * 69),  # "Subject: " + 69 = 78: the longest line left as it is
    ("Subject", "x" * 70),
    ("Subject", "Your ticket for the Water Seminar: Technology Transfer in Sanitation 2027"),
    ("Subject", "  spaces around  "),
    ("Subject", "a\ttab"),
    ("Subject", "浄水セミナー 参加登録のご確認"),
    ("From", "=?utf-8?q?=E6=B5=84?= <office@example.jp>"),
])
def test_headers_come_out_as_the_email_packages_own_folding_writes_them(name, value):
    """render_message writes headers with mail._HEADERS, which skips the email
    package's Header objects for a line that needs no folding or encoding."""
    from email.policy import compat32

    from eventapp.mail import _HEADERS

    assert _HEADERS.fold(name, value) == compat32.clone(max_line_length=78).fold(name, value)


def test_a_long_japanese_subject_is_encoded_and_folded(client):
    from email import message_from_string, policy

    from tests import factories

    title = "開発途上国向け浄水技術・衛生技術移転セミナーとネットワーキング交流会"
    event = factories.event(title="Water Seminar", translations={"ja": {"title": title}})
    client.post(f"/e/{event.slug}/register/guest", data={
        "name": "山田 花子", "email": "hanako@example.jp", "language": "ja", "country": "JP",
        "consent_privacy": "y"})
    row = db.session.execute(db.select(OutboundEmail)).scalar_one()
    head = row.mime.split("\n\n", 1)[0]
    assert all(len(line) <= 78 and line.isascii() for line in head.splitlines())
    message = message_from_string(row.mime, policy=policy.default)
    assert title in message["Subject"]
    assert message["To"] == "hanako@example.jp"
