"""Personal data: an organiser anonymises an event after it ended; an attendee deletes
their own registration.

Both keep the registration rows, with their personal data replaced, so that every
statistic stays as it was: status, category, country, check-in time, networking
profile codes (technology areas, target countries) and meetings are kept. What goes:
names, kana, e-mail, phone, job title, free text (organiser notes, networking note,
meeting-request messages, free-text answers; a person deleting their data takes all
their answers), the manage link and the check-in code (both replaced by
fresh random values that are shown to nobody), the texts read by scanners (and, when an
event is anonymised, the scanners' device names, such as "Yoshiko's iPhone"), every
e-mail message about these people (the rows, and the copies in the outbox folder: the
files of those messages and any other file that names the person), and their rows in
kept import uploads (an anonymised event's uploads go altogether).

Organisations: when an event is anonymised every organisation name is replaced by
"Organisation <n>", numbered per event, so the counts of distinct organisations (and
companies in the summary sentence) stay the same while a one-person company or a small
mission cannot point at a person. An attendee who deletes their own data loses the
organisation name altogether.

Callers commit, then call remove_copies() for the files.
"""

from dataclasses import dataclass

from flask import current_app

from ..database import utcnow
from ..events.services import lock_event
from ..extensions import db
from ..feedback.services import erase_free_text
from ..models import (
    Event,
    Meeting,
    MeetingRequest,
    OutboundEmail,
    Registration,
    ScanLog,
    StaffUser,
    new_checkin_code,
    new_secret_token,
)
from ..outbox_files import remove_outbox_files
from ..questions.answers import erase_answers
from ..registration import services as registration_services
from ..registration.import_store import remove_import_copies

ANONYMISED_NAME = "Anonymised attendee #{id}"
DELETED_NAME = "Deleted attendee #{id}"
PSEUDONYM_ORGANISATION = "Organisation {n}"
PLACEHOLDER_EMAIL_DOMAIN = "anonymised.invalid"  # RFC 2606: can never receive mail


class PrivacyError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Erased:
    registrations: int
    email_ids: list[int]
    event_id: int
    people: list[str] | None = None  # one person's name and address; None: the event


def placeholder_email(registration_id: int) -> str:
    # Unique per row, so active registrations keep satisfying the one-e-mail index.
    return f"attendee-{registration_id}@{PLACEHOLDER_EMAIL_DOMAIN}"


def has_ended(event: Event) -> bool:
    return utcnow() >= event.ends_at


def _erased_values(registration_id: int, name_pattern: str, organisation: str) -> dict:
    name = name_pattern.format(id=registration_id)
    return Registration.name_keys(name, "", organisation) | {
        "id": registration_id, "name": name,
        "name_kana": "", "email": placeholder_email(registration_id),
        "organisation": organisation, "job_title": "", "phone": "", "networking_note": "",
        "notes": "", "manage_token": new_secret_token(), "checkin_code": new_checkin_code(),
        "erased_at": utcnow(),
    }


def _delete_emails(condition) -> list[int]:
    ids = list(db.session.execute(db.select(OutboundEmail.id).where(condition)).scalars())
    if ids:
        db.session.execute(db.delete(OutboundEmail).where(OutboundEmail.id.in_(ids)),
                           execution_options={"synchronize_session": False})
    return ids


