"""Reading the messages the app sent: .eml files in the outbox folder."""

import email
from email import policy
from pathlib import Path


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
