"""Registrations: sign-up, capacity and waitlist, approval, cancellation, tickets.

Integrity lives in the database transaction: every change that can take or free a
seat first locks the event (BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE on
PostgreSQL), so counting confirmed seats and writing the new status are one atomic
step even under a rush of simultaneous submissions. Callers commit; the e-mails queued
here go out after the commit (jobs.py).
"""

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from .. import mail
from ..database import utcnow
from ..events.services import confirmed_count, lock_event
from ..extensions import db
from ..i18n import is_country, join_list
from ..models import (
    ACTIVE_STATUSES,
    Category,
    Event,
    NetworkingSide,
    Registration,
    Status,
    max_length,
    new_checkin_code,
)
from ..questions.answers import clean_answers, store_answers
from ..urls import external_url
from ..validation import ValidationErrors, text_problem
from .tickets import qr_png

TEXT_FIELDS = ("name", "name_kana", "organisation", "job_title", "phone")


class TransitionError(ValueError):
    """A status change that the registration's current status does not allow."""


@dataclass
class Outcome:
    registration: Registration
    created: bool


def normalise_email(value: str) -> str:
    return value.strip().lower()


def find_category(event: Event, code: str | None) -> Category | None:
    return next((c for c in event.categories if c.code == code), None)


def validate(event: Event, data: dict, *, public: bool = True,
             existing: Registration | None = None, with_email: bool | None = None) -> dict:
    """Domain rules for registration fields given as Python values. Returns the clean
    values; raises ValidationErrors with one message per field. An `existing`
    registration keeps its category unless `data` names one, and its e-mail unless
    `with_email`."""
    errors: dict[str, str] = {}
    clean: dict = {}
    with_email = existing is None if with_email is None else with_email
    category = (existing.category if existing is not None and not data.get("category")
                else find_category(event, data.get("category")))
    if category is None or (public and not category.public and existing is None):
        errors["category"] = _("Choose one of the event's categories.")
    for key in TEXT_FIELDS:
        value = (data.get(key) or "").strip()
        if message := text_problem(value, max_length(getattr(Registration, key))):
            errors[key] = message
        clean[key] = value
    if not clean["name"]:
        errors["name"] = _("Please give your name.")
    if with_email:
        try:
            clean["email"] = normalise_email(validate_email(
                (data.get("email") or "").strip(), check_deliverability=False).normalized)
        except EmailNotValidError:
            errors["email"] = _("Enter a valid e-mail address, like name@example.org.")
    country = (data.get("country") or "").strip().upper() or None
    if country and not is_country(country):
        errors["country"] = _("Choose a country from the list.")
    side = category.networking_side if category else NetworkingSide.NONE
    if side in (NetworkingSide.NEED, NetworkingSide.BOTH) and not country and category \
            and "technology_needs" in category.fields:
        errors["country"] = _("Choose the country you represent.")
    clean["country"] = country
    language = data.get("language") or "en"
    if language not in ("en", "ja"):
        errors["language"] = _("Choose English or Japanese.")
    clean["language"] = language
    areas: set[str] | None = None  # the event's technology areas, loaded when needed
    fields = set(category.fields) if category else set()
    for key in ("technologies_offered", "technology_needs"):
        codes = [c for c in data.get(key) or [] if c]
        if codes and areas is None:
            areas = {t.code for t in event.technology_areas}
        unknown = [c for c in codes if c not in areas]
        if unknown:
            errors[key] = _("Unknown technology area: %(codes)s.", codes=join_list(unknown))
        clean[key] = list(dict.fromkeys(codes)) if key in fields else []
    targets = [c.strip().upper() for c in data.get("target_countries") or [] if c]
    bad = [c for c in targets if not is_country(c)]
    if bad:
        errors["target_countries"] = _("Unknown country code: %(codes)s.",
                                       codes=join_list(bad))
    clean["target_countries"] = (list(dict.fromkeys(targets))
                                 if "target_countries" in fields else [])
    clean["networking_opt_in"] = bool(data.get("networking_opt_in")) and side != "none"
    # Required answers hold wherever answers are given (form, API, import); a walk-in
    # registered at the door gives none and is not held up for them.
    if category is not None and ("answers" in data or (existing is None and public)):
        clean["answers"], problems = clean_answers(event, category, data.get("answers"),
                                                   existing)
        errors |= problems
    if errors:
        raise ValidationErrors(errors)
    clean["category"] = category
    return clean


CONFIRM_EMAIL = "confirm_email"  # the message asking a sign-up to confirm its address


def _queue_status_email(reg: Registration, kind: str) -> None:
    """kind: confirmed, waitlisted, pending, promoted, rejected, cancelled, reminder or
    confirm_email."""
    if reg.erased_at is not None:
        return  # personal data deleted: there is no address to write to
    mail.queue_email(kind, reg.email, "registration", language=reg.language,
                     event_id=reg.event_id, registration_id=reg.id)


