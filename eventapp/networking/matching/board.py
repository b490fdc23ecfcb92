"""What the scheduler works on: the candidate pairs, where each may go, and what a
schedule of them is worth.

Tables: a participant with a fixed table always meets there, and that table is theirs
alone (a company stays at its stand); two people with different fixed tables never
meet. Other meetings take the remaining tables, best meetings on the lowest numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .model import BOTH, NEED, OFFER, Meeting, Participant, Preferences
from .pairs import PairScorer, Reach, availability, candidate_pairs, fixed_tables, pair_keys
from .scoring import TIER_GAP, score_pair

# The search maximises total score + COVERAGE_BONUS x people with a meeting +
# BEST_MATCH_BONUS x officials with a best-tier meeting.
# A person's first meeting is worth this much more: between meetings of about the same
# worth, the one for somebody still without a meeting wins. Kept small on purpose:
# measured against exact optima, a larger bonus buys coverage with real losses in
# total score whenever tables or popular partners run short.
COVERAGE_BONUS = TIER_GAP / 4
# An official's first meeting in the best tier (technology and country) is worth this
# much more: a full tier, more than the spread inside one, so a company with more
# best-tier officials than meetings gives one to an official who has none before a
# second one to another (the product brief's promise).
BEST_MATCH_BONUS = TIER_GAP
# Each person keeps max(CANDIDATES_MIN, CANDIDATES_PER_MEETING x max_meetings) best
# partners: a person's 33rd-best partner is very unlikely to be in a good schedule for
# a cap of 8.
CANDIDATES_MIN = 16
CANDIDATES_PER_MEETING = 4
# Solvers that want integer costs get scores in 1/8 points; 1/8 point decides nothing.
COST_GRID = 8.0


@dataclass
class Board:
    people: int
    lo: np.ndarray  # the candidate pairs, as person indexes
    hi: np.ndarray
    score: np.ndarray
    weight: np.ndarray  # score plus the tie spread
    best: np.ndarray  # per pair: a best-tier fit (technology and country)
    table: np.ndarray  # per pair: the fixed table it must use, 0 if none
    allowed: np.ndarray  # (pairs, slots): both free, and a fixed table not taken
    free: np.ndarray  # (people, slots): available and not in a locked meeting
    locked_count: np.ndarray  # per person
    locked_best: np.ndarray  # per person: locked meetings in the best tier
    official: np.ndarray  # per person: on the need side, owed a best match if any
    general_tables: list[list[int]]  # per slot: tables for pairs without a fixed one
    seats: int  # meetings the whole session can hold
    side: np.ndarray  # per person: 0 provider, 1 receiver
    reach: Reach  # per person: some good partner at all, some they could be seated with

    def counts(self, pairs: np.ndarray, best_only: bool = False) -> np.ndarray:
        """Meetings per person with ``pairs`` (indexes) scheduled, locked ones included;
        with ``best_only``, the best-tier ones."""
        if best_only:
            count, pairs = self.locked_best.copy(), pairs[self.best[pairs]]
        else:
            count = self.locked_count.copy()
        np.add.at(count, self.lo[pairs], 1)
        np.add.at(count, self.hi[pairs], 1)
        return count

    def objective(self, pairs: np.ndarray) -> float:
        """What scheduling ``pairs`` (indexes) around the locked meetings is worth."""
        covered = np.count_nonzero(self.counts(pairs))
        best_covered = np.count_nonzero(self.counts(pairs, best_only=True)[self.official])
        return float(
            self.weight[pairs].sum() + COVERAGE_BONUS * covered + BEST_MATCH_BONUS * best_covered
        )


def build_board(
    people: Sequence[Participant],
    prefs: Preferences,
    slots: int,
    tables: int,
    max_meetings: int,
    kept: Sequence[Meeting],
) -> Board:
    """The board for ``people`` (sorted by id) around the ``kept`` locked meetings."""
    n = len(people)
    index = {p.id: i for i, p in enumerate(people)}
    fixed_table = fixed_tables(people)
    available = availability(people, slots, tables)

    locked_busy = np.zeros((n, slots), dtype=bool)
    locked_count = np.zeros(n, dtype=np.int64)
    locked_best = np.zeros(n, dtype=np.int64)
    locked_tables: list[set[int]] = [set() for _ in range(slots)]
    locked_pairs = set()
    for m in kept:
        locked_pairs.add((min(m.a, m.b), max(m.a, m.b)))
        in_session = 0 <= m.slot < slots
        if in_session:
            locked_tables[m.slot].add(m.table)
        for person in (m.a, m.b):
            if person in index:
                locked_count[index[person]] += 1
                locked_best[index[person]] += m.reasons.best_tier
                if in_session:
                    locked_busy[index[person], m.slot] = True

    scorer = PairScorer(people, prefs)
    per_person = max(CANDIDATES_MIN, CANDIDATES_PER_MEETING * max_meetings)
    cand = candidate_pairs(scorer, available, fixed_table, per_person)

    free = available & ~locked_busy
    pair_table = np.maximum(fixed_table[cand.lo], fixed_table[cand.hi])
    allowed = free[cand.lo] & free[cand.hi]
    for s in range(slots):
        if locked_tables[s]:
            allowed[:, s] &= ~np.isin(pair_table, sorted(locked_tables[s]))
    if locked_pairs:
        ids = np.array([p.id for p in people], dtype=np.int64)
        met = {pair_keys(np.array([a]), np.array([b]))[0] for a, b in locked_pairs}
        allowed[np.isin(pair_keys(ids[cand.lo], ids[cand.hi]), sorted(met))] = False

    reserved = {int(t) for t in fixed_table if 1 <= t <= tables}
    general_tables = [
        [t for t in range(1, tables + 1) if t not in reserved and t not in locked_tables[s]]
        for s in range(slots)
    ]
    return Board(
        people=n,
        lo=cand.lo,
        hi=cand.hi,
        score=cand.score,
        weight=cand.score + scorer.tie_spread(cand.lo, cand.hi),
        best=cand.best,
        table=pair_table,
        allowed=allowed,
        free=free,
        locked_count=locked_count,
        locked_best=locked_best,
        official=np.array([p.side == NEED for p in people], dtype=bool),
        general_tables=general_tables,
        seats=sum(len(general_tables[s]) + len(reserved - locked_tables[s]) for s in range(slots)),
        side=_sides(people),
        reach=cand.reach,
    )


def _sides(people: Sequence[Participant]) -> np.ndarray:
    """Providers 0, receivers 1; participants on both sides join the smaller side."""
    side = np.array([0 if p.side == OFFER else 1 for p in people], dtype=np.int64)
    providers = sum(p.side == OFFER for p in people)
    receivers = sum(p.side == NEED for p in people)
    side[[p.side == BOTH for p in people]] = 0 if providers <= receivers else 1
    return side


def seat(
    board: Board, slot_of: np.ndarray, people: Sequence[Participant], prefs: Preferences
) -> list[Meeting]:
    """Scheduled pairs (``slot_of``: per pair its slot, or -1) as meetings with tables,
    best meetings on the lowest numbers."""
    meetings = []
    for s, open_tables in enumerate(board.general_tables):
        pairs = np.flatnonzero(slot_of == s)
        tables = iter(open_tables)
        for e in pairs[np.lexsort((pairs, -board.score[pairs]))].tolist():
            match = score_pair(people[board.lo[e]], people[board.hi[e]], prefs)
            table = int(board.table[e]) or next(tables)
            meetings.append(Meeting(match.a, match.b, s, table, match.score, match.reasons))
    return meetings
