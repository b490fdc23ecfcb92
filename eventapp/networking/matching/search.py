"""When the chosen pairs meet, and a local search over the whole schedule.

Edge colouring first, one slot at a time: each slot takes a maximum-weight matching
of the chosen pairs that first covers every person with as many pairs left as slots
left, as in the constructive proof of Konig's edge colouring theorem, so on a
company-official graph with free availability every chosen pair finds a slot.

Then local search. Its move re-solves one slot with the other slots fixed
(block-coordinate ascent), letting a person at the cap swap their weakest meeting
elsewhere for a better one here. Sweeps over the slots fill in what the colouring left,
then a large neighbourhood search (Shaw 1998; Ropke & Pisinger 2006) clears two slots,
or all meetings of a random group of people, rebuilds them slot by slot and keeps the
result when it is better. Its length is set by work done, never by the clock, and its
random source has a fixed seed, so results repeat.
"""

from __future__ import annotations

import numpy as np

from .board import BEST_MATCH_BONUS, COVERAGE_BONUS, Board
from .selection import select_pairs
from .slots import solve_slot

_MAX_SWEEPS = 6
_SWEEP_TOLERANCE = 2e-4  # stop sweeping when a sweep gains less than this share
_SEARCH_SEED = 20240611
_SEARCH_MOVES = 200
_MOVES_PER_PAIR = 2  # tiny events need few moves
_SEARCH_WORK = 600_000  # pairs looked at by the neighbourhood search, in all
_SOLVE_OVERHEAD = 1000  # what one slot solve costs beyond its pairs, in pairs
_SLOT_MOVE_SHARE = 0.5
_RUIN_SHARE = 0.2
_EPS = 1e-7


