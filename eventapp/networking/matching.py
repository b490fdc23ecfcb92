"""Scoring, recommendations and the meeting schedule of a networking session.

Plain data in, plain data out: no Flask, no database. The same input always gives the
same output: participants are sorted by id, preference sets are sorted before use,
every tie is broken by a fixed rule, and the one random source has a fixed seed.

Scoring
    A pair's score comes in tiers that never overlap (the ``SCORE_*`` constants):
    technology fit *and* country fit, above technology fit alone, above country fit
    alone -- the order in which the product brief ranks an official's best meetings.
    Inside a tier, more shared technologies, a second fitting country and a
    company-official pair add bounded bonuses that stay below the gap to the next tier.
    An accepted meeting request adds ``REQUEST_WEIGHT``, more than any fit can reach.

Scheduling
    The exact problem -- pick (pair, slot) meetings so that every slot is a matching
    that fits its tables, nobody exceeds the meeting cap or meets outside their
    available slots, and no pair meets twice -- is an integer programme with one
    variable per pair and slot, far too big to solve exactly for 2,000 people in
    seconds. We solve it in four steps, each a classic:

    1. Candidate pairs. Scores are computed block by block with numpy
       (``_PairScorer``). Each person keeps their
       ``max(CANDIDATES_MIN, CANDIDATES_PER_MEETING x max_meetings)`` best partners
       among those who can attend a common slot and share no conflicting table (a pair
       stays if it is on either list), plus every accepted request. This sparsity is
       what makes 2,000 people fit in seconds; a person's 33rd-best partner is very
       unlikely to be in a good schedule for a cap of 8.
    2. Which pairs meet, slots aside: a maximum-weight b-matching (each person at most
       their cap, all pairs together at most the seats of the session), solved exactly
       as a min-cost flow on the bipartite double cover by the primal-dual method
       (Ahuja, Magnanti & Orlin, "Network Flows", 1993, ch. 9; the double cover gives
       the b-matching linear relaxation, integral on company-official graphs,
       Schrijver, "Combinatorial Optimization", 2003, ch. 31).
    3. When they meet: edge colouring, one slot at a time. Each slot takes a
       maximum-weight matching of the chosen pairs that first covers every person with
       as many pairs left as slots left, as in the constructive proof of Konig's edge
       colouring theorem, so on a company-official graph with free availability every
       chosen pair finds a slot.
    4. Local search on the whole schedule. Its move re-solves one slot with the other
       slots fixed (block-coordinate ascent), letting a person at the cap swap their
       weakest meeting elsewhere for a better one here. Sweeps over the slots fill in
       what the colouring left, then a large neighbourhood search (Shaw 1998; Ropke &
       Pisinger 2006) clears two slots, or all meetings of a random group of people,
       rebuilds them slot by slot and keeps the result when it is better. Its length is
       set by work done, never by the clock, so results repeat.

    Every slot matching is a linear assignment problem on the symmetric "doubled"
    graph (every person both a row and a column, the diagonal meaning "no meeting"),
    solved with ``scipy.optimize.linear_sum_assignment`` when small and the sparse
    Jonker-Volgenant algorithm (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``)
    when large. On a bipartite graph the optimal assignment splits into two-cycles and
    even cycles whose better half is a maximum matching, so the step is exact there;
    participants on both sides can make odd cycles, which are cut by an exact dynamic
    programme. A limit on tables is a cardinality limit on the matching, handled by a
    Lagrange price per table.

    The search maximises ``total score + COVERAGE_BONUS x people with a meeting +
    BEST_MATCH_BONUS x officials with a best-tier meeting`` (the pair selection of
    step 2 has all but the last term). Accepted requests come first through
    ``REQUEST_WEIGHT``. An official's first best-tier meeting earns a full tier's
    worth, more than the spread inside the tier, so a company with more best-tier
    officials than meetings gives one to an official who has none before a second one
    to another (the product brief's promise). Anyone's first meeting earns a quarter
    tier, so that between meetings of about the same worth the one for somebody still
    without a meeting wins. That bonus is kept small on purpose: measured against
    exact optima, a larger one buys coverage with real losses in total score whenever
    tables or popular partners run short.

Tables
    A participant with a fixed table always meets there, and that table is theirs alone
    (a company stays at its stand); two people with different fixed tables never meet.
    Other meetings take the remaining tables, best meetings on the lowest numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra, maximum_flow, min_weight_full_bipartite_matching

OFFER, NEED, BOTH, NONE = "offer", "need", "both", "none"

# --- Score weights -------------------------------------------------------------------
# Tier bases are TIER_GAP apart and the bonuses inside a tier add up to less than
# TIER_GAP, so no pair climbs into the tier above on bonuses.
TIER_GAP = 100.0
SCORE_TECH_AND_COUNTRY = 3 * TIER_GAP
SCORE_TECH_ONLY = 2 * TIER_GAP
SCORE_COUNTRY_ONLY = 1 * TIER_GAP
# t shared technologies add TECH_DEPTH_BONUS * (t - 1) / t: every extra one counts,
# with diminishing returns, and the sum never reaches TECH_DEPTH_BONUS.
TECH_DEPTH_BONUS = 50.0
# Two countries fit only between two participants on both sides.
COUNTRY_DEPTH_BONUS = 10.0
# Company-official pairs are what the session is for.
CROSS_SIDE_BONUS = 25.0
MAX_FIT_SCORE = SCORE_TECH_AND_COUNTRY + TECH_DEPTH_BONUS + COUNTRY_DEPTH_BONUS + CROSS_SIDE_BONUS
# An accepted request outranks any fit, and makes a pair even without one.
REQUEST_WEIGHT = 1000.0

# --- Scheduler settings --------------------------------------------------------------
# A person's first meeting is worth this much more (see the module docstring).
COVERAGE_BONUS = TIER_GAP / 4
# A person's first meeting in the best tier (technology and country) is worth this
# much more: enough to hand a best match to an official who has none yet rather than
# a slightly better one to someone who has one (a tier spans less than TIER_GAP).
BEST_MATCH_BONUS = TIER_GAP
CANDIDATES_MIN = 16
CANDIDATES_PER_MEETING = 4
# Equal scores are told apart by a fixed per-pair amount this small, so that equally
# good partners share the load instead of the lowest ids taking it all.
TIE_SPREAD = 1e-4

_BLOCK_ROWS = 256  # rows of the score matrix computed at once
_DENSE_NODES = 150  # below this, dense assignment beats the sparse solver
# LAPJVsp costs are rounded to 1/8 point: its augmenting row reduction crawls when
# costs differ by tiny fractions (scipy issue 17269); 1/8 point decides nothing.
_COST_GRID = 8.0
_PRICE_STEPS = 8  # bisection steps for the table price of a full slot
_FLOW_PHASES = 500
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


@dataclass(frozen=True)
class Participant:
    id: int
    side: str  # OFFER (company), NEED (embassy official), BOTH, NONE
    organisation: str = ""
    # ISO alpha-2: for an official the country represented; for a company its home.
    country: str | None = None
    offers: frozenset[str] = frozenset()  # technology-area codes
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


# --- One pair ------------------------------------------------------------------------


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


# --- All pairs at once ---------------------------------------------------------------


def _pair_keys(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo.astype(np.int64) * (1 << 32) + hi.astype(np.int64)


class _PairScorer:
    """All pair scores of an event, a block of rows at a time, equal to ``score_pair``.

    Technology fit counts the union of both directions, |A| + |B| - |A & B|, which for
    0/1 indicator matrices is three matrix products. The score is then looked up in a
    table filled by ``_fit_score`` itself, so both paths give the very same numbers.
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
                country_index[p.country] if receives[i] and p.country else -1
                for i, p in enumerate(people)
            ],
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

        # fit_table[technologies, countries, cross_side]; at most one country per
        # direction, so two in all.
        self.fit_table = np.array(
            [
                [[_fit_score(t, c, cross) for cross in (False, True)] for c in range(3)]
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


@dataclass
class _Candidates:
    lo: np.ndarray  # person indexes, lo < hi
    hi: np.ndarray
    score: np.ndarray
    best: np.ndarray  # a best-tier fit, whether requested or not
    has_partner: np.ndarray  # per person: some positive-score partner exists
    has_option: np.ndarray  # per person: some such partner shares a slot and a table


def _candidate_pairs(
    scorer: _PairScorer, available: np.ndarray, fixed_table: np.ndarray, per_person: int
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
        same_table = (row_table == 0) | (fixed_table == 0) | (row_table == fixed_table)
        feasible = (score > 0) & common_slot & same_table
        has_option[rows] = feasible.any(axis=1)
        if per_person >= n - 1:
            r, c = np.nonzero(feasible)
        else:
            ranked = np.where(feasible, score + scorer.tie_spread(rows[:, None], everyone), -1.0)
            best = np.argpartition(-ranked, per_person - 1, axis=1)[:, :per_person]
            keep = np.take_along_axis(ranked, best, axis=1) > 0
            r, c = np.nonzero(keep)[0], best[keep]
            for x, y in scorer.accepted:  # must-meets stay whatever their rank
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
    lo, hi, score = lo[first], hi[first], score[first]
    requested = np.isin(
        _pair_keys(lo, hi), _pair_keys(scorer.accepted[:, 0], scorer.accepted[:, 1])
    )
    fit = score - REQUEST_WEIGHT * requested
    best = fit >= SCORE_TECH_AND_COUNTRY
    return _Candidates(lo, hi, score, best, has_partner, has_option)


# --- One slot: a maximum-weight matching ---------------------------------------------


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
        gain = np.zeros((m, m))
        gain[u, v] = weight
        gain[v, u] = weight
        partner = linear_sum_assignment(gain, maximize=True)[1]
    else:
        partner = _sparse_assignment(u, v, weight, m)
    return _matching_from_assignment(partner, u, v, weight)


def _sparse_assignment(u: np.ndarray, v: np.ndarray, weight: np.ndarray, m: int) -> np.ndarray:
    # LAPJVsp wants non-zero costs: costs count down from a ceiling, and the diagonal
    # ("no meeting") costs the most.
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

    Two-cycles (i -> j -> i) are meetings. Longer cycles come from odd cycles or from
    equally good choices; each is cut into its best matching, and people the cuts
    leave free are then paired greedily.
    """
    m = len(partner)
    forward = partner[u] == v
    backward = partner[v] == u
    chosen = [np.flatnonzero(forward & backward)]
    out_edge = np.full(m, -1, dtype=np.int64)  # the edge to one's assigned partner
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
            while follow[ring[-1]] != start:
                ring.append(follow[ring[-1]])
            seen.update(ring)
            edges = out_edge[ring]
            chosen.append(_best_matching_on_cycle(edges, np.where(edges >= 0, weight[edges], 0.0)))

    chosen_edges = np.sort(np.concatenate(chosen)).astype(np.int64)
    used = np.zeros(m, dtype=bool)
    used[u[chosen_edges]] = True
    used[v[chosen_edges]] = True
    extra = []
    free = np.flatnonzero(~used[u] & ~used[v])
    for e in free[np.lexsort((free, -weight[free]))].tolist():
        if not used[u[e]] and not used[v[e]]:
            used[u[e]] = used[v[e]] = True
            extra.append(e)
    return np.sort(np.concatenate([chosen_edges, np.array(extra, dtype=np.int64)]))


def _best_matching_on_cycle(edges: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Maximum-weight matching on a cycle whose k-th edge joins nodes k and k+1."""
    w = weights.tolist()

    def on_path(first: int, last: int) -> tuple[float, list[int]]:
        # take-or-skip over the consecutive edges first..last-1
        free, taken = (0.0, []), (0.0, [])
        for k in range(first, last):
            take = (free[0] + w[k], free[1] + [k]) if w[k] > 0 else free
            free, taken = (free if free[0] >= taken[0] else taken), take
        return free if free[0] >= taken[0] else taken

    k = len(w)
    # Either the closing edge is out, or it is in and both its neighbours are out.
    best = on_path(0, k - 1)
    if w[k - 1] > 0:
        value, picked = on_path(1, k - 2)
        if value + w[k - 1] > best[0]:
            best = (value + w[k - 1], picked + [k - 1])
    return edges[best[1]].astype(np.int64)


@dataclass
class _Board:
    """What the scheduler works on: candidate pairs and where they may go."""

    people: int
    lo: np.ndarray  # the pairs, as person indexes
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


def _seat_limited(board: _Board, slot: int, edges: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Positions in ``edges`` that the slot can seat, best gain first: one pair per
    fixed table, and no more other pairs than open tables."""
    seats = len(board.general_tables[slot])
    kept, fixed_taken = [], set()
    for k in np.lexsort((edges, -gain)).tolist():
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
    """The pairs (some of ``edges``) to meet in ``slot``, fitting its tables.

    Dropping the weakest pairs of an unconstrained matching when tables run short can
    lose badly: a strong pair may have been left out only because it blocked two
    medium ones. So each open table gets a price instead, a Lagrange multiplier taken
    off every pair that needs one, bisected until the matching fits.
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
        return matched, matched[_seat_limited(board, slot, edges[matched], gain[matched])]

    matched, best = solve(0.0)
    if len(best) < len(matched):
        seats = len(board.general_tables[slot])
        low, high = 0.0, float(gain.max())
        for _step in range(_PRICE_STEPS):
            price = (low + high) / 2
            matched, seated = solve(price)
            if len(seated) < len(matched):
                low = price
                continue
            high = price
            if gain[seated].sum() > gain[best].sum() + _EPS:
                best = seated
            if np.count_nonzero(needs_open_table[seated]) == seats:
                # Every table used at this price: by Lagrangian duality no matching
                # of this size does better (exactly so on bipartite graphs).
                break
    return edges[best]


# --- The whole session: which pairs meet, slots aside --------------------------------


def _min_cost_flow(
    tail: np.ndarray, head: np.ndarray, capacity: np.ndarray, cost: np.ndarray, nodes: int
) -> np.ndarray:
    """Flow per arc of the cheapest flow of any size from node 0 to node ``nodes - 1``.

    Primal-dual method: Dijkstra on reduced costs gives the shortest distances, the
    node potentials move by them, and a maximum flow on the arcs of zero reduced cost
    augments along all shortest paths at once; it stops when no path of negative cost
    is left. Costs are integers, so "zero" is exact. At most one arc may join two
    nodes, in one direction only.
    """
    source, sink, arcs = 0, nodes - 1, len(tail)
    flow = np.zeros(arcs, dtype=np.int64)
    if not arcs:
        return flow
    potential = _initial_potential(tail, head, cost, nodes)
    # The residual graph keeps one layout throughout: every arc forward and reversed,
    # sorted once as CSR wants them; closed arcs get infinite length or no capacity.
    u, v = np.concatenate([tail, head]), np.concatenate([head, tail])
    layout = np.lexsort((v, u))
    u, v = u[layout], v[layout]
    arc_cost = np.concatenate([cost, -cost])[layout]
    position = np.empty(2 * arcs, dtype=np.int64)
    position[layout] = np.arange(2 * arcs)
    ahead_at, back_at = position[:arcs], position[arcs:]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(u, minlength=nodes))])
    arc_keys = _pair_keys(tail, head)
    arc_order = np.argsort(arc_keys)
    arc_keys = arc_keys[arc_order]
    residual = np.empty(2 * arcs, dtype=np.int64)
    for _phase in range(_FLOW_PHASES):
        residual[ahead_at] = capacity - flow
        residual[back_at] = flow
        reduced = arc_cost + potential[u] - potential[v]
        length = np.where(residual > 0, np.maximum(reduced, 0.0), np.inf)
        distance = dijkstra(csr_matrix((length, v, indptr), shape=(nodes, nodes)), indices=source)
        if not np.isfinite(distance[sink]) or distance[sink] + potential[sink] >= 0:
            break
        distance = np.minimum(distance, distance[sink])
        potential += distance
        tight = np.flatnonzero((residual > 0) & (np.abs(reduced + distance[u] - distance[v]) < 0.5))
        tight_ptr = np.concatenate([[0], np.cumsum(np.bincount(u[tight], minlength=nodes))])
        admissible = csr_matrix(
            (residual[tight].astype(np.int32), v[tight], tight_ptr), shape=(nodes, nodes)
        )
        pushed = maximum_flow(admissible, source, sink)
        if pushed.flow_value == 0:
            break
        moved = pushed.flow.tocoo()
        keys = _pair_keys(moved.row, moved.col)
        at = np.minimum(np.searchsorted(arc_keys, keys), arcs - 1)
        hit = arc_keys[at] == keys
        np.add.at(flow, arc_order[at[hit]], moved.data[hit].astype(np.int64))
    return flow


def _initial_potential(tail: np.ndarray, head: np.ndarray, cost: np.ndarray, nodes: int):
    """Shortest distances from node 0 with no flow yet (Bellman-Ford, one array pass
    per round; the networks here are a few layers deep, so few rounds)."""
    potential = np.full(nodes, np.inf)
    potential[0] = 0.0
    for _round in range(nodes):
        before = potential.copy()
        np.minimum.at(potential, head, potential[tail] + cost)
        if np.array_equal(before, potential):
            break
    potential[~np.isfinite(potential)] = 0.0
    return potential


def _select_pairs(board: _Board, capacity: np.ndarray) -> np.ndarray:
    """The pairs of a heavy b-matching over the whole session, slots aside.

    Each person may take ``capacity[i]`` partners, at most ``board.seats`` pairs in
    all, and a first partner earns COVERAGE_BONUS, as in the search. The flow runs on
    the bipartite double cover -- every person once as a row and once as a column, every
    pair in both directions -- so it solves the b-matching linear relaxation exactly.
    Network: source -> limiter -> row -> column -> sink, where the first unit of a
    person's capacity takes a side path through a node that carries the bonus.
    """
    n, pairs = board.people, len(board.lo)
    people = np.arange(n)
    # nodes: 0 source, 1 limiter, rows, row bonuses, columns, column bonuses, sink
    row, row_bonus = 2 + people, 2 + n + people
    col, col_bonus = 2 + 2 * n + people, 2 + 3 * n + people
    sink = 2 + 4 * n
    gain = np.rint(board.weight * _COST_GRID).astype(np.int64)
    bonus = np.full(n, int(round(COVERAGE_BONUS * _COST_GRID)), dtype=np.int64)
    first = np.minimum(capacity, 1)  # the unit that earns the bonus
    rest, zeros, pair_ones = capacity - first, np.zeros(n, np.int64), np.ones(pairs, np.int64)
    to_sink, from_limiter = np.full(n, sink), np.full(n, 1)
    arcs = [  # (tail, head, capacity, cost); the pair arcs must stay 5th and 6th
        ([0], [1], [2 * board.seats], [0]),
        (from_limiter, row, rest, zeros),
        (from_limiter, row_bonus, first, -bonus),
        (row_bonus, row, first, zeros),
        (row[board.lo], col[board.hi], pair_ones, -gain),
        (row[board.hi], col[board.lo], pair_ones, -gain),
        (col, to_sink, rest, zeros),
        (col, col_bonus, first, zeros),
        (col_bonus, to_sink, first, -bonus),
    ]
    tail, head, cap, cost = (
        np.concatenate([np.asarray(arc[k], dtype=np.int64) for arc in arcs]) for k in range(4)
    )
    usable = cap > 0
    flow = np.zeros(len(cap), dtype=np.int64)
    flow[usable] = _min_cost_flow(tail[usable], head[usable], cap[usable], cost[usable], sink + 1)
    start = 1 + 3 * n
    lo_to_hi, hi_to_lo = (
        flow[start : start + pairs] > 0,
        flow[start + pairs : start + 2 * pairs] > 0,
    )

    # Rounding: pairs taken both ways are in. On the company-official pairs each
    # direction alone is a b-matching, and the better one is worth at least the
    # relaxation; so try each, fill up with the rest, and keep the best.
    crossing = board.side[board.lo] != board.side[board.hi]
    lo_provides = board.side[board.lo] == 0
    provider_to_receiver = crossing & np.where(lo_provides, lo_to_hi, hi_to_lo)
    receiver_to_provider = crossing & np.where(lo_provides, hi_to_lo, lo_to_hi)
    options = [
        _fill_up(board, capacity, np.flatnonzero(base), lo_to_hi | hi_to_lo)
        for base in (lo_to_hi & hi_to_lo, provider_to_receiver, receiver_to_provider)
    ]
    return max(options, key=lambda chosen: _selection_value(board, chosen))


def _fill_up(board: _Board, capacity: np.ndarray, chosen: np.ndarray, wanted: np.ndarray):
    """The best of ``chosen`` that the seats hold, then other ``wanted`` pairs, best
    first, while capacity lasts."""
    chosen = chosen[np.lexsort((chosen, -board.weight[chosen]))][: board.seats]
    room = capacity.copy()
    np.subtract.at(room, board.lo[chosen], 1)
    np.subtract.at(room, board.hi[chosen], 1)
    extra, seats_left = [], board.seats - len(chosen)
    rest = np.setdiff1d(np.flatnonzero(wanted), chosen)
    for e in rest[np.lexsort((rest, -board.weight[rest]))].tolist():
        a, b = board.lo[e], board.hi[e]
        if seats_left > 0 and room[a] > 0 and room[b] > 0:
            room[a] -= 1
            room[b] -= 1
            seats_left -= 1
            extra.append(e)
    return np.sort(np.concatenate([chosen, np.array(extra, dtype=np.int64)]))


def _selection_value(board: _Board, chosen: np.ndarray) -> float:
    met, best_met = np.zeros(board.people, dtype=bool), np.zeros(board.people, dtype=bool)
    met[board.lo[chosen]] = met[board.hi[chosen]] = True
    best = chosen[board.best[chosen]]
    best_met[board.lo[best]] = best_met[board.hi[best]] = True
    return float(
        board.weight[chosen].sum()
        + COVERAGE_BONUS * np.count_nonzero(met)
        + BEST_MATCH_BONUS * np.count_nonzero(best_met & board.official)
    )


# --- The whole session: slots --------------------------------------------------------


class _Search:
    """Builds and improves ``slot_of`` (per candidate pair: its slot, or -1)."""

    def __init__(self, board: _Board, slots: int, max_meetings: int):
        self.board, self.slots, self.max_meetings = board, slots, max_meetings
        self.slot_of = np.full(len(board.lo), -1, dtype=np.int64)
        self.work = 0

    def run(self) -> np.ndarray:
        capacity = self.capacity()
        if not self.board.seats or not len(self.board.lo) or not capacity.any():
            return self.slot_of
        coloured = self.colour(_select_pairs(self.board, capacity))
        self.slot_of = self.sweep(coloured, range(self.slots), _MAX_SWEEPS)
        self.shake()
        return self.slot_of

    def counts(self, slot_of: np.ndarray, only=None) -> np.ndarray:
        """Meetings per person, locked ones included; with ``only``, the best-tier
        ones (``only`` being the per-pair flags)."""
        board = self.board
        scheduled = np.flatnonzero(slot_of >= 0)
        if only is None:
            count = board.locked_count.copy()
        else:
            count = board.locked_best.copy()
            scheduled = scheduled[only[scheduled]]
        np.add.at(count, board.lo[scheduled], 1)
        np.add.at(count, board.hi[scheduled], 1)
        return count

    def objective(self, slot_of: np.ndarray) -> float:
        weights = self.board.weight[slot_of >= 0].sum()
        covered = np.count_nonzero(self.counts(slot_of))
        best_counts = self.counts(slot_of, self.board.best)
        best_covered = np.count_nonzero(best_counts[self.board.official])
        return float(weights + COVERAGE_BONUS * covered + BEST_MATCH_BONUS * best_covered)

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
            picked = _solve_slot(board, s, edges, gain)
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
        count, best_count = self.counts(slot_of), self.counts(slot_of, board.best)
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
        picked = _solve_slot(board, s, edges, gain)

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


# --- Putting it together -------------------------------------------------------------


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
    caps each person, locked meetings included."""
    if slots < 0 or tables < 0 or max_meetings < 0:
        raise ValueError("slots, tables and max_meetings must not be negative")
    people = sorted(participants, key=lambda p: p.id)
    if len({p.id for p in people}) != len(people):
        raise ValueError("participant ids must be unique")
    kept = sorted(
        (m if m.locked else _replace_locked(m) for m in locked),
        key=lambda m: (m.slot, m.table, m.a, m.b),
    )
    n = len(people)
    index = {p.id: i for i, p in enumerate(people)}
    fixed_table = np.array([p.fixed_table or 0 for p in people], dtype=np.int64)
    table_exists = (fixed_table == 0) | ((fixed_table >= 1) & (fixed_table <= tables))
    available = np.zeros((n, slots), dtype=bool)
    for i, p in enumerate(people):
        if table_exists[i]:
            available[i] = [s not in p.unavailable_slots for s in range(slots)]

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
                locked_best[index[person]] += _is_best(m.reasons)
                if in_session:
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
    if locked_pairs:
        ids = np.array([p.id for p in people], dtype=np.int64)
        met = {_pair_keys(np.array([a]), np.array([b]))[0] for a, b in locked_pairs}
        allowed[np.isin(_pair_keys(ids[cand.lo], ids[cand.hi]), sorted(met))] = False

    reserved = {int(t) for t in fixed_table[table_exists] if t}
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
    )
    slot_of = _Search(board, slots, max_meetings).run()
    meetings = kept + _seat(board, slot_of, people, prefs, slots)
    meetings.sort(key=lambda m: (m.slot, m.table, m.a, m.b))
    return Schedule(tuple(meetings), _metrics(people, meetings, cand, slots, tables))


def _is_best(reasons: Reasons) -> bool:
    return bool(reasons.countries and reasons.technologies)


def _replace_locked(m: Meeting) -> Meeting:
    return Meeting(m.a, m.b, m.slot, m.table, m.score, m.reasons, locked=True)


def _sides(people: list[Participant]) -> np.ndarray:
    """Providers 0, receivers 1; participants on both sides join the smaller side."""
    side = np.array([0 if p.side == OFFER else 1 for p in people], dtype=np.int64)
    providers = sum(p.side == OFFER for p in people)
    receivers = sum(p.side == NEED for p in people)
    side[[p.side == BOTH for p in people]] = 0 if providers <= receivers else 1
    return side


def _seat(
    board: _Board, slot_of: np.ndarray, people: list[Participant], prefs: Preferences, slots: int
) -> list[Meeting]:
    """Scheduled pairs as meetings with tables, best meetings on the lowest numbers."""
    meetings = []
    for s in range(slots):
        edges = np.flatnonzero(slot_of == s)
        open_tables = iter(board.general_tables[s])
        for e in edges[np.lexsort((edges, -board.score[edges]))].tolist():
            match = score_pair(people[board.lo[e]], people[board.hi[e]], prefs)
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
    could_meet = [p for i, p in enumerate(people) if cand.has_partner[i]]
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
        "with_meeting": sum(1 for p in people if p.id in met),
        "coverage": sum(1 for p in could_meet if p.id in met) / len(could_meet)
        if could_meet
        else 1.0,
        "mean_score": total / len(meetings) if meetings else 0.0,
        "total_score": total,
        "cross_side_share": cross / len(meetings) if meetings else 0.0,
        "table_use": len(meetings) / (slots * tables) if slots and tables else 0.0,
        "without_meeting": without,
    }
