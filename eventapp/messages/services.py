"""Messages: writing one, handing it to the outbox now or when its time comes, the
automatic ones of an event, and what became of each.

A message's stored state moves by one table (TRANSITIONS) and one function
(`transition`), a conditional UPDATE: of two processes that find the same message due,
one moves it and queues its e-mails in that same transaction, the other finds nothing
to move. Scheduled and automatic messages are found by one periodic job
(`queue_due_messages`, run by jobs.py), so they go out with no page open.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort
from flask_babel import gettext as _

from .. import mail
from ..content import LANGUAGES, column
from ..database import begin_write, utcnow
from ..extensions import db
from ..models import (
    AUTOMATIC_KINDS,
    EmailStatus,
    Event,
    Message,
    MessageKind,
    MessageStatus,
    OutboundEmail,
    max_length,
)
from ..validation import ValidationErrors, moment_problem, text_problem
from . import audience as groups
from .defaults import AUTOMATIC
from .texts import placeholder_problem

COMPOSER = "message"
# Set in Session.info by whatever schedules a message: the earliest send time (epoch
# seconds). jobs.py's after-commit hook schedules a run of the job for then, so a message
# goes out at its time rather than at the next periodic look.
MESSAGES_DUE = "eventapp.messages_due"

TRANSITIONS = {
    MessageStatus.SCHEDULED: {MessageStatus.QUEUED, MessageStatus.CANCELLED},
    MessageStatus.QUEUED: set(),
    MessageStatus.CANCELLED: set(),
}


def transition(message_id: int, to: str, *, now: datetime | None = None) -> bool:
    """Moves the message to `to` from whichever state may lead there, if it is still in
    one (and, for an automatic message being queued, still switched on). Returns whether
    this call moved it."""
    sources = [state for state, targets in TRANSITIONS.items() if to in targets]
    where = [Message.id == message_id, Message.status.in_(sources)]
    values = {"status": to}
    if to == MessageStatus.QUEUED:
        where.append(Message.enabled.is_(True))
        values["queued_at"] = now or utcnow()
    result = db.session.execute(db.update(Message).where(*where).values(**values)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1


# -- writing a message --------------------------------------------------------------------

def check_texts(subject: dict, body: dict) -> None:
    """Subject and body need at least one language; each text's placeholders must be
    known. Errors are named as the API's fields: subject, body.ja, ..."""
    errors = {}
    limit = max_length(Message.subject)
    for field, texts in (("subject", subject), ("body", body)):
        if not any((texts.get(lang) or "").strip() for lang in LANGUAGES):
            errors[field] = _("Write it in English, in Japanese or in both.")
        for lang in LANGUAGES:
            text = texts.get(lang) or ""
            problem = placeholder_problem(text) or text_problem(
                text, limit if field == "subject" else None, one_line=field == "subject")
            if problem:
                errors[f"{field}.{lang}"] = problem
    if errors:
        raise ValidationErrors(errors)


def place_send_at(event: Event, send_at: datetime | None) -> datetime | None:
    """A time without an offset is read in the event's time zone; None: now."""
    if send_at is None:
        return None
    if send_at.tzinfo is None:
        send_at = send_at.replace(tzinfo=ZoneInfo(event.timezone))
    if problem := moment_problem(send_at, event.timezone):
        raise ValidationErrors({"send_at": problem})
    return send_at


def check_message(event: Event, data: dict) -> dict:
    """Every bad field at once: texts, audience and time."""
    errors = {}
    clean = dict(data)
    for check in (lambda: check_texts(data.get("subject") or {}, data.get("body") or {}),
                  lambda: clean.update(to=groups.check(event, data.get("to") or {})),
                  lambda: clean.update(send_at=place_send_at(event, data.get("send_at")))):
        try:
            check()
        except ValidationErrors as e:
            errors |= e.fields
    if errors:
        raise ValidationErrors(errors)
    return clean


def new_message(event: Event, data: dict, staff_id: int | None = None) -> Message:
    """An organiser's message from checked data (not added to the session)."""
    message = Message(event_id=event.id, kind=MessageKind.ORGANISER, audience=data["to"],
                      send_at=data.get("send_at"), created_by_id=staff_id,
                      status=MessageStatus.SCHEDULED, enabled=True, offset_days=0)
    message.event = event
    set_texts(message, data)
    return message


