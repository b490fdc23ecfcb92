"""Meeting schedule: build_schedule on the demo seminar and on synthetic events of 48
to 5,000 participants.

The demo seminar is the one `flask demo` loads (12 companies with two representatives
each, 14 embassy officials; 6 slots, 12 tables, at most 4 meetings each). Each
synthetic event has about 40% companies, 50% embassy officials and 10% others (half on
both sides, half guests), a Zipf-like country mix, 12 technology areas, 15% of people
unavailable in some slots, a few accepted requests and "not interested" marks; 16
slots, a table for every two participants, at most 8 meetings each. Pure Python and
numpy: no app, no database (the demo's people are read from eventapp.demo's tables);
writes no files.

    .venv/bin/python bench/bench_matching.py      (or: python -m bench.bench_matching)
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventapp import demo  # noqa: E402
from eventapp.networking.matching import (  # noqa: E402
    BOTH,
    NEED,
    NONE,
    OFFER,
    Participant,
    Preferences,
    build_schedule,
    score_pair,
)
from eventapp.networking.matching.pairs import PairScorer  # noqa: E402

SIZES = (48, 300, 2_000, 5_000)
SLOTS = 16
MAX_MEETINGS = 8
SLOT_LP_UP_TO = 48  # participants: the LP of the full model is solved up to this size
PAIR_LP_UP_TO = 2_000  # and the slot-free b-matching LP up to this one
TECHS = tuple(f"tech{k:02d}" for k in range(12))
COUNTRIES = tuple(f"C{k:02d}" for k in range(40))
ZIPF = tuple(1 / (k + 1) ** 1.1 for k in range(len(COUNTRIES)))


def synthetic_event(n: int, seed: int = 0) -> tuple[list[Participant], Preferences]:
    rng = random.Random(seed)
    people = []
    for pid in range(1, n + 1):
        draw = rng.random()
        side = OFFER if draw < 0.4 else NEED if draw < 0.9 else rng.choice((BOTH, NONE))
        country = rng.choices(COUNTRIES, ZIPF)[0]
        provides, receives = side in (OFFER, BOTH), side in (NEED, BOTH)
        people.append(
            Participant(
                id=pid,
                side=side,
                # officials of one country share an embassy; companies are their own
                organisation=f"Embassy {country}" if side == NEED else f"Company {pid}",
                country=country,
                offers=frozenset(rng.sample(TECHS, rng.randint(2, 4))) if provides else frozenset(),
                needs=frozenset(rng.sample(TECHS, rng.randint(2, 3))) if receives else frozenset(),
                target_countries=frozenset(rng.choices(COUNTRIES, ZIPF, k=rng.randint(2, 6)))
                if provides
                else frozenset(),
                unavailable_slots=frozenset(rng.sample(range(SLOTS), rng.randint(1, 8)))
                if rng.random() < 0.15
                else frozenset(),
            )
        )
    ids = [p.id for p in people]
    some_pairs = [frozenset(rng.sample(ids, 2)) for _ in range(max(1, n // 50))]
    prefs = Preferences(accepted=frozenset(some_pairs[::2]), vetoes=frozenset(some_pairs[1::2]))
    return people, prefs


def room(people: list[Participant]) -> np.ndarray:
    return np.array([min(MAX_MEETINGS, SLOTS - len(p.unavailable_slots)) for p in people])


def all_pair_scores(people: list[Participant], prefs: Preferences):
    """Every positive pair as (low index, high index, score), people sorted by id."""
    scorer = PairScorer(people, prefs)  # the same numbers as score_pair
    found = []
    for start in range(0, len(people), 256):
        rows = np.arange(start, min(start + 256, len(people)))
        block = scorer.block(rows)
        r, c = np.nonzero(block)
        keep = rows[r] < c
        found.append((rows[r][keep], c[keep], block[r[keep], c[keep]]))
    return tuple(np.concatenate(part) for part in zip(*found, strict=True))


def per_person_bound(people: list[Participant], prefs: Preferences) -> float:
    """No schedule scores more than half the sum, over people, of each one's best
    ``min(max_meetings, available slots)`` partner scores: every meeting is counted
    once at each end."""
    scorer = PairScorer(people, prefs)
    limit = room(people)
    total = 0.0
    for start in range(0, len(people), 256):
        rows = np.arange(start, min(start + 256, len(people)))
        best = -np.sort(-scorer.block(rows), axis=1)[:, :MAX_MEETINGS]
        total += float((best * (np.arange(MAX_MEETINGS) < limit[rows][:, None])).sum())
    return total / 2


def pair_lp_bound(people: list[Participant], prefs: Preferences, tables: int) -> float:
    """The b-matching LP with slots left aside: a variable per pair in [0, 1], each
    person at most their cap (or their available slots), all at most the seats."""
    lo, hi, score = all_pair_scores(people, prefs)
    n, pairs = len(people), len(score)
    rows = np.concatenate([lo, hi, np.full(pairs, n)])
    a = coo_matrix((np.ones(3 * pairs), (rows, np.tile(np.arange(pairs), 3))), shape=(n + 1, pairs))
    limits = np.append(room(people), SLOTS * tables)
    result = linprog(-score, A_ub=a.tocsr(), b_ub=limits, bounds=(0, 1), method="highs")
    return -result.fun


def lp_bound(people: list[Participant], prefs: Preferences, tables: int) -> float:
    """The linear relaxation of the exact model: a variable per (pair, slot) in [0, 1],
    one meeting per person and slot, tables per slot, the cap per person, one meeting
    per pair."""
    pairs = [
        (i, j, m.score)
        for i, p in enumerate(people)
        for j, q in enumerate(people)
        if i < j and (m := score_pair(p, q, prefs))
    ]
    variables = [
        (k, s)
        for k, (i, j, _) in enumerate(pairs)
        for s in range(SLOTS)
        if s not in people[i].unavailable_slots | people[j].unavailable_slots
    ]
    n = len(people)
    rows, cols = [], []
    for v, (k, s) in enumerate(variables):
        i, j, _ = pairs[k]
        rows += [i * SLOTS + s, j * SLOTS + s, n * SLOTS + s, n * SLOTS + SLOTS + i]
        rows += [n * SLOTS + SLOTS + j, n * SLOTS + SLOTS + n + k]
        cols += [v] * 6
    limits = [1] * (n * SLOTS) + [tables] * SLOTS + [MAX_MEETINGS] * n + [1] * len(pairs)
    a = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(limits), len(variables)))
    result = linprog(
        -np.array([pairs[k][2] for k, _ in variables]),
        A_ub=a.tocsr(),
        b_ub=limits,
        bounds=(0, 1),
        method="highs",
    )
    return -result.fun


def measure(n: int) -> dict:
    people, prefs = synthetic_event(n, seed=n)
    tables = n // 2
    started, cpu_started = time.perf_counter(), time.process_time()
    schedule = build_schedule(people, prefs, SLOTS, tables, MAX_MEETINGS)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    people = sorted(people, key=lambda p: p.id)
    if n <= SLOT_LP_UP_TO:
        bound, kind = lp_bound(people, prefs, tables), "LP"
    elif n <= PAIR_LP_UP_TO:
        bound, kind = pair_lp_bound(people, prefs, tables), "b-matching LP"
    else:
        bound, kind = per_person_bound(people, prefs), "per person"
    metrics = schedule.metrics
    return {
        "participants": n,
        "meetings": metrics.meetings,
        "wall": wall,
        "cpu": cpu,
        "total": metrics.total_score,
        "bound": bound,
        "bound_kind": kind,
        "coverage": metrics.coverage,
        "cross_side": metrics.cross_side_share,
    }


DEMO_SLOTS, DEMO_TABLES, DEMO_MAX_MEETINGS = 6, 12, 4  # as build_demo_event sets them


def demo_seminar() -> list[Participant]:
    """The companies' representatives and the officials of `flask demo`, opted in as
    the demo registers them; organisers and guests take no part in the matching."""
    people = []
    for company, offers, targets, representatives in demo.COMPANIES:
        for _person in representatives:
            people.append(
                Participant(
                    id=len(people) + 1,
                    side=OFFER,
                    organisation=company,
                    country="JP",
                    offers=frozenset(offers),
                    target_countries=frozenset(targets),
                )
            )
    for country, embassy, needs, officials in demo.EMBASSIES:
        for _official in officials:
            people.append(
                Participant(
                    id=len(people) + 1,
                    side=NEED,
                    organisation=embassy,
                    country=country,
                    needs=frozenset(needs),
                )
            )
    return people


def measure_demo() -> dict:
    people = demo_seminar()
    started = time.perf_counter()
    schedule = build_schedule(people, Preferences(), DEMO_SLOTS, DEMO_TABLES, DEMO_MAX_MEETINGS)
    wall = time.perf_counter() - started
    met = {x for m in schedule.meetings for x in (m.a, m.b)}
    return {
        "people": len(people),
        "meetings": schedule.metrics.meetings,
        "wall": wall,
        "met": sum(p.id in met for p in people) / len(people),
        "cross_side": schedule.metrics.cross_side_share,
    }


def run() -> str:
    seminar = measure_demo()
    rows = [measure(n) for n in SIZES]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Matching",
        "",
        f"The demo seminar ({seminar['people']} opted-in company representatives and "
        f"officials, {DEMO_SLOTS} slots, {DEMO_TABLES} tables, at most {DEMO_MAX_MEETINGS} "
        f"meetings each): {seminar['meetings']} meetings in {seminar['wall']:.2f} s; "
        f"{seminar['met']:.0%} of them get a meeting (target: at least 90%) and "
        f"{seminar['cross_side']:.0%} of the meetings pair a company with an official "
        "(target: at least 70%).",
        "",
        f"`build_schedule` on synthetic events ({SLOTS} slots, a table per two participants, "
        f"at most {MAX_MEETINGS} meetings each; 40% companies, 50% officials, 10% others, "
        "Zipf-like countries, 15% with unavailable slots). Quality is the total score over "
        "an upper bound on it: the LP relaxation of the exact model (a variable per pair "
        "and slot) for the smallest event; the b-matching LP that leaves slots aside up to "
        "2,000 people; beyond, half the sum of every person's best possible partners, which "
        "is loose (popular partners cannot meet all who rank them first). Coverage: share "
        "of the people with a possible partner who got a meeting. Target: 2,000 "
        "participants with 16 slots in "
        f"under 10 s. Load average when measured: {load:.1f} on {os.cpu_count()} CPUs.",
        "",
        "| Participants | Meetings | Wall (s) | CPU (s) | Total score | Upper bound | Quality "
        "| Coverage | Company–official |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['participants']:,} | {r['meetings']:,} | {r['wall']:.2f} | {r['cpu']:.2f} "
            f"| {r['total']:,.0f} | {r['bound']:,.0f} ({r['bound_kind']}) "
            f"| {r['total'] / r['bound']:.1%} | {r['coverage']:.1%} | {r['cross_side']:.1%} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
