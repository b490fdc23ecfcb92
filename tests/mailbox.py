"""Reading the messages the app sent: .eml files in the outbox folder, or what a real
SMTP server on this machine received."""

import asyncio
import email
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from bench.common import free_port
from eventapp.extensions import db
from eventapp.models import EmailStatus, OutboundEmail


def outbox_messages(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["OUTBOX_DIR"])
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))]


def messages_to(app, address: str) -> list[email.message.EmailMessage]:
    return [m for m in outbox_messages(app) if m["To"] == address]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def inline_png(message) -> bytes | None:
    for part in message.walk():
        if part.get_content_type() == "image/png":
            return part.get_content()
    return None


def wait_until_sent(app, timeout: float = 60) -> None:
    """Waits for the background jobs: no job left in the queue and no message queued or
    being sent (call it in the app context of the test)."""
    huey = app.extensions["jobs"].huey
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()  # a fresh look at what the consumer committed
        unsent = db.session.execute(
            db.select(db.func.count()).select_from(OutboundEmail)
            .where(OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.SENDING]))
        ).scalar_one()
        if unsent == 0 and huey.pending_count() == 0:
            return
        assert time.monotonic() < deadline, f"{unsent} messages still unsent"
        time.sleep(0.05)


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1:port that keeps what it accepts. It can
    be started late (the mail server was down) and can hold the exchange for chosen
    recipients at RCPT TO, before any of the message is sent, until release()."""

    def __init__(self, port: int, delay: float = 0.0):
        self.port, self.delay = port, delay
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.hold: set[str] = set()
        self.holding = threading.Event()  # a held exchange is waiting
        self._released = threading.Event()
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def release(self) -> None:
        self._released.set()

    def to(self, address: str) -> list:
        return [m for rcpts, m in list(self.messages) if address in rcpts]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.hold:
            self.holding.set()
            while not self._released.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


# -- a real SMTP server for in-process tests (a fixture, see conftest.pytest_plugins) --

class Inbox:
    def __init__(self):
        self.messages = []
        self.delay = 0.0  # seconds a message takes to accept, like a slow mail server

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.messages.append((envelope.rcpt_tos,
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_inbox(app_config):
    """A real SMTP server on this machine that the test app sends to; its messages."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_FROM="Seminar Office <office@itpo.example>")
    yield inbox
    controller.stop()
