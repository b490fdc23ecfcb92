"""Reading the messages the app sent: .eml files in the outbox folder."""

import email
import time
from email import policy
from pathlib import Path

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
