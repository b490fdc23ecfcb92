"""E-mail confirmation before a public sign-up holds a seat.

An event with `confirm_email` on (the default for new events) stores a public sign-up as
`pending` with a deadline (`email_confirm_by`): it takes no seat, like a registration
awaiting approval, and its first message asks the attendee to confirm the address with
a link under their private link. Confirming runs the usual rules (approval where the
category needs it, else a seat or the waitlist) and sends the ticket. A sign-up still
unconfirmed at its deadline is cancelled by a periodic job, without an e-mail, so the
address may register again. Organisers' imports and API creates are never held.
"""

import enum

from ..database import begin_write, utcnow
from ..events.services import confirmed_count, lock_event
from ..extensions import db
from ..models import Registration, Status
from .services import _queue_status_email


class Confirmed(enum.StrEnum):
    """What confirming the address came to."""

    DONE = "done"  # the usual rules ran: confirmed, waitlisted or awaiting approval
    EXPIRED = "expired"  # too late: the sign-up is cancelled, the address may sign up again
    NOT_AWAITING = "not_awaiting"  # confirmed before, or no longer active


def confirm_address(reg: Registration, notify: bool = True) -> Confirmed:
    """The attendee confirmed their address (the link in the first message). Locks the
    event; the caller commits."""
    event = lock_event(reg.event_id)
    db.session.refresh(reg)
    if not reg.awaiting_email:
        return Confirmed.NOT_AWAITING
    now = utcnow()
    if reg.email_confirm_by <= now:
        reg.status = Status.CANCELLED  # what the periodic job would have done
        return Confirmed.EXPIRED
    reg.email_confirm_by = None
    if reg.category.requires_approval:
        pass  # stays pending, now for the organisers' approval
    elif confirmed_count(event.id) < event.capacity:
        reg.status = Status.CONFIRMED
    else:
        reg.status, reg.waitlisted_at = Status.WAITLISTED, now
    if notify:
        _queue_status_email(reg, reg.status)
    return Confirmed.DONE


def expire_unconfirmed() -> int:
    """Cancels the sign-ups whose confirmation deadline has passed (the periodic job):
    they held no seat, so nobody moves up, and nobody is e-mailed. Returns how many."""
    begin_write()
    now = utcnow()
    result = db.session.execute(
        db.update(Registration)
        .where(Registration.status == Status.PENDING,
               Registration.email_confirm_by.is_not(None),
               Registration.email_confirm_by <= now)
        .values(status=Status.CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
