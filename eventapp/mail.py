"""E-mail: written in the same transaction as what it reports, sent after the commit.

A message is a row in `outbound_emails` holding the whole MIME text. After the
request commits, `send_queued()` claims rows with a conditional UPDATE (so two
processes never send the same message) and hands them to SMTP, or, without
MAIL_SERVER, writes them as .eml files to instance/outbox/. Failures are logged,
kept on the row for organisers to see, and retried with a growing delay.
"""

import logging
import smtplib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from .database import begin_write, utcnow
from .extensions import db
from .models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BATCH = 200
# Messages claimed and recorded per transaction: a crash leaves at most this many
# "sending" until STALE_SENDING passes, when they are sent again.
CLAIM = 20
STALE_SENDING = timedelta(minutes=10)


# Composers turn a queued row into (template, context, inline images) when it is first
# sent; features register theirs at import (see registration.emails).
Composer = Callable[[OutboundEmail], tuple[str, dict, dict[str, bytes]]]
COMPOSERS: dict[str, Composer] = {}
# Optional per composer: loads what a whole batch of its messages needs in one query
# (instead of a few per message) and returns it, to be kept alive while they compose.
PREFETCHERS: dict[str, Callable[[list[OutboundEmail]], object]] = {}


def composer(name: str, prefetch: Callable[[list[OutboundEmail]], object] | None = None):
    def register(fn: Composer) -> Composer:
        COMPOSERS[name] = fn
        if prefetch is not None:
            PREFETCHERS[name] = prefetch
        return fn

    return register


_QUEUE = OutboundEmail.__table__.insert()


def queue_email(kind: str, recipient: str, composer_name: str, *, language: str = "en",
                event_id: int | None = None, registration_id: int | None = None) -> None:
    """Records a message to send after the commit, in the caller's transaction (one
    INSERT, no unit-of-work flush). Rendering (templates, QR images) is left to the
    sender, off the request's path; the text is kept once composed, so a retry sends
    the very same message."""
    db.session.connection().execute(_QUEUE, {
        "kind": kind, "recipient": recipient, "subject": "", "mime": None,
        "composer": composer_name, "language": language, "event_id": event_id,
        "registration_id": registration_id})


# Bodies are UTF-8 in quoted-printable: Japanese stays intact and lines stay short.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def render_message(recipient: str, template: str, language: str, context: dict,
                   inline_images: dict[str, bytes]) -> tuple[str, str]:
    """templates/email/<template>.{subject.txt,txt,html} in the recipient's language;
    `inline_images` maps a name to PNG bytes, referred to in HTML as cid:{{ cids[name] }}.

    Built with the email package's MIME classes: every confirmation pays for this, and
    they cost a third less than EmailMessage's header objects for the same message."""
    cids = {name: make_msgid(domain="eventapp.local")[1:-1] for name in inline_images}
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", cids=cids, **context)
    html_part = MIMEText(html, "html", _UTF8_QP)
    if inline_images:
        related = MIMEMultipart("related")
        related.attach(html_part)
        for name, data in inline_images.items():
            image = MIMEImage(data, "png")
            image["Content-ID"] = f"<{cids[name]}>"
            image.add_header("Content-Disposition", "inline", filename=f"{name}.png")
            related.attach(image)
        html_part = related
    message = MIMEMultipart("alternative", _subparts=[MIMEText(text, "plain", _UTF8_QP),
                                                       html_part])
    message["Subject"] = Header(subject, "utf-8")
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    message["From"] = formataddr((name, address), "utf-8")
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="eventapp.local")
    return subject, message.as_string(maxheaderlen=78)


def _compose(row: OutboundEmail) -> tuple[str, str]:
    """(subject, MIME text): as stored, or composed now from the current data."""
    if row.mime is not None:
        return row.subject, row.mime
    template, context, images = COMPOSERS[row.composer](row)
    return render_message(row.recipient, template, row.language, context, images)


class _Transport:
    """Delivers composed messages: one SMTP connection for a whole batch (opened at
    the first message, reopened after a failure), or .eml files without MAIL_SERVER."""

    def __init__(self, config):
        self.cfg, self.smtp = config, None

    def deliver(self, mime: str, recipient: str, email_id: int) -> None:
        cfg = self.cfg
        if not cfg.get("MAIL_SERVER"):
            outbox = Path(cfg["OUTBOX_DIR"])
            outbox.mkdir(parents=True, exist_ok=True)
            (outbox / f"{utcnow():%Y%m%dT%H%M%S}-{email_id}.eml").write_text(mime, "utf-8")
            return
        wire = mime.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.sendmail(parseaddr(cfg["MAIL_FROM"])[1], [recipient], wire)
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        smtp_class = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
        smtp = smtp_class(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=20)
        try:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _claim(email_ids: list[int]) -> list[OutboundEmail]:
    """Marks messages as being sent, except those another process got first: one
    conditional UPDATE that returns the rows it changed."""
    now = utcnow()
    begin_write()
    rows = list(db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id.in_(email_ids),
               db.or_(OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED]),
                      db.and_(OutboundEmail.status == EmailStatus.SENDING,
                              OutboundEmail.next_attempt_at < now - STALE_SENDING)))
        .values(status=EmailStatus.SENDING, next_attempt_at=now,
                attempts=OutboundEmail.attempts + 1)
        .returning(OutboundEmail)
        .execution_options(synchronize_session=False)).scalars())
    db.session.commit()
    return sorted(rows, key=lambda row: row.id)


