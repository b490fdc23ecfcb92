"""The figures of an event's report, as plain data: counted by reports.services, put
into words by reports.narrative, drawn by reports.charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..models import Event
from ..networking.outcomes import SessionFigures


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waitlisted: int = 0
    pending: int = 0
    cancelled: int = 0
    rejected: int = 0
    checked_in: int = 0
    no_shows: int | None = 0  # confirmed and not checked in; None before the event starts

    @property
    def registered(self) -> int:
        return self.confirmed + self.waitlisted + self.pending

    @property
    def attendance_rate(self) -> float | None:
        return self.checked_in / self.confirmed if self.confirmed else None


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: `key` is a code (or the organisation itself)."""

    key: str
    label: str
    registered: int
    checked_in: int


@dataclass(frozen=True)
class TechnologyRow:
    key: str
    label: str
    offered: int  # active registrations offering it
    needed: int  # active registrations needing it
    offered_checked_in: int
    needed_checked_in: int


@dataclass(frozen=True)
class Attendance:
    """Distinct values among checked-in attendees: the facts of the summary sentence."""

    attended: int = 0
    organisations: int = 0
    countries: int = 0
    companies: int = 0  # organisations on the offering side
    official_countries: int = 0  # countries of the needing side


@dataclass(frozen=True)
class Arrivals:
    bin_minutes: int
    bins: list[tuple[datetime, int]]  # (start in the event's time zone, check-ins)

    @property
    def total(self) -> int:
        return sum(n for _start, n in self.bins)


@dataclass(frozen=True)
class NoShow:
    id: int
    name: str
    name_kana: str
    organisation: str
    category: str
    country: str | None


@dataclass(frozen=True)
class Networking:
    meetings: int = 0
    published: int = 0
    opted_in: int = 0  # confirmed registrations that opted in
    with_meeting: int = 0  # of those, people with at least one meeting
    session: SessionFigures = SessionFigures()  # what happened at the session

    @property
    def share_with_meeting(self) -> float | None:
        return self.with_meeting / self.opted_in if self.opted_in else None


@dataclass
class Report:
    event: Event
    generated_at: datetime
    counts: Counts
    attendance: Attendance
    categories: list[Row]
    countries: list[Row]
    organisations: list[Row]
    organisation_total: int
    technologies: list[TechnologyRow]
    arrivals: Arrivals
    networking: Networking
    last_check_in: datetime | None = None
    no_shows: list[NoShow] = field(default_factory=list)
