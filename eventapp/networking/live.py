"""The networking session as it happens: arrivals at the table, no-shows and their
replacements, later meetings of an absent person, and what people say of a meeting.

Everything acts on the published sheet under the event's lock (`_event_meeting`), so two
door phones never book the same person or table twice: the table by the database's
unique (event, sheet, slot, table), the people by the check below, made under the lock.
"""

from dataclasses import dataclass

from ..database import utcnow
from ..extensions import db
from ..models import Category, Meeting, MeetingOutcome, NetworkingSide, Registration, Status
from ..models.networking import PUBLISHED
from . import matching
from .services import (
    NetworkingError,
    _event_meeting,
    preferences,
    reasons_dict,
    takes_part,
    to_participant,
)


def _live_meeting(event_id: int, meeting_id: int) -> Meeting:
    meeting = _event_meeting(event_id, meeting_id)
    if meeting.sheet != PUBLISHED:
        raise NetworkingError("not_published", "This meeting is not on the published "
                              "schedule.")
    return meeting


def _side(meeting: Meeting, registration_id: int) -> str:
    if registration_id == meeting.a_id:
        return "a"
    if registration_id == meeting.b_id:
        return "b"
    raise NetworkingError("not_in_meeting", "That person is not in this meeting.")


def partner_id(meeting: Meeting, registration_id: int) -> int:
    return meeting.b_id if registration_id == meeting.a_id else meeting.a_id


def arrived_ids(meeting: Meeting) -> list[int]:
    return [rid for rid, at in ((meeting.a_id, meeting.a_arrived_at),
                                (meeting.b_id, meeting.b_arrived_at)) if at is not None]


def arrive(event_id: int, meeting_id: int, registration_id: int) -> Meeting:
    """The person is at the table (a second tap changes nothing). Someone marked absent
    who turns up after all is at the table again, unless already replaced."""
    meeting = _live_meeting(event_id, meeting_id)
    side = _side(meeting, registration_id)
    if getattr(meeting, f"{side}_arrived_at") is None:
        setattr(meeting, f"{side}_arrived_at", utcnow())
    if meeting.absent_id == registration_id:
        meeting.absent_id = meeting.absent_marked_at = None
    return meeting


def mark_absent(event_id: int, meeting_id: int, registration_id: int) -> Meeting:
    meeting = _live_meeting(event_id, meeting_id)
    side = _side(meeting, registration_id)
    if getattr(meeting, f"{side}_arrived_at") is not None:
        raise NetworkingError("arrived", "That person has arrived at the table.")
    if meeting.absent_id not in (None, registration_id):
        raise NetworkingError("both_absent", "The other person is already marked absent.")
    if meeting.absent_id is None:
        meeting.absent_id, meeting.absent_marked_at = registration_id, utcnow()
    return meeting


@dataclass
class Proposal:
    meeting: Meeting  # the one with a no-show
    partner: Registration  # who came
    candidate: Registration
    score: float
    reasons: matching.Reasons


def busy_in_slot(event_id: int, slot: int) -> set[int]:
    rows = db.session.execute(
        db.select(Meeting.a_id, Meeting.b_id).where(
            Meeting.event_id == event_id, Meeting.sheet == PUBLISHED, Meeting.slot == slot))
    return {rid for pair in rows for rid in pair}


