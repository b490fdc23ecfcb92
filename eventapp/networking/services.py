"""Networking: profiles, requests and the meeting schedule, around the pure matching module.

Every action here starts its own write transaction (BEGIN IMMEDIATE on SQLite, row locks
on PostgreSQL) and leaves the commit to the caller.
Matching itself happens in ``matching`` on plain data: this module turns registrations
and requests into that data and stores what comes back.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.orm import contains_eager, joinedload

from .. import mail
from ..database import begin_write, utcnow
from ..extensions import db
from ..models import (
    Category,
    Event,
    Meeting,
    MeetingRequest,
    NetworkingSide,
    Registration,
    RequestStatus,
    Status,
)
from ..registration.services import lock_event
from . import matching

MAIL_COMPOSER = "networking"


class NetworkingError(Exception):
    """An action the current state does not allow. ``code`` is stable (API error codes,
    page messages are looked up by it); the message is English for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _no_networking() -> NetworkingError:
    return NetworkingError("no_networking", "This event has no networking session.")


# -- time ---------------------------------------------------------------------------------

def slot_start(event: Event, slot: int):
    return event.networking_starts_at + timedelta(minutes=event.networking_slot_minutes * slot)


def slot_end(event: Event, slot: int):
    return slot_start(event, slot) + timedelta(minutes=event.networking_slot_minutes)


def slot_starts(event: Event) -> list:
    """The start of every slot, in order (empty when the event has no session)."""
    if not event.has_networking:
        return []
    return [slot_start(event, s) for s in range(event.networking_slots)]


# -- profiles -----------------------------------------------------------------------------

def takes_part(reg: Registration) -> bool:
    """Confirmed, opted in, and in a category that has a side in the matching."""
    return (reg.status == Status.CONFIRMED and bool(reg.networking_opt_in)
            and reg.category.networking_side != NetworkingSide.NONE)


def participant_registrations(event_id: int, only_checked_in: bool = False
                              ) -> list[Registration]:
    """Everyone who takes part, with their category, in one query, by id."""
    query = (db.select(Registration)
             .join(Registration.category)
             .options(contains_eager(Registration.category))
             .where(Registration.event_id == event_id,
                    Registration.status == Status.CONFIRMED,
                    Registration.networking_opt_in.is_(True),
                    Category.networking_side != NetworkingSide.NONE)
             .order_by(Registration.id))
    if only_checked_in:
        query = query.where(Registration.checked_in_at.is_not(None))
    return list(db.session.execute(query).scalars())


def to_participant(reg: Registration) -> matching.Participant:
    return matching.Participant(
        id=reg.id,
        side=str(reg.category.networking_side),
        organisation=reg.organisation or "",
        country=reg.country or None,
        offers=frozenset(reg.technologies_offered or ()),
        needs=frozenset(reg.technology_needs or ()),
        target_countries=frozenset(reg.target_countries or ()),
        unavailable_slots=frozenset(int(s) for s in reg.unavailable_slots or ()),
        fixed_table=reg.networking_table or None,
    )


def preferences(event_id: int) -> matching.Preferences:
    """Accepted requests are must-meets; declined requests and "not interested" marks
    are vetoes, and a veto wins over an acceptance (the later change of mind)."""
    rows = db.session.execute(
        db.select(MeetingRequest.requester_id, MeetingRequest.recipient_id,
                  MeetingRequest.status)
        .where(MeetingRequest.event_id == event_id)).all()
    accepted = {frozenset((a, b)) for a, b, s in rows if s == RequestStatus.ACCEPTED}
    vetoes = {frozenset((a, b)) for a, b, s in rows
              if s in (RequestStatus.DECLINED, RequestStatus.NOT_INTERESTED)}
    return matching.Preferences(accepted=frozenset(accepted - vetoes),
                                vetoes=frozenset(vetoes))


def requests_of(reg: Registration) -> list[MeetingRequest]:
    """Every request from or to ``reg``, oldest first."""
    return list(db.session.execute(
        db.select(MeetingRequest)
        .where(MeetingRequest.event_id == reg.event_id,
               db.or_(MeetingRequest.requester_id == reg.id,
                      MeetingRequest.recipient_id == reg.id))
        .order_by(MeetingRequest.created_at, MeetingRequest.id)).scalars())


