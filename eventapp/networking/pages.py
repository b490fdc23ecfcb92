"""What the networking pages show, prepared for the templates (which only display)."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from .. import timefmt
from ..extensions import db
from ..models import Event, Meeting, MeetingRequest, Registration, RequestStatus
from . import matching, services, versions
from .requests import requests_of
from .wording import Wording

RECOMMENDATIONS = 10


def session_span(event: Event, language: str) -> str:
    """"Monday, June 9, 2027 · 15:30–17:00"."""
    if not event.has_networking:
        return ""
    ends = services.slot_end(event, max(event.networking_slots - 1, 0))
    return timefmt.span(event.networking_starts_at, ends, event.timezone, language)


@dataclass
class Contact:
    reg: Registration
    reasons: str
    incoming: MeetingRequest | None = None  # their request to the viewer
    outgoing: MeetingRequest | None = None  # the viewer's request (or mark) to them
    meets: str = ""  # "You meet at 14:20, table 3." when a published meeting exists


@dataclass
class AgendaEntry:
    meeting: Meeting
    starts: datetime
    ends: datetime
    table: int
    counterpart: Registration
    reasons: str


@dataclass
class SlotChoice:
    index: int
    starts: datetime
    ends: datetime
    unavailable: bool


@dataclass
class AttendeePage:
    reg: Registration
    event: Event
    taking_part: bool
    agenda: list[AgendaEntry]
    session: str = ""
    slots: list[SlotChoice] = field(default_factory=list)
    recommendations: list[Contact] = field(default_factory=list)
    incoming: list[Contact] = field(default_factory=list)
    outgoing: list[Contact] = field(default_factory=list)
    hidden: list[Contact] = field(default_factory=list)


def agenda_entries(reg: Registration, wording: Wording) -> list[AgendaEntry]:
    """The person's published meetings, in time order."""
    event = reg.event
    entries = []
    for meeting in services.published_meetings_for(reg):
        other = meeting.b if meeting.a_id == reg.id else meeting.a
        entries.append(AgendaEntry(
            meeting=meeting, starts=services.slot_start(event, meeting.slot),
            ends=services.slot_end(event, meeting.slot), table=meeting.table_number,
            counterpart=other, reasons=wording.reasons(meeting.reasons)))
    return entries


def meeting_sentences(agenda: list[AgendaEntry], event: Event) -> dict[int, str]:
    """Whom the person already meets (published meetings): "You meet at 14:20, table 3."
    by their registration id, said instead of offering to request a meeting."""
    said: dict[int, str] = {}
    for entry in agenda:
        said.setdefault(entry.counterpart.id, _(
            "You meet at %(time)s, table %(table)s.",
            time=timefmt.clock(entry.starts, event.timezone), table=entry.table))
    return said


def attendee_page(reg: Registration, language: str) -> AttendeePage:
    event = reg.event
    wording = Wording(event, language)
    page = AttendeePage(reg=reg, event=event, taking_part=services.takes_part(reg),
                        agenda=agenda_entries(reg, wording),
                        session=session_span(event, language))
    unavailable = set(reg.unavailable_slots or ())
    page.slots = [SlotChoice(s, start, services.slot_end(event, s), s in unavailable)
                  for s, start in enumerate(services.slot_starts(event))]
    if not page.taking_part:
        # Only people who opted in see others, and only they are seen.
        return page

    registrations = services.participant_registrations(event.id)
    people = {r.id: r for r in registrations}
    participants = [services.to_participant(r) for r in registrations]
    me = next(p for p in participants if p.id == reg.id)
    prefs = services.preferences(event.id)
    requests = requests_of(reg)
    mine = {r.recipient_id: r for r in requests if r.requester_id == reg.id}
    theirs = {r.requester_id: r for r in requests if r.recipient_id == reg.id}

    meets = meeting_sentences(page.agenda, event)

    def contact(other_id: int) -> Contact:
        match = matching.score_pair(me, participants_by_id[other_id], prefs)
        return Contact(people[other_id], wording.reasons(match.reasons) if match else "",
                       incoming=theirs.get(other_id), outgoing=mine.get(other_id),
                       meets=meets.get(other_id, ""))

    participants_by_id = {p.id: p for p in participants}
    for match in matching.recommend(reg.id, participants, prefs, limit=len(participants)):
        other_id = match.b if match.a == reg.id else match.a
        if other_id in mine or other_id in theirs:
            continue  # already in the request lists below
        page.recommendations.append(Contact(people[other_id], wording.reasons(match.reasons),
                                            meets=meets.get(other_id, "")))
        if len(page.recommendations) >= RECOMMENDATIONS:
            break

    waiting_first = {RequestStatus.PENDING: 0, RequestStatus.ACCEPTED: 1,
                     RequestStatus.DECLINED: 2}
    page.incoming = sorted(
        (contact(i) for i, r in theirs.items()
         if i in people and r.status != RequestStatus.NOT_INTERESTED),
        key=lambda c: (waiting_first[c.incoming.status], c.incoming.created_at))
    page.outgoing = [contact(i) for i, r in mine.items()
                     if i in people and r.status != RequestStatus.NOT_INTERESTED
                     and i not in theirs]
    page.hidden = [contact(i) for i, r in mine.items()
                   if i in people and r.status == RequestStatus.NOT_INTERESTED]
    return page


