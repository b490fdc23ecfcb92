"""Networking: profiles, requests and the meeting schedule, around the pure matching module.

Every action here starts its own write transaction (BEGIN IMMEDIATE on SQLite, row locks
on PostgreSQL) and leaves the commit to the caller; e-mails queued here go out after it.
Matching itself happens in ``matching`` on plain data: this module turns registrations
and requests into that data and stores what comes back.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import contains_eager, joinedload

from .. import mail
from ..database import begin_write, utcnow
from ..events.services import lock_event
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
from ..models.networking import DRAFT, PUBLISHED
from . import matching
from .outcomes import held_meetings

MAIL_COMPOSER = "networking"


class NetworkingError(Exception):
    """An action the current state does not allow. ``code`` is stable (API error codes,
    page messages are looked up by it); the message is English for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def queue_message(kind: str, reg: Registration) -> None:
    """An e-mail about networking to ``reg``, sent after the caller's commit."""
    if reg.erased_at is not None:
        return  # personal data deleted: there is no address to write to
    mail.queue_email(kind, reg.email, MAIL_COMPOSER, language=reg.language,
                     event_id=reg.event_id, registration_id=reg.id)


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


def set_unavailable_slots(reg: Registration, slots: list[int]) -> list[int]:
    """The slots the person cannot attend; indexes outside the session are dropped."""
    begin_write()
    event = reg.event
    valid = sorted({s for s in slots if 0 <= s < event.networking_slots})
    reg.unavailable_slots = valid
    return valid


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


def working_sheet(event_id: int) -> str:
    """The sheet the organiser works on: the draft where one was built (even an empty
    one), else the published schedule."""
    drafted = db.session.scalar(db.select(Event.networking_draft_at)
                                .where(Event.id == event_id))
    return DRAFT if drafted is not None else PUBLISHED


def meetings_query(event_id: int, published: bool = False):
    """A schedule by slot and table, for a list or a page of one: the published one
    attendees see, or the working one (see `working_sheet`)."""
    sheet = PUBLISHED if published else working_sheet(event_id)
    return (db.select(Meeting).where(Meeting.event_id == event_id, Meeting.sheet == sheet)
            .order_by(Meeting.slot, Meeting.table_number, Meeting.id))


def event_meetings(event_id: int, *, with_people: bool = False,
                   published: bool = False) -> list[Meeting]:
    """A stored schedule (as `meetings_query`); ``with_people`` loads both registrations
    and their categories in the same query."""
    query = meetings_query(event_id, published)
    if with_people:
        query = query.options(joinedload(Meeting.a).joinedload(Registration.category),
                              joinedload(Meeting.b).joinedload(Registration.category))
    return list(db.session.execute(query).unique().scalars())


def published_meetings_for(reg: Registration) -> list[Meeting]:
    """The person's meetings on the published sheet: their agenda."""
    return list(db.session.execute(
        db.select(Meeting)
        .options(joinedload(Meeting.a).joinedload(Registration.category),
                 joinedload(Meeting.b).joinedload(Registration.category))
        .where(Meeting.event_id == reg.event_id, Meeting.sheet == PUBLISHED,
               db.or_(Meeting.a_id == reg.id, Meeting.b_id == reg.id))
        .order_by(Meeting.slot, Meeting.table_number)).unique().scalars())


def told_meetings_for(reg: Registration) -> list[Meeting]:
    """Every meeting the person was ever told of: their agenda plus the published
    meetings since cancelled or replaced (their calendar file marks those CANCELLED)."""
    return list(db.session.execute(
        db.select(Meeting)
        .options(joinedload(Meeting.a).joinedload(Registration.category),
                 joinedload(Meeting.b).joinedload(Registration.category))
        .where(Meeting.event_id == reg.event_id,
               db.or_(Meeting.sheet == PUBLISHED, Meeting.sheet.is_(None)),
               db.or_(Meeting.a_id == reg.id, Meeting.b_id == reg.id))
        .order_by(Meeting.slot, Meeting.table_number, Meeting.id)).unique().scalars())


