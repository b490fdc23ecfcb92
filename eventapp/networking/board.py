"""What the live board and the attendee's agenda show of the session as it happens,
prepared for the templates (which only display)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import joinedload

from ..database import utcnow
from ..extensions import db
from ..models import Event, Meeting, MeetingOutcome, NetworkingSide, Registration
from ..models.networking import PUBLISHED
from . import live, services

EXPECTED, ARRIVED, LATE, ABSENT = "expected", "arrived", "late", "absent"


def late_after() -> timedelta:
    """How far into a slot someone not yet at the table counts as late (the setting
    NETWORKING_LATE_MINUTES): from then on, staff and the partner may mark them absent."""
    return timedelta(minutes=current_app.config.get("NETWORKING_LATE_MINUTES", 5))


def current_slot(event: Event, now: datetime | None = None) -> int:
    """The slot under way, else the next one, else the last."""
    now = now or utcnow()
    for slot in range(event.networking_slots):
        if now < services.slot_end(event, slot):
            return slot
    return max(event.networking_slots - 1, 0)


def person_state(meeting: Meeting, reg_id: int, now: datetime, event: Event) -> str:
    if meeting.absent_id == reg_id:
        return ABSENT
    if reg_id in live.arrived_ids(meeting):
        return ARRIVED
    # A replacement booked mid-slot gives its newcomer the same grace from its booking.
    since = services.slot_start(event, meeting.slot)
    if meeting.replaces_id is not None and meeting.created_at is not None:
        since = max(since, meeting.created_at)
    if now >= since + late_after():
        return LATE
    return EXPECTED


@dataclass
class Seat:
    reg: Registration
    state: str


@dataclass
class TableRow:
    table: int
    meeting: Meeting | None = None
    seats: list[Seat] = field(default_factory=list)
    reasons: str = ""
    proposal: live.Proposal | None = None
    proposal_reasons: str = ""
    replaced: Meeting | None = None  # the meeting with a no-show this one replaces


@dataclass
class Board:
    event: Event
    slot: int
    starts: datetime
    ends: datetime
    slots: list[datetime]
    rows: list[TableRow] = field(default_factory=list)
    flagged: list[tuple[Meeting, Registration]] = field(default_factory=list)
    expected: int = 0
    arrived: int = 0
    late: int = 0


def _with_people(query):
    return query.options(joinedload(Meeting.a).joinedload(Registration.category),
                         joinedload(Meeting.b).joinedload(Registration.category))


def board(event: Event, slot: int, wording) -> Board:
    now = utcnow()
    page = Board(event, slot, services.slot_start(event, slot), services.slot_end(event, slot),
                 services.slot_starts(event))
    meetings = list(db.session.execute(_with_people(db.select(Meeting).where(
        Meeting.event_id == event.id, Meeting.slot == slot,
        db.or_(Meeting.sheet == PUBLISHED, Meeting.absent_id.is_not(None)))
        .order_by(Meeting.table_number, Meeting.id))).unique().scalars())
    replaced = {m.id: m for m in meetings if m.sheet is None}
    for m in meetings:
        if m.sheet is None:
            continue
        row = TableRow(m.table_number, m, reasons=wording.reasons(m.reasons),
                       replaced=replaced.get(m.replaces_id))
        for reg in (m.a, m.b):
            seat = Seat(reg, person_state(m, reg.id, now, event))
            row.seats.append(seat)
            page.expected += 1
            page.arrived += seat.state == ARRIVED
            page.late += seat.state == LATE
        if m.absent_id is not None:
            row.proposal = live.propose(m)
            if row.proposal:
                row.proposal_reasons = wording.reasons(row.proposal.reasons)
        page.rows.append(row)
    absent_ids = _absent_people(event.id)
    page.flagged = [(m, reg) for m in live.flagged(event.id) for reg in (m.a, m.b)
                    if reg.id in absent_ids]
    return page


def _absent_people(event_id: int) -> set[int]:
    return set(db.session.execute(db.select(Meeting.absent_id).where(
        Meeting.event_id == event_id, Meeting.absent_id.is_not(None))).scalars())


# -- the attendee's agenda ------------------------------------------------------------------

@dataclass
class LiveEntry:
    """One agenda line's live state, seen by one of its two people."""

    me: str
    partner: str
    can_mark_absent: bool
    outcome: MeetingOutcome | None
    official: bool


def live_entries(reg: Registration, meetings: list[Meeting]) -> dict[int, LiveEntry]:
    """Meeting id -> what the person may do there: say they are at the table, mark a
    late partner absent, and say how it went."""
    now = utcnow()
    event = reg.event
    outcomes = live.outcomes_of([m.id for m in meetings])
    official = reg.category.networking_side == NetworkingSide.NEED
    entries = {}
    for m in meetings:
        other = live.partner_id(m, reg.id)
        partner = person_state(m, other, now, event)
        entries[m.id] = LiveEntry(
            me=person_state(m, reg.id, now, event), partner=partner,
            can_mark_absent=partner == LATE and reg.id in live.arrived_ids(m),
            outcome=outcomes.get((m.id, reg.id)), official=official)
    return entries


def meeting_at_table(reg: Registration, table: int) -> Meeting | None:
    """The person's published meeting at that table now: the one under way or next,
    else their last one there."""
    rows = [m for m in services.published_meetings_for(reg) if m.table_number == table]
    now = utcnow()
    for m in rows:
        if now < services.slot_end(reg.event, m.slot):
            return m
    return rows[-1] if rows else None


def agenda_cookie(event_id: int) -> str:
    return f"agenda_{event_id}"


def remember_agenda(response, reg: Registration):
    """Remembers on the attendee's phone whose agenda it opened, so that scanning a
    table card of the event marks them at the table (live_views.table)."""
    response.set_cookie(agenda_cookie(reg.event_id), reg.manage_token, max_age=14 * 86400,
                        path=f"/events/{reg.event_id}/", httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
