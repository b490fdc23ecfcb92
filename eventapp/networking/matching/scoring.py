"""How well two people would meet: the score, its reasons, and recommendations.

A pair's score comes in tiers that never overlap (the ``SCORE_*`` constants):
technology fit *and* country fit, above technology fit alone, above country fit alone
-- the order in which the product brief ranks an official's best meetings. Inside a
tier, more shared technologies, a second fitting country and a company-official pair
add bounded bonuses that stay below the gap to the next tier. An accepted meeting
request adds ``REQUEST_WEIGHT``, more than any fit can reach.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .model import BOTH, NEED, NONE, OFFER, Match, Participant, Preferences, Reasons

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


# --- One pair ------------------------------------------------------------------------


def provides(p: Participant) -> bool:
    return p.side in (OFFER, BOTH)


def receives(p: Participant) -> bool:
    return p.side in (NEED, BOTH)


def organisation_key(p: Participant) -> str:
    return p.organisation.strip().casefold()


def _one_way_fit(provider: Participant, receiver: Participant) -> tuple[set[str], set[str]]:
    """What ``provider`` can do for ``receiver``: (technologies, countries)."""
    if not (provides(provider) and receives(receiver)):
        return set(), set()
    technologies = set(provider.offers & receiver.needs)
    countries = set()
    if receiver.country and receiver.country in provider.target_countries:
        countries.add(receiver.country)
    return technologies, countries


def fit_score(technologies: int, countries: int, cross_side: bool) -> float:
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
    organisation = organisation_key(p)
    if organisation and organisation == organisation_key(q):
        return None
    tech_pq, countries_pq = _one_way_fit(p, q)
    tech_qp, countries_qp = _one_way_fit(q, p)
    technologies = tech_pq | tech_qp
    countries = countries_pq | countries_qp
    cross_side = {p.side, q.side} == {OFFER, NEED}
    requested = pair in prefs.accepted
    score = fit_score(len(technologies), len(countries), cross_side)
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
    separator: str = ", ",
) -> str:
    """Reasons in words: "Kenya · water purification, diagnostics"."""
    parts = []
    if reasons.countries:
        parts.append(separator.join(country_name(code) for code in reasons.countries))
    if reasons.technologies:
        parts.append(separator.join(tech_name(code) for code in reasons.technologies))
    if reasons.requested:
        parts.append(requested_label)
    return " · ".join(parts)