def anonymise_event(event: Event, by: StaffUser) -> Erased:
    """Irreversible; only once the event has ended. Takes the event lock, so no
    registration, cancellation or capacity change runs at the same time."""
    event = lock_event(event.id)
    db.session.refresh(event, ["anonymised_at", "ends_at"])
    if event.anonymised_at is not None:
        raise PrivacyError("already_anonymised", "This event is already anonymised.")
    if not has_ended(event):
        raise PrivacyError("not_ended", "Personal data can be anonymised only after the "
                                        "event has ended.")
    rows = db.session.execute(
        db.select(Registration.id, Registration.organisation)
        .where(Registration.event_id == event.id).order_by(Registration.id)).all()
    pseudonyms: dict[str, str] = {}
    values = []
    for registration_id, organisation in rows:
        if organisation and organisation not in pseudonyms:
            pseudonyms[organisation] = PSEUDONYM_ORGANISATION.format(n=len(pseudonyms) + 1)
        values.append(_erased_values(registration_id, ANONYMISED_NAME,
                                     pseudonyms.get(organisation, "")))
    if values:
        db.session.execute(db.update(Registration), values)
    db.session.execute(db.update(MeetingRequest).where(MeetingRequest.event_id == event.id)
                       .values(message=""), execution_options={"synchronize_session": False})
    # Scanners may have read anything (a business card's QR, a typo with a name in it).
    db.session.execute(db.update(ScanLog).where(ScanLog.event_id == event.id)
                       .values(code="", device=""),
                       execution_options={"synchronize_session": False})
    erase_answers(db.select(Registration.id).where(Registration.event_id == event.id),
                  free_text_only=True)
    erase_free_text(db.select(Registration.id).where(Registration.event_id == event.id))
    email_ids = _delete_emails(db.or_(
        OutboundEmail.event_id == event.id,
        OutboundEmail.registration_id.in_(
            db.select(Registration.id).where(Registration.event_id == event.id))))
    event.anonymised_at, event.anonymised_by_id = utcnow(), by.id
    db.session.flush()
    db.session.expire_all()  # the bulk statements bypassed the loaded objects
    return Erased(len(values), email_ids, event.id)


def delete_registration_data(reg: Registration) -> Erased:
    """The attendee's own "delete my data". An active registration is cancelled first,
    exactly like a cancellation (its seat goes to the waitlist); then its personal data
    is erased. Meeting requests to and from the person go; so do their meetings when
    the event is still to come (after it, they stay as statistics)."""
    people = [reg.name, reg.name_kana, reg.email]
    if reg.is_active:
        registration_services.transition(reg, "cancel", notify=False)
    else:
        lock_event(reg.event_id)
    db.session.flush()
    db.session.execute(db.update(Registration),
                       [_erased_values(reg.id, DELETED_NAME, "")
                        | {"networking_opt_in": False}])
    db.session.execute(
        db.delete(MeetingRequest).where(db.or_(MeetingRequest.requester_id == reg.id,
                                               MeetingRequest.recipient_id == reg.id)),
        execution_options={"synchronize_session": False})
    if not has_ended(reg.event):
        db.session.execute(
            db.delete(Meeting).where(db.or_(Meeting.a_id == reg.id, Meeting.b_id == reg.id)),
            execution_options={"synchronize_session": False})
    db.session.execute(db.update(ScanLog).where(ScanLog.registration_id == reg.id)
                       .values(code=""), execution_options={"synchronize_session": False})
    erase_answers([reg.id])
    erase_free_text([reg.id])
    email_ids = _delete_emails(OutboundEmail.registration_id == reg.id)
    # Networking messages to others name their contacts. The stored copies are dropped:
    # a message not yet sent is composed again from the data as it is now.
    db.session.execute(
        db.update(OutboundEmail)
        .where(OutboundEmail.event_id == reg.event_id, OutboundEmail.composer == "networking",
               OutboundEmail.mime.is_not(None))
        .values(mime=None), execution_options={"synchronize_session": False})
    db.session.expire_all()
    return Erased(1, email_ids, reg.event_id, people)


def remove_copies(erased: Erased) -> None:
    """The files that hold personal data: without an SMTP server messages are written
    to the outbox folder as <time>-<id>.eml, and uploads of invitation lists wait in
    the imports folder. Call after the commit."""
    remove_outbox_files(current_app.config, email_ids=erased.email_ids,
                        mentioning=erased.people or ())
    remove_import_copies(current_app.instance_path, erased.event_id, erased.people)