def set_unavailable_slots(reg: Registration, slots: list[int]) -> list[int]:
    """The slots the person cannot attend; indexes outside the session are dropped."""
    begin_write()
    event = reg.event
    valid = sorted({s for s in slots if 0 <= s < event.networking_slots})
    reg.unavailable_slots = valid
    return valid


# -- requests -----------------------------------------------------------------------------

def _lock_pair(reg: Registration, other_id: int) -> tuple[Registration, Registration | None]:
    """Starts the write and locks both registrations (in id order, so two people asking
    each other at the same moment queue instead of deadlocking)."""
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


def _counterpart(reg: Registration, other_id: int) -> tuple[Registration, Registration]:
    me, other = _lock_pair(reg, other_id)
    if (other is None or other.id == me.id or other.event_id != me.event_id
            or not takes_part(me) or not takes_part(other)):
        raise NetworkingError("not_available", "This person is not taking part in networking.")
    return me, other


def _queue(kind: str, reg: Registration) -> None:
    if reg.erased_at is not None:
        return  # personal data deleted: there is no address to write to
    mail.queue_email(kind, reg.email, MAIL_COMPOSER, language=reg.language,
                     event_id=reg.event_id, registration_id=reg.id)


def request_meeting(reg: Registration, other_id: int) -> str:
    """``reg`` asks ``other_id`` for a meeting. Returns what happened: "requested" (the
    other is e-mailed), "accepted" (they had asked first, so this accepts theirs) or
    "already" (nothing to do)."""
    me, other = _counterpart(reg, other_id)
    mine, theirs = _request(me.id, other.id), _request(other.id, me.id)
    now = utcnow()
    if theirs is not None:
        if theirs.status == RequestStatus.NOT_INTERESTED:
            raise NetworkingError("not_available",
                                  "This person is not taking part in networking.")
        if theirs.status == RequestStatus.ACCEPTED:
            return "already"
        # They asked first (or asked and were declined): asking back is accepting.
        theirs.status, theirs.responded_at = RequestStatus.ACCEPTED, now
        if mine is not None:
            db.session.delete(mine)
        db.session.flush()
        _queue(f"accepted:{theirs.id}", other)
        return "accepted"
    if mine is None:
        mine = MeetingRequest(event_id=me.event_id, requester_id=me.id, recipient_id=other.id,
                              status=RequestStatus.PENDING, created_at=now)
        db.session.add(mine)
    elif mine.status == RequestStatus.NOT_INTERESTED:
        mine.status, mine.created_at, mine.responded_at = RequestStatus.PENDING, now, None
    elif mine.status == RequestStatus.DECLINED:
        raise NetworkingError("declined", "This person has declined your request.")
    else:
        return "already"
    db.session.flush()
    _queue(f"request:{mine.id}", other)
    return "requested"


def respond(reg: Registration, request_id: int, accept: bool) -> MeetingRequest:
    """The recipient accepts or declines a request (and may change their mind). The
    requester hears of an acceptance by e-mail."""
    found = db.session.get(MeetingRequest, request_id)
    if found is None or found.recipient_id != reg.id:
        raise NetworkingError("not_found", "There is no such request.")
    me, _other = _lock_pair(reg, found.requester_id)
    req = _request(found.requester_id, me.id)
    if req is None or req.status == RequestStatus.NOT_INTERESTED:
        raise NetworkingError("not_found", "There is no such request.")
    target = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    if req.status == target:
        return req
    if accept and not (takes_part(me) and takes_part(req.requester)):
        raise NetworkingError("not_available", "This person is not taking part in networking.")
    req.status, req.responded_at = target, utcnow()
    if accept:
        mark = _request(me.id, req.requester_id)
        if mark is not None:  # an earlier "not interested" would veto the meeting
            db.session.delete(mark)
        _queue(f"accepted:{req.id}", req.requester)
    return req


