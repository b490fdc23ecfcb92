"""Every pair of an event scored at once, and the pairs worth scheduling.

The schedule would be far too slow built from ``score_pair`` one pair at a time for
2,000 people, so the scores are computed block by block with numpy (``PairScorer``),
equal to ``score_pair``'s. Each person then keeps their best few feasible partners
(``candidate_pairs``): that sparsity is what makes 2,000 people fit in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .model import NEED, OFFER, Participant, Preferences
from .scoring import (
    REQUEST_WEIGHT,
    SCORE_TECH_AND_COUNTRY,
    fit_score,
    organisation_key,
    provides,
    receives,
)

# Equal scores are told apart by a fixed per-pair amount this small, so that equally
# good partners share the load instead of the lowest ids taking it all.
TIE_SPREAD = 1e-4
_BLOCK_ROWS = 256  # rows of the score matrix computed at once


def pair_keys(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo.astype(np.int64) * (1 << 32) + hi.astype(np.int64)


class PairScorer:
    """All pair scores of an event, a block of rows at a time, equal to ``score_pair``.

    Technology fit counts the union of both directions, |A| + |B| - |A & B|, which for
    0/1 indicator matrices is three matrix products. The score is then looked up in a
    table filled by ``fit_score`` itself, so both paths give the very same numbers.
    """

    def __init__(self, people: Sequence[Participant], prefs: Preferences):
        self.n = n = len(people)
        index = {p.id: i for i, p in enumerate(people)}
        provider = np.array([provides(p) for p in people], dtype=bool)
        receiver = np.array([receives(p) for p in people], dtype=bool)
        self.is_offer = np.array([p.side == OFFER for p in people], dtype=bool)
        self.is_need = np.array([p.side == NEED for p in people], dtype=bool)
        self.is_none = ~(provider | receiver)

        techs = sorted({t for p in people for t in p.offers | p.needs})
        tech_index = {t: k for k, t in enumerate(techs)}
        offers = np.zeros((n, len(techs)), dtype=np.float32)
        needs = np.zeros((n, len(techs)), dtype=np.float32)
        for i, p in enumerate(people):
            if provider[i]:
                offers[i, [tech_index[t] for t in p.offers]] = 1
            if receiver[i]:
                needs[i, [tech_index[t] for t in p.needs]] = 1
        both = offers * needs
        self.offers, self.needs, self.both = offers, needs, both
        self.offers_t = np.ascontiguousarray(offers.T)
        self.needs_t = np.ascontiguousarray(needs.T)
        self.both_t = np.ascontiguousarray(both.T)

        countries = sorted(
            {p.country for p in people if p.country}
            | {c for p in people for c in p.target_countries}
        )
        country_index = {c: k for k, c in enumerate(countries)}
        # The country a provider can fit, for receivers only; -1 when there is none.
        self.country = np.array(
            [
                country_index[p.country] if receiver[i] and p.country else -1
                for i, p in enumerate(people)
            ],
            dtype=np.int64,
        )
        self.targets = np.zeros((n, max(len(countries), 1)), dtype=bool)
        for i, p in enumerate(people):
            if provider[i]:
                self.targets[i, [country_index[c] for c in p.target_countries]] = True

        organisations = sorted({k for p in people if (k := organisation_key(p))})
        org_index = {o: k for k, o in enumerate(organisations)}
        self.organisation = np.array(
            [org_index.get(organisation_key(p), -1) for p in people], dtype=np.int64
        )

        # fit_table[technologies, countries, cross_side]; at most one country per
        # direction, so two in all.
        self.fit_table = np.array(
            [
                [[fit_score(t, c, cross) for cross in (False, True)] for c in range(3)]
                for t in range(len(techs) + 1)
            ]
        )
        self.accepted = self._known_pairs(prefs.accepted, index)
        self.vetoed = self._known_pairs(prefs.vetoes, index)
        # A fixed number in [0, 1) per person, from the id alone (golden-ratio steps).
        ids = np.array([p.id for p in people], dtype=np.float64)
        self.spread_key = np.mod(ids * 0.6180339887498949, 1.0)

    @staticmethod
    def _known_pairs(pairs: Iterable[frozenset[int]], index: dict[int, int]) -> np.ndarray:
        """Two-person pairs among the participants, as sorted (low, high) indexes."""
        found = set()
        for pair in pairs:
            if len(pair) == 2:
                x, y = sorted(pair)
                if x in index and y in index:
                    found.add((index[x], index[y]))
        return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)

    def block(self, rows: np.ndarray) -> np.ndarray:
        """Scores of consecutive ``rows`` against everyone; 0 means never pair."""
        technologies = np.rint(
            self.offers[rows] @ self.needs_t
            + self.needs[rows] @ self.offers_t
            - self.both[rows] @ self.both_t
        ).astype(np.intp)

        row_country = self.country[rows]
        # forward: the row serves the column, whose country the row targets
        forward = self.targets[rows][:, np.maximum(self.country, 0)] & (self.country >= 0)
        backward = self.targets[:, np.maximum(row_country, 0)].T & (row_country >= 0)[:, None]
        same_country = row_country[:, None] == self.country[None, :]
        countries = forward.astype(np.intp) + backward - (forward & backward & same_country)

        cross_side = (self.is_offer[rows][:, None] & self.is_need[None, :]) | (
            self.is_need[rows][:, None] & self.is_offer[None, :]
        )
        score = self.fit_table[technologies, countries, cross_side.astype(np.intp)]
        self._set_pairs(score, rows, self.accepted, lambda value: value + REQUEST_WEIGHT)

        never = self.is_none[rows][:, None] | self.is_none[None, :]
        never[np.arange(len(rows)), rows] = True
        row_org = self.organisation[rows]
        never |= (row_org[:, None] == self.organisation[None, :]) & (row_org >= 0)[:, None]
        score[never] = 0.0
        self._set_pairs(score, rows, self.vetoed, lambda value: 0.0)
        return score

    @staticmethod
    def _set_pairs(score: np.ndarray, rows: np.ndarray, pairs: np.ndarray, change) -> None:
        first, last = int(rows[0]), int(rows[-1])
        for x, y in pairs:
            for row, col in ((x, y), (y, x)):
                if first <= row <= last:
                    score[row - first, col] = change(score[row - first, col])

    def tie_spread(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """A fixed amount in [0, TIE_SPREAD) per unordered pair, from the two ids."""
        return np.mod(self.spread_key[lo] + self.spread_key[hi], 1.0) * TIE_SPREAD


def availability(people: Sequence[Participant], slots: int, tables: int) -> np.ndarray:
    """(people, slots): who can meet when."""
    available = np.zeros((len(people), slots), dtype=bool)
    for i, p in enumerate(people):
        available[i, sorted(p.open_slots(slots, tables))] = True
    return available


def fixed_tables(people: Sequence[Participant]) -> np.ndarray:
    """Per person: their fixed table, 0 if none."""
    return np.array([p.fixed_table or 0 for p in people], dtype=np.int64)


@dataclass(frozen=True)
class Reach:
    has_partner: np.ndarray  # per person: some positive-score partner exists
    has_option: np.ndarray  # per person: some such partner shares a slot and a table


class _Blocks:
    """The score matrix a block of rows at a time, with which pairs could meet at all
    (a positive score, a slot both can attend, no two different fixed tables); the walk
    notes who could meet anyone in ``reach``."""

    def __init__(self, scorer: PairScorer, available: np.ndarray, fixed_table: np.ndarray):
        self.scorer, self.fixed_table = scorer, fixed_table
        self.available = available.astype(np.float32)
        self.available_t = np.ascontiguousarray(self.available.T)
        n = scorer.n
        self.reach = Reach(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))

    def __iter__(self):
        for start in range(0, self.scorer.n, _BLOCK_ROWS):
            rows = np.arange(start, min(start + _BLOCK_ROWS, self.scorer.n))
            score = self.scorer.block(rows)
            common_slot = (self.available[rows] @ self.available_t) > 0
            row_table = self.fixed_table[rows][:, None]
            same_table = (
                (row_table == 0) | (self.fixed_table == 0) | (row_table == self.fixed_table)
            )
            feasible = (score > 0) & common_slot & same_table
            self.reach.has_partner[rows] = (score > 0).any(axis=1)
            self.reach.has_option[rows] = feasible.any(axis=1)
            yield rows, score, feasible


def reach(scorer: PairScorer, available: np.ndarray, fixed_table: np.ndarray) -> Reach:
    """Who has a good partner at all, and who has one they could be seated with."""
    blocks = _Blocks(scorer, available, fixed_table)
    for _block in blocks:
        pass
    return blocks.reach


@dataclass(frozen=True)
class Candidates:
    lo: np.ndarray  # person indexes, lo < hi
    hi: np.ndarray
    score: np.ndarray
    best: np.ndarray  # a best-tier fit, whether requested or not
    reach: Reach  # noted on the way, for the metrics


def candidate_pairs(
    scorer: PairScorer, available: np.ndarray, fixed_table: np.ndarray, per_person: int
) -> Candidates:
    """Pairs worth scheduling: each person's ``per_person`` best feasible partners (a
    pair stays if it is on either list), plus all accepted requests."""
    n = scorer.n
    everyone = np.arange(n)
    found_lo, found_hi, found_score = [], [], []
    blocks = _Blocks(scorer, available, fixed_table)
    for rows, score, feasible in blocks:
        if per_person >= n - 1:
            r, c = np.nonzero(feasible)
        else:
            ranked = np.where(feasible, score + scorer.tie_spread(rows[:, None], everyone), -1.0)
            best = np.argpartition(-ranked, per_person - 1, axis=1)[:, :per_person]
            keep = np.take_along_axis(ranked, best, axis=1) > 0
            r, c = np.nonzero(keep)[0], best[keep]
            start = int(rows[0])
            for x, y in scorer.accepted:  # must-meets stay whatever their rank
                for row, col in ((x, y), (y, x)):
                    if start <= row <= rows[-1] and feasible[row - start, col]:
                        r, c = np.append(r, row - start), np.append(c, col)
        found_score.append(score[r, c])
        found_lo.append(np.minimum(rows[r], c))
        found_hi.append(np.maximum(rows[r], c))

    lo = np.concatenate(found_lo) if found_lo else np.zeros(0, dtype=np.int64)
    hi = np.concatenate(found_hi) if found_hi else np.zeros(0, dtype=np.int64)
    score = np.concatenate(found_score) if found_score else np.zeros(0)
    _, first = np.unique(pair_keys(lo, hi), return_index=True)
    lo, hi, score = lo[first], hi[first], score[first]
    requested = np.isin(pair_keys(lo, hi), pair_keys(scorer.accepted[:, 0], scorer.accepted[:, 1]))
    fit = score - REQUEST_WEIGHT * requested
    return Candidates(lo, hi, score, best=fit >= SCORE_TECH_AND_COUNTRY, reach=blocks.reach)
