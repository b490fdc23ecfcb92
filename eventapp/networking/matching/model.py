"""The plain data the matching package takes and gives: people, preferences, meetings."""

from __future__ import annotations

from dataclasses import dataclass

OFFER, NEED, BOTH, NONE = "offer", "need", "both", "none"


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

    def open_slots(self, slots: int, tables: int) -> frozenset[int]:
        """The slots this person can meet in: none when their fixed table does not
        exist in a session of ``tables`` tables."""
        if self.fixed_table is not None and not 1 <= self.fixed_table <= tables:
            return frozenset()
        return frozenset(range(slots)) - self.unavailable_slots


@dataclass(frozen=True)
class Reasons:
    countries: tuple[str, ...] = ()  # the official's country that the company targets
    technologies: tuple[str, ...] = ()  # offered by one, needed by the other
    requested: bool = False  # an accepted meeting request between the two
    cross_side: bool = False  # company-official (offer-need) pair

    @property
    def best_tier(self) -> bool:
        """Technology fit and country fit: the best meeting an official can have."""
        return bool(self.countries and self.technologies)


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
