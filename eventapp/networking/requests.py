"""Meeting requests between attendees: ask, accept, decline, withdraw, "not interested".

A request goes from its requester to its recipient. Its states change only through
`TRANSITIONS`, applied by `_apply`, like registrations' statuses. Every action locks both
registrations first (in id order, so two people asking each other at the same moment
queue instead of deadlocking) and leaves the commit to the caller.
"""

from ..database import begin_write, utcnow
from ..extensions import db
from ..models import MeetingRequest, Registration, RequestStatus
from .services import NetworkingError, queue_message, takes_part

PENDING, ACCEPTED = RequestStatus.PENDING, RequestStatus.ACCEPTED
DECLINED, NOT_INTERESTED = RequestStatus.DECLINED, RequestStatus.NOT_INTERESTED

# action: (the states it may start from, None meaning "no request yet"; the state it
# leads to, None meaning the request is taken back).
TRANSITIONS = {
    "ask": ({None, NOT_INTERESTED}, PENDING),  # the requester
    "withdraw": ({PENDING, NOT_INTERESTED}, None),  # the requester
    "accept": ({PENDING, DECLINED}, ACCEPTED),  # the recipient (may change their mind)
    "decline": ({PENDING, ACCEPTED}, DECLINED),  # the recipient
    "mark_not_interested": ({None, PENDING, ACCEPTED, DECLINED, NOT_INTERESTED},
                            NOT_INTERESTED),  # the requester: never pair us
}


def _apply(action: str, req: MeetingRequest | None, *, requester: Registration | None = None,
           recipient: Registration | None = None) -> MeetingRequest | None:
    """The one way a request changes state; returns the request as it now is (None when
    taken back). A new request needs its `requester` and `recipient`."""
    allowed_from, target = TRANSITIONS[action]
    current = req.status if req is not None else None
    if current not in allowed_from:
        raise ValueError(f"A {current or 'missing'} request cannot be {action}ed.")
    now = utcnow()
    if target is None:
        db.session.delete(req)
        return None
    if req is None:
        req = MeetingRequest(event_id=requester.event_id, requester_id=requester.id,
                             recipient_id=recipient.id, created_at=now)
        db.session.add(req)
    req.status = target
    if action == "ask":
        req.created_at, req.responded_at = now, None
    elif action == "mark_not_interested":
        req.responded_at = None
    else:
        req.responded_at = now
    return req


def requests_of(reg: Registration) -> list[MeetingRequest]:
    """Every request from or to ``reg``, oldest first."""
    return list(db.session.execute(
        db.select(MeetingRequest)
        .where(MeetingRequest.event_id == reg.event_id,
               db.or_(MeetingRequest.requester_id == reg.id,
                      MeetingRequest.recipient_id == reg.id))
        .order_by(MeetingRequest.created_at, MeetingRequest.id)).scalars())


def _lock_pair(reg: Registration, other_id: int) -> tuple[Registration, Registration | None]:
    """Starts the write and locks both registrations, in id order."""
    begin_write()
    rows = {r.id: r for r in db.session.execute(
        db.select(Registration).where(Registration.id.in_({reg.id, other_id}))
        .order_by(Registration.id).with_for_update()
        .execution_options(populate_existing=True)).scalars()}
    return rows[reg.id], rows.get(other_id)


def _request(requester_id: int, recipient_id: int) -> MeetingRequest | None:
    return db.session.execute(
        db.select(MeetingRequest).where(MeetingRequest.requester_id == requester_id,
                                        MeetingRequest.recipient_id == recipient_id)
        .execution_options(populate_existing=True)).scalar_one_or_none()


def _not_available() -> NetworkingError:
    return NetworkingError("not_available", "This person is not taking part in networking.")


def _not_found() -> NetworkingError:
    return NetworkingError("not_found", "There is no such request.")


def _counterpart(reg: Registration, other_id: int) -> tuple[Registration, Registration]:
    me, other = _lock_pair(reg, other_id)
    if (other is None or other.id == me.id or other.event_id != me.event_id
            or not takes_part(me) or not takes_part(other)):
        raise _not_available()
    return me, other


def request_meeting(reg: Registration, other_id: int) -> str:
    """``reg`` asks ``other_id`` for a meeting. Returns what happened: "requested" (the
    other is e-mailed), "accepted" (they had asked first, so this accepts theirs) or
    "already" (nothing to do)."""
    me, other = _counterpart(reg, other_id)
    mine, theirs = _request(me.id, other.id), _request(other.id, me.id)
    if theirs is not None:
        if theirs.status == NOT_INTERESTED:
            raise _not_available()
        if theirs.status == ACCEPTED:
            return "already"
        # They asked first (or asked and were declined): asking back is accepting.
        _apply("accept", theirs)
        if mine is not None:
            db.session.delete(mine)  # one request per pair is enough
        db.session.flush()
        queue_message(f"accepted:{theirs.id}", other)
        return "accepted"
    if mine is not None and mine.status == DECLINED:
        raise NetworkingError("declined", "This person has declined your request.")
    if mine is not None and mine.status not in TRANSITIONS["ask"][0]:
        return "already"
    mine = _apply("ask", mine, requester=me, recipient=other)
    db.session.flush()
    queue_message(f"request:{mine.id}", other)
    return "requested"


def respond(reg: Registration, request_id: int, accept: bool) -> MeetingRequest:
    """The recipient accepts or declines a request (and may change their mind). The
    requester hears of an acceptance by e-mail."""
    found = db.session.get(MeetingRequest, request_id)
    if found is None or found.recipient_id != reg.id:
        raise _not_found()
    me, _other = _lock_pair(reg, found.requester_id)
    req = _request(found.requester_id, me.id)
    if req is None or req.status == NOT_INTERESTED:
        raise _not_found()
    action = "accept" if accept else "decline"
    if req.status == TRANSITIONS[action][1]:
        return req
    if accept and not (takes_part(me) and takes_part(req.requester)):
        raise _not_available()
    _apply(action, req)
    if accept:
        mark = _request(me.id, req.requester_id)
        if mark is not None:  # an earlier "not interested" would veto the meeting
            db.session.delete(mark)
        queue_message(f"accepted:{req.id}", req.requester)
    return req


def not_interested(reg: Registration, other_id: int) -> None:
    """Never pair ``reg`` with ``other_id``: a pending request from them is declined,
    one to them withdrawn, and the contact leaves both recommendation lists."""
    me, other = _lock_pair(reg, other_id)
    if other is None or other.id == me.id or other.event_id != me.event_id:
        raise _not_available()
    theirs = _request(other.id, me.id)
    if theirs is not None and theirs.status in TRANSITIONS["decline"][0]:
        _apply("decline", theirs)
    _apply("mark_not_interested", _request(me.id, other.id), requester=me, recipient=other)


def withdraw(reg: Registration, request_id: int) -> None:
    """Takes back one's own pending request or "not interested" mark."""
    found = db.session.get(MeetingRequest, request_id)
    if found is None or found.requester_id != reg.id:
        raise _not_found()
    _lock_pair(reg, found.recipient_id)
    req = _request(reg.id, found.recipient_id)
    if req is None:
        return
    if req.status not in TRANSITIONS["withdraw"][0]:
        raise NetworkingError("answered", "This request has already been answered.")
    _apply("withdraw", req)