def not_interested(reg: Registration, other_id: int) -> None:
    """Never pair ``reg`` with ``other_id``: a pending request from them is declined,
    one to them withdrawn, and the contact leaves both recommendation lists."""
    me, other = _lock_pair(reg, other_id)
    if other is None or other.id == me.id or other.event_id != me.event_id:
        raise NetworkingError("not_available", "This person is not taking part in networking.")
    now = utcnow()
    theirs = _request(other.id, me.id)
    if theirs is not None and theirs.status in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        theirs.status, theirs.responded_at = RequestStatus.DECLINED, now
    mine = _request(me.id, other.id)
    if mine is None:
        db.session.add(MeetingRequest(event_id=me.event_id, requester_id=me.id,
                                      recipient_id=other.id, created_at=now,
                                      status=RequestStatus.NOT_INTERESTED))
    else:
        mine.status, mine.responded_at = RequestStatus.NOT_INTERESTED, None


def withdraw(reg: Registration, request_id: int) -> None:
    """Takes back one's own pending request or "not interested" mark."""
    found = db.session.get(MeetingRequest, request_id)
    if found is None or found.requester_id != reg.id:
        raise NetworkingError("not_found", "There is no such request.")
    _lock_pair(reg, found.recipient_id)
    req = _request(reg.id, found.recipient_id)
    if req is None:
        return
    if req.status not in (RequestStatus.PENDING, RequestStatus.NOT_INTERESTED):
        raise NetworkingError("answered", "This request has already been answered.")
    db.session.delete(req)


# -- the schedule -------------------------------------------------------------------------

def reasons_dict(reasons: matching.Reasons) -> dict:
    """How a meeting's reasons are stored: codes, worded only when shown."""
    return {"countries": list(reasons.countries), "technologies": list(reasons.technologies),
            "requested": reasons.requested, "cross_side": reasons.cross_side}


def reasons_from(data) -> matching.Reasons:
    data = data if isinstance(data, dict) else {}
    return matching.Reasons(countries=tuple(data.get("countries") or ()),
                            technologies=tuple(data.get("technologies") or ()),
                            requested=bool(data.get("requested")),
                            cross_side=bool(data.get("cross_side")))


def _as_planned(row: Meeting) -> matching.Meeting:
    return matching.Meeting(a=row.a_id, b=row.b_id, slot=row.slot, table=row.table_number,
                            score=float(row.score or 0.0), reasons=reasons_from(row.reasons),
                            locked=True)


def event_meetings(event_id: int, *, with_people: bool = False) -> list[Meeting]:
    """The stored schedule by slot and table; ``with_people`` loads both registrations
    and their categories in the same query."""
    query = (db.select(Meeting).where(Meeting.event_id == event_id)
             .order_by(Meeting.slot, Meeting.table_number, Meeting.id))
    if with_people:
        query = query.options(joinedload(Meeting.a).joinedload(Registration.category),
                              joinedload(Meeting.b).joinedload(Registration.category))
    return list(db.session.execute(query).unique().scalars())


def published_meetings_for(reg: Registration) -> list[Meeting]:
    return list(db.session.execute(
        db.select(Meeting)
        .options(joinedload(Meeting.a).joinedload(Registration.category),
                 joinedload(Meeting.b).joinedload(Registration.category))
        .where(Meeting.event_id == reg.event_id, Meeting.published.is_(True),
               db.or_(Meeting.a_id == reg.id, Meeting.b_id == reg.id))
        .order_by(Meeting.slot, Meeting.table_number)).unique().scalars())


@dataclass
class ScheduleResult:
    meetings: list[Meeting]
    metrics: dict


def generate_schedule(event_id: int, only_checked_in: bool = False) -> ScheduleResult:
    """Replaces every unlocked meeting with a new draft schedule around the locked ones."""
    event = lock_event(event_id)
    if not event.has_networking:
        raise _no_networking()
    people = [to_participant(r) for r in participant_registrations(event.id, only_checked_in)]
    prefs = preferences(event.id)
    kept = list(db.session.execute(
        db.select(Meeting).where(Meeting.event_id == event.id, Meeting.locked.is_(True))
        .order_by(Meeting.slot, Meeting.table_number)).scalars())
    db.session.execute(db.delete(Meeting).where(Meeting.event_id == event.id,
                                                Meeting.locked.is_(False)))
    schedule = matching.build_schedule(
        people, prefs, slots=event.networking_slots, tables=event.networking_tables,
        max_meetings=event.networking_max_meetings, locked=[_as_planned(m) for m in kept])
    drafts = [Meeting(event_id=event.id, a_id=m.a, b_id=m.b, slot=m.slot,
                      table_number=m.table, score=float(m.score),
                      reasons=reasons_dict(m.reasons), locked=False, published=False)
              for m in schedule.meetings if not m.locked]
    db.session.add_all(drafts)
    db.session.flush()
    meetings = sorted(kept + drafts, key=lambda m: (m.slot, m.table_number, m.id))
    return ScheduleResult(meetings, schedule.metrics)