# -- organiser --------------------------------------------------------------------------

def without_meeting_reasons() -> dict[str, str]:
    return {
        matching.NONE_SIDE: _("not on either side of the matching"),
        matching.NO_MATCH: _("nobody fits their profile"),
        matching.UNAVAILABLE: _("no free slot or table shared with a good match"),
        matching.CAPACITY: _("no room left in the schedule"),
    }


@dataclass
class PlanCell:
    meeting: Meeting
    reasons: str


@dataclass
class OrganiserPage:
    event: Event
    only_checked_in: bool
    session: str = ""
    meetings: list[Meeting] = field(default_factory=list)
    metrics: matching.Metrics | None = None
    slots: list[datetime] = field(default_factory=list)
    plan: list[tuple[int, list[PlanCell | None]]] = field(default_factory=list)
    off_plan: list[PlanCell] = field(default_factory=list)
    without: list[tuple[Registration, str]] = field(default_factory=list)
    participants: int = 0
    drafts: int = 0
    locked: int = 0


def table_plan(event: Event, meetings: list[Meeting], wording: Wording
               ) -> tuple[list[tuple[int, list[PlanCell | None]]], list[PlanCell]]:
    """Rows of (table, one cell per slot); meetings outside the session's current slots
    and tables (settings changed after they were locked) come back separately."""
    slots, tables = event.networking_slots, event.networking_tables
    grid: dict[int, list[PlanCell | None]] = {}
    off_plan = []
    for m in meetings:
        cell = PlanCell(m, wording.reasons(m.reasons))
        if 0 <= m.slot < slots and 1 <= m.table_number <= tables:
            grid.setdefault(m.table_number, [None] * slots)[m.slot] = cell
        else:
            off_plan.append(cell)
    # Every table of a small room; only the tables in use of a large hall.
    numbers = range(1, tables + 1) if tables <= 100 else sorted(grid)
    return [(t, grid.get(t, [None] * slots)) for t in numbers], off_plan


def organiser_page(event: Event, language: str, only_checked_in: bool = False
                   ) -> OrganiserPage:
    page = OrganiserPage(event=event, only_checked_in=only_checked_in)
    if not event.has_networking:
        return page
    wording = Wording(event, language)
    page.session = session_span(event, language)
    page.meetings = services.event_meetings(event.id, with_people=True)
    registrations = services.participant_registrations(event.id, only_checked_in)
    page.participants = len(registrations)
    page.metrics = services.schedule_metrics(event, page.meetings, registrations)
    page.slots = services.slot_starts(event)
    page.plan, page.off_plan = table_plan(event, page.meetings, wording)
    page.drafts = sum(1 for m in page.meetings if not m.published)
    page.locked = sum(1 for m in page.meetings if m.locked)
    people = {r.id: r for r in registrations}
    labels = without_meeting_reasons()
    page.without = [(people[item.id], labels.get(item.reason, item.reason))
                    for item in page.metrics.without_meeting if item.id in people]
    return page


@dataclass
class PublishPreview:
    first: bool  # nothing published yet: everyone with a meeting gets their agenda
    exists: bool  # a draft to publish
    drafts: int
    unchanged: int
    people: list[tuple[Registration, list[str]]] = field(default_factory=list)


def publish_preview(event: Event, wording: Wording) -> PublishPreview:
    """Who gains, loses or moves meetings if the draft is published now."""
    plan = versions.compare(event.id)
    preview = PublishPreview(first=not event.networking_published_at, exists=plan.exists,
                             drafts=plan.drafts,
                             unchanged=len(plan.unchanged))
    changes = plan.by_person()
    people = {r.id: r for r in services.participant_registrations(event.id)}
    for rid, items in changes.items():
        reg = people.get(rid) or db.session.get(Registration, rid)
        preview.people.append((reg, [wording.change(
            c.kind, c.meeting, rid,
            before=(c.before.slot, c.before.table_number) if c.before else None)
            for c in items]))
    preview.people.sort(key=lambda item: (item[0].sort_name or item[0].name, item[0].id))
    return preview
