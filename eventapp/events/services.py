"""Events, their categories, technology areas and agenda; loading and locking an event.

Every feature that works on one event loads it with `event_or_404` and, when it is about
to change seats, the schedule or personal data, takes `lock_event` first.
"""

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import available_timezones

from flask import abort
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..content import EVENT_TRANSLATED, column
from ..database import begin_write, utcnow
from ..extensions import db
from ..i18n import sentences
from ..models import (
    Category,
    Event,
    NetworkingSide,
    Registration,
    TechnologyArea,
    max_length,
)
from ..validation import MAX_INTEGER, ValidationErrors, moment_problem, text_problem
from .defaults import DEFAULT_CATEGORIES, DEFAULT_TECHNOLOGY_AREAS
from .slugs import change_slug, slug_problem, unique_slug

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NETWORKING_LIMITS = {
    "slot_minutes": (5, 120), "slots": (1, 48), "tables": (1, 2000),
    "max_meetings_per_person": (1, 48),
}


def valid_timezone(name: str) -> bool:
    return name in _timezones()


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_choices() -> list[str]:
    return sorted(_timezones())


EVENT_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def japanese_texts(data: dict) -> dict[str, str]:
    """The Japanese title, description and venue given with `data["translations"]`."""
    given = (data.get("translations") or {}).get("ja") or {}
    return {key: (given.get(key) or "").strip() for key in EVENT_TRANSLATED if key in given}


def validate_event_data(data: dict, event_id: int | None = None) -> None:
    """Domain rules for event fields already parsed into Python values: the one check
    the form and the API share, done before anything is written. Every time is checked
    (validation.moment_problem) before two are compared, since comparing times near
    the ends of the calendar overflows."""
    errors: dict[str, str] = {}
    japanese = japanese_texts(data)
    for key, limit in (("title", max_length(Event.title)), ("venue", max_length(Event.venue)),
                       ("description", None)):
        if message := text_problem((data.get(key) or "").strip(), limit, one_line=False):
            errors[key] = message
        if message := text_problem(japanese.get(key, ""), limit, one_line=False):
            errors[f"translations.ja.{key}"] = message
    if not (data.get("title") or "").strip() and not japanese.get("title"):
        errors["title"] = _("Give the event a title (in English, Japanese or both).")
    if data.get("slug") is not None and (message := slug_problem(data["slug"], event_id)):
        errors["slug"] = message
    tz = data.get("timezone") or ""
    if not valid_timezone(tz):
        errors["timezone"] = _("Choose a time zone such as Asia/Tokyo.")
        tz = "UTC"
    net = data.get("networking") or {}
    times = {key: data.get(key) for key in EVENT_TIMES} | {
        "networking.starts_at": net.get("starts_at")}
    for key, value in times.items():
        if message := moment_problem(value, tz):
            errors[key] = message
    starts, ends = times["starts_at"], times["ends_at"]
    if starts and ends and not errors.keys() & {"starts_at", "ends_at"} and ends < starts:
        errors["ends_at"] = _("The event must end after it starts.")
    capacity = data.get("capacity")
    if capacity is None or capacity < 0:
        errors["capacity"] = _("Capacity must be a whole number of 0 or more.")
    elif capacity > MAX_INTEGER:
        errors["capacity"] = _("Must be between %(low)d and %(high)d.", low=0, high=MAX_INTEGER)
    opens, closes = times["registration_opens_at"], times["registration_closes_at"]
    if opens and closes and closes < opens and not errors.keys() & {
            "registration_opens_at", "registration_closes_at"}:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if net:
        for key, (low, high) in NETWORKING_LIMITS.items():
            value = net.get(key)
            if value is None or not low <= value <= high:
                errors[f"networking.{key}"] = _("Must be between %(low)d and %(high)d.",
                                                 low=low, high=high)
        if not net.get("starts_at"):
            errors["networking.starts_at"] = _("Give the start of the networking session.")
    if errors:
        raise ValidationErrors(errors)


def apply_event_data(event: Event, data: dict) -> None:
    validate_event_data(data, event.id)
    for key in ("title", "description", "venue", "starts_at", "ends_at", "timezone",
                "capacity", "registration_opens_at", "registration_closes_at", "listed",
                "confirm_email", "badge_layout"):
        if key in data:
            value = data[key]
            setattr(event, key, value.strip() if isinstance(value, str) else value)
    net = data.get("networking")
    if net:
        event.networking_starts_at = net["starts_at"]
        event.networking_slot_minutes = net["slot_minutes"]
        event.networking_slots = net["slots"]
        event.networking_tables = net["tables"]
        event.networking_max_meetings = net["max_meetings_per_person"]
    elif "networking" in data:
        event.networking_starts_at = None
    for key, value in japanese_texts(data).items():
        setattr(event, column(key, "ja"), value)
    if data.get("slug") and event.id is not None:
        change_slug(event, data["slug"])


