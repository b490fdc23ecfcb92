"""Publishing a draft schedule over the published one, safely.

Building a schedule only ever writes the draft sheet (services.generate_schedule), so
agendas and calendar files stay as they are. Publishing compares the draft with the
published sheet pair by pair: a pair at the same slot and table is unchanged (its row,
arrivals and outcomes stay); a pair elsewhere is moved in place (same id, hence the same
calendar UID, with a higher SEQUENCE); a pair only in the draft is new; a published pair
the draft lacks is cancelled (kept off both sheets, so calendars get it CANCELLED).
Meetings that have started to happen (services.settled_ids) are never moved or
cancelled. Only the people whose meetings changed are e-mailed, saying what changed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from ..database import utcnow
from ..events.services import lock_event
from ..extensions import db
from ..models import Event, Meeting, Registration, Status
from ..models.networking import DRAFT, PUBLISHED
from .services import NetworkingError, meeting_cells, queue_message, settled_ids

NEW, MOVED, CANCELLED = "new", "moved", "cancelled"


@dataclass
class Change:
    kind: str  # NEW, MOVED or CANCELLED
    meeting: Meeting  # the draft row (new, moved) or the published row (cancelled)
    before: Meeting | None = None  # the published row of a moved meeting


@dataclass
class Comparison:
    """What publishing the draft would do."""

    exists: bool = False  # a draft was built (it may hold no meeting)
    drafts: int = 0
    unchanged: list[tuple[Meeting, Meeting]] = field(default_factory=list)
    moved: list[tuple[Meeting, Meeting]] = field(default_factory=list)  # (published, draft)
    new: list[Meeting] = field(default_factory=list)
    cancelled: list[Meeting] = field(default_factory=list)
    dropped: list[Meeting] = field(default_factory=list)  # drafts clashing with settled

    def changes(self) -> list[Change]:
        return ([Change(NEW, d) for d in self.new]
                + [Change(MOVED, d, before=p) for p, d in self.moved]
                + [Change(CANCELLED, p) for p in self.cancelled])

    def by_person(self) -> dict[int, list[Change]]:
        """Registration id -> the changes of their meetings, in slot order."""
        people: dict[int, list[Change]] = defaultdict(list)
        for change in self.changes():
            people[change.meeting.a_id].append(change)
            people[change.meeting.b_id].append(change)
        for changes in people.values():
            changes.sort(key=lambda c: (c.meeting.slot, c.meeting.table_number))
        return dict(people)


def _rows(event_id: int, sheet: str) -> list[Meeting]:
    return list(db.session.execute(
        db.select(Meeting).where(Meeting.event_id == event_id, Meeting.sheet == sheet)
        .order_by(Meeting.slot, Meeting.table_number, Meeting.id)).scalars())


def compare(event_id: int) -> Comparison:
    drafted = db.session.scalar(db.select(Event.networking_draft_at)
                                .where(Event.id == event_id))
    drafts = _rows(event_id, DRAFT)
    result = Comparison(exists=drafted is not None, drafts=len(drafts))
    if not result.exists:
        return result
    published = {(m.a_id, m.b_id): m for m in _rows(event_id, PUBLISHED)}
    settled = settled_ids(event_id)
    in_draft = {(d.a_id, d.b_id) for d in drafts}
    staying = [m for pair, m in published.items() if m.id in settled or pair in in_draft]
    result.cancelled = [m for pair, m in published.items()
                        if pair not in in_draft and m.id not in settled]
    # What settled meetings hold stays theirs; a draft meeting clashing with it waits.
    held = {cell for m in staying if m.id in settled for cell in meeting_cells(m)}
    for d in drafts:
        before = published.get((d.a_id, d.b_id))
        if before is not None and (before.slot, before.table_number) == (d.slot,
                                                                          d.table_number):
            result.unchanged.append((before, d))
        elif before is not None and before.id in settled:
            result.dropped.append(d)
        elif meeting_cells(d) & held:
            result.dropped.append(d)
        elif before is not None:
            result.moved.append((before, d))
        else:
            result.new.append(d)
    return result


@dataclass
class PublishResult:
    meetings: int  # on the published sheet now
    notified: int
    changed: int = 0


def publish(event_id: int) -> PublishResult:
    """Puts the draft on the published sheet (see the module's note) and e-mails the
    people whose meetings changed: their whole agenda the first time, what changed
    afterwards. With no draft, nothing changes."""
    event = lock_event(event_id)
    if not event.has_networking:
        raise NetworkingError("no_networking", "This event has no networking session.")
    plan = compare(event.id)
    ever_published = db.session.scalar(db.select(Meeting.id).where(
        Meeting.event_id == event.id,
        db.or_(Meeting.sheet == PUBLISHED, Meeting.sheet.is_(None))).limit(1)) is not None
    revision = (db.session.scalar(db.select(db.func.max(Meeting.revision))
                                  .where(Meeting.event_id == event.id)) or 0) + 1
    changed_people = plan.by_person()
    if plan.exists:
        _apply(plan, revision)
        event.networking_published_at, event.networking_draft_at = utcnow(), None
    people = list(db.session.execute(
        db.select(Registration)
        .where(Registration.id.in_(list(changed_people)),
               Registration.status == Status.CONFIRMED)
        .order_by(Registration.id)).scalars()) if changed_people else []
    for reg in people:
        queue_message(f"changes:{revision}" if ever_published else "agenda", reg)
    on_sheet = db.session.scalar(db.select(db.func.count()).select_from(Meeting).where(
        Meeting.event_id == event.id, Meeting.sheet == PUBLISHED))
    return PublishResult(meetings=on_sheet, notified=len(people),
                         changed=len(plan.changes()))


def _apply(plan: Comparison, revision: int) -> None:
    now = utcnow()
    for m in plan.cancelled:
        m.sheet, m.published, m.cancelled_at = None, False, now
        m.sequence, m.revision = m.sequence + 1, revision
    targets = []
    for before, d in plan.moved:
        targets.append((before, d.slot, d.table_number, d.score, d.reasons, d.locked))
        before.sheet = None  # off the sheet while the others move, then back
    for before, d in plan.unchanged:
        before.locked = d.locked
    for d in [d for _p, d in plan.unchanged + plan.moved] + plan.dropped:
        db.session.delete(d)
    db.session.flush()
    for before, slot, table, score, reasons, locked in targets:
        before.previous_slot, before.previous_table = before.slot, before.table_number
        before.slot, before.table_number, before.score = slot, table, score
        before.reasons, before.locked = reasons, locked
        before.sheet, before.sequence, before.revision = PUBLISHED, before.sequence + 1, revision
    for d in plan.new:
        d.sheet, d.published, d.revision = PUBLISHED, True, revision
    db.session.flush()


def changes_for(reg: Registration, revision: int) -> list[Change]:
    """What publication `revision` changed for the person, read back from the rows
    (for the e-mail, composed after the commit)."""
    rows = db.session.execute(
        db.select(Meeting).where(
            Meeting.event_id == reg.event_id, Meeting.revision == revision,
            db.or_(Meeting.a_id == reg.id, Meeting.b_id == reg.id))
        .order_by(Meeting.slot, Meeting.table_number)).scalars()
    changes = []
    for m in rows:
        if m.cancelled_at is not None and not m.published:
            changes.append(Change(CANCELLED, m))
        elif m.published and m.previous_slot is not None and m.sequence > 0:
            changes.append(Change(MOVED, m))
        elif m.published:
            changes.append(Change(NEW, m))
    return changes
