"""One slot: which pairs meet in it, a maximum-weight matching that fits the tables.

Every slot matching is a linear assignment problem on the symmetric "doubled" graph
(every person both a row and a column, the diagonal meaning "no meeting"), solved with
``scipy.optimize.linear_sum_assignment`` when small and the sparse Jonker-Volgenant
algorithm (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) when large. On
a bipartite graph the optimal assignment splits into two-cycles and even cycles whose
better half is a maximum matching, so the step is exact there; participants on both
sides can make odd cycles, which are cut by an exact dynamic programme. A limit on
tables is a cardinality limit on the matching, handled by a Lagrange price per table.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .board import COST_GRID, Board

_DENSE_NODES = 150  # below this, dense assignment beats the sparse solver
_PRICE_STEPS = 8  # bisection steps for the table price of a full slot
_EPS = 1e-7


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
    # ("no meeting") costs the most. They are rounded to the cost grid: its augmenting
    # row reduction crawls when costs differ by tiny fractions (scipy issue 17269).
    ceiling = np.ceil(float(weight.max())) + 1.0
    cost = np.round((ceiling - weight) * COST_GRID)
    diagonal = np.arange(m)
    graph = csr_matrix(
        (
            np.concatenate([cost, cost, np.full(m, ceiling * COST_GRID)]),
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


def _seat_limited(board: Board, slot: int, edges: np.ndarray, gain: np.ndarray) -> np.ndarray:
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


def solve_slot(board: Board, slot: int, edges: np.ndarray, gain: np.ndarray) -> np.ndarray:
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
