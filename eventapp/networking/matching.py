"""Scoring, recommendations and the meeting schedule for a networking session.

Plain data in, plain data out: no Flask, no database, and the same input always gives
the same output (participants are sorted by id first, preference sets are sorted before
use, and every tie is broken by a fixed rule, never by set or dict order).

Scoring
    A pair's score is built from tiers that never overlap (see the ``SCORE_*`` constants):
    technology fit *and* country fit, above technology fit alone, above country fit
    alone, as the product brief orders an official's best meetings. Within a tier more
    shared technologies, a second fitting country and a company-official pair add a
    bounded bonus that stays below the gap to the next tier. An accepted meeting request
    adds ``REQUEST_WEIGHT``, more than any fit can reach, so must-meets outrank everything.

Scheduling
    The exact problem -- choose (pair, slot) meetings so that each slot is a matching,
    each slot fits its tables, each person stays under a meeting cap and inside their
    available slots -- is an integer program with pairs x slots binary variables; exact
    solvers do not reach 2,000 people in seconds. We therefore use block-coordinate
    ascent over slots, the classic decomposition for multi-period assignment
    (e.g. Pentico, "Assignment problems: a golden anniversary survey", EJOR 2007):
    one slot at a time, with every other slot held fixed, we solve a maximum-weight
    matching of the candidate pairs still allowed in that slot, and keep the result only
    when it improves the objective. Sweeping the slots repeatedly can only go up and
    stops after a few sweeps. The first sweep starts from an empty schedule and so is
    the usual "best matching per round" construction.

    Each slot matching is a linear assignment problem solved by the sparse
    Jonker-Volgenant algorithm (LAPJVsp, Jonker & Volgenant 1987, via
    ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) on the symmetric
    "doubled" graph: every person is both a row and a column, the pair weight sits at
    (i, j) and (j, i), and the diagonal means "no meeting". For a bipartite graph
    (companies versus officials) the optimal assignment splits into two-cycles and
    even cycles whose better half is a maximum matching, so the slot step is exact
    (the bipartite double cover argument, Schrijver, "Combinatorial Optimization",
    ch. 30). Participants on both sides or accepted requests between two companies can
    create odd cycles; those are repaired with an exact dynamic programme on each cycle
    and a greedy pass over people left free.

    Coverage comes first: the slot objective adds ``COVERAGE_BONUS`` for every person
    who has no meeting in any other slot, so a person's first meeting is worth more
    than any difference in fit. The whole ascent therefore maximises
    ``total score + COVERAGE_BONUS x people with a meeting``. Accepted requests carry
    ``REQUEST_WEIGHT`` inside the score and are placed before either.

    Scale comes from sparse candidate lists: pair scores are computed block by block
    with numpy (``_PairScorer``), and for large events each person keeps only their
    ``max(CANDIDATES_MIN, CANDIDATES_PER_MEETING x max_meetings)`` best feasible
    partners (a pair stays when it is on either person's list) plus every accepted
    request. Small events keep every positive pair, so nothing is lost where people
    look closely.

Tables
    A participant with a fixed table always meets there, and that table is theirs alone
    (a company stays at its own stand); two people with different fixed tables never
    meet. Other meetings take the remaining tables, best meetings on the lowest numbers.
    When a slot has more pairs than free tables the weakest pairs wait for another slot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import (
    bellman_ford,
    dijkstra,
    maximum_flow,
    min_weight_full_bipartite_matching,
)

OFFER, NEED, BOTH, NONE = "offer", "need", "both", "none"

# --- Score weights -------------------------------------------------------------------
# Tier bases are TIER_GAP apart and the bonuses inside a tier add up to less than
# TIER_GAP, so a pair can never climb into the tier above by bonuses alone.
TIER_GAP = 100.0
SCORE_TECH_AND_COUNTRY = 3 * TIER_GAP
SCORE_TECH_ONLY = 2 * TIER_GAP
SCORE_COUNTRY_ONLY = 1 * TIER_GAP
# Shared technologies beyond the first add TECH_DEPTH_BONUS * (t - 1) / t: every extra
# technology counts, with diminishing returns, and the sum stays below TECH_DEPTH_BONUS.
TECH_DEPTH_BONUS = 50.0
# Only participants on both sides can fit on two countries at once.
COUNTRY_DEPTH_BONUS = 10.0
# Company-official pairs are what the session is for.
CROSS_SIDE_BONUS = 25.0
MAX_FIT_SCORE = SCORE_TECH_AND_COUNTRY + TECH_DEPTH_BONUS + COUNTRY_DEPTH_BONUS + CROSS_SIDE_BONUS
# An accepted request outranks any fit, and makes a pair even without one.
REQUEST_WEIGHT = 1000.0

# --- Scheduler settings --------------------------------------------------------------
# Worth more than the best possible fit, so a person's first meeting beats a better
# second meeting for someone else, but less than an accepted request.
COVERAGE_BONUS = MAX_FIT_SCORE + 5.0
CANDIDATES_MIN = 16
CANDIDATES_PER_MEETING = 4
MAX_SWEEPS = 6
# Scores are spread by a deterministic per-pair amount this small so equally good
# partners share the load instead of the lowest ids taking it all; far below the
# smallest real score difference.
TIE_SPREAD = 1e-4
_BLOCK_ROWS = 256
_IMPROVEMENT_EPS = 1e-7
_COST_GRID = 8.0
_PRICE_STEPS = 8
_DENSE_NODES = 150
_SEARCH_SEED = 20240611
_FLOW_PHASES = 500
_SEARCH_MOVES = 200
_SEARCH_WORK_PER_PAIR = 200
_SEARCH_WORK_LIMIT = 3_000_000
_SLOT_MOVE_SHARE = 0.5
_RUIN_SHARE = 0.2


@dataclass(frozen=True)
class Participant:
    id: int
    side: str  # OFFER (company), NEED (embassy official), BOTH, NONE
    organisation: str = ""
    # ISO alpha-2: for an official the country represented; for a company its home.
    country: str | None = None
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    target_countries: frozenset[str] = frozenset()
    unavailable_slots: frozenset[int] = frozenset()  # 0-based slot indexes
    fixed_table: int | None = None  # 1-based; a company that stays at its own table


@dataclass(frozen=True)
class Reasons:
    countries: tuple[str, ...] = ()  # the official's country that the company targets
    technologies: tuple[str, ...] = ()  # offered by one, needed by the other
    requested: bool = False  # an accepted meeting request between the two
    cross_side: bool = False  # company-official (offer-need) pair


@dataclass(frozen=True)
class Match:
    a: int  # participant ids, a < b
    b: int
    score: float
    reasons: Reasons


@dataclass(frozen=True)
class Preferences:
    accepted: frozenset[frozenset[int]] = frozenset()  # must-meet pairs
    vetoes: frozenset[frozenset[int]] = frozenset()  # "not interested": never pair


@dataclass(frozen=True)
class Meeting:
    a: int
    b: int
    slot: int
    table: int
    score: float
    reasons: Reasons
    locked: bool = False


@dataclass(frozen=True)
class Schedule:
    meetings: tuple[Meeting, ...]
    metrics: dict = field(default_factory=dict)


# --- Scoring one pair ----------------------------------------------------------------


def _provides(p: Participant) -> bool:
    return p.side in (OFFER, BOTH)


def _receives(p: Participant) -> bool:
    return p.side in (NEED, BOTH)


def _organisation_key(p: Participant) -> str:
    return p.organisation.strip().casefold()


def _one_way_fit(provider: Participant, receiver: Participant) -> tuple[set[str], set[str]]:
    """What ``provider`` can do for ``receiver``: (technologies, countries)."""
    if not (_provides(provider) and _receives(receiver)):
        return set(), set()
    technologies = set(provider.offers & receiver.needs)
    countries = set()
    if receiver.country and receiver.country in provider.target_countries:
        countries.add(receiver.country)
    return technologies, countries


def _fit_score(technologies: int, countries: int, cross_side: bool) -> float:
    # _PairScorer.block repeats this arithmetic operation for operation on arrays, so
    # the two agree to the last bit; keep them in step.
    if technologies and countries:
        score = SCORE_TECH_AND_COUNTRY
    elif technologies:
        score = SCORE_TECH_ONLY
    elif countries:
        score = SCORE_COUNTRY_ONLY
    else:
        return 0.0
    if technologies:
        score += TECH_DEPTH_BONUS * (technologies - 1) / technologies
    if countries:
        score += COUNTRY_DEPTH_BONUS * (countries - 1) / countries
    if cross_side:
        score += CROSS_SIDE_BONUS
    return score


def score_pair(p: Participant, q: Participant, prefs: Preferences) -> Match | None:
    """How well ``p`` and ``q`` would meet, or None when they must never be paired."""
    if p.id == q.id or p.side == NONE or q.side == NONE:
        return None
    pair = frozenset((p.id, q.id))
    if pair in prefs.vetoes:
        return None
    organisation = _organisation_key(p)
    if organisation and organisation == _organisation_key(q):
        return None
    tech_pq, countries_pq = _one_way_fit(p, q)
    tech_qp, countries_qp = _one_way_fit(q, p)
    technologies = tech_pq | tech_qp
    countries = countries_pq | countries_qp
    cross_side = {p.side, q.side} == {OFFER, NEED}
    requested = pair in prefs.accepted
    score = _fit_score(len(technologies), len(countries), cross_side)
    if requested:
        score += REQUEST_WEIGHT
    if score <= 0:
        return None
    reasons = Reasons(
        countries=tuple(sorted(countries)),
        technologies=tuple(sorted(technologies)),
        requested=requested,
        cross_side=cross_side,
    )
    return Match(a=min(p.id, q.id), b=max(p.id, q.id), score=score, reasons=reasons)


def recommend(
    participant_id: int,
    participants: Iterable[Participant],
    prefs: Preferences,
    limit: int = 10,
) -> list[Match]:
    """The best contacts for one person, best first, equal scores by the other's id."""
    people = list(participants)
    me = next((p for p in people if p.id == participant_id), None)
    if me is None or limit <= 0:
        return []
    matches = [m for q in people if (m := score_pair(me, q, prefs)) is not None]

    def other_id(m: Match) -> int:
        return m.b if m.a == participant_id else m.a

    matches.sort(key=lambda m: (-m.score, other_id(m)))
    return matches[:limit]