def propose(meeting: Meeting) -> Proposal | None:
    """The best replacement for the absent person: among checked-in attendees taking
    part who are free in that slot and are not already meeting the partner, the best fit
    to the partner by the schedule's own scoring (vetoes and "not interested" included;
    on a tie, whoever has fewer meetings, then the earlier registration); None when
    nobody fits. The planning limit of meetings per person does not apply: an idle
    person gains a meeting rather than someone sitting alone."""
    if meeting.absent_id is None or meeting.sheet != PUBLISHED:
        return None
    event = meeting.a.event
    came = partner_id(meeting, meeting.absent_id)
    partner = to_participant(db.session.get(Registration, came))
    counts: dict[int, int] = {}
    met: set[int] = set()
    for a, b in db.session.execute(db.select(Meeting.a_id, Meeting.b_id).where(
            Meeting.event_id == event.id, Meeting.sheet == PUBLISHED)):
        counts[a] = counts.get(a, 0) + 1
        counts[b] = counts.get(b, 0) + 1
        if came in (a, b):
            met.add(b if a == came else a)
    prefs = preferences(event.id)
    best = None
    for candidate in free_participants(event.id, meeting.slot):
        if candidate.id in met or candidate.id in (came, meeting.absent_id):
            continue
        match = matching.score_pair(partner, candidate, prefs)
        if match is None:
            continue
        rank = (match.score, -counts.get(candidate.id, 0), -candidate.id)
        if best is None or rank > best[2]:
            best = (match, candidate.id, rank)
    if best is None:
        return None
    return Proposal(meeting, db.session.get(Registration, came),
                    db.session.get(Registration, best[1]), float(best[0].score),
                    best[0].reasons)


def free_participants(event_id: int, slot: int) -> list[matching.Participant]:
    """Checked-in people taking part who have no published meeting in `slot` and are
    not unavailable then, as the matching sees them: read as plain columns, not as
    registrations (a session of 2,000 is read on every no-show)."""
    busy = db.union(
        db.select(Meeting.a_id).where(Meeting.event_id == event_id,
                                      Meeting.sheet == PUBLISHED, Meeting.slot == slot),
        db.select(Meeting.b_id).where(Meeting.event_id == event_id,
                                      Meeting.sheet == PUBLISHED, Meeting.slot == slot))
    rows = db.session.execute(
        db.select(Registration.id, Category.networking_side, Registration.organisation,
                  Registration.country, Registration.technologies_offered,
                  Registration.technology_needs, Registration.target_countries,
                  Registration.unavailable_slots, Registration.networking_table)
        .join(Category, Category.id == Registration.category_id)
        .where(Registration.event_id == event_id, Registration.status == Status.CONFIRMED,
               Registration.networking_opt_in.is_(True),
               Registration.checked_in_at.is_not(None),
               Category.networking_side != NetworkingSide.NONE,
               Registration.id.not_in(busy))
        .order_by(Registration.id))
    people = []
    for rid, side, organisation, country, offers, needs, targets, unavailable, table in rows:
        unavailable = frozenset(int(s) for s in unavailable or ())
        if slot in unavailable:
            continue
        people.append(matching.Participant(
            id=rid, side=str(side), organisation=organisation or "", country=country or None,
            offers=frozenset(offers or ()), needs=frozenset(needs or ()),
            target_countries=frozenset(targets or ()), unavailable_slots=unavailable,
            fixed_table=table or None))
    return people


def replace(event_id: int, meeting_id: int, candidate_id: int) -> Meeting:
    """Books the replacement: a new meeting at the same slot and table between the
    partner who came and `candidate_id`; the meeting with the no-show leaves the sheet
    (calendars get it CANCELLED). Checked again under the lock: the candidate must be
    checked in and still free."""
    meeting = _live_meeting(event_id, meeting_id)
    if meeting.absent_id is None:
        raise NetworkingError("not_absent", "Nobody is marked absent in this meeting.")
    candidate = db.session.get(Registration, candidate_id)
    if not _still_fits(meeting, candidate):
        raise NetworkingError("not_free", "That person is no longer free for this meeting.")
    came = partner_id(meeting, meeting.absent_id)
    came_at = meeting.a_arrived_at if came == meeting.a_id else meeting.b_arrived_at
    match = matching.score_pair(to_participant(db.session.get(Registration, came)),
                                to_participant(candidate), preferences(event_id))
    meeting.sheet, meeting.published = None, False
    meeting.sequence += 1
    db.session.flush()
    a, b = sorted((came, candidate_id))
    new = Meeting(event_id=event_id, a_id=a, b_id=b, slot=meeting.slot,
                  table_number=meeting.table_number, score=float(match.score if match else 0),
                  reasons=reasons_dict(match.reasons) if match else {}, locked=True,
                  published=True, sheet=PUBLISHED, replaces_id=meeting.id,
                  revision=meeting.revision)
    if a == came:
        new.a_arrived_at = came_at
    else:
        new.b_arrived_at = came_at
    db.session.add(new)
    db.session.flush()
    return new