def _registrations_of(rows) -> list[Registration]:
    """A batch's registrations with their events, in one query."""
    return list(db.session.execute(
        db.select(Registration)
        .where(Registration.id.in_({row.registration_id for row in rows}))
        .options(db.joinedload(Registration.event))).scalars())


@mail.composer("registration", prefetch=_registrations_of)
def compose_registration_email(row) -> tuple[str, dict, dict[str, bytes]]:
    reg = db.session.get(Registration, row.registration_id)
    images = {"qr": qr_png(reg.checkin_code, 6)} if reg.status == Status.CONFIRMED else {}
    context = {
        "status_kind": row.kind, "registration": reg, "event": reg.event,
        "ticket_url": external_url("registration.ticket", token=reg.manage_token),
        "manage_url": external_url("registration.manage", token=reg.manage_token),
        "confirm_url": external_url("registration.confirm_email", token=reg.manage_token),
    }
    return "registration/message", context, images


def register(event: Event, data: dict, **options) -> Outcome:
    """Creates a registration, or finds the active one with the same e-mail (and
    resends its ticket). See register_many for the options."""
    return register_many(event, [data], **options)[0]


def register_many(event: Event, rows: list[dict], *, source: str = "online",
                  notify: bool = True, hold_for_approval: bool = True,
                  override_capacity: bool = False, public: bool = True,
                  hold_for_email: bool = False) -> list[Outcome]:
    """Registers every row in order under one lock: seats go to rows in order, then the
    waitlist. All rows are validated before the lock is taken (ValidationErrors for
    the first bad row); an e-mail already active is found, not duplicated.
    `hold_for_email` (the public sign-up of an event that asks for it): new rows are
    pending, holding no seat, until their address is confirmed (confirmation.py)."""
    cleaned = [validate(event, data, public=public) for data in rows]
    event = lock_event(event.id)
    if event.anonymised_at is not None:
        # Its personal data was erased for good: new personal data has no place there.
        raise ValidationErrors({"event": _("This event was anonymised; it takes no new "
                                           "registrations.")})
    known = {r.email: r for r in db.session.execute(
        db.select(Registration).where(
            Registration.event_id == event.id,
            Registration.email.in_({c["email"] for c in cleaned}),
            Registration.status.in_(ACTIVE_STATUSES))).scalars()}
    free = event.capacity - event.seats_taken
    now, outcomes, answers = utcnow(), [], []
    confirm_by = email_confirm_deadline(now) if hold_for_email else None
    for clean in cleaned:
        if clean["email"] in known:
            outcomes.append(Outcome(known[clean["email"]], created=False))
            continue
        category = clean.pop("category")
        answers.append(clean.pop("answers", {}))
        reg = Registration(event=event, category=category, source=source,
                           consent_privacy_at=now, **clean)
        if confirm_by is not None:
            reg.status, reg.email_confirm_by = Status.PENDING, confirm_by
        elif category.requires_approval and hold_for_approval:
            reg.status = Status.PENDING
        elif override_capacity or free > 0:
            reg.status, free = Status.CONFIRMED, free - 1
        else:
            reg.status, reg.waitlisted_at = Status.WAITLISTED, now
        db.session.add(reg)
        known[reg.email] = reg
        outcomes.append(Outcome(reg, created=True))
    db.session.flush()
    store_answers([(o.registration, a) for o, a in
                   zip([o for o in outcomes if o.created], answers, strict=True)], new=True)
    if notify:
        for outcome in outcomes:
            reg = outcome.registration
            if reg.awaiting_email:
                # Registering again before confirming: the confirmation is sent again.
                _queue_status_email(reg, CONFIRM_EMAIL)
            else:
                _queue_status_email(reg, reg.status if outcome.created else "reminder")
    return outcomes


def email_confirm_deadline(now):
    """Until when a new sign-up may confirm its address (EMAIL_CONFIRM_HOURS)."""
    return now + timedelta(hours=float(current_app.config["EMAIL_CONFIRM_HOURS"]))


def would_be_status(event: Event, category: Category) -> str:
    """What a new sign-up in this category would get now: the outcome page shows this,
    so it reads the same whether or not the address was already registered."""
    if category.requires_approval:
        return Status.PENDING
    return Status.CONFIRMED if confirmed_count(event.id) < event.capacity else Status.WAITLISTED


def promote_from_waitlist(event: Event) -> list[Registration]:
    """Fills free seats from the waitlist in order. The caller holds the event lock."""
    free = event.capacity - confirmed_count(event.id)
    if free <= 0:
        return []
    promoted = list(db.session.execute(
        db.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id).limit(free)
    ).scalars())
    for reg in promoted:
        reg.status = Status.CONFIRMED
        _queue_status_email(reg, "promoted")
    return promoted


