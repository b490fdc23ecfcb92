"""E-mail: written in the same transaction as what it reports, sent after the commit.

A message is a row in `outbound_emails` holding the whole MIME text; that table is
the record of what must be sent. `queue_email()` adds a row and notes on the session
that the outbox changed; after the commit a background job (jobs.py) runs
`send_due()`, which claims due rows with a conditional UPDATE (so two processes never
send the same message) and hands them to SMTP, or, without MAIL_SERVER, writes them as
.eml files to instance/outbox/. Failures are logged, kept on the row for organisers to
see, and retried with a growing delay; a message left "sending" by a process that
died is sent again once MAIL_SENDING_TIMEOUT has passed.
"""

import logging
import secrets
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from flask_babel import force_locale

from .database import begin_write, utcnow
from .extensions import db
from .files import write_private
from .models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BATCH = 200
# Messages claimed and recorded per transaction: a crash leaves at most this many
# "sending" until MAIL_SENDING_TIMEOUT passes, when they are sent again.
CLAIM = 20
# Set in Session.info by whatever adds or requeues a message; the job library's
# after-commit hook (jobs.py) reads it, so views only commit.
OUTBOX_CHANGED = "eventapp.outbox_changed"


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
    queue_emails([{"kind": kind, "recipient": recipient, "composer": composer_name,
                   "language": language, "event_id": event_id,
                   "registration_id": registration_id}])


def queue_emails(emails: list[dict]) -> None:
    """Many messages in one statement (executemany): each dict holds queue_email's
    arguments by column name (kind, recipient, composer, language, event_id,
    registration_id, message_id)."""
    if not emails:
        return
    db.session.connection().execute(_QUEUE, [
        {"subject": "", "mime": None, "language": "en", "event_id": None,
         "registration_id": None, "message_id": None} | email for email in emails])
    db.session.info[OUTBOX_CHANGED] = True


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
    app = current_app._get_current_object()
    # The three templates share one context: Flask's render_template would run the
    # context processors for each.
    context = dict(context, cids=cids)
    with force_locale(language):
        app.update_template_context(context)
        subject, text, html = (app.jinja_env.get_template(f"email/{template}.{part}")
                               .render(context) for part in ("subject.txt", "txt", "html"))
    subject = subject.strip()
    html_part = MIMEText(html, "html", _UTF8_QP)
    if inline_images:
        related = MIMEMultipart("related", boundary=_boundary())
        related.attach(html_part)
        for name, data in inline_images.items():
            image = MIMEImage(data, "png")
            image["Content-ID"] = f"<{cids[name]}>"
            image.add_header("Content-Disposition", "inline", filename=f"{name}.png")
            related.attach(image)
        html_part = related
    message = MIMEMultipart("alternative", boundary=_boundary(),
                            _subparts=[MIMEText(text, "plain", _UTF8_QP), html_part])
    # Named, so its first line leaves room for "Subject: " within the 78 characters.
    message["Subject"] = Header(subject, "utf-8", header_name="Subject")
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    message["From"] = formataddr((name, address), "utf-8")
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="eventapp.local")
    # A composer's own headers (List-Unsubscribe on messages one may opt out of).
    for header, value in context.get("mail_headers", {}).items():
        message[header] = value
    return subject, message.as_string(maxheaderlen=78, policy=_HEADERS)


class _Headers(Compat32):
    """The email package's own (compat32) header folding, which builds and encodes a
    Header object for every header line (a confirmation has twenty: a fifth of writing
    it out), except for a line that needs none of it: ASCII text without control
    characters that fits the line as it is comes out unchanged either way."""

    def fold(self, name, value):
        if (isinstance(value, str) and value.isascii() and value.isprintable()
                and len(name) + len(value) + 2 <= self.max_line_length):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)


_HEADERS = _Headers(max_line_length=78)


def _boundary() -> str:
    """A MIME boundary no part can contain, so the email package need not search the
    parts for it (with a regular expression compiled anew per message: a quarter of
    the time it takes to write one out): "=_" never occurs in quoted-printable text
    (an "=" there starts a hex pair or a soft line break) nor in base64."""
    return "=_" + secrets.token_hex(16)


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
            write_private(outbox / f"{utcnow():%Y%m%dT%H%M%S}-{email_id}.eml", mime)
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


def _due(now: datetime, stale_before: datetime):
    """What may be claimed now: new messages and retries that are due, and messages
    left "sending" by a process that stopped before recording how it went."""
    return db.and_(OutboundEmail.attempts < MAX_ATTEMPTS, db.or_(
        db.and_(OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED]),
                OutboundEmail.next_attempt_at <= now),
        db.and_(OutboundEmail.status == EmailStatus.SENDING,
                OutboundEmail.next_attempt_at < stale_before)))