def format_reasons(
    reasons: Reasons,
    country_name: Callable[[str], str],
    tech_name: Callable[[str], str],
    requested_label: str = "meeting requested",
) -> str:
    """Reasons in words: "Kenya · water purification, diagnostics"."""
    parts = []
    if reasons.countries:
        parts.append(", ".join(country_name(code) for code in reasons.countries))
    if reasons.technologies:
        parts.append(", ".join(tech_name(code) for code in reasons.technologies))
    if reasons.requested:
        parts.append(requested_label)
    return " · ".join(parts)


# --- Scoring many pairs at once ------------------------------------------------------


def _pair_keys(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo.astype(np.int64) * (1 << 32) + hi.astype(np.int64)


class _PairScorer:
    """All pair scores of an event, a block of rows at a time, equal to ``score_pair``.

    Technology fit counts the union of both directions, |A| + |B| - |A & B|, which for
    0/1 indicator matrices is three matrix products, so any number of technology areas
    costs the same code path. Scores are then read from a table filled by
    ``_fit_score`` itself, so both paths give the very same numbers.
    """

    def __init__(self, people: Sequence[Participant], prefs: Preferences):
        self.n = n = len(people)
        index = {p.id: i for i, p in enumerate(people)}
        provides = np.array([_provides(p) for p in people], dtype=bool)
        receives = np.array([_receives(p) for p in people], dtype=bool)
        self.is_offer = np.array([p.side == OFFER for p in people], dtype=bool)
        self.is_need = np.array([p.side == NEED for p in people], dtype=bool)
        self.is_none = ~(provides | receives)

        techs = sorted({t for p in people for t in p.offers | p.needs})
        tech_index = {t: k for k, t in enumerate(techs)}
        offers = np.zeros((n, len(techs)), dtype=np.float32)
        needs = np.zeros((n, len(techs)), dtype=np.float32)
        for i, p in enumerate(people):
            if provides[i]:
                offers[i, [tech_index[t] for t in p.offers]] = 1
            if receives[i]:
                needs[i, [tech_index[t] for t in p.needs]] = 1
        both = offers * needs
        self.offers, self.needs, self.both = offers, needs, both
        self.offers_t, self.needs_t, self.both_t = (
            np.ascontiguousarray(offers.T),
            np.ascontiguousarray(needs.T),
            np.ascontiguousarray(both.T),
        )

        countries = sorted(
            {p.country for p in people if p.country}
            | {c for p in people for c in p.target_countries}
        )
        country_index = {c: k for k, c in enumerate(countries)}
        # As a receiver: the country a provider can fit; -1 when there is none.
        self.country = np.array(
            [country_index[p.country] if receives[i] and p.country else -1 for i, p in enumerate(people)],
            dtype=np.int64,
        )
        self.targets = np.zeros((n, max(len(countries), 1)), dtype=bool)
        for i, p in enumerate(people):
            if provides[i]:
                self.targets[i, [country_index[c] for c in p.target_countries]] = True

        organisations = sorted({k for p in people if (k := _organisation_key(p))})
        org_index = {o: k for k, o in enumerate(organisations)}
        self.organisation = np.array(
            [org_index.get(_organisation_key(p), -1) for p in people], dtype=np.int64
        )

        # fit_table[technologies, countries, cross_side]; two countries at most (one
        # per direction).
        self.fit_table = np.array(
            [
                [[_fit_score(t, c, cross) for cross in (False, True)] for c in range(3)]
                for t in range(len(techs) + 1)
            ]
        )
        self.accepted = self._pairs_by_index(prefs.accepted, index)
        self.vetoed = self._pairs_by_index(prefs.vetoes, index)
        # A fixed number in [0, 1) per person, from the id alone (golden-ratio steps).
        ids = np.array([p.id for p in people], dtype=np.float64)
        self.spread_key = np.mod(ids * 0.6180339887498949, 1.0)

    @staticmethod
    def _pairs_by_index(pairs: Iterable[frozenset[int]], index: dict[int, int]) -> np.ndarray:
        """Known two-person pairs as a sorted (k, 2) array of (low, high) indexes."""
        found = set()
        for pair in pairs:
            if len(pair) == 2:
                x, y = sorted(pair)
                if x in index and y in index:
                    found.add((index[x], index[y]))
        return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)

    def block(self, rows: np.ndarray) -> np.ndarray:
        """Scores of ``rows`` against everyone, shape (len(rows), n); 0 = never pair."""
        technologies = np.rint(
            self.offers[rows] @ self.needs_t
            + self.needs[rows] @ self.offers_t
            - self.both[rows] @ self.both_t
        ).astype(np.intp)

        has_country = self.country >= 0
        row_country = self.country[rows]
        # forward: the row serves the column, whose country the row targets
        forward = self.targets[rows][:, np.maximum(self.country, 0)] & has_country[None, :]
        backward = self.targets[:, np.maximum(row_country, 0)].T & (row_country >= 0)[:, None]
        same_country = row_country[:, None] == self.country[None, :]
        countries = forward.astype(np.intp) + backward - (forward & backward & same_country)

        cross_side = (self.is_offer[rows][:, None] & self.is_need[None, :]) | (
            self.is_need[rows][:, None] & self.is_offer[None, :]
        )
        score = self.fit_table[technologies, countries, cross_side.astype(np.intp)]
        self._add_pairs(score, rows, self.accepted, REQUEST_WEIGHT)

        never = self.is_none[rows][:, None] | self.is_none[None, :]
        never[np.arange(len(rows)), rows] = True
        row_org = self.organisation[rows]
        never |= (row_org[:, None] == self.organisation[None, :]) & (row_org >= 0)[:, None]
        score[never] = 0.0
        self._add_pairs(score, rows, self.vetoed, None)
        return score

    @staticmethod
    def _add_pairs(score: np.ndarray, rows: np.ndarray, pairs: np.ndarray, amount) -> None:
        """Add ``amount`` to both orientations of ``pairs`` inside the block (None: zero)."""
        first = int(rows[0])
        for x, y in pairs:
            for row, col in ((x, y), (y, x)):
                if first <= row <= rows[-1]:
                    if amount is None:
                        score[row - first, col] = 0.0
                    else:
                        score[row - first, col] += amount

    def tie_spread(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """A fixed amount in [0, TIE_SPREAD) per unordered pair, from the two ids."""
        return np.mod(self.spread_key[lo] + self.spread_key[hi], 1.0) * TIE_SPREAD


# --- Candidate pairs -----------------------------------------------------------------


@dataclass
class _Candidates:
    lo: np.ndarray  # person indexes, lo < hi
    hi: np.ndarray
    score: np.ndarray
    has_partner: np.ndarray  # per person: some positive-score partner exists
    has_option: np.ndarray  # per person: some such partner shares a slot and a table


def _candidate_pairs(
    scorer: _PairScorer,
    available: np.ndarray,
    fixed_table: np.ndarray,
    per_person: int,
) -> _Candidates:
    """Pairs worth scheduling: each person's best feasible partners, plus all requests."""
    n = scorer.n
    has_partner = np.zeros(n, dtype=bool)
    has_option = np.zeros(n, dtype=bool)
    found_lo, found_hi, found_score = [], [], []
    availability = available.astype(np.float32)
    availability_t = np.ascontiguousarray(availability.T)
    everyone = np.arange(n)
    for start in range(0, n, _BLOCK_ROWS):
        rows = everyone[start : start + _BLOCK_ROWS]
        score = scorer.block(rows)
        has_partner[rows] = (score > 0).any(axis=1)
        common_slot = (availability[rows] @ availability_t) > 0
        row_table = fixed_table[rows][:, None]
        same_table = (row_table == 0) | (fixed_table[None, :] == 0) | (row_table == fixed_table[None, :])
        feasible = (score > 0) & common_slot & same_table
        has_option[rows] = feasible.any(axis=1)
        if per_person >= n - 1:
            r, c = np.nonzero(feasible)
        else:
            ranked = np.where(feasible, score + scorer.tie_spread(rows[:, None], everyone), -1.0)
            best = np.argpartition(-ranked, per_person - 1, axis=1)[:, :per_person]
            keep = np.take_along_axis(ranked, best, axis=1) > 0
            r, c = np.nonzero(keep)[0], best[keep]
            # Must-meets stay whatever their rank.
            for x, y in scorer.accepted:
                for row, col in ((x, y), (y, x)):
                    if start <= row < start + len(rows) and feasible[row - start, col]:
                        r, c = np.append(r, row - start), np.append(c, col)
        found_score.append(score[r, c])
        found_lo.append(np.minimum(rows[r], c))
        found_hi.append(np.maximum(rows[r], c))

    lo = np.concatenate(found_lo) if found_lo else np.zeros(0, dtype=np.int64)
    hi = np.concatenate(found_hi) if found_hi else np.zeros(0, dtype=np.int64)
    score = np.concatenate(found_score) if found_score else np.zeros(0)
    _, first = np.unique(_pair_keys(lo, hi), return_index=True)
    return _Candidates(lo[first], hi[first], score[first], has_partner, has_option)


# --- One slot: maximum-weight matching -----------------------------------------------


def _max_weight_matching(
    lo: np.ndarray, hi: np.ndarray, weight: np.ndarray, people: int
) -> np.ndarray:
    """Indexes of edges forming a heavy matching (a maximum one on bipartite graphs);
    ``lo`` and ``hi`` are person indexes below ``people``."""
    if not len(lo):
        return np.zeros(0, dtype=np.int64)
    if people <= _DENSE_NODES:
        u, v, m = lo, hi, people
    else:
        nodes, local = np.unique(np.concatenate([lo, hi]), return_inverse=True)
        u, v, m = local[: len(lo)], local[len(lo) :], len(nodes)
    if m <= _DENSE_NODES:
        partner = _assign_dense(u, v, weight, m)
    else:
        partner = _assign_sparse(u, v, weight, m)
    return _matching_from_assignment(partner, u, v, weight)


def _assign_dense(u: np.ndarray, v: np.ndarray, weight: np.ndarray, m: int) -> np.ndarray:
    gain = np.zeros((m, m))
    gain[u, v] = weight
    gain[v, u] = weight
    return linear_sum_assignment(gain, maximize=True)[1]


def _assign_sparse(u: np.ndarray, v: np.ndarray, weight: np.ndarray, m: int) -> np.ndarray:
    # LAPJVsp wants non-zero costs, so costs count down from a ceiling and the diagonal
    # ("no meeting") costs the most. They are rounded to a 1/8-point grid: with costs
    # differing by tiny fractions its augmenting row reduction crawls (scipy#17269),
    # and 1/8 point is far below any score difference that matters.
    ceiling = np.ceil(float(weight.max())) + 1.0
    cost = np.round((ceiling - weight) * _COST_GRID)
    diagonal = np.arange(m)
    graph = csr_matrix(
        (
            np.concatenate([cost, cost, np.full(m, ceiling * _COST_GRID)]),
            (np.concatenate([u, v, diagonal]), np.concatenate([v, u, diagonal])),
        ),
        shape=(m, m),
    )
    return min_weight_full_bipartite_matching(graph)[1]


def _matching_from_assignment(
    partner: np.ndarray, u: np.ndarray, v: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Read a matching off an assignment of the symmetric doubled graph.

    Two-cycles (i -> j -> i) are meetings. Longer cycles arise where the graph is not
    bipartite or between equally good choices; each is cut into its best matching.
    People left free by the cuts are then paired greedily.
    """
    m = len(partner)
    forward = partner[u] == v
    backward = partner[v] == u
    chosen = [np.flatnonzero(forward & backward)]
    # out_edge[x]: the edge from x to the person x is assigned to (-1: none)
    out_edge = np.full(m, -1, dtype=np.int64)
    out_edge[u[forward]] = np.flatnonzero(forward)
    out_edge[v[backward]] = np.flatnonzero(backward)

    in_long_cycle = partner[partner] != np.arange(m)
    if in_long_cycle.any():
        follow = partner.tolist()
        seen = set()
        for start in np.flatnonzero(in_long_cycle).tolist():
            if start in seen:
                continue
            ring = [start]
            nxt = follow[start]
            while nxt != start:
                ring.append(nxt)
                nxt = follow[nxt]
            seen.update(ring)
            edges = out_edge[ring]
            chosen.append(_best_matching_on_cycle(edges, np.where(edges >= 0, weight[edges], 0.0)))

    chosen_edges = np.sort(np.concatenate(chosen)).astype(np.int64)
    used = np.zeros(m, dtype=bool)
    used[u[chosen_edges]] = True
    used[v[chosen_edges]] = True
    return _extend_greedily(chosen_edges, u, v, weight, used)


def _best_matching_on_cycle(edges: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Maximum-weight matching on a cycle whose k-th edge joins nodes k and k+1."""
    w = weights.tolist()

    def on_path(first: int, last: int) -> tuple[float, list[int]]:
        # Take-or-skip over consecutive edges first..last-1: an edge may be taken only
        # if the one before it was not.
        free, taken = (0.0, []), (0.0, [])
        for k in range(first, last):
            take = (free[0] + w[k], free[1] + [k]) if w[k] > 0 else free
            free, taken = (free if free[0] >= taken[0] else taken), take
        return free if free[0] >= taken[0] else taken

    k = len(w)
    # Either the closing edge is out (a path of the others), or it is in and both its
    # neighbours are out.
    best = on_path(0, k - 1)
    if w[k - 1] > 0:
        value, picked = on_path(1, k - 2)
        if value + w[k - 1] > best[0]:
            best = (value + w[k - 1], picked + [k - 1])
    return edges[best[1]].astype(np.int64)


def _extend_greedily(
    chosen: np.ndarray, u: np.ndarray, v: np.ndarray, weight: np.ndarray, used: np.ndarray
) -> np.ndarray:
    """Add the heaviest remaining edges between people still free."""
    extra = []
    free = np.flatnonzero(~used[u] & ~used[v])
    for e in free[np.lexsort((free, -weight[free]))]:
        if not used[u[e]] and not used[v[e]]:
            used[u[e]] = used[v[e]] = True
            extra.append(e)
    return np.sort(np.concatenate([chosen, np.array(extra, dtype=np.int64)]))


# --- The schedule --------------------------------------------------------------------


@dataclass
class _Board:
    """What the search works on: candidate pairs and the slots they may use."""

    people: int
    lo: np.ndarray
    hi: np.ndarray
    score: np.ndarray
    weight: np.ndarray  # score plus the tie spread
    table: np.ndarray  # fixed table the pair must use, 0 if none
    allowed: np.ndarray  # (pairs, slots): both free and available, table not locked
    locked_count: np.ndarray  # per person
    general_tables: list[list[int]]  # per slot, tables open to pairs without a fixed one
    side: np.ndarray  # per person: 0 provider, 1 receiver (for the pair selection)
    free: np.ndarray  # (people, slots): available and not in a locked meeting
    seats: int  # meetings the session can hold in all


def _seat_limited(board: _Board, slot: int, edges: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Positions in ``edges`` the slot can seat, best gain first: one pair per fixed
    table, and no more pairs without one than there are open tables."""
    seats = len(board.general_tables[slot])
    kept, fixed_taken = [], set()
    for k in np.lexsort((edges, -gain)):
        table = int(board.table[edges[k]])
        if table:
            if table not in fixed_taken:
                fixed_taken.add(table)
                kept.append(k)
        elif seats > 0:
            seats -= 1
            kept.append(k)
    return np.array(sorted(kept), dtype=np.int64)


def _solve_slot(board: _Board, slot: int, edges: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """The pairs (a subset of ``edges``) to meet in ``slot``, fitting its tables.

    When a slot has more good pairs than open tables, dropping the weakest pairs of the
    unconstrained matching can lose badly (a strong pair may have been left out only
    because it blocked two medium ones). So an open table gets a price instead: a
    Lagrange multiplier taken off every pair that needs one, bisected until the
    matching fits -- the usual treatment of a cardinality limit on a matching.
    """
    keep = gain > 0
    edges, gain = edges[keep], gain[keep]
    needs_open_table = board.table[edges] == 0

    def solve(price: float) -> tuple[np.ndarray, np.ndarray]:
        priced = gain - price * needs_open_table
        usable = np.flatnonzero(priced > 0)
        matched = usable[
            _max_weight_matching(
                board.lo[edges[usable]], board.hi[edges[usable]], priced[usable], board.people
            )
        ]
        seated = matched[_seat_limited(board, slot, edges[matched], gain[matched])]
        return matched, seated

    matched, seated = solve(0.0)
    best = seated
    if len(seated) < len(matched):
        seats = len(board.general_tables[slot])
        low, high = 0.0, float(gain.max())
        for _ in range(_PRICE_STEPS):
            price = (low + high) / 2
            matched, seated = solve(price)
            if len(seated) < len(matched):
                low = price
                continue
            high = price
            if gain[seated].sum() > gain[best].sum() + _IMPROVEMENT_EPS:
                best = seated
            if np.count_nonzero(needs_open_table[seated]) == seats:
                # Every open table used at this price: by Lagrangian duality nothing
                # with this many pairs does better (exactly so on bipartite graphs).
                break
    return edges[best]


# --- Whole-session pair selection: a b-matching by min-cost flow ----------------------


def _min_cost_flow(
    tail: np.ndarray, head: np.ndarray, capacity: np.ndarray, cost: np.ndarray, nodes: int
) -> np.ndarray:
    """Flow on each arc of a cheapest flow from node 0 to node ``nodes - 1``.

    Only paths of negative cost are used, so this is the most profitable flow of any
    size. Primal-dual method (Ford & Fulkerson; Ahuja, Magnanti & Orlin, "Network
    Flows", ch. 9): Dijkstra on reduced costs finds the shortest-path distances, the
    potentials move by them, and a maximum flow on the arcs of zero reduced cost
    augments along every shortest path at once. Costs are integers, so "zero" is exact.
    The arc list must hold at most one arc per pair of nodes, none between the same two
    nodes in opposite directions.
    """
    source, sink = 0, nodes - 1
    flow = np.zeros(len(tail), dtype=np.int64)
    forward = csr_matrix((cost.astype(np.float64), (tail, head)), shape=(nodes, nodes))
    potential = bellman_ford(forward, indices=source)
    potential[~np.isfinite(potential)] = 0.0
    for _phase in range(_FLOW_PHASES):
        ahead, back = flow < capacity, flow > 0
        u = np.concatenate([tail[ahead], head[back]])
        v = np.concatenate([head[ahead], tail[back]])
        residual = np.concatenate([capacity[ahead] - flow[ahead], flow[back]])
        reduced = np.concatenate([cost[ahead], -cost[back]]) + potential[u] - potential[v]
        # Explicit zeros are arcs to csgraph; tiny negatives are rounding only.
        graph = csr_matrix((np.maximum(reduced, 0.0), (u, v)), shape=(nodes, nodes))
        distance = dijkstra(graph, indices=source)
        if not np.isfinite(distance[sink]):
            break
        if distance[sink] + potential[sink] - potential[source] >= 0:
            break
        distance = np.minimum(distance, distance[sink])
        potential += distance
        tight = np.abs(reduced + distance[u] - distance[v]) < 0.5
        admissible = csr_matrix(
            (residual[tight].astype(np.int32), (u[tight], v[tight])), shape=(nodes, nodes)
        )
        pushed = maximum_flow(admissible, source, sink)
        if pushed.flow_value == 0:
            break
        flow += np.asarray(pushed.flow.tocsr()[tail, head]).ravel().astype(np.int64)
    return flow


def _select_pairs(board: _Board, capacity: np.ndarray, seats: int) -> np.ndarray:
    """Pairs of a best b-matching between providers and receivers, ignoring slots.

    Each person may take ``capacity[i]`` partners, all together at most ``seats``; a
    person's first partner earns COVERAGE_BONUS on top, as in the search objective.
    Pairs on one side (participants on both sides, requests between two companies) are
    left to the search. Network: source -> cap -> provider -> receiver -> cap -> sink,
    where each "cap" is a cheap unit (the bonus) beside the rest of the capacity.
    """
    n = board.people
    crossing = np.flatnonzero(board.side[board.lo] != board.side[board.hi])
    provider = np.where(board.side[board.lo[crossing]] == 0, board.lo[crossing], board.hi[crossing])
    receiver = np.where(board.side[board.lo[crossing]] == 0, board.hi[crossing], board.lo[crossing])
    people = np.arange(n)
    # nodes: 0 source, 1 limiter, 2.. people, then one bonus node per person, then sink
    limiter, person, bonus, sink = 1, 2 + people, 2 + n + people, 2 + 2 * n
    is_provider = board.side == 0
    gain = np.rint(board.weight[crossing] * _COST_GRID).astype(np.int64)
    bonus_gain = int(round(COVERAGE_BONUS * _COST_GRID))
    has_room = capacity > 0
    p, r = people[is_provider & has_room], people[~is_provider & has_room]
    tail = np.concatenate([[0], np.full(len(p), limiter), np.full(len(p), limiter), bonus[p],
                           person[provider], person[r], person[r], bonus[r]])
    head = np.concatenate([[limiter], person[p], bonus[p], person[p],
                           person[receiver], np.full(len(r), sink), bonus[r], np.full(len(r), sink)])
    cap = np.concatenate([[seats], capacity[p] - 1, np.ones(len(p), np.int64), np.ones(len(p), np.int64),
                          np.ones(len(crossing), np.int64), capacity[r] - 1, np.ones(len(r), np.int64), np.ones(len(r), np.int64)])
    cost = np.concatenate([[0], np.zeros(len(p)), np.full(len(p), -bonus_gain), np.zeros(len(p)),
                           -gain, np.zeros(len(r)), np.zeros(len(r)), np.full(len(r), -bonus_gain)])
    keep = cap > 0
    flow = _min_cost_flow(tail[keep], head[keep], cap[keep], cost[keep], sink + 1)
    middle = np.zeros(len(keep), dtype=np.int64)
    middle[keep] = flow
    start = 1 + 3 * len(p)
    return crossing[middle[start : start + len(crossing)] > 0]


class _Search:
    """Local search over whole schedules, on the objective
    ``sum of scheduled weights + COVERAGE_BONUS x people with a meeting``.

    Its one move re-solves a single slot with the other slots fixed (block-coordinate
    ascent); the first sweeps build the schedule from empty that way. Then large
    neighbourhood search (Shaw 1998; Ropke & Pisinger 2006) shakes it: clear two slots,
    or every meeting of a random group of people, rebuild slot by slot, keep the result
    if it is better. The random source has a fixed seed, and the amount of search is
    set by work done (pairs looked at), never by the clock, so results repeat exactly.
    """

    def __init__(self, board: _Board, n: int, slots: int, max_meetings: int):
        self.board, self.n, self.slots, self.max_meetings = board, n, slots, max_meetings
        self.slot_of = np.full(len(board.lo), -1, dtype=np.int64)
        self.work = 0
        self.only = None  # when set, the only pairs the search may schedule

    def counts(self, slot_of: np.ndarray) -> np.ndarray:
        scheduled = np.flatnonzero(slot_of >= 0)
        count = self.board.locked_count.copy()
        np.add.at(count, self.board.lo[scheduled], 1)
        np.add.at(count, self.board.hi[scheduled], 1)
        return count

    def objective(self, slot_of: np.ndarray) -> float:
        weights = self.board.weight[slot_of >= 0].sum()
        return float(weights + COVERAGE_BONUS * np.count_nonzero(self.counts(slot_of)))

    def run(self) -> np.ndarray:
        if not self.slots or not len(self.board.lo):
            return self.slot_of
        empty = self.slot_of
        plain = self.sweep(empty, range(self.slots))
        warm = self.sweep(self.colour(empty, self.selection()), range(self.slots))
        self.slot_of = warm if self.objective(warm) > self.objective(plain) else plain
        rng = np.random.default_rng(_SEARCH_SEED)
        budget = _SEARCH_WORK_PER_PAIR * len(self.board.lo) + self.work
        budget = min(budget, self.work + _SEARCH_WORK_LIMIT)
        for _move in range(_SEARCH_MOVES):
            if self.work >= budget:
                break
            trial = self.slot_of.copy()
            if self.slots >= 2 and rng.random() < _SLOT_MOVE_SHARE:
                pair = rng.choice(self.slots, size=2, replace=False)
                trial[np.isin(trial, pair)] = -1
                order = list(pair)
            else:
                ruined = rng.random(self.n) < _RUIN_SHARE
                trial[ruined[self.board.lo] | ruined[self.board.hi]] = -1
                order = list(rng.permutation(self.slots))
            trial = self.sweep(trial, order, passes=2)
            if self.objective(trial) > self.objective(self.slot_of) + _IMPROVEMENT_EPS:
                self.slot_of = trial
        return self.slot_of

    def selection(self) -> np.ndarray:
        board = self.board
        capacity = np.minimum(
            self.max_meetings - board.locked_count, board.free.sum(axis=1)
        ).clip(min=0)
        return _select_pairs(board, capacity, board.seats)

    def colour(self, slot_of: np.ndarray, selected: np.ndarray) -> np.ndarray:
        """Give the selected pairs slots, slot by slot, as far as they fit."""
        self.only = np.zeros(len(self.board.lo), dtype=bool)
        self.only[selected] = True
        try:
            return self.sweep(slot_of, range(self.slots))
        finally:
            self.only = None

    def sweep(self, slot_of: np.ndarray, order, passes: int = MAX_SWEEPS) -> np.ndarray:
        """Re-solve the slots in ``order`` until a pass changes nothing."""
        for _pass in range(passes):
            before = self.objective(slot_of)
            for s in order:
                slot_of = self.resolve(slot_of, int(s))
            if self.objective(slot_of) <= before + _IMPROVEMENT_EPS:
                break
        return slot_of

    def resolve(self, slot_of: np.ndarray, s: int) -> np.ndarray:
        """Re-solve slot ``s`` with the other slots fixed; the better of old and new.

        A person already at the cap may still take a better meeting here by giving up
        their weakest unlocked meeting in another slot (an ejection move); the price of
        that meeting, and of its partner's coverage if it was their only one, is taken
        off the new pair's gain. Without this, whoever fills up in the early slots
        blocks better pairs that only become possible later.
        """
        board, cap = self.board, self.max_meetings
        count = self.counts(slot_of)
        current = np.flatnonzero(slot_of == s)
        left = count.copy()
        np.subtract.at(left, board.lo[current], 1)
        np.subtract.at(left, board.hi[current], 1)

        weakest, drop_cost = self._weakest_elsewhere(slot_of, s, count)
        can_join = (left < cap) | ((left == cap) & (weakest >= 0))
        open_edges = np.flatnonzero(
            board.allowed[:, s]
            & ((slot_of == -1) | (slot_of == s))
            & can_join[board.lo]
            & can_join[board.hi]
            & (True if self.only is None else self.only)
        )
        lo, hi = board.lo[open_edges], board.hi[open_edges]
        gain = (
            board.weight[open_edges]
            + COVERAGE_BONUS * (left[lo] == 0)
            + COVERAGE_BONUS * (left[hi] == 0)
            - np.where(left[lo] >= cap, drop_cost[lo], 0.0)
            - np.where(left[hi] >= cap, drop_cost[hi], 0.0)
        )
        self.work += len(open_edges)
        picked = _solve_slot(board, s, open_edges, gain)

        trial = slot_of.copy()
        trial[current] = -1
        trial[picked] = s
        ends = np.concatenate([board.lo[picked], board.hi[picked]])
        trial[weakest[ends[left[ends] >= cap]]] = -1
        if self.objective(trial) > self.objective(slot_of) + _IMPROVEMENT_EPS:
            return trial
        return slot_of

    def _weakest_elsewhere(
        self, slot_of: np.ndarray, s: int, count: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per person: their weakest meeting outside slot ``s`` (-1 if none) and what
        giving it up would cost."""
        board = self.board
        weakest = np.full(self.n, -1, dtype=np.int64)
        drop_cost = np.zeros(self.n)
        others = np.flatnonzero((slot_of >= 0) & (slot_of != s))
        if not len(others):
            return weakest, drop_cost
        person = np.concatenate([board.lo[others], board.hi[others]])
        partner = np.concatenate([board.hi[others], board.lo[others]])
        edge = np.concatenate([others, others])
        order = np.lexsort((edge, board.weight[edge], person))
        person, partner, edge = person[order], partner[order], edge[order]
        first = np.unique(person, return_index=True)[1]
        weakest[person[first]] = edge[first]
        drop_cost[person[first]] = board.weight[edge[first]] + COVERAGE_BONUS * (
            count[partner[first]] == 1
        )
        return weakest, drop_cost


def _check_arguments(people: list[Participant], slots: int, tables: int, max_meetings: int):
    if slots < 0 or tables < 0 or max_meetings < 0:
        raise ValueError("slots, tables and max_meetings must not be negative")
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("participant ids must be unique")


def build_schedule(
    participants: Iterable[Participant],
    prefs: Preferences,
    slots: int,
    tables: int,
    max_meetings: int,
    locked: Iterable[Meeting] = (),
) -> Schedule:
    """Meetings for the session: locked ones as given, then the best schedule around them.

    ``slots`` are numbered from 0, ``tables`` from 1, ``max_meetings`` caps each person
    (locked meetings included).
    """
    people = sorted(participants, key=lambda p: p.id)
    _check_arguments(people, slots, tables, max_meetings)
    kept = sorted(
        (_as_locked(m) for m in locked), key=lambda m: (m.slot, m.table, m.a, m.b)
    )
    n = len(people)
    index = {p.id: i for i, p in enumerate(people)}
    fixed_table = np.array([p.fixed_table or 0 for p in people], dtype=np.int64)
    table_ok = (fixed_table == 0) | ((fixed_table >= 1) & (fixed_table <= tables))
    available = np.zeros((n, slots), dtype=bool)
    for i, p in enumerate(people):
        if table_ok[i]:
            available[i] = [s not in p.unavailable_slots for s in range(slots)]

    locked_busy = np.zeros((n, slots), dtype=bool)
    locked_count = np.zeros(n, dtype=np.int64)
    locked_tables: list[set[int]] = [set() for _ in range(slots)]
    locked_pairs = set()
    for m in kept:
        locked_pairs.add((min(m.a, m.b), max(m.a, m.b)))
        if 0 <= m.slot < slots:
            locked_tables[m.slot].add(m.table)
        for person in (m.a, m.b):
            if person in index:
                locked_count[index[person]] += 1
                if 0 <= m.slot < slots:
                    locked_busy[index[person], m.slot] = True

    scorer = _PairScorer(people, prefs)
    per_person = max(CANDIDATES_MIN, CANDIDATES_PER_MEETING * max_meetings)
    cand = _candidate_pairs(scorer, available, fixed_table, per_person)

    free = available & ~locked_busy
    pair_table = np.maximum(fixed_table[cand.lo], fixed_table[cand.hi])
    allowed = free[cand.lo] & free[cand.hi]
    for s in range(slots):
        if locked_tables[s]:
            allowed[:, s] &= ~np.isin(pair_table, sorted(locked_tables[s]))
    already_met = np.array(
        [(people[a].id, people[b].id) in locked_pairs for a, b in zip(cand.lo, cand.hi, strict=True)],
        dtype=bool,
    )
    allowed[already_met] = False

    reserved = {int(t) for t in fixed_table[table_ok] if t}
    general_tables = [
        [t for t in range(1, tables + 1) if t not in reserved and t not in locked_tables[s]]
        for s in range(slots)
    ]
    board = _Board(
        people=n,
        lo=cand.lo,
        hi=cand.hi,
        score=cand.score,
        weight=cand.score + scorer.tie_spread(cand.lo, cand.hi),
        table=pair_table,
        allowed=allowed,
        locked_count=locked_count,
        general_tables=general_tables,
        side=_sides(people),
        free=free,
        seats=sum(len(t) for t in general_tables)
        + sum(len(reserved - locked_tables[s]) for s in range(slots)),
    )
    slot_of = _Search(board, n, slots, max_meetings).run()
    meetings = kept + _seat(board, slot_of, people, prefs, slots)
    meetings.sort(key=lambda m: (m.slot, m.table, m.a, m.b))
    return Schedule(tuple(meetings), _metrics(people, meetings, cand, slots, tables))


def _sides(people: list[Participant]) -> np.ndarray:
    """Providers 0, receivers 1; people on both sides join the smaller side."""
    side = np.array([0 if p.side == OFFER else 1 for p in people], dtype=np.int64)
    both = np.array([p.side == BOTH for p in people], dtype=bool)
    providers = np.count_nonzero(np.array([p.side == OFFER for p in people], dtype=bool))
    receivers = np.count_nonzero(np.array([p.side == NEED for p in people], dtype=bool))
    side[both] = 0 if providers <= receivers else 1
    return side


def _as_locked(m: Meeting) -> Meeting:
    if m.locked:
        return m
    return Meeting(m.a, m.b, m.slot, m.table, m.score, m.reasons, locked=True)


def _seat(
    board: _Board, slot_of: np.ndarray, people: list[Participant], prefs: Preferences, slots: int
) -> list[Meeting]:
    """Turn scheduled pairs into meetings with tables: best meetings on the lowest numbers."""
    meetings = []
    for s in range(slots):
        edges = np.flatnonzero(slot_of == s)
        edges = edges[np.lexsort((edges, -board.score[edges]))]
        open_tables = iter(board.general_tables[s])
        for e in edges:
            p, q = people[board.lo[e]], people[board.hi[e]]
            match = score_pair(p, q, prefs)
            table = int(board.table[e]) or next(open_tables)
            meetings.append(Meeting(match.a, match.b, s, table, match.score, match.reasons))
    return meetings


def _metrics(
    people: list[Participant],
    meetings: list[Meeting],
    cand: _Candidates,
    slots: int,
    tables: int,
) -> dict:
    sides = {p.id: p.side for p in people}
    met = {person for m in meetings for person in (m.a, m.b)}
    with_meeting = sum(1 for p in people if p.id in met)
    could_meet = [i for i, p in enumerate(people) if cand.has_partner[i]]
    covered = sum(1 for i in could_meet if people[i].id in met)
    total = float(sum(m.score for m in meetings))
    cross = sum(1 for m in meetings if {sides.get(m.a), sides.get(m.b)} == {OFFER, NEED})
    without = []
    for i, p in enumerate(people):
        if p.id in met:
            continue
        if p.side not in (OFFER, NEED, BOTH):
            reason = "none_side"
        elif not cand.has_partner[i]:
            reason = "no_match"
        elif not cand.has_option[i]:
            reason = "unavailable"
        else:
            reason = "capacity"
        without.append({"id": p.id, "reason": reason})
    return {
        "meetings": len(meetings),
        "participants": len(people),
        "with_meeting": with_meeting,
        "coverage": covered / len(could_meet) if could_meet else 1.0,
        "mean_score": total / len(meetings) if meetings else 0.0,
        "total_score": total,
        "cross_side_share": cross / len(meetings) if meetings else 0.0,
        "table_use": len(meetings) / (slots * tables) if slots and tables else 0.0,
        "without_meeting": without,
    }