# Allowed status changes, by action: from-statuses -> to-status.
TRANSITIONS = {
    "approve": ({Status.PENDING}, Status.CONFIRMED),
    "promote": ({Status.WAITLISTED}, Status.CONFIRMED),
    "reject": ({Status.PENDING, Status.WAITLISTED}, Status.REJECTED),
    "cancel": ({Status.PENDING, Status.CONFIRMED, Status.WAITLISTED}, Status.CANCELLED),
}


@dataclass
class Transition:
    """What one status change did: the registration, and whom its freed seat
    moved from the waitlist to confirmed."""

    registration: Registration
    promoted: list[Registration]


def transition(reg: Registration, action: str, notify: bool = True) -> Transition:
    """The one way a registration changes status. Locks the event; frees seats
    promote the waitlist; a confirmation when full waitlists instead."""
    allowed_from, target = TRANSITIONS[action]
    event = lock_event(reg.event_id)
    db.session.refresh(reg)
    if reg.status not in allowed_from:
        raise TransitionError(f"A {reg.status} registration cannot be {action}d.")
    was_confirmed = reg.status == Status.CONFIRMED
    if target == Status.CONFIRMED and confirmed_count(event.id) >= event.capacity:
        if action == "promote":
            raise TransitionError("The event is full: raise the capacity or wait for "
                                  "a cancellation.")
        reg.status, reg.waitlisted_at = Status.WAITLISTED, utcnow()
    else:
        reg.status = target
    if notify:
        _queue_status_email(reg, {"approve": reg.status, "promote": "promoted",
                                  "reject": "rejected", "cancel": "cancelled"}[action])
    promoted = []
    if was_confirmed and reg.status != Status.CONFIRMED:
        promoted = promote_from_waitlist(event)
    return Transition(reg, promoted)


def capacity_changed(event: Event) -> list[Registration]:
    """After an organiser raises the capacity: fill the new seats from the waitlist."""
    return promote_from_waitlist(lock_event(event.id))


def update_details(reg: Registration, data: dict) -> Registration:
    """Edits by the attendee (manage link) or an organiser. E-mail and category stay."""
    clean = validate(reg.event, data | {"category": reg.category.code}, existing=reg)
    clean.pop("category")
    store_answers([(reg, clean.pop("answers", {}))])
    for key, value in clean.items():
        setattr(reg, key, value)
    return reg


class DuplicateEmail(ValueError):
    """Another active registration of the event has this e-mail."""

    def __init__(self, registration_id: int):
        super().__init__(f"registration {registration_id} has this e-mail")
        self.registration_id = registration_id


EDITABLE = (*TEXT_FIELDS, "email", "country", "language", "networking_opt_in",
            "technologies_offered", "technology_needs", "target_countries")


def correct(reg: Registration, changes: dict, notify: bool = True) -> Registration:
    """An organiser corrects any field, e-mail and category included; fields left out
    stay. A new e-mail gets the ticket (DuplicateEmail when another active registration
    has it). A new category re-checks approval: a pending registration whose new
    category needs none takes a free seat, or the waitlist. (A confirmed one stays
    confirmed: the organiser making the change is the approval.) Locks the event."""
    event = lock_event(reg.event_id)
    db.session.refresh(reg)
    current = {key: getattr(reg, key) for key in EDITABLE} | {"category": reg.category.code}
    clean = validate(event, current | changes, public=False, existing=reg, with_email=True)
    category = clean.pop("category")
    answers = clean.pop("answers", {})
    email_changed = clean["email"] != reg.email
    if email_changed and reg.is_active:
        clash = db.session.execute(db.select(Registration.id).where(
            Registration.event_id == event.id, Registration.email == clean["email"],
            Registration.status.in_(ACTIVE_STATUSES), Registration.id != reg.id)).scalar()
        if clash is not None:
            raise DuplicateEmail(clash)
    for key, value in clean.items():
        setattr(reg, key, value)
    store_answers([(reg, answers)])
    status_changed = False
    if category.id != reg.category_id:
        reg.category = category
        if reg.status == Status.PENDING and not category.requires_approval:
            db.session.flush()
            if confirmed_count(event.id) < event.capacity:
                reg.status = Status.CONFIRMED
            else:
                reg.status, reg.waitlisted_at = Status.WAITLISTED, utcnow()
            status_changed = True
    if notify and (status_changed or (email_changed and reg.is_active)):
        _queue_status_email(reg, reg.status if status_changed else "reminder")
    return reg


def reissue_ticket(reg: Registration, notify: bool = True) -> Registration:
    """A new check-in code: the old one becomes unknown at the door."""
    reg.checkin_code = new_checkin_code()
    if notify:
        _queue_status_email(reg, "reminder")
    return reg


def resend_ticket(reg: Registration) -> None:
    if reg.awaiting_email:
        _queue_status_email(reg, CONFIRM_EMAIL)
    else:
        _queue_status_email(reg, "reminder" if reg.status == Status.CONFIRMED else reg.status)


def by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        db.select(Registration).where(Registration.manage_token == token,
                                      Registration.erased_at.is_(None))
    ).scalar_one_or_none()