def event_data(event: Event) -> dict:
    """The event's fields as the create call takes them: an API change is applied over
    these, so every rule is checked on the event as it will be."""
    data = {key: getattr(event, key) for key in (
        "title", "description", "venue", "starts_at", "ends_at", "timezone", "capacity",
        "registration_opens_at", "registration_closes_at", "listed")}
    data["translations"] = {"ja": {key: getattr(event, column(key, "ja"))
                                   for key in EVENT_TRANSLATED}}
    data["networking"] = {
        "starts_at": event.networking_starts_at, "slot_minutes": event.networking_slot_minutes,
        "slots": event.networking_slots, "tables": event.networking_tables,
        "max_meetings_per_person": event.networking_max_meetings,
    } if event.has_networking else None
    return data


def change_event(event: Event, changes: dict) -> None:
    """Applies the fields given (an API PATCH) over the event's current ones: Japanese
    texts and networking settings one by one, `networking: None` removing the session."""
    data = event_data(event)
    for key, value in changes.items():
        if key == "translations":
            data[key]["ja"] |= (value or {}).get("ja") or {}
        elif key == "networking" and value is not None:
            data[key] = (data[key] or {}) | value
        else:
            data[key] = value
    apply_event_data(event, data)


def create_event(data: dict) -> Event:
    validate_event_data(data)  # before anything is written
    slug = data.get("slug") or unique_slug(
        (data.get("title") or "").strip() or japanese_texts(data).get("title") or "event")
    event = Event(slug=slug, description="", venue="", listed=True)
    apply_event_data(event, data)
    for position, (code, name, name_ja, side, fields) in enumerate(DEFAULT_CATEGORIES):
        event.categories.append(Category(code=code, name=name, name_ja=name_ja,
                                         networking_side=side, requires_approval=False,
                                         fields=list(fields), public=code != "organiser",
                                         position=position))
    for position, (code, name, name_ja) in enumerate(DEFAULT_TECHNOLOGY_AREAS):
        event.technology_areas.append(
            TechnologyArea(code=code, name=name, name_ja=name_ja, position=position))
    db.session.add(event)
    return event


def events_query(upcoming_only: bool = False, listed_only: bool = False):
    """Events by start, for a list or a page of one."""
    query = db.select(Event).order_by(Event.starts_at, Event.id)
    if upcoming_only:
        query = query.where(Event.ends_at >= utcnow())
    if listed_only:
        query = query.where(Event.listed.is_(True))
    return query


def list_events(upcoming_only: bool = False, listed_only: bool = False) -> list[Event]:
    return list(db.session.execute(events_query(upcoming_only, listed_only)).scalars())


def event_or_404(event_id: int, *options) -> Event:
    """The event of a URL, with loader `options` (WITH_CATEGORIES). Ids beyond the
    database's integer never get here: the `int` URL converter (urls.IdConverter) reads
    them as 0, which is no event."""
    event = db.session.get(Event, event_id, options=options)
    if event is None:
        abort(404)
    return event


# What a sign-up reads of its event besides the row, loaded with it rather than by a
# statement of its own when first touched (on PostgreSQL every statement is a round
# trip to the server, and a sign-up made eight). The technology areas load when first
# touched: only the categories with technology fields need them, and joining them as
# well would repeat each category's row for every area, which costs the ORM more than
# the statement it saves.
WITH_CATEGORIES = joinedload(Event.categories)


def lock_event(event_id: int) -> Event:
    """Starts the write transaction and holds the event until commit (BEGIN IMMEDIATE
    on SQLite, SELECT ... FOR UPDATE on PostgreSQL). The capacity, the seats taken and
    whether the event was anonymised are read under the lock; the event's other loaded
    attributes stay as they are."""
    begin_write()
    capacity, seats_taken, anonymised_at = db.session.execute(
        db.select(Event.capacity, Event.seats_taken, Event.anonymised_at)
        .where(Event.id == event_id).with_for_update()).one()
    event = db.session.get(Event, event_id)
    set_committed_value(event, "capacity", capacity)
    set_committed_value(event, "seats_taken", seats_taken)
    set_committed_value(event, "anonymised_at", anonymised_at)
    return event


def confirmed_count(event_id: int) -> int:
    """The event's confirmed registrations, this transaction's changes included (the
    query flushes them first, and the database's triggers count them)."""
    return db.session.execute(
        db.select(Event.seats_taken).where(Event.id == event_id)).scalar_one()


