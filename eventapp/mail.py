"""E-mail: written in the same transaction as what it reports, sent after the commit.

A message is a row in `outbound_emails` holding the whole MIME text. After the
request commits, `send_queued()` claims rows with a conditional UPDATE (so two
processes never send the same message) and hands them to SMTP, or, without
MAIL_SERVER, writes them as .eml files to instance/outbox/. Failures are logged,
kept on the row for organisers to see, and retried with a growing delay.
"""

import logging
import smtplib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from .database import begin_write, utcnow
from .extensions import db
from .models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BATCH = 200
STALE_SENDING = timedelta(minutes=10)


# Composers turn a queued row into (template, context, inline images) when it is first
# sent; features register theirs at import (see registration.emails).
Composer = Callable[[OutboundEmail], tuple[str, dict, dict[str, bytes]]]
COMPOSERS: dict[str, Composer] = {}


def composer(name: str):
    def register(fn: Composer) -> Composer:
        COMPOSERS[name] = fn
        return fn

    return register


def queue_email(kind: str, recipient: str, composer_name: str, *, language: str = "en",
                event_id: int | None = None, registration_id: int | None = None
                ) -> OutboundEmail:
    """Records a message to send after the commit. Rendering (templates, QR images) is
    left to the sender, off the request's path; the text is kept once composed, so a
    retry sends the very same message."""
    row = OutboundEmail(kind=kind, recipient=recipient, subject="", mime=None,
                        composer=composer_name, language=language, event_id=event_id,
                        registration_id=registration_id)
    db.session.add(row)
    return row


def render_message(recipient: str, template: str, language: str, context: dict,
                   inline_images: dict[str, bytes]) -> tuple[str, str]:
    """templates/email/<template>.{subject.txt,txt,html} in the recipient's language;
    `inline_images` maps a name to PNG bytes, referred to in HTML as cid:{{ cids[name] }}."""
    cids = {name: make_msgid(domain="eventapp.local")[1:-1] for name in inline_images}
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", cids=cids, **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain="eventapp.local")
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    html_part = message.get_payload()[1]
    for name, data in inline_images.items():
        html_part.add_related(data, "image", "png", cid=f"<{cids[name]}>",
                              filename=f"{name}.png")
    return subject, message.as_string()


def _compose(row: OutboundEmail) -> tuple[str, str]:
    """(subject, MIME text): as stored, or composed now from the current data."""
    if row.mime is not None:
        return row.subject, row.mime
    template, context, images = COMPOSERS[row.composer](row)
    return render_message(row.recipient, template, row.language, context, images)


def _deliver(app, mime: str, recipient: str, email_id: int) -> None:
    cfg = app.config
    if not cfg.get("MAIL_SERVER"):
        outbox = Path(cfg["OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{utcnow():%Y%m%dT%H%M%S}-{email_id}.eml").write_text(mime, "utf-8")
        return
    smtp_class = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=20) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        sender = cfg["MAIL_FROM"]
        wire = mime.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
        smtp.sendmail(parseaddr(sender)[1], [recipient], wire)


def _claim(email_id: int) -> OutboundEmail | None:
    """Marks one message as being sent, unless another process got it first."""
    now = utcnow()
    begin_write()
    result = db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id == email_id,
               db.or_(OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED]),
                      db.and_(OutboundEmail.status == EmailStatus.SENDING,
                              OutboundEmail.next_attempt_at < now - STALE_SENDING)))
        .values(status=EmailStatus.SENDING, next_attempt_at=now,
                attempts=OutboundEmail.attempts + 1))
    row = db.session.get(OutboundEmail, email_id) if result.rowcount == 1 else None
    db.session.commit()
    return row


def _record(row: OutboundEmail, composed: tuple[str, str] | None,
            error: Exception | None) -> None:
    begin_write()
    if composed is not None:
        row.subject, row.mime = composed
    if error is None:
        row.status, row.sent_at, row.last_error = EmailStatus.SENT, utcnow(), ""
    else:
        log.warning("E-mail %s to %s failed: %s", row.id, row.recipient, error)
        row.status = EmailStatus.FAILED
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.next_attempt_at = utcnow() + timedelta(minutes=2 ** row.attempts)
    db.session.commit()


def _send_due(app) -> int:
    """Sends every message that is due; returns how many went out."""
    sent = 0
    with app.app_context():
        while True:
            due = db.session.execute(
                db.select(OutboundEmail.id).where(
                    OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED]),
                    OutboundEmail.next_attempt_at <= utcnow(),
                    OutboundEmail.attempts < MAX_ATTEMPTS)
                .order_by(OutboundEmail.id).limit(BATCH)).scalars().all()
            db.session.commit()
            if not due:
                break
            for email_id in due:
                sent += _send_one(app, email_id)
        db.session.remove()
    return sent


def _send_one(app, email_id: int) -> int:
    row = _claim(email_id)
    if row is None:
        return 0
    composed = None
    try:
        composed = _compose(row)
        _deliver(app, composed[1], row.recipient, email_id)
    except (OSError, smtplib.SMTPException) as e:
        _record(row, composed, e)
        return 0
    _record(row, composed, None)
    return 1


def send_queued() -> None:
    """Call after the request's commit. In the background by default, so a slow mail
    server never holds up the person at the form or the door."""
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SEND_ASYNC", True):
        _send_due(app)
        return
    executor = app.extensions.setdefault("mail_executor",
                                         ThreadPoolExecutor(1, thread_name_prefix="mail"))
    executor.submit(_send_due, app)


def retry_now(email: OutboundEmail) -> None:
    """An organiser's "resend": try again at once, with a fresh attempt budget."""
    email.status, email.attempts, email.next_attempt_at = EmailStatus.QUEUED, 0, utcnow()


def send_due_now() -> int:
    return _send_due(current_app._get_current_object())
