"""The figures of a schedule, computed from its meetings: ``describe``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import BOTH, NEED, OFFER, Meeting, Participant, Preferences
from .pairs import PairScorer, Reach, availability, fixed_tables, reach

# Why someone is left without a meeting, in the order they are checked.
NONE_SIDE = "none_side"  # takes no part in the matching
NO_MATCH = "no_match"  # nobody they could meet with a positive score
UNAVAILABLE = "unavailable"  # good partners exist, but no free slot or table in common
CAPACITY = "capacity"  # a partner was possible: the seats or the partners' caps ran out


@dataclass(frozen=True)
class WithoutMeeting:
    id: int
    reason: str  # NONE_SIDE, NO_MATCH, UNAVAILABLE or CAPACITY


@dataclass(frozen=True)
class Metrics:
    meetings: int
    participants: int
    with_meeting: int  # participants in at least one meeting
    coverage: float  # of the participants with a good partner, the share with a meeting
    mean_score: float
    total_score: float
    cross_side_share: float  # of the meetings, the share pairing a company and an official
    table_use: float  # meetings / (slots x tables)
    without_meeting: tuple[WithoutMeeting, ...]  # by id


def describe(
    meetings: Iterable[Meeting],
    participants: Iterable[Participant],
    prefs: Preferences,
    slots: int,
    tables: int,
) -> Metrics:
    """The figures of the schedule ``meetings`` for ``participants`` in a session of
    ``slots`` slots and ``tables`` tables. Meetings of people who are not among the
    participants count as meetings, but not as anyone's coverage."""
    people = sorted(participants, key=lambda p: p.id)
    can = reach(
        PairScorer(people, prefs), availability(people, slots, tables), fixed_tables(people)
    )
    return summarise(meetings, people, can, slots, tables)


def summarise(
    meetings: Iterable[Meeting], people: Sequence[Participant], can: Reach, slots: int, tables: int
) -> Metrics:
    """``describe`` for a caller that knows already who could meet whom (``people``
    sorted by id): the scheduler notes it while scoring every pair."""
    meetings = list(meetings)
    sides = {p.id: p.side for p in people}
    met = {person for m in meetings for person in (m.a, m.b)}

    without = []
    for i, p in enumerate(people):
        if p.id in met:
            continue
        if p.side not in (OFFER, NEED, BOTH):
            reason = NONE_SIDE
        elif not can.has_partner[i]:
            reason = NO_MATCH
        elif not can.has_option[i]:
            reason = UNAVAILABLE
        else:
            reason = CAPACITY
        without.append(WithoutMeeting(p.id, reason))

    could_meet = [p.id for i, p in enumerate(people) if can.has_partner[i]]
    total = float(sum(m.score for m in meetings))
    cross = sum(1 for m in meetings if {sides.get(m.a), sides.get(m.b)} == {OFFER, NEED})
    return Metrics(
        meetings=len(meetings),
        participants=len(people),
        with_meeting=sum(1 for p in people if p.id in met),
        coverage=sum(1 for pid in could_meet if pid in met) / len(could_meet)
        if could_meet
        else 1.0,
        mean_score=total / len(meetings) if meetings else 0.0,
        total_score=total,
        cross_side_share=cross / len(meetings) if meetings else 0.0,
        table_use=len(meetings) / (slots * tables) if slots and tables else 0.0,
        without_meeting=tuple(without),
    )