def set_texts(message: Message, texts: dict) -> None:
    """Subject and body in each language, from {"subject": {"en", "ja"}, "body": ...}."""
    for field in ("subject", "body"):
        for lang in LANGUAGES:
            setattr(message, column(field, lang), (texts[field].get(lang) or "").strip())


def create_message(event: Event, data: dict, staff_id: int | None = None) -> Message:
    """Writes an organiser's message: its e-mails are queued now, or it waits for its
    time (send_at in the future). The caller commits."""
    data = check_message(event, data)
    message = new_message(event, data, staff_id)
    begin_write()
    db.session.add(message)
    db.session.flush()
    now = utcnow()
    if message.send_at is None or message.send_at <= now:
        message.send_at = now
        db.session.flush()
        transition(message.id, MessageStatus.QUEUED, now=now)
        message.recipients = queue_emails(message)
        db.session.expire(message, ["status", "queued_at"])
    else:
        message.recipients = groups.count(event.id, message.audience)
        _run_job_at(message.send_at)
    return message


def _run_job_at(when: datetime) -> None:
    """Asks for a run of the job at `when`, after the commit (jobs.py)."""
    due = db.session.info.get(MESSAGES_DUE)
    at = when.timestamp()
    db.session.info[MESSAGES_DUE] = at if due is None else min(due, at)


def queue_emails(message: Message) -> int:
    """One outbox row per recipient, in the caller's transaction; how many."""
    people = groups.recipients(message.event_id, message.audience)
    mail.queue_emails([{"kind": message.kind, "recipient": email, "composer": COMPOSER,
                        "language": language, "event_id": message.event_id,
                        "registration_id": rid, "message_id": message.id}
                       for rid, email, language in people])
    return len(people)


def cancel(message: Message) -> bool:
    begin_write()
    return transition(message.id, MessageStatus.CANCELLED)


# -- automatic messages -------------------------------------------------------------------

def automatic_messages(event: Event) -> dict[str, Message]:
    """The event's automatic messages by kind; one never saved yet is a new one with the
    default texts, switched off (saved by update_automatic)."""
    found = {m.kind: m for m in db.session.execute(
        db.select(Message).where(Message.event_id == event.id,
                                 Message.kind.in_(AUTOMATIC_KINDS))).scalars()}
    for kind in AUTOMATIC_KINDS:
        if kind not in found:
            audience, days, subject, subject_ja, body, body_ja = AUTOMATIC[kind]
            found[kind] = Message(
                event=event, kind=kind, audience=dict(audience), offset_days=days,
                subject=subject, subject_ja=subject_ja, body=body, body_ja=body_ja,
                enabled=False, status=MessageStatus.SCHEDULED)
    return found


def due_at(message: Message, event: Event) -> datetime:
    """When an automatic message goes out: days before the start, or after the end."""
    days = timedelta(days=message.offset_days)
    if message.kind == MessageKind.REMINDER:
        return event.starts_at - days
    return event.ends_at + days


def too_late(message: Message, event: Event, now: datetime) -> bool:
    """A reminder is pointless once the event has begun."""
    return message.kind == MessageKind.REMINDER and now >= event.starts_at


def update_automatic(message: Message, texts: dict, *, enabled: bool,
                     offset_days: int) -> None:
    """Saves an automatic message's switch, days and texts ({"subject": {"en", "ja"},
    "body": {...}}, checked first)."""
    check_texts(texts["subject"], texts["body"])
    begin_write()
    set_texts(message, texts)
    message.enabled, message.offset_days = enabled, offset_days
    if message.id is None:
        db.session.add(message)
    if message.enabled and message.status == MessageStatus.SCHEDULED:
        _run_job_at(max(utcnow(), due_at(message, message.event)))


def set_opted_out(reg, opted_out: bool) -> None:
    """The attendee's choice: no more messages one may opt out of (or them again)."""
    begin_write()
    if opted_out:
        reg.messages_opt_out_at = reg.messages_opt_out_at or utcnow()
    else:
        reg.messages_opt_out_at = None


