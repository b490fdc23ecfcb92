"""Which pairs meet, slots aside: a heavy b-matching over the whole session.

Each person may take as many partners as they have meetings left, and all pairs
together at most the seats of the session. The maximum-weight b-matching's linear
relaxation is solved exactly as a min-cost flow on the bipartite double cover (every
person once as a row and once as a column, every pair in both directions), which is
integral on company-official graphs (Schrijver, "Combinatorial Optimization", 2003,
ch. 31), then rounded. The flow is OR-Tools' ``SimpleMinCostFlow``.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from .board import COST_GRID, COVERAGE_BONUS, Board


class _Network:
    """A min-cost flow network whose arcs are added in named groups."""

    def __init__(self) -> None:
        self.solver = SimpleMinCostFlow()

    def arcs(self, tail, head, capacity, cost) -> np.ndarray:
        """Arcs from ``tail[k]`` to ``head[k]`` (scalars are repeated); their indexes."""
        tail, head, capacity, cost = np.broadcast_arrays(
            *(np.asarray(x, dtype=np.int64) for x in (tail, head, capacity, cost))
        )
        if not tail.size:
            return np.zeros(0, dtype=np.int64)
        return self.solver.add_arcs_with_capacity_and_unit_cost(
            np.ascontiguousarray(tail),
            np.ascontiguousarray(head),
            np.ascontiguousarray(capacity),
            np.ascontiguousarray(cost),
        )

    def cheapest_flow(self, source: int, sink: int, most: int) -> None:
        """The cheapest flow of any size up to ``most`` from ``source`` to ``sink``:
        what is not worth sending takes a free arc straight to the sink."""
        self.arcs(source, sink, most, 0)
        self.solver.set_node_supply(source, most)
        self.solver.set_node_supply(sink, -most)
        status = self.solver.solve()
        if status != SimpleMinCostFlow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")

    def flows(self, arcs: np.ndarray) -> np.ndarray:
        return self.solver.flows(arcs) if len(arcs) else np.zeros(0, dtype=np.int64)


def select_pairs(board: Board, capacity: np.ndarray) -> np.ndarray:
    """The pairs (indexes) of a heavy b-matching: person ``i`` takes at most
    ``capacity[i]`` partners, a first partner earns COVERAGE_BONUS, as in the search.

    Network: source -> limiter (the seats) -> row -> column -> sink, where the first
    unit of a person's capacity takes a side path through a node that carries the bonus.
    """
    n = board.people
    people = np.arange(n)
    source, limiter = 0, 1
    row, row_bonus = 2 + people, 2 + n + people
    col, col_bonus = 2 + 2 * n + people, 2 + 3 * n + people
    sink = 2 + 4 * n
    gain = np.rint(board.weight * COST_GRID).astype(np.int64)
    bonus = int(round(COVERAGE_BONUS * COST_GRID))
    first = np.minimum(capacity, 1)  # the unit that earns the bonus
    rest = capacity - first

    network = _Network()
    network.arcs(source, limiter, 2 * board.seats, 0)
    network.arcs(limiter, row, rest, 0)
    network.arcs(limiter, row_bonus, first, -bonus)
    network.arcs(row_bonus, row, first, 0)
    lo_to_hi = network.arcs(row[board.lo], col[board.hi], 1, -gain)
    hi_to_lo = network.arcs(row[board.hi], col[board.lo], 1, -gain)
    network.arcs(col, sink, rest, 0)
    network.arcs(col, col_bonus, first, 0)
    network.arcs(col_bonus, sink, first, -bonus)
    network.cheapest_flow(source, sink, most=2 * min(board.seats, len(board.lo)))
    forward, backward = network.flows(lo_to_hi) > 0, network.flows(hi_to_lo) > 0

    # Rounding: pairs taken both ways are in. On the company-official pairs each
    # direction alone is a b-matching, and the better one is worth at least the
    # relaxation; so try each, fill up with the rest, and keep the best.
    crossing = board.side[board.lo] != board.side[board.hi]
    lo_provides = board.side[board.lo] == 0
    provider_to_receiver = crossing & np.where(lo_provides, forward, backward)
    receiver_to_provider = crossing & np.where(lo_provides, backward, forward)
    options = [
        _fill_up(board, capacity, np.flatnonzero(base), forward | backward)
        for base in (forward & backward, provider_to_receiver, receiver_to_provider)
    ]
    return max(options, key=board.objective)


def _fill_up(board: Board, capacity: np.ndarray, chosen: np.ndarray, wanted: np.ndarray):
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