def settled_ids(event_id: int) -> set[int]:
    """Published meetings that have started to happen: someone arrived or was marked
    absent, it is a replacement, or an outcome says it was held. They never move."""
    ids = set(db.session.execute(
        db.select(Meeting.id).where(
            Meeting.event_id == event_id, Meeting.sheet == PUBLISHED,
            db.or_(Meeting.a_arrived_at.is_not(None), Meeting.b_arrived_at.is_not(None),
                   Meeting.absent_id.is_not(None), Meeting.replaces_id.is_not(None)))
    ).scalars())
    return ids | set(db.session.execute(held_meetings([event_id])).scalars())


@dataclass
class ScheduleResult:
    meetings: list[Meeting]
    metrics: matching.Metrics


def generate_schedule(event_id: int, only_checked_in: bool = False) -> ScheduleResult:
    """Builds a new draft beside the published schedule, which stays as it is. The
    draft keeps the working schedule's locked meetings and every published meeting
    that has started to happen (`settled_ids`); every other draft meeting is new."""
    event = lock_event(event_id)
    if not event.has_networking:
        raise _no_networking()
    people = [to_participant(r) for r in participant_registrations(event.id, only_checked_in)]
    prefs = preferences(event.id)
    settled = settled_ids(event.id)
    working = working_sheet(event.id)
    candidates = db.session.execute(
        db.select(Meeting).where(Meeting.event_id == event.id, db.or_(
            Meeting.id.in_(settled), db.and_(Meeting.sheet == working, Meeting.locked)))
        .order_by(Meeting.sheet.desc(), Meeting.slot, Meeting.table_number)).scalars()
    kept: dict[tuple, Meeting] = {}
    taken: set[tuple[int, int]] = set()
    for row in candidates:  # published (settled) rows first: they never move
        if (row.a_id, row.b_id) not in kept and not meeting_cells(row) & taken:
            kept[(row.a_id, row.b_id)] = row
            taken |= meeting_cells(row)
    staying = [m.id for m in kept.values() if m.sheet == DRAFT]
    db.session.execute(db.delete(Meeting).where(Meeting.event_id == event.id,
                                                Meeting.sheet == DRAFT,
                                                Meeting.id.not_in(staying)))
    schedule = matching.build_schedule(
        people, prefs, slots=event.networking_slots, tables=event.networking_tables,
        max_meetings=event.networking_max_meetings,
        locked=[_as_planned(m) for m in kept.values()])
    # Locked drafts stay as they are; the published meetings kept get a draft copy.
    drafts = [Meeting(event_id=event.id, a_id=m.a, b_id=m.b, slot=m.slot,
                      table_number=m.table, score=float(m.score),
                      reasons=reasons_dict(m.reasons), published=False, sheet=DRAFT,
                      locked=m.locked and kept[(m.a, m.b)].locked)
              for m in schedule.meetings
              if not (m.locked and kept[(m.a, m.b)].sheet == DRAFT)]
    db.session.add_all(drafts)
    event.networking_draft_at = utcnow()
    db.session.flush()
    meetings = sorted(drafts + [m for m in kept.values() if m.sheet == DRAFT],
                      key=lambda m: (m.slot, m.table_number, m.id))
    return ScheduleResult(meetings, schedule.metrics)


def meeting_cells(m: Meeting) -> set[tuple[int, int]]:
    """What a meeting occupies in its slot: both people and (negated) its table; two
    meetings clash when these meet."""
    return {(m.slot, m.a_id), (m.slot, m.b_id), (m.slot, -m.table_number)}


def schedule_metrics(event: Event, meetings: list[Meeting],
                     registrations: list[Registration] | None = None
                     ) -> matching.Metrics | None:
    """The figures of the stored schedule over ``registrations`` (default: everyone
    taking part); None when the event has no networking session."""
    if not event.has_networking:
        return None
    if registrations is None:
        registrations = participant_registrations(event.id)
    return matching.describe(
        [_as_planned(m) for m in meetings], [to_participant(r) for r in registrations],
        preferences(event.id), slots=event.networking_slots, tables=event.networking_tables)


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
    """Drafts only: a published meeting changes through a new version, so that the two
    people are told."""
    meeting = _event_meeting(event_id, meeting_id)
    if meeting.sheet != DRAFT:
        raise NetworkingError("published", "A published meeting changes only through a "
                              "new version: build a draft, then publish it.")
    db.session.delete(meeting)