class Search:
    """Builds and improves ``slot_of`` (per candidate pair: its slot, or -1)."""

    def __init__(self, board: Board, slots: int, max_meetings: int):
        self.board, self.slots, self.max_meetings = board, slots, max_meetings
        self.slot_of = np.full(len(board.lo), -1, dtype=np.int64)
        self.work = 0

    def run(self) -> np.ndarray:
        capacity = self.capacity()
        if not self.board.seats or not len(self.board.lo) or not capacity.any():
            return self.slot_of
        coloured = self.colour(select_pairs(self.board, capacity))
        self.slot_of = self.sweep(coloured, range(self.slots), _MAX_SWEEPS)
        self.shake()
        return self.slot_of

    def counts(self, slot_of: np.ndarray, best_only: bool = False) -> np.ndarray:
        return self.board.counts(np.flatnonzero(slot_of >= 0), best_only)

    def objective(self, slot_of: np.ndarray) -> float:
        return self.board.objective(np.flatnonzero(slot_of >= 0))

    def capacity(self) -> np.ndarray:
        """Meetings each person can still take."""
        board = self.board
        room = np.minimum(self.max_meetings - board.locked_count, board.free.sum(axis=1))
        return room.clip(min=0)

    def colour(self, selected: np.ndarray) -> np.ndarray:
        """Slots for the selected pairs, one slot at a time (what does not fit waits
        for the sweeps). A person is critical when they have as many pairs left as
        free slots left; covering every critical person comes before any score."""
        board = self.board
        slot_of = self.slot_of.copy()
        waiting = np.zeros(len(board.lo), dtype=bool)
        waiting[selected] = True
        urgent = 2 * (float(board.weight.max()) + COVERAGE_BONUS + BEST_MATCH_BONUS) + 1
        for s in range(self.slots):
            pairs_left = np.zeros(board.people, dtype=np.int64)
            np.add.at(pairs_left, board.lo[waiting], 1)
            np.add.at(pairs_left, board.hi[waiting], 1)
            critical = (pairs_left >= board.free[:, s:].sum(axis=1)).astype(np.int64)
            edges = np.flatnonzero(waiting & board.allowed[:, s])
            gain = board.weight[edges] + urgent * (
                critical[board.lo[edges]] + critical[board.hi[edges]]
            )
            self.work += len(edges)
            picked = solve_slot(board, s, edges, gain)
            slot_of[picked] = s
            waiting[picked] = False
        return slot_of

    def shake(self) -> None:
        """Large neighbourhood search: clear part of the schedule, rebuild, keep if
        better."""
        rng = np.random.default_rng(_SEARCH_SEED)
        board, budget = self.board, self.work + _SEARCH_WORK
        for _move in range(min(_SEARCH_MOVES, _MOVES_PER_PAIR * len(board.lo))):
            if self.work >= budget:
                break
            trial = self.slot_of.copy()
            if self.slots >= 2 and rng.random() < _SLOT_MOVE_SHARE:
                order = rng.choice(self.slots, size=2, replace=False)
                trial[np.isin(trial, order)] = -1
            else:
                ruined = rng.random(board.people) < _RUIN_SHARE
                trial[ruined[board.lo] | ruined[board.hi]] = -1
                order = rng.permutation(self.slots)
            trial = self.sweep(trial, order, passes=2, budget=budget)
            if self.objective(trial) > self.objective(self.slot_of) + _EPS:
                self.slot_of = trial

    def sweep(self, slot_of: np.ndarray, order, passes: int, budget=np.inf) -> np.ndarray:
        """Re-solve the slots in ``order`` until a pass gains (next to) nothing, or
        the work budget is spent."""
        for _pass in range(passes):
            before = self.objective(slot_of)
            for s in order:
                if self.work >= budget:
                    return slot_of
                slot_of = self.resolve(slot_of, int(s))
            if self.objective(slot_of) <= before + _SWEEP_TOLERANCE * abs(before):
                break
        return slot_of

    def resolve(self, slot_of: np.ndarray, s: int) -> np.ndarray:
        """Slot ``s`` re-solved with the other slots fixed, if that is better.

        A person at the cap may still take a meeting here by giving up their weakest
        unlocked meeting in another slot; its worth (and the partner's coverage, if
        it was their only meeting) is taken off the new pair's gain. Without this,
        whoever fills up in the early slots blocks better pairs that come later.
        """
        board, cap = self.board, self.max_meetings
        count, best_count = self.counts(slot_of), self.counts(slot_of, best_only=True)
        current = np.flatnonzero(slot_of == s)
        left, best_left = count.copy(), best_count.copy()  # meetings outside this slot
        for tally, which in ((left, current), (best_left, current[board.best[current]])):
            np.subtract.at(tally, board.lo[which], 1)
            np.subtract.at(tally, board.hi[which], 1)

        first_best = (best_left == 0) & board.official
        weakest, drop_cost = self._weakest_elsewhere(slot_of, s, count, best_count)
        can_join = (left < cap) | ((left == cap) & (weakest >= 0))
        edges = np.flatnonzero(
            board.allowed[:, s]
            & ((slot_of == -1) | (slot_of == s))
            & can_join[board.lo]
            & can_join[board.hi]
        )
        lo, hi, best = board.lo[edges], board.hi[edges], board.best[edges]
        gain = (
            board.weight[edges]
            + COVERAGE_BONUS * ((left[lo] == 0).astype(np.int64) + (left[hi] == 0))
            + BEST_MATCH_BONUS * best * (first_best[lo].astype(np.int64) + first_best[hi])
            - np.where(left[lo] >= cap, drop_cost[lo], 0.0)
            - np.where(left[hi] >= cap, drop_cost[hi], 0.0)
        )
        self.work += len(edges) + _SOLVE_OVERHEAD
        picked = solve_slot(board, s, edges, gain)

        trial = slot_of.copy()
        trial[current] = -1
        trial[picked] = s
        ends = np.concatenate([board.lo[picked], board.hi[picked]])
        trial[weakest[ends[left[ends] >= cap]]] = -1
        if self.objective(trial) > self.objective(slot_of) + _EPS:
            return trial
        return slot_of

    def _weakest_elsewhere(
        self, slot_of: np.ndarray, s: int, count: np.ndarray, best_count: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per person: their weakest meeting outside slot ``s`` (-1 if none), and what
        giving it up would cost, the partner's coverage included."""
        board = self.board
        weakest = np.full(board.people, -1, dtype=np.int64)
        drop_cost = np.zeros(board.people)
        others = np.flatnonzero((slot_of >= 0) & (slot_of != s))
        if not len(others):
            return weakest, drop_cost
        person = np.concatenate([board.lo[others], board.hi[others]])
        partner = np.concatenate([board.hi[others], board.lo[others]])
        edge = np.concatenate([others, others])
        order = np.lexsort((edge, board.weight[edge], person))
        person, partner, edge = person[order], partner[order], edge[order]
        first = np.unique(person, return_index=True)[1]
        person, partner, edge = person[first], partner[first], edge[first]
        weakest[person] = edge
        drop_cost[person] = (
            board.weight[edge]
            + COVERAGE_BONUS * (count[partner] == 1)
            + BEST_MATCH_BONUS
            * (board.best[edge] & (best_count[partner] == 1) & board.official[partner])
        )
        return weakest, drop_cost
