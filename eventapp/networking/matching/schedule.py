"""The meeting schedule of a session: ``build_schedule``.

The exact problem -- pick (pair, slot) meetings so that every slot is a matching that
fits its tables, nobody exceeds the meeting cap or meets outside their available
slots, and no pair meets twice -- is an integer programme with one variable per pair
and slot, far too big to solve exactly for 2,000 people in seconds. It is solved in
four steps, each a classic:

1. candidate pairs, each person's best few feasible partners (``pairs``);
2. which pairs meet, slots aside: a b-matching as a min-cost flow (``selection``);
3. when they meet: edge colouring, one slot matching at a time (``search``, ``slots``);
4. local search on the whole schedule (``search``).

The search maximises ``total score + COVERAGE_BONUS x people with a meeting +
BEST_MATCH_BONUS x officials with a best-tier meeting`` (``board``). Accepted requests
come first through ``REQUEST_WEIGHT``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .board import build_board, seat
from .metrics import Metrics, summarise
from .model import Meeting, Participant, Preferences
from .search import Search


@dataclass(frozen=True)
class Schedule:
    meetings: tuple[Meeting, ...]  # by slot, table, then ids
    metrics: Metrics  # what ``describe`` says of the meetings


def build_schedule(
    participants: Iterable[Participant],
    prefs: Preferences,
    slots: int,
    tables: int,
    max_meetings: int,
    locked: Iterable[Meeting] = (),
) -> Schedule:
    """Meetings for the session: the locked ones as given, and the best schedule
    around them. ``slots`` are numbered from 0, ``tables`` from 1; ``max_meetings``
    caps each person, locked meetings included.

    Deterministic: participants are sorted by id, preference sets are sorted before
    use, every tie is broken by a fixed rule, and the one random source has a fixed
    seed.
    """
    if slots < 0 or tables < 0 or max_meetings < 0:
        raise ValueError("slots, tables and max_meetings must not be negative")
    people = sorted(participants, key=lambda p: p.id)
    if len({p.id for p in people}) != len(people):
        raise ValueError("participant ids must be unique")
    kept = sorted(
        (replace(m, locked=True) for m in locked),
        key=lambda m: (m.slot, m.table, m.a, m.b),
    )
    board = build_board(people, prefs, slots, tables, max_meetings, kept)
    slot_of = Search(board, slots, max_meetings).run()
    meetings = kept + seat(board, slot_of, people, prefs)
    meetings.sort(key=lambda m: (m.slot, m.table, m.a, m.b))
    return Schedule(tuple(meetings), summarise(meetings, people, board.reach, slots, tables))