# -- the job -------------------------------------------------------------------------------

def due_message_ids(now: datetime) -> list[int]:
    """Scheduled messages whose time has come, and switched-on automatic ones due."""
    due = list(db.session.execute(
        db.select(Message.id).where(Message.status == MessageStatus.SCHEDULED,
                                    Message.kind == MessageKind.ORGANISER,
                                    Message.send_at <= now)
        .order_by(Message.send_at, Message.id)).scalars())
    rules = db.session.execute(
        db.select(Message, Event).join(Event, Event.id == Message.event_id)
        .where(Message.status == MessageStatus.SCHEDULED, Message.enabled.is_(True),
               Message.kind.in_(AUTOMATIC_KINDS), Event.anonymised_at.is_(None))).all()
    due += [m.id for m, event in rules
            if due_at(m, event) <= now and not too_late(m, event, now)]
    return due


def queue_due_messages(now: datetime | None = None) -> int:
    """Queues the e-mails of every message that is due, each in a transaction of its
    own that first claims it (transition). Returns how many messages it queued."""
    now = now or utcnow()
    ids = due_message_ids(now)
    db.session.commit()
    queued = 0
    for message_id in ids:
        begin_write()
        if transition(message_id, MessageStatus.QUEUED, now=now):
            message = db.session.get(Message, message_id)
            message.recipients = queue_emails(message)
            queued += 1
        db.session.commit()
    return queued


# -- what became of a message --------------------------------------------------------------

def email_counts(message_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per message: its e-mails by outbox status, and `retrying` (failed, to be tried
    again by themselves)."""
    counts = {mid: {s.value: 0 for s in EmailStatus} | {"retrying": 0} for mid in message_ids}
    if not message_ids:
        return counts
    retrying = db.and_(OutboundEmail.status == EmailStatus.FAILED,
                       OutboundEmail.attempts < mail.MAX_ATTEMPTS)
    rows = db.session.execute(
        db.select(OutboundEmail.message_id, OutboundEmail.status, db.func.count(),
                  db.func.count(db.case((retrying, 1))))
        .where(OutboundEmail.message_id.in_(message_ids))
        .group_by(OutboundEmail.message_id, OutboundEmail.status)).all()
    for mid, status, n, again in rows:
        counts[mid][status] = n
        counts[mid]["retrying"] += again
    return counts


def progress(message: Message, counts: dict[str, int]) -> dict:
    """The API's view of a message: status scheduled, queued, sending or sent (or
    cancelled), with recipients, sent and failed."""
    status = message.status
    if status == MessageStatus.QUEUED:
        waiting = counts["queued"] + counts["sending"] + counts["retrying"]
        done = counts["sent"] + counts["failed"]
        status = "sent" if not waiting else ("sending" if done or counts["sending"]
                                             else "queued")
    return {"id": message.id, "status": status, "recipients": message.recipients,
            "sent": counts["sent"], "failed": counts["failed"]}


def message_or_404(event: Event, message_id: int) -> Message:
    message = db.get_or_404(Message, message_id)
    if message.event_id != event.id:
        abort(404)
    return message


def history(event: Event) -> list[Message]:
    return list(db.session.execute(
        db.select(Message).where(Message.event_id == event.id,
                                 db.or_(Message.kind == MessageKind.ORGANISER,
                                        Message.status != MessageStatus.SCHEDULED))
        .order_by(db.func.coalesce(Message.queued_at, Message.send_at).desc(),
                  Message.id.desc())).scalars())


def failures(message: Message) -> list[OutboundEmail]:
    return list(db.session.execute(
        db.select(OutboundEmail).where(OutboundEmail.message_id == message.id,
                                       OutboundEmail.status == EmailStatus.FAILED)
        .order_by(OutboundEmail.id)).scalars())


def retry_failed(message: Message) -> int:
    """Every failed e-mail of the message is tried again at once."""
    begin_write()
    emails = failures(message)
    for email in emails:
        mail.retry_now(email)
    return len(emails)
