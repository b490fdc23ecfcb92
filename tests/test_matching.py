"""The pure matching module: scores, reasons, recommendations and the schedule.

No app and no database: plain data in, plain data out. The schedule is checked three
ways: hard constraints on random instances (hypothesis), total score against the exact
optimum of small instances (scipy's MILP solver as the oracle), and coverage on an
instance shaped like the demo seminar.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from eventapp.networking import matching
from eventapp.networking.matching import (
    BOTH,
    NEED,
    NONE,
    OFFER,
    Match,
    Meeting,
    Metrics,
    Participant,
    Preferences,
    Reasons,
    Schedule,
    WithoutMeeting,
    build_schedule,
    describe,
    format_reasons,
    recommend,
    score_pair,
    search,
    selection,
)
from eventapp.networking.matching import board as board_module
from eventapp.networking.matching.pairs import PairScorer

NO_PREFS = Preferences()
TECHS = (
    "water",
    "sanitation",
    "diagnostics",
    "disinfection",
    "waste",
    "telemedicine",
    "cold",
    "solar",
)
COUNTRIES = ("KE", "NG", "GH", "VN", "TH", "ID", "PH", "JP")
NAMES = {"KE": "Kenya", "water": "water purification", "diagnostics": "diagnostics"}


def company(id, offers=(), targets=(), organisation=None, **kw) -> Participant:
    return Participant(
        id=id,
        side=OFFER,
        organisation=organisation if organisation is not None else f"Company {id}",
        country="JP",
        offers=frozenset(offers),
        target_countries=frozenset(targets),
        **kw,
    )


def official(id, country, needs=(), organisation=None, **kw) -> Participant:
    return Participant(
        id=id,
        side=NEED,
        organisation=organisation if organisation is not None else f"Embassy of {country}",
        country=country,
        needs=frozenset(needs),
        **kw,
    )


def pair(a: int, b: int) -> frozenset[int]:
    return frozenset((a, b))


# --- Scores --------------------------------------------------------------------------


def test_technology_and_country_beat_technology_alone_which_beats_country_alone():
    kenya = official(1, "KE", needs={"water", "diagnostics"})
    both_fits = company(2, offers={"water"}, targets={"KE"})
    two_technologies = company(3, offers={"water", "diagnostics"}, targets={"NG"})
    one_technology = company(4, offers={"water"})
    country_only = company(5, offers={"solar"}, targets={"KE"})

    scores = [
        score_pair(kenya, c, NO_PREFS).score
        for c in (both_fits, two_technologies, one_technology, country_only)
    ]

    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4


def test_no_amount_of_technologies_climbs_a_tier():
    everything = official(1, "KE", needs=set(TECHS))
    many_technologies = company(2, offers=set(TECHS))
    one_technology_and_country = company(3, offers={"water"}, targets={"KE"})
    assert (
        score_pair(everything, many_technologies, NO_PREFS).score
        < score_pair(everything, one_technology_and_country, NO_PREFS).score
    )
    bonuses = matching.TECH_DEPTH_BONUS + matching.COUNTRY_DEPTH_BONUS + matching.CROSS_SIDE_BONUS
    assert bonuses < matching.TIER_GAP
    assert matching.REQUEST_WEIGHT > matching.MAX_FIT_SCORE


def test_an_accepted_request_outranks_any_fit_and_needs_none():
    kenya = official(1, "KE", needs={"water", "diagnostics", "sanitation"})
    best = company(2, offers=set(TECHS), targets={"KE"})
    stranger = company(3, offers={"solar"})
    other_company = company(4, offers={"water"})
    prefs = Preferences(accepted=frozenset({pair(1, 3), pair(3, 4)}))

    requested = score_pair(kenya, stranger, prefs)
    assert requested.score > score_pair(kenya, best, prefs).score
    assert requested.reasons == Reasons(requested=True, cross_side=True)
    # two companies who asked to meet: a pair although neither serves the other
    assert score_pair(stranger, other_company, prefs).reasons.requested
    assert score_pair(stranger, other_company, NO_PREFS) is None


@pytest.mark.parametrize(
    "p, q, prefs",
    [
        (
            official(1, "KE", {"water"}),
            company(2, {"water"}, {"KE"}),
            Preferences(vetoes=frozenset({pair(1, 2)})),
        ),
        (
            official(1, "KE", {"water"}),
            company(2, {"water"}, {"KE"}),
            Preferences(accepted=frozenset({pair(1, 2)}), vetoes=frozenset({pair(2, 1)})),
        ),
        (
            official(1, "KE", {"water"}, organisation="Acme Water "),
            company(2, {"water"}, {"KE"}, organisation=" acme water"),
            NO_PREFS,
        ),
        (official(1, "KE", {"water"}), replace(company(2, {"water"}, {"KE"}), side=NONE), NO_PREFS),
        (company(1, {"water"}, {"KE"}), company(2, {"water"}, {"KE"}), NO_PREFS),
        (
            official(1, "KE", {"water"}),
            official(2, "KE", {"water"}, organisation="Other"),
            NO_PREFS,
        ),
        (official(1, "KE", {"water"}), company(2, {"solar"}, {"NG"}), NO_PREFS),
        (official(1, "KE", {"water"}), official(1, "KE", {"water"}), NO_PREFS),
    ],
    ids=[
        "veto",
        "veto-beats-request",
        "same-organisation",
        "none-side",
        "two-companies",
        "two-officials",
        "no-fit",
        "same-person",
    ],
)
def test_pairs_that_must_never_meet_have_no_score(p, q, prefs):
    assert score_pair(p, q, prefs) is None
    assert score_pair(q, p, prefs) is None


def test_empty_organisations_are_not_the_same_organisation():
    assert score_pair(
        official(1, "KE", {"water"}, organisation=""),
        company(2, {"water"}, organisation=""),
        NO_PREFS,
    )


def test_participants_on_both_sides_are_scored_in_both_directions():
    p = Participant(
        1,
        BOTH,
        "A",
        "KE",
        offers=frozenset({"water"}),
        needs=frozenset({"solar"}),
        target_countries=frozenset({"NG"}),
    )
    q = Participant(
        2,
        BOTH,
        "B",
        "NG",
        offers=frozenset({"solar"}),
        needs=frozenset({"water"}),
        target_countries=frozenset({"KE"}),
    )
    match = score_pair(p, q, NO_PREFS)
    assert match.reasons == Reasons(countries=("KE", "NG"), technologies=("solar", "water"))
    assert match == score_pair(q, p, NO_PREFS)


def test_reasons_name_the_fit():
    match = score_pair(
        official(7, "KE", {"water", "diagnostics", "solar"}),
        company(3, {"diagnostics", "water"}, {"KE", "NG"}),
        NO_PREFS,
    )
    assert (match.a, match.b) == (3, 7)
    assert match.reasons == Reasons(
        countries=("KE",), technologies=("diagnostics", "water"), cross_side=True
    )


# --- Reasons in words ----------------------------------------------------------------


def test_format_reasons_reads_like_the_product_brief():
    reasons = Reasons(countries=("KE",), technologies=("water", "diagnostics"))
    assert (
        format_reasons(reasons, NAMES.get, NAMES.get) == "Kenya · water purification, diagnostics"
    )


@pytest.mark.parametrize(
    "reasons, expected",
    [
        (Reasons(countries=("KE",)), "Kenya"),
        (Reasons(technologies=("water",)), "water purification"),
        (Reasons(requested=True), "asked to meet"),
        (
            Reasons(countries=("KE",), technologies=("water",), requested=True),
            "Kenya · water purification · asked to meet",
        ),
        (Reasons(), ""),
    ],
)
def test_format_reasons_with_one_part_or_none(reasons, expected):
    assert (
        format_reasons(reasons, NAMES.get, NAMES.get, requested_label="asked to meet") == expected
    )


# --- Recommendations -----------------------------------------------------------------


def test_recommend_lists_the_best_first_ties_by_id_and_skips_impossible_pairs():
    me = official(10, "KE", {"water", "diagnostics"})
    people = [
        company(5, {"water"}),  # technology only
        company(4, {"water"}, {"KE"}),  # technology and country
        company(3, {"water"}),  # the same as 5: the lower id first
        company(2, {"solar"}),  # nothing in common
        company(1, {"solar"}, {"KE"}),  # country only
        official(9, "KE", {"water"}),  # another official: never a pair
        me,
    ]
    ranked = recommend(10, people, NO_PREFS)
    assert [m.a for m in ranked] == [4, 3, 5, 1]
    assert all(isinstance(m, Match) and m.b == 10 for m in ranked)
    assert [m.a for m in recommend(10, people, NO_PREFS, limit=2)] == [4, 3]
    assert recommend(99, people, NO_PREFS) == []


def test_recommend_puts_accepted_requests_first_and_leaves_out_vetoes():
    me = official(10, "KE", {"water"})
    people = [
        me,
        company(1, {"water"}, {"KE"}),
        company(2, {"solar"}),
        company(3, {"water"}, {"KE"}),
    ]
    prefs = Preferences(accepted=frozenset({pair(2, 10)}), vetoes=frozenset({pair(10, 3)}))
    assert [m.a for m in recommend(10, people, prefs)] == [2, 1]


# --- Schedules: hard constraints -----------------------------------------------------


def assert_valid_schedule(
    schedule: Schedule,
    participants: list[Participant],
    prefs: Preferences,
    slots: int,
    tables: int,
    max_meetings: int,
    locked: list[Meeting] = (),
) -> None:
    """Every rule a schedule must keep, checked one by one."""
    people = {p.id: p for p in participants}
    meetings = list(schedule.meetings)
    kept = [m for m in meetings if m.locked]
    new = [m for m in meetings if not m.locked]

    # locked meetings come back exactly as given
    assert sorted(kept, key=repr) == sorted((replace(m, locked=True) for m in locked), key=repr)

    per_slot_people, per_slot_tables = Counter(), Counter()
    per_person, per_pair = Counter(), Counter()
    for m in meetings:
        per_slot_people.update([(m.slot, m.a), (m.slot, m.b)])
        per_slot_tables[(m.slot, m.table)] += 1
        per_person.update([m.a, m.b])
        per_pair[pair(m.a, m.b)] += 1
    assert max(per_slot_people.values(), default=0) <= 1, "someone in two meetings in a slot"
    assert max(per_slot_tables.values(), default=0) <= 1, "a table used twice in a slot"
    assert max(per_person.values(), default=0) <= max_meetings, "over the meeting cap"
    assert max(per_pair.values(), default=0) <= 1, "a pair meeting twice"

    for m in new:
        p, q = people[m.a], people[m.b]
        assert m.a < m.b
        assert 0 <= m.slot < slots
        assert 1 <= m.table <= tables
        assert pair(m.a, m.b) not in prefs.vetoes
        match = score_pair(p, q, prefs)
        assert match is not None and match.score > 0
        assert (m.score, m.reasons) == (match.score, match.reasons)
        assert m.slot not in p.unavailable_slots and m.slot not in q.unavailable_slots
        fixed = {x.fixed_table for x in (p, q)} - {None}
        assert len(fixed) <= 1, "two different fixed tables in one meeting"
        if fixed:
            assert m.table == fixed.pop(), "a fixed-table participant away from their table"
        else:
            assert m.table not in {x.fixed_table for x in participants}, "someone else's table"

    met = {x for m in meetings for x in (m.a, m.b)}
    metrics = schedule.metrics
    assert metrics.meetings == len(meetings)
    assert metrics.participants == len(participants)
    assert metrics.with_meeting == len(met & people.keys())
    assert metrics.total_score == pytest.approx(sum(m.score for m in meetings))
    assert 0.0 <= metrics.coverage <= 1.0
    assert 0.0 <= metrics.cross_side_share <= 1.0
    without = {item.id: item.reason for item in metrics.without_meeting}
    assert without.keys() == people.keys() - met
    assert set(without.values()) <= {"no_match", "unavailable", "capacity", "none_side"}
    for pid, reason in without.items():
        p = people[pid]
        partners = [q for q in participants if score_pair(p, q, prefs)]
        assert (reason == "none_side") == (p.side == NONE)
        if reason != "none_side":
            assert (reason == "no_match") == (not partners)


@st.composite
def instances(draw):
    slots = draw(st.integers(0, 4))
    tables = draw(st.integers(0, 5))
    max_meetings = draw(st.integers(0, 3))
    n = draw(st.integers(0, 12))
    ids = draw(st.lists(st.integers(1, 500), min_size=n, max_size=n, unique=True))
    small = st.sampled_from
    participants = [
        Participant(
            id=i,
            side=draw(small([OFFER, OFFER, NEED, NEED, BOTH, NONE])),
            organisation=draw(small(["", "Acme", " acme ", "Beta", "Gamma", "Delta", f"Own {i}"])),
            country=draw(small([None, "KE", "NG", "VN"])),
            offers=frozenset(draw(st.sets(small(TECHS), max_size=3))),
            needs=frozenset(draw(st.sets(small(TECHS), max_size=3))),
            target_countries=frozenset(draw(st.sets(small(["KE", "NG", "VN"]), max_size=2))),
            unavailable_slots=frozenset(
                draw(st.sets(st.integers(0, max(slots - 1, 0)), max_size=2))
            ),
            fixed_table=draw(st.one_of(st.none(), st.none(), st.integers(1, tables + 1))),
        )
        for i in ids
    ]
    some_pairs = st.lists(st.tuples(small(ids), small(ids)), max_size=6) if ids else st.just([])
    prefs = Preferences(
        accepted=frozenset(pair(a, b) for a, b in draw(some_pairs) if a != b),
        vetoes=frozenset(pair(a, b) for a, b in draw(some_pairs) if a != b),
    )
    locked = draw(valid_locked_meetings(participants, prefs, slots, tables, max_meetings))
    return participants, prefs, slots, tables, max_meetings, locked


@st.composite
def valid_locked_meetings(draw, participants, prefs, slots, tables, max_meetings):
    """Meetings an organiser could have locked: valid one by one and together."""
    reserved = {p.fixed_table for p in participants}
    candidates = [
        (p, q)
        for p in participants
        for q in participants
        if p.id < q.id and score_pair(p, q, prefs)
    ]
    locked, busy, taken, count = [], set(), set(), Counter()
    if not candidates or not slots or not tables:
        return locked
    for _ in range(draw(st.integers(0, 3))):
        p, q = draw(st.sampled_from(candidates))
        slot = draw(st.integers(0, slots - 1))
        fixed = {p.fixed_table, q.fixed_table} - {None}
        table = min(fixed) if fixed else draw(st.integers(1, tables))
        if (
            len(fixed) > 1
            or table > tables
            or (not fixed and table in reserved)
            or slot in p.unavailable_slots | q.unavailable_slots
            or {(p.id, slot), (q.id, slot)} & busy
            or (slot, table) in taken
            or max(count[p.id], count[q.id]) >= max_meetings
            or any({m.a, m.b} == {p.id, q.id} for m in locked)
        ):
            continue
        match = score_pair(p, q, prefs)
        locked.append(Meeting(p.id, q.id, slot, table, match.score, match.reasons, locked=True))
        busy |= {(p.id, slot), (q.id, slot)}
        taken.add((slot, table))
        count.update([p.id, q.id])
    return locked


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_no_hard_constraint_is_ever_broken(instance):
    participants, prefs, slots, tables, max_meetings, locked = instance
    schedule = build_schedule(participants, prefs, slots, tables, max_meetings, locked=locked)
    assert_valid_schedule(schedule, participants, prefs, slots, tables, max_meetings, locked)


@settings(max_examples=60, deadline=None)
@given(instances())
def test_all_pair_scores_at_once_agree_with_score_pair(instance):
    participants, prefs, *_ = instance
    people = sorted(participants, key=lambda p: p.id)
    if not people:
        return
    scores = PairScorer(people, prefs).block(np.arange(len(people)))
    for i, p in enumerate(people):
        for j, q in enumerate(people):
            match = score_pair(p, q, prefs)
            assert scores[i, j] == (match.score if match else 0.0)


def test_accepted_requests_are_scheduled_first():
    companies = [company(i, {"water"}, {"KE"}) for i in range(1, 5)]
    officials = [official(i, "KE", {"water"}, organisation=f"E{i}") for i in range(11, 15)]
    no_fit = official(20, "NG", set(), organisation="Nigeria")
    people = companies + officials + [no_fit]
    prefs = Preferences(accepted=frozenset({pair(20, 1), pair(20, 2)}))

    one_meeting = build_schedule(people, prefs, slots=1, tables=1, max_meetings=1)
    assert [pair(m.a, m.b) for m in one_meeting.meetings] in ([pair(20, 1)], [pair(20, 2)])

    roomy = build_schedule(people, prefs, slots=2, tables=4, max_meetings=2)
    assert {pair(20, 1), pair(20, 2)} <= {pair(m.a, m.b) for m in roomy.meetings}


def test_locked_meetings_stay_and_count_towards_the_cap():
    a, b, c = (
        company(1, {"water"}, {"KE"}),
        official(2, "KE", {"water"}),
        official(3, "KE", {"water"}, organisation="x"),
    )
    kept = Meeting(1, 3, slot=1, table=2, score=1.0, reasons=Reasons())
    schedule = build_schedule([a, b, c], NO_PREFS, slots=3, tables=2, max_meetings=1, locked=[kept])
    assert schedule.meetings == (replace(kept, locked=True),)
    assert schedule.metrics.without_meeting == (WithoutMeeting(2, "capacity"),)

    roomier = build_schedule([a, b, c], NO_PREFS, slots=3, tables=2, max_meetings=2, locked=[kept])
    assert [(m.a, m.b, m.locked) for m in roomier.meetings if m.slot != 1] == [(1, 2, False)]


def test_fixed_tables_are_kept_and_reserved():
    stand = company(1, {"water"}, {"KE"}, fixed_table=2)
    rover = company(2, {"water"}, {"KE"})
    officials = [official(i, "KE", {"water"}, organisation=f"E{i}") for i in range(10, 14)]
    schedule = build_schedule(
        [stand, rover, *officials], NO_PREFS, slots=2, tables=3, max_meetings=2
    )
    assert_valid_schedule(schedule, [stand, rover, *officials], NO_PREFS, 2, 3, 2)
    assert {m.table for m in schedule.meetings if 1 in (m.a, m.b)} == {2}
    assert 2 not in {m.table for m in schedule.meetings if 1 not in (m.a, m.b)}
    assert len(schedule.meetings) == 4

    other_stand = Participant(
        3,
        BOTH,
        "B",
        "KE",
        offers=frozenset({"water"}),
        needs=frozenset({"water"}),
        target_countries=frozenset({"KE"}),
        fixed_table=3,
    )
    both_fixed = build_schedule([stand, other_stand], NO_PREFS, slots=2, tables=3, max_meetings=2)
    assert both_fixed.meetings == ()


def test_people_without_a_meeting_are_told_why():
    people = [
        company(1, {"water"}, {"KE"}),
        official(2, "KE", {"water"}, organisation="a"),
        official(3, "KE", {"water"}, organisation="b"),
        official(4, "KE", {"water"}, organisation="c", unavailable_slots=frozenset({0})),
        official(5, "NG", {"solar"}),
        Participant(6, NONE, "Guests"),
    ]
    schedule = build_schedule(people, NO_PREFS, slots=1, tables=5, max_meetings=1)
    assert len(schedule.meetings) == 1
    reasons = {item.id: item.reason for item in schedule.metrics.without_meeting}
    met = {schedule.meetings[0].a, schedule.meetings[0].b}
    assert met in ({1, 2}, {1, 3})
    assert reasons == {
        ({2, 3} - met).pop(): "capacity",
        4: "unavailable",
        5: "no_match",
        6: "none_side",
    }
    assert schedule.metrics.coverage == pytest.approx(2 / 4)


@pytest.mark.parametrize("slots, tables, max_meetings", [(0, 5, 2), (3, 0, 2), (3, 5, 0)])
def test_a_session_with_no_room_schedules_nothing(slots, tables, max_meetings):
    people = [company(1, {"water"}, {"KE"}), official(2, "KE", {"water"})]
    schedule = build_schedule(people, NO_PREFS, slots, tables, max_meetings)
    assert schedule.meetings == ()
    assert schedule.metrics.table_use == 0.0
    assert build_schedule([], NO_PREFS, 3, 5, 2).meetings == ()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        build_schedule([], NO_PREFS, -1, 5, 2)
    with pytest.raises(ValueError):
        build_schedule([company(1), official(1, "KE")], NO_PREFS, 3, 5, 2)


# --- Schedules: the same input, the same output --------------------------------------


def random_event(seed: int, n: int, slots: int) -> tuple[list[Participant], Preferences]:
    """Companies, officials, a few on both sides and a few guests, with requests and
    vetoes between random people and some unavailable slots."""
    rng = random.Random(seed)
    people = []
    for pid in range(1, n + 1):
        side = rng.choices([OFFER, NEED, BOTH, NONE], [4, 5, 1, 0.5])[0]
        people.append(
            Participant(
                id=pid,
                side=side,
                organisation=f"org{rng.randrange(n)}",
                country=rng.choice(COUNTRIES[:7]),
                offers=frozenset(rng.sample(TECHS, rng.randint(0, 3))),
                needs=frozenset(rng.sample(TECHS, rng.randint(0, 3))),
                target_countries=frozenset(rng.sample(COUNTRIES[:7], rng.randint(0, 3))),
                unavailable_slots=frozenset(s for s in range(slots) if rng.random() < 0.15),
            )
        )
    ids = [p.id for p in people]
    prefs = Preferences(
        accepted=frozenset(pair(*rng.sample(ids, 2)) for _ in range(rng.randint(0, 4))),
        vetoes=frozenset(pair(*rng.sample(ids, 2)) for _ in range(rng.randint(0, 4))),
    )
    return people, prefs


def test_the_same_input_gives_the_same_schedule_in_any_order():
    people, prefs = random_event(7, 40, 4)
    first = build_schedule(people, prefs, slots=4, tables=12, max_meetings=3)
    assert build_schedule(people, prefs, slots=4, tables=12, max_meetings=3) == first

    shuffled = people[:]
    random.Random(1).shuffle(shuffled)
    reordered = Preferences(
        accepted=frozenset(
            frozenset(sorted(p, reverse=True)) for p in sorted(prefs.accepted, key=sorted)
        ),
        vetoes=frozenset(reversed(list(prefs.vetoes))),
    )
    assert build_schedule(shuffled, reordered, slots=4, tables=12, max_meetings=3) == first
    assert len(first.meetings) > 20


# --- Schedules: quality against the exact optimum ------------------------------------


def optimum_total_score(people, prefs, slots, tables, max_meetings) -> float:
    """The best total score any valid schedule can reach: a binary variable per (pair,
    slot), one meeting per person and slot, tables per slot, the cap per person, one
    meeting per pair, unavailable slots left out."""
    pairs = [
        (i, j, m.score)
        for i, p in enumerate(people)
        for j, q in enumerate(people)
        if i < j and (m := score_pair(p, q, prefs))
    ]
    variables = [
        (k, s)
        for k, (i, j, _) in enumerate(pairs)
        for s in range(slots)
        if s not in people[i].unavailable_slots | people[j].unavailable_slots
    ]
    n = len(people)
    rows, cols = [], []
    for v, (k, s) in enumerate(variables):
        i, j, _ = pairs[k]
        rows += [
            i * slots + s,
            j * slots + s,
            n * slots + s,
            n * slots + slots + i,
            n * slots + slots + j,
            n * slots + slots + n + k,
        ]
        cols += [v] * 6
    limits = [1] * (n * slots) + [tables] * slots + [max_meetings] * n + [1] * len(pairs)
    a = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(limits), len(variables)))
    result = milp(
        c=-np.array([pairs[k][2] for k, _ in variables]),
        constraints=LinearConstraint(a.tocsr(), -np.inf, limits),
        integrality=np.ones(len(variables)),
        bounds=Bounds(0, 1),
        options={"time_limit": 60},
    )
    assert result.status == 0, result.message
    return -result.fun


@pytest.mark.parametrize("seed", range(10))
def test_total_score_is_within_two_percent_of_the_optimum(seed):
    rng = random.Random(seed)
    n = rng.randint(20, 60)
    slots = rng.randint(3, 4)
    tables = n // rng.choice([2, 3])
    max_meetings = rng.randint(2, slots)
    people, prefs = random_event(1000 + seed, n, slots)

    schedule = build_schedule(people, prefs, slots, tables, max_meetings)

    assert_valid_schedule(schedule, people, prefs, slots, tables, max_meetings)
    best = optimum_total_score(people, prefs, slots, tables, max_meetings)
    assert schedule.metrics.total_score >= 0.98 * best


# --- Schedules: coverage on a seminar like the demo ----------------------------------


def demo_seminar(seed: int = 2024) -> list[Participant]:
    """12 companies with 2-4 technologies and 2-5 target countries, 14 officials from 7
    countries in Asia and Africa (two per embassy) with 2-3 needs, and 4 guests."""
    rng = random.Random(seed)
    countries = ("KE", "NG", "GH", "ET", "VN", "ID", "PH")
    people = [
        company(pid, rng.sample(TECHS, rng.randint(2, 4)), rng.sample(countries, rng.randint(2, 5)))
        for pid in range(1, 13)
    ]
    people += [
        official(100 + k, countries[k // 2], rng.sample(TECHS, rng.randint(2, 3)))
        for k in range(14)
    ]
    people += [Participant(200 + k, NONE, "Organiser" if k < 2 else f"Guest {k}") for k in range(4)]
    return people


@pytest.mark.parametrize("seed", [2024, 1, 2])
def test_the_demo_seminar_is_covered_and_mostly_company_official(seed):
    people = demo_seminar(seed)
    schedule = build_schedule(people, NO_PREFS, slots=6, tables=10, max_meetings=4)
    assert_valid_schedule(schedule, people, NO_PREFS, 6, 10, 4)

    opted_in = [p for p in people if p.side in (OFFER, NEED)]
    met = {x for m in schedule.meetings for x in (m.a, m.b)}
    assert sum(p.id in met for p in opted_in) >= 0.9 * len(opted_in)
    assert schedule.metrics.cross_side_share >= 0.7

    # Every official who has a best match (technology and country) meets one of them.
    best_tier = matching.SCORE_TECH_AND_COUNTRY
    for p in people:
        if p.side == NEED and any(
            (m := score_pair(p, q, NO_PREFS)) and m.score >= best_tier for q in people
        ):
            assert any(p.id in (m.a, m.b) and m.score >= best_tier for m in schedule.meetings), p


# --- Metrics: the figures of a schedule ----------------------------------------------


def test_describe_gives_the_figures_of_a_hand_made_schedule():
    both_sides = Participant(
        8, BOTH, "Both Co", "KE", needs=frozenset({"water"}), offers=frozenset({"solar"})
    )
    people = [
        company(1, {"water"}, {"KE"}),
        official(2, "KE", {"water"}, organisation="a"),
        official(3, "KE", {"water"}, organisation="b"),
        official(4, "NG", {"cold"}),  # nobody offers what they need
        official(5, "KE", {"water"}, organisation="c", unavailable_slots=frozenset({0, 1})),
        Participant(6, NONE, "Guests"),
        company(7, {"water"}, {"KE"}),  # could meet 2 or 3: the schedule had no room
        both_sides,
        official(9, "KE", {"water"}, organisation="d", fixed_table=7),  # no such table
    ]
    meetings = [
        Meeting(1, 2, slot=0, table=1, score=300.0, reasons=Reasons()),
        Meeting(1, 8, slot=1, table=2, score=200.0, reasons=Reasons()),
        Meeting(3, 99, slot=0, table=2, score=100.0, reasons=Reasons()),  # 99 not taking part
    ]

    metrics = describe(meetings, people, NO_PREFS, slots=2, tables=3)

    assert metrics == Metrics(
        meetings=3,
        participants=9,
        with_meeting=4,
        coverage=4 / 7,  # 1, 2, 3 and 8 met; 5, 7 and 9 had a partner too
        mean_score=200.0,
        total_score=600.0,
        cross_side_share=1 / 3,  # only 1-2: 8 is on both sides, 99 is unknown
        table_use=3 / 6,
        without_meeting=(
            WithoutMeeting(4, "no_match"),
            WithoutMeeting(5, "unavailable"),
            WithoutMeeting(6, "none_side"),
            WithoutMeeting(7, "capacity"),
            WithoutMeeting(9, "unavailable"),
        ),
    )


def test_describe_of_nothing():
    assert describe([], [], NO_PREFS, slots=0, tables=0) == Metrics(
        meetings=0,
        participants=0,
        with_meeting=0,
        coverage=1.0,
        mean_score=0.0,
        total_score=0.0,
        cross_side_share=0.0,
        table_use=0.0,
        without_meeting=(),
    )


def test_a_schedule_reports_what_describe_says_of_its_meetings_without_scheduling_again(
    monkeypatch,
):
    people, prefs = random_event(11, 40, 4)
    kept = build_schedule(people, prefs, slots=4, tables=12, max_meetings=3).meetings[:5]
    schedule = build_schedule(people, prefs, slots=4, tables=12, max_meetings=3, locked=kept)

    def no_scheduling(*args, **kwargs):
        raise AssertionError("describe ran the scheduler")

    monkeypatch.setattr(search.Search, "run", no_scheduling)
    monkeypatch.setattr(selection, "select_pairs", no_scheduling)
    shuffled = list(reversed(people))
    assert describe(schedule.meetings, shuffled, prefs, slots=4, tables=12) == schedule.metrics


# --- Pair selection: the min-cost flow -----------------------------------------------


def b_matching_optimum(board, capacity) -> float:
    """The best value of pairs taken slots aside (MILP): each person at most their
    capacity, all at most the seats, a first partner earning the coverage bonus."""
    n, pairs = board.people, len(board.lo)
    rows, cols, values = [], [], []
    for e in range(pairs):
        for i in (board.lo[e], board.hi[e]):
            rows += [i, n + i]  # capacity; covered only if some pair is taken
            cols += [e, e]
            values += [1, -1]
    rows += [n + i for i in range(n)] + [2 * n] * pairs
    cols += [pairs + i for i in range(n)] + list(range(pairs))
    values += [1] * (n + pairs)
    a = coo_matrix((values, (rows, cols)), shape=(2 * n + 1, pairs + n))
    result = milp(
        c=-np.concatenate([board.weight, np.full(n, board_module.COVERAGE_BONUS)]),
        constraints=LinearConstraint(a.tocsr(), -np.inf, [*capacity, *[0] * n, board.seats]),
        integrality=np.ones(pairs + n),
        bounds=Bounds(0, 1),
    )
    assert result.status == 0, result.message
    return -result.fun


@pytest.mark.parametrize("seed", range(12))
def test_pair_selection_reaches_the_optimum_on_company_official_events(seed):
    rng = random.Random(seed)
    countries = ["KE", "NG", "VN"]
    people = [
        company(i, rng.sample(TECHS, rng.randint(1, 3)), rng.sample(countries, rng.randint(0, 2)))
        for i in range(1, rng.randint(4, 12))
    ] + [
        official(100 + i, rng.choice(countries), rng.sample(TECHS, rng.randint(1, 3)), f"E{i}")
        for i in range(rng.randint(3, 12))
    ]
    slots, max_meetings, tables = 4, rng.randint(1, 3), rng.randint(1, 8)
    board = board_module.build_board(people, NO_PREFS, slots, tables, max_meetings, [])
    capacity = search.Search(board, slots, max_meetings).capacity()

    chosen = selection.select_pairs(board, capacity)

    assert len(chosen) <= board.seats
    assert (board.counts(chosen) <= capacity).all()
    covered = np.count_nonzero(board.counts(chosen))
    value = board.weight[chosen].sum() + board_module.COVERAGE_BONUS * covered
    assert value == pytest.approx(b_matching_optimum(board, capacity), abs=1e-3)
    assert np.array_equal(selection.select_pairs(board, capacity), chosen)


# --- The same input, the same schedule, in any process -------------------------------

SCHEDULE_IN_A_FRESH_PROCESS = """
import sys
from tests.test_matching import random_event
from eventapp.networking.matching import build_schedule
people, prefs = random_event(5, 300, 8)
print(repr(build_schedule(people, prefs, slots=8, tables=100, max_meetings=5)))
"""


def test_the_same_input_gives_the_same_schedule_in_fresh_processes():
    """Whatever the hash seed (set iteration order), the flow solver and the search
    give the very same schedule."""
    people, prefs = random_event(5, 300, 8)
    here = repr(build_schedule(people, prefs, slots=8, tables=100, max_meetings=5))
    root = Path(__file__).resolve().parent.parent
    for hash_seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", SCHEDULE_IN_A_FRESH_PROCESS],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert run.stdout.strip() == here
    assert here.count("Meeting(") > 300
