"""E-mail through a real SMTP server (aiosmtpd) on this machine."""

import email
import io
import re
import socket
from email import policy

import pytest
import zxingcpp
from aiosmtpd.controller import Controller
from PIL import Image

from eventapp.extensions import db
from eventapp.models import OutboundEmail, Registration


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos,
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_inbox(app_config):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_FROM="Seminar Office <office@itpo.example>")
    yield inbox
    controller.stop()


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
