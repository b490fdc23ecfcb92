"""Scoring, recommendations and the meeting schedule of a networking session.

Plain data in, plain data out: no Flask, no database. The same input always gives the
same output. The modules, by what they are about:

    model       the data: Participant, Preferences, Reasons, Match, Meeting
    scoring     one pair's score and reasons (score_pair), recommend, format_reasons
    pairs       every pair scored at once (numpy), the candidate pairs of a schedule
    board       what the scheduler works on, the tables, what a schedule is worth
    selection   which pairs meet, slots aside: a min-cost flow (OR-Tools)
    slots       one slot's meetings: a maximum-weight matching (scipy)
    search      slots for the chosen pairs, then local search
    schedule    build_schedule, the four steps put together
    metrics     describe: the figures of a schedule, from its meetings
"""

from .metrics import CAPACITY, NO_MATCH, NONE_SIDE, UNAVAILABLE, Metrics, WithoutMeeting, describe
from .model import BOTH, NEED, NONE, OFFER, Match, Meeting, Participant, Preferences, Reasons
from .schedule import Schedule, build_schedule
from .scoring import (
    COUNTRY_DEPTH_BONUS,
    CROSS_SIDE_BONUS,
    MAX_FIT_SCORE,
    REQUEST_WEIGHT,
    SCORE_COUNTRY_ONLY,
    SCORE_TECH_AND_COUNTRY,
    SCORE_TECH_ONLY,
    TECH_DEPTH_BONUS,
    TIER_GAP,
    format_reasons,
    recommend,
    score_pair,
)

__all__ = [
    "BOTH",
    "CAPACITY",
    "COUNTRY_DEPTH_BONUS",
    "CROSS_SIDE_BONUS",
    "MAX_FIT_SCORE",
    "NEED",
    "NONE",
    "NONE_SIDE",
    "NO_MATCH",
    "OFFER",
    "REQUEST_WEIGHT",
    "SCORE_COUNTRY_ONLY",
    "SCORE_TECH_AND_COUNTRY",
    "SCORE_TECH_ONLY",
    "TECH_DEPTH_BONUS",
    "TIER_GAP",
    "UNAVAILABLE",
    "Match",
    "Meeting",
    "Metrics",
    "Participant",
    "Preferences",
    "Reasons",
    "Schedule",
    "WithoutMeeting",
    "build_schedule",
    "describe",
    "format_reasons",
    "recommend",
    "score_pair",
]