def schedule_metrics(event: Event, meetings: list[Meeting],
                     registrations: list[Registration] | None = None) -> dict:
    """The figures of the stored schedule, as build_schedule reports them, over
    ``registrations`` (default: everyone taking part).

    The stored meetings go in as locked ones with a cap of zero new meetings, so the
    scheduler adds nothing and its metrics describe exactly what is stored. Everyone is
    also marked unavailable in every slot: with nothing to place, the search would only
    spend seconds proving it (the figures do not depend on availability). What that
    changes -- "unavailable" versus "capacity" for a person left without a meeting --
    is then told apart here, for those few people only.
    """
    if not event.has_networking:
        return {}
    slots, tables = event.networking_slots, event.networking_tables
    if registrations is None:
        registrations = participant_registrations(event.id)
    people = [to_participant(r) for r in registrations]
    prefs = preferences(event.id)
    nowhere = frozenset(range(slots))
    metrics = matching.build_schedule(
        [replace(p, unavailable_slots=nowhere) for p in people], prefs, slots=slots,
        tables=tables, max_meetings=0, locked=[_as_planned(m) for m in meetings]).metrics
    by_id = {p.id: p for p in people}
    for item in metrics.get("without_meeting", []):
        person = by_id.get(item["id"])
        if item["reason"] == "unavailable" and person is not None \
                and _could_be_seated(person, people, prefs, slots, tables):
            item["reason"] = "capacity"
    return metrics


def _open_slots(p: matching.Participant, slots: int, tables: int) -> set[int]:
    if p.fixed_table is not None and not 1 <= p.fixed_table <= tables:
        return set()
    return set(range(slots)) - set(p.unavailable_slots)


def _could_be_seated(p: matching.Participant, people: list[matching.Participant],
                     prefs: matching.Preferences, slots: int, tables: int) -> bool:
    """Some partner with a positive score shares a free slot and a possible table."""
    mine = _open_slots(p, slots, tables)
    if not mine:
        return False
    for q in people:
        if q.id == p.id or (p.fixed_table and q.fixed_table and p.fixed_table != q.fixed_table):
            continue
        if mine & _open_slots(q, slots, tables) and matching.score_pair(p, q, prefs):
            return True
    return False


@dataclass
class PublishResult:
    meetings: int
    notified: int


def publish(event_id: int) -> PublishResult:
    """Every meeting goes on the agendas; each confirmed person with a meeting is
    e-mailed a link to their agenda."""
    event = lock_event(event_id)
    if not event.has_networking:
        raise _no_networking()
    published = db.session.execute(
        db.update(Meeting).where(Meeting.event_id == event.id)
        .values(published=True)).rowcount
    event.networking_published_at = utcnow()
    in_meetings = db.union(
        db.select(Meeting.a_id).where(Meeting.event_id == event.id),
        db.select(Meeting.b_id).where(Meeting.event_id == event.id))
    people = list(db.session.execute(
        db.select(Registration)
        .where(Registration.id.in_(in_meetings), Registration.status == Status.CONFIRMED)
        .order_by(Registration.id)).scalars())
    for reg in people:
        _queue("agenda", reg)
    return PublishResult(meetings=published, notified=len(people))


def _event_meeting(event_id: int, meeting_id: int) -> Meeting:
    lock_event(event_id)  # waits for a schedule being generated or published
    meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None or meeting.event_id != event_id:
        raise NetworkingError("not_found", "There is no such meeting.")
    return meeting


def set_locked(event_id: int, meeting_id: int, locked: bool) -> Meeting:
    meeting = _event_meeting(event_id, meeting_id)
    meeting.locked = locked
    return meeting


def delete_meeting(event_id: int, meeting_id: int) -> None:
    db.session.delete(_event_meeting(event_id, meeting_id))