_RECORD = (OutboundEmail.__table__.update()
           .where(OutboundEmail.__table__.c.id == db.bindparam("email_id")))


def _record(results: list[tuple[OutboundEmail, tuple[str, str] | None, Exception | None]]
            ) -> None:
    """Writes what happened to a batch of messages, in one transaction. A message
    deleted meanwhile (its attendee erased their data) is simply not there to update."""
    if not results:
        return
    now = utcnow()
    values = []
    for row, composed, error in results:
        subject, mime = composed if composed is not None else (row.subject, row.mime)
        if error is None:
            status, last_error, next_attempt_at = EmailStatus.SENT, "", row.next_attempt_at
        else:
            log.warning("E-mail %s to %s failed: %s", row.id, row.recipient, error)
            status, last_error = EmailStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
            next_attempt_at = now + timedelta(minutes=2 ** row.attempts)
        values.append({"email_id": row.id, "subject": subject, "mime": mime,
                       "status": status, "last_error": last_error,
                       "sent_at": now if error is None else None,
                       "next_attempt_at": next_attempt_at})
    begin_write()
    db.session.connection().execute(_RECORD, values)
    db.session.commit()


def _send_due(app) -> int:
    """Sends every message that is due, in claimed batches; returns how many went out."""
    sent = 0
    # Links in messages always start with BASE_URL, never with the Host header of the
    # request that happened to trigger the sending; one request context serves the
    # whole run, so building them costs no context per link. The app context comes
    # first so the sender has a database session of its own, also inside a request.
    with app.app_context(), app.test_request_context(base_url=app.config["BASE_URL"]):
        transport = _Transport(app.config)
        try:
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
                for start in range(0, len(due), CLAIM):
                    sent += _send_batch(transport, due[start:start + CLAIM])
        finally:
            transport.close()
            db.session.remove()
    return sent


def _prefetch(rows: list[OutboundEmail]) -> list:
    kept = []
    for name, prefetch in PREFETCHERS.items():
        todo = [row for row in rows if row.mime is None and row.composer == name]
        if todo:
            kept.append(prefetch(todo))
    return kept


def _send_batch(transport: _Transport, email_ids: list[int]) -> int:
    results = []
    claimed = _claim(email_ids)
    prefetched = _prefetch(claimed)  # noqa: F841 (held while the batch composes)
    for row in claimed:
        composed = error = None
        try:
            composed = _compose(row)
            transport.deliver(composed[1], row.recipient, row.id)
        except (OSError, smtplib.SMTPException) as e:
            error = e
        except Exception as e:  # a message that cannot be composed must not hold up the rest
            log.exception("E-mail %s could not be composed", row.id)
            error = e
        results.append((row, composed, error))
    _record(results)
    return sum(1 for _row, _composed, error in results if error is None)


class _Sender:
    """An app's background sender: one thread, and at most one run waiting for it.
    A request that asks for a run while one is waiting to start needs no run of its
    own: that run looks for due messages when it starts, after this request's commit.
    Under a rush of sign-ups, one run then sends many messages instead of each request
    queueing a run that finds nothing left to do."""

    def __init__(self):
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="mail")
        self.lock = threading.Lock()
        self.waiting = False

    def request_run(self, app) -> None:
        with self.lock:
            if self.waiting:
                return
            self.waiting = True
        try:
            self.executor.submit(self._run, app)
        except RuntimeError:  # the process is shutting down: the next start sends them
            with self.lock:
                self.waiting = False

    def _run(self, app) -> None:
        with self.lock:
            self.waiting = False
        try:
            _send_due(app)
        except Exception:  # e.g. the database is unreachable: the messages stay queued
            log.exception("Sending queued e-mail failed; it is retried with the next run")


def send_queued() -> None:
    """Call after the request's commit. In the background by default, so a slow mail
    server never holds up the person at the form or the door."""
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SEND_ASYNC", True):
        _send_due(app)
        return
    sender = app.extensions.get("mail_sender")
    if sender is None:
        sender = app.extensions.setdefault("mail_sender", _Sender())
    sender.request_run(app)


def retry_now(email: OutboundEmail) -> None:
    """An organiser's "resend": try again at once, with a fresh attempt budget."""
    email.status, email.attempts, email.next_attempt_at = EmailStatus.QUEUED, 0, utcnow()


def send_due_now() -> int:
    return _send_due(current_app._get_current_object())
