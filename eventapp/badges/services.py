"""Who gets a badge and what it says: registrations read as plain badge data.

Views parse the request and call these; render.py turns the data into PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from ..content import localized, translated
from ..extensions import db
from ..i18n import country_name
from ..models import Category, Event, Registration, Status
from .names import ShownName, shown_name

# The band of a category: the default categories keep one colour each, so staff learn
# them; other categories take the next of the palette by their position. Every colour
# carries white text at a contrast of 4.5:1 or more.
CATEGORY_COLOURS = {"company": "#1d4ed8", "embassy": "#047857", "organiser": "#b91c1c",
                    "guest": "#4b5563"}
PALETTE = ("#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f", "#374151")


def category_colour(category: Category) -> str:
    return CATEGORY_COLOURS.get(category.code) or PALETTE[category.position % len(PALETTE)]


@dataclass(frozen=True)
class BadgeData:
    registration_id: int
    code: str
    name: ShownName
    organisation: str
    country: str
    category: str
    colour: str
    checked_in_at: datetime | None = None


class Selection:
    """Which registrations: a status (default confirmed), a category code, or ids."""

    def __init__(self, status: str | None = None, category: str | None = None,
                 ids: list[int] | None = None):
        self.status = status or Status.CONFIRMED
        self.category = category or None
        self.ids = ids

    def where(self, event_id: int) -> list:
        clauses = [Registration.event_id == event_id, Registration.erased_at.is_(None)]
        if self.ids is not None:
            clauses.append(Registration.id.in_(self.ids))
        else:
            clauses.append(Registration.status == self.status)
        if self.category:
            clauses.append(Category.code == self.category)
        return clauses


def registrations(event: Event, selection: Selection) -> list[tuple[Registration, Category]]:
    """In reading order (gojūon for Japanese readings, alphabetical otherwise)."""
    return list(db.session.execute(
        db.select(Registration, Category)
        .join(Category, Category.id == Registration.category_id)
        .where(*selection.where(event.id))
        .order_by(Registration.sort_name, Registration.id)).tuples())


def badge_data(event: Event, rows, language: str) -> list[BadgeData]:
    categories: dict[int, tuple[str, str]] = {}
    countries: dict[str | None, str] = {}
    badges = []
    for reg, category in rows:
        if category.id not in categories:
            categories[category.id] = (localized(category, language), category_colour(category))
        if reg.country not in countries:
            countries[reg.country] = country_name(reg.country, language)
        name, colour = categories[category.id]
        badges.append(BadgeData(reg.id, reg.checkin_code, shown_name(reg.name, reg.name_kana),
                                reg.organisation or "", countries[reg.country], name, colour,
                                reg.checked_in_at))
    return badges


def badges_for(event: Event, selection: Selection, language: str) -> list[BadgeData]:
    return badge_data(event, registrations(event, selection), language)


def one_badge(event: Event, registration_id: int, language: str) -> BadgeData | None:
    rows = registrations(event, Selection(ids=[registration_id]))
    return badge_data(event, rows, language)[0] if rows else None


def session_name(event: Event, language: str) -> str:
    """What a table card calls the networking session."""
    return f"{translated(event, 'title', language)} · {_('Networking session')}"


def parse_ids(text: str) -> list[int] | None:
    """`1,2,3` as ids; None when any part is not an id."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not parts or len(parts) > 5000 or not all(p.isdecimal() and len(p) < 12 for p in parts):
        return None
    return [int(p) for p in parts]