def registration_state(event: Event, now: datetime | None = None) -> str:
    """'not_yet', 'open' or 'closed' (the window, or the event has ended)."""
    now = now or utcnow()
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    if now >= event.ends_at:
        return "closed"
    return "open"


# -- categories ---------------------------------------------------------------

def validate_category(event: Event, data: dict, category: Category | None = None) -> None:
    errors = {}
    code = (data.get("code") or "").strip().lower()
    if category is None:
        if not CODE_RE.match(code):
            errors["code"] = _("Use lower-case letters, digits, - or _ (up to 40).")
        elif any(c.code == code for c in event.categories):
            errors["code"] = _("This event already has a category with this code.")
    for key in ("name", "name_ja"):
        if message := text_problem((data.get(key) or "").strip(),
                                   max_length(getattr(Category, key))):
            errors[key] = message
    if not (data.get("name") or "").strip():
        errors["name"] = _("Give the category a name.")
    if data.get("networking_side") not in set(NetworkingSide):
        errors["networking_side"] = _("Choose offer, need, both or none.")
    if errors:
        raise ValidationErrors(errors)


def save_category(event: Event, data: dict, category: Category | None = None) -> Category:
    validate_category(event, data, category)
    if category is None:
        category = Category(code=data["code"].strip().lower(),
                            position=len(event.categories))
        event.categories.append(category)
    category.name = data["name"].strip()
    category.name_ja = (data.get("name_ja") or "").strip()
    category.networking_side = data["networking_side"]
    category.requires_approval = bool(data.get("requires_approval"))
    category.public = bool(data.get("public", True))
    category.fields = [f for f in data.get("fields") or [] if f]
    return category


def move_category(event: Event, category: Category, step: int) -> None:
    """Moves a category one place up (-1) or down (+1) in the event's order (the order
    of the sign-up page, the desk and the exports)."""
    move_in_order(list(event.categories), category, step)


def move_in_order(ordered: list, item, step: int) -> None:
    """Moves `item` one place up (-1) or down (+1) among `ordered` (rows with a
    `position`), and numbers them all again from 0."""
    index = ordered.index(item)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position


def category_in_use(category: Category) -> int:
    """How many registrations (of any status) are in this category."""
    return db.session.execute(
        db.select(db.func.count(Registration.id))
        .where(Registration.category_id == category.id)).scalar_one()


def delete_category(event: Event, category: Category) -> None:
    """Deletes a category nobody registered in (a used one would take its registrations'
    history with it: rename it or stop offering it instead). The event keeps one."""
    if len(event.categories) <= 1:
        raise ValidationErrors({"category": _("An event needs at least one category.")})
    used = category_in_use(category)
    if used:
        raise ValidationErrors({"category": ngettext(
            "%(num)d registration is in this category: it cannot be deleted. Stop offering "
            "it on the sign-up page instead.",
            "%(num)d registrations are in this category: it cannot be deleted. Stop "
            "offering it on the sign-up page instead.", used)})
    event.categories.remove(category)
    for position, each in enumerate(event.categories):
        each.position = position


# -- technology areas: edited as lines of text --------------------

def technology_lines(event: Event) -> str:
    return "\n".join(" | ".join(filter(None, (t.code, t.name, t.name_ja)))
                     for t in event.technology_areas)


def parse_technology_lines(text: str) -> list[tuple[str, str, str]]:
    rows, errors, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        code = parts[0].lower()
        name = parts[1] if len(parts) > 1 and parts[1] else ""
        if not CODE_RE.match(code) or not name:
            errors.append(_("Line %(num)d: write “code | English name | Japanese name”.",
                            num=number))
        elif problem := next(filter(None, (text_problem(p, max_length(TechnologyArea.name))
                                           for p in parts[1:3])), None):
            errors.append(_("Line %(num)d: %(problem)s", num=number, problem=problem))
        elif code in seen:
            errors.append(_("Line %(num)d: the code %(code)s appears twice.", num=number,
                            code=code))
        else:
            seen.add(code)
            rows.append((code, name, parts[2] if len(parts) > 2 else ""))
    if errors:
        raise ValidationErrors({"technology_areas": sentences(*errors)})
    if not rows:
        raise ValidationErrors({"technology_areas": _("List at least one technology area.")})
    return rows


def set_technology_areas(event: Event, rows: list[tuple[str, str, str]]) -> None:
    by_code = {t.code: t for t in event.technology_areas}
    keep = []
    for position, (code, name, name_ja) in enumerate(rows):
        area = by_code.get(code) or TechnologyArea(code=code)
        area.name, area.name_ja, area.position = name, name_ja, position
        keep.append(area)
    event.technology_areas[:] = keep