def _still_fits(meeting: Meeting, candidate: Registration | None) -> bool:
    """What `propose` asks of a candidate, asked of one person (checked again when the
    organiser confirms, and for a person the organiser picks instead)."""
    if candidate is None or candidate.event_id != meeting.event_id:
        return False
    if (not takes_part(candidate) or candidate.checked_in_at is None
            or meeting.slot in {int(s) for s in candidate.unavailable_slots or ()}):
        return False
    came = partner_id(meeting, meeting.absent_id)
    if candidate.id in busy_in_slot(meeting.event_id, meeting.slot) | {meeting.absent_id}:
        return False
    theirs = db.session.execute(db.select(Meeting.a_id, Meeting.b_id).where(
        Meeting.event_id == meeting.event_id, Meeting.sheet == PUBLISHED,
        db.or_(Meeting.a_id == candidate.id, Meeting.b_id == candidate.id))).all()
    if any(came in pair for pair in theirs):
        return False
    return matching.score_pair(to_participant(db.session.get(Registration, came)),
                               to_participant(candidate),
                               preferences(meeting.event_id)) is not None


def flagged(event_id: int) -> list[Meeting]:
    """Later published meetings of people marked absent, not yet kept or released."""
    absences = db.session.execute(
        db.select(Meeting.absent_id, db.func.min(Meeting.slot))
        .where(Meeting.event_id == event_id, Meeting.absent_id.is_not(None))
        .group_by(Meeting.absent_id)).all()
    if not absences:
        return []
    first = dict(absences)
    rows = db.session.execute(
        db.select(Meeting).where(
            Meeting.event_id == event_id, Meeting.sheet == PUBLISHED,
            Meeting.kept.is_(False), Meeting.absent_id.is_(None),
            db.or_(Meeting.a_id.in_(first), Meeting.b_id.in_(first)))
        .order_by(Meeting.slot, Meeting.table_number)).scalars()
    return [m for m in rows
            if (m.a_id in first and m.slot > first[m.a_id] and m.a_arrived_at is None)
            or (m.b_id in first and m.slot > first[m.b_id] and m.b_arrived_at is None)]


def keep(event_id: int, meeting_id: int) -> Meeting:
    meeting = _live_meeting(event_id, meeting_id)
    meeting.kept = True
    return meeting


# -- outcomes -----------------------------------------------------------------------------

def record_outcome(event_id: int, meeting_id: int, registration_id: int, *, held: bool,
                   rating: int | None = None, follow_up: bool | None = None,
                   note: str = "", applicable: bool | None = None,
                   entered_by_id: int | None = None) -> MeetingOutcome:
    """What one participant says of a meeting they were told of (the published sheet, or
    a meeting replaced after a no-show); said again, it replaces the earlier word."""
    meeting = _event_meeting(event_id, meeting_id)
    if meeting.sheet != PUBLISHED and meeting.absent_id is None:
        raise NetworkingError("not_published", "This meeting is not on the published "
                              "schedule.")
    _side(meeting, registration_id)
    if rating is not None and not 1 <= rating <= 4:
        raise NetworkingError("rating", "The rating is from 1 to 4.")
    outcome = db.session.execute(db.select(MeetingOutcome).where(
        MeetingOutcome.meeting_id == meeting.id,
        MeetingOutcome.registration_id == registration_id)).scalar_one_or_none()
    if outcome is None:
        outcome = MeetingOutcome(meeting_id=meeting.id, registration_id=registration_id)
        db.session.add(outcome)
    outcome.held, outcome.rating, outcome.follow_up = held, rating, follow_up
    outcome.note, outcome.applicable, outcome.entered_by_id = note, applicable, entered_by_id
    db.session.flush()
    return outcome


def outcomes_of(meeting_ids: list[int]) -> dict[tuple[int, int], MeetingOutcome]:
    """(meeting id, registration id) -> outcome."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(db.select(MeetingOutcome).where(
        MeetingOutcome.meeting_id.in_(meeting_ids))).scalars()
    return {(o.meeting_id, o.registration_id): o for o in rows}