def _sending_timeout() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_SENDING_TIMEOUT"])


def _claim(email_ids: list[int]) -> list[OutboundEmail]:
    """Marks messages as being sent, except those another process got first: one
    conditional UPDATE that returns the rows it changed."""
    now = utcnow()
    begin_write()
    rows = list(db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.id.in_(email_ids), _due(now, now - _sending_timeout()))
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
    retry_base = current_app.config["MAIL_RETRY_SECONDS"]
    values = []
    for row, composed, error in results:
        subject, mime = composed if composed is not None else (row.subject, row.mime)
        if error is None:
            status, last_error, next_attempt_at = EmailStatus.SENT, "", row.next_attempt_at
        else:
            # By id and error type: the address (and an SMTP refusal, which quotes it)
            # stays on the row, for organisers, not in the log.
            log.warning("E-mail %s failed: %s", row.id, type(error).__name__)
            status, last_error = EmailStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
            next_attempt_at = now + timedelta(seconds=retry_base * 2 ** row.attempts)
        values.append({"email_id": row.id, "subject": subject, "mime": mime,
                       "status": status, "last_error": last_error,
                       "sent_at": now if error is None else None,
                       "next_attempt_at": next_attempt_at})
    begin_write()
    db.session.connection().execute(_RECORD, values)
    db.session.commit()


def _give_up_interrupted(stale_before: datetime) -> None:
    """A message whose last allowed attempt was cut off by a crash is shown failed,
    for an organiser to retry, instead of staying "sending" for ever."""
    begin_write()
    db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.SENDING,
               OutboundEmail.next_attempt_at < stale_before,
               OutboundEmail.attempts >= MAX_ATTEMPTS)
        .values(status=EmailStatus.FAILED,
                last_error="Interrupted while sending (the process stopped)")
        .execution_options(synchronize_session=False))
    db.session.commit()


def _earliest(condition):
    return db.type_coerce(db.func.min(db.case((condition, OutboundEmail.next_attempt_at))),
                          OutboundEmail.next_attempt_at.type)


_PENDING = db.select(
    _earliest(db.and_(OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED]),
                      OutboundEmail.attempts < MAX_ATTEMPTS)),
    _earliest(OutboundEmail.status == EmailStatus.SENDING),
).where(OutboundEmail.status.in_([EmailStatus.QUEUED, EmailStatus.FAILED, EmailStatus.SENDING]))


def _next_due() -> datetime | None:
    """When send_due() next has something to do: the earliest retry or scheduled
    message, or the moment a message now "sending" would count as interrupted. In
    one query, after the run: a stale "sending" message still there is one whose
    last attempt was cut off, shown failed now."""
    waiting, sending = db.session.execute(_PENDING).one()
    db.session.commit()
    timeout = _sending_timeout()
    if sending is not None and sending + timeout < utcnow():
        # Cut off (or gone stale since the run looked): those on their last attempt
        # are shown failed, the others are due now and the next run claims them.
        _give_up_interrupted(utcnow() - timeout)
        return utcnow()
    times = [t for t in (waiting, sending and sending + timeout) if t]
    return min(times, default=None)


def send_due(app) -> datetime | None:
    """Sends every message that is due, in claimed batches; returns when the next one
    falls due (None: nothing left to send). Run by the background job, never by a view."""
    # Links in messages always start with BASE_URL, never with the Host header of a
    # request; one request context serves the whole run, so building them costs no
    # context per link. The app context comes first so the run has a database session
    # of its own.
    with app.app_context(), app.test_request_context(base_url=app.config["BASE_URL"]):
        transport = _Transport(app.config)
        try:
            while True:
                now = utcnow()
                due = db.session.execute(
                    db.select(OutboundEmail.id).where(_due(now, now - _sending_timeout()))
                    .order_by(OutboundEmail.id).limit(BATCH)).scalars().all()
                db.session.commit()
                if not due:
                    break
                for start in range(0, len(due), CLAIM):
                    _send_batch(transport, due[start:start + CLAIM])
            return _next_due()
        finally:
            transport.close()
            db.session.remove()


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


def retry_now(email: OutboundEmail) -> None:
    """An organiser's "resend": try again at once, with a fresh attempt budget."""
    email.status, email.attempts, email.next_attempt_at = EmailStatus.QUEUED, 0, utcnow()
    db.session.info[OUTBOX_CHANGED] = True
