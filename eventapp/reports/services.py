"""Attendance figures of one event.

Every figure is counted by the database (GROUP BY, COUNT DISTINCT), so a report on
2,000 attendees reads a few dozen rows, never every registration.

"Checked in" means the registration has a check-in time: the person came, whatever
happened to the registration afterwards. "Registered" means an active registration
(confirmed, waitlisted or pending).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Integer, case, distinct, func, literal_column, or_, true, union_all

from ..content import localized
from ..database import utcnow
from ..extensions import db
from ..feedback.figures import api_feedback
from ..i18n import country_name
from ..models import (
    ACTIVE_STATUSES,
    Category,
    Event,
    Meeting,
    NetworkingSide,
    Registration,
    Status,
)
from ..models.networking import DRAFT, PUBLISHED
from ..networking.outcomes import session_figures
from . import narrative
from .figures import (
    Arrivals,
    Attendance,
    Counts,
    Networking,
    NoShow,
    Report,
    Row,
    TechnologyRow,
)

UNKNOWN_COUNTRY = "ZZ"  # the key of registrations without a country ("No country given")
ARRIVAL_MINUTES = 15
MAX_ARRIVAL_BARS = 48
# Coarser bins, each a whole number of 15-minute steps that divides a day.
ARRIVAL_BIN_STEPS = (1, 2, 4, 8, 12, 24, 48, 96)

_active = Registration.status.in_(ACTIVE_STATUSES)
_attended = Registration.checked_in_at.is_not(None)
_registered_sum = func.sum(case((_active, 1), else_=0))
_checked_in_count = func.count(Registration.checked_in_at)
# The summary sentence: companies are the offering side, officials the needing side.
_company_side = or_(Category.networking_side == NetworkingSide.OFFER, Category.code == "company")
_official_side = or_(Category.networking_side == NetworkingSide.NEED, Category.code == "embassy")


# -- counters -------------------------------------------------------------------------

def _status_rows(event_id: int):
    """(category id, status, registrations, checked in): the source of every counter."""
    return db.session.execute(
        db.select(Registration.category_id, Registration.status, func.count(),
                  _checked_in_count)
        .where(Registration.event_id == event_id)
        .group_by(Registration.category_id, Registration.status)).all()


def has_started(event: Event) -> bool:
    """No-shows are counted from the start of the event: before it nobody is missing."""
    return event.starts_at <= utcnow()


def _counts_from(rows, started: bool = True) -> Counts:
    by_status: Counter[str] = Counter()
    checked_in = confirmed_checked_in = 0
    for _category_id, status, total, arrived in rows:
        by_status[status] += total
        checked_in += arrived
        if status == Status.CONFIRMED:
            confirmed_checked_in += arrived
    return Counts(confirmed=by_status[Status.CONFIRMED], waitlisted=by_status[Status.WAITLISTED],
                  pending=by_status[Status.PENDING], cancelled=by_status[Status.CANCELLED],
                  rejected=by_status[Status.REJECTED], checked_in=checked_in,
                  no_shows=by_status[Status.CONFIRMED] - confirmed_checked_in
                  if started else None)


def counts(event: Event) -> Counts:
    return _counts_from(_status_rows(event.id), has_started(event))


def _category_rows(event: Event, rows, language: str) -> list[Row]:
    registered: Counter[int] = Counter()
    checked_in: Counter[int] = Counter()
    for category_id, status, total, arrived in rows:
        if status in ACTIVE_STATUSES:
            registered[category_id] += total
        checked_in[category_id] += arrived
    return [Row(c.code, localized(c, language), registered[c.id], checked_in[c.id])
            for c in event.categories]


def attendance(event_id: int) -> Attendance:
    organisation = case((Registration.organisation != "", Registration.organisation))
    row = db.session.execute(
        db.select(
            func.count(),
            func.count(distinct(organisation)),
            func.count(distinct(Registration.country)),
            func.count(distinct(case((_company_side, organisation)))),
            func.count(distinct(case((_official_side, Registration.country)))),
        )
        .select_from(Registration).join(Category, Category.id == Registration.category_id)
        .where(Registration.event_id == event_id, _attended)).one()
    return Attendance(*row)


# -- breakdowns -----------------------------------------------------------------------

def country_rows(event_id: int, language: str) -> list[Row]:
    """Countries of active or checked-in registrations, the largest first."""
    found = db.session.execute(
        db.select(Registration.country, _registered_sum, _checked_in_count)
        .where(Registration.event_id == event_id, or_(_active, _attended))
        .group_by(Registration.country)).all()
    with force_locale(language):
        nowhere = _("No country given")
    rows = [Row(code or UNKNOWN_COUNTRY, country_name(code, language) if code else nowhere,
                int(registered), arrived) for code, registered, arrived in found]
    return sorted(rows, key=lambda r: (-r.registered, -r.checked_in, r.label))


def organisation_rows(event_id: int, limit: int | None = None) -> tuple[list[Row], int]:
    """The organisations with the most registrations, and how many there are in all."""
    registered = _registered_sum.label("registered")
    query = (db.select(Registration.organisation, registered, _checked_in_count)
             .where(Registration.event_id == event_id, Registration.organisation != "",
                    or_(_active, _attended))
             .group_by(Registration.organisation)
             .order_by(registered.desc(), Registration.organisation))
    if limit is not None:
        query = query.limit(limit)
    rows = [Row(name, name, int(n), arrived)
            for name, n, arrived in db.session.execute(query)]
    total = db.session.execute(
        db.select(func.count(distinct(Registration.organisation)))
        .where(Registration.event_id == event_id, Registration.organisation != "",
               or_(_active, _attended))).scalar_one()
    return rows, total


def _json_list_items(column):
    """The elements of a JSON list column as a table joinable to registrations."""
    if db.session.get_bind().dialect.name == "postgresql":
        # A JSON null or scalar would make json_array_elements_text fail; read it as [].
        safe = case((func.json_typeof(column) == "array", column),
                    else_=literal_column("'[]'::json"))
        return func.json_array_elements_text(safe).table_valued("value").alias("item")
    return func.json_each(column).table_valued("value").alias("item")


def _technology_counts(event_id: int, column) -> dict[str, tuple[int, int]]:
    items = _json_list_items(column)
    found = db.session.execute(
        db.select(items.c.value, _registered_sum, _checked_in_count)
        .select_from(Registration).join(items, true())
        .where(Registration.event_id == event_id, or_(_active, _attended))
        .group_by(items.c.value)).all()
    return {str(code): (int(n), arrived) for code, n, arrived in found
            if isinstance(code, str) and code}


def technology_rows(event: Event, language: str) -> list[TechnologyRow]:
    """The event's technology areas (and any retired code still in profiles)."""
    offered = _technology_counts(event.id, Registration.technologies_offered)
    needed = _technology_counts(event.id, Registration.technology_needs)
    labels = {area.code: localized(area, language) for area in event.technology_areas}
    codes = list(labels) + sorted((set(offered) | set(needed)) - set(labels))
    rows = []
    for code in codes:
        offered_by, offered_in = offered.get(code, (0, 0))
        needed_by, needed_in = needed.get(code, (0, 0))
        rows.append(TechnologyRow(code, labels.get(code, code), offered_by, needed_by,
                                  offered_in, needed_in))
    return rows


# -- arrivals -------------------------------------------------------------------------

def _quarter_hour_index():
    """Check-in time as a count of 15-minute steps since 1970 (UTC).

    Every time zone's offset is a whole number of quarter hours, so UTC quarter hours
    are also quarter hours of the event's local clock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return literal_column(
            "CAST(floor(extract(epoch FROM registrations.checked_in_at) / 900) AS INTEGER)",
            Integer)
    return literal_column(
        "CAST(strftime('%s', registrations.checked_in_at) AS INTEGER) / 900", Integer)


def arrivals(event: Event) -> Arrivals:
    """Check-ins per 15 minutes in the event's time zone, empty steps included; long
    spans are shown in wider bins so the chart stays readable."""
    step = _quarter_hour_index().label("step")
    found = dict(db.session.execute(
        db.select(step, func.count())
        .where(Registration.event_id == event.id, _attended)
        .group_by(step)).all())
    if not found:
        return Arrivals(ARRIVAL_MINUTES, [])
    first, last = min(found), max(found)
    per_bin = next((s for s in ARRIVAL_BIN_STEPS if (last - first) // s < MAX_ARRIVAL_BARS),
                   ARRIVAL_BIN_STEPS[-1])
    tz = ZoneInfo(event.timezone)
    bins: dict[datetime, int] = {}
    # Only the steps that can fall in the bins shown (the latest ones) are walked.
    for index in range(max(first, last - per_bin * MAX_ARRIVAL_BARS), last + 1):
        local = datetime.fromtimestamp(index * ARRIVAL_MINUTES * 60, UTC).astimezone(tz)
        minute_of_day = local.hour * 60 + local.minute
        start = local - timedelta(minutes=minute_of_day % (per_bin * ARRIVAL_MINUTES))
        bins[start] = bins.get(start, 0) + found.get(index, 0)
    shown = sorted(bins.items())[-MAX_ARRIVAL_BARS:]
    return Arrivals(per_bin * ARRIVAL_MINUTES, shown)


# -- people and networking ------------------------------------------------------------

def no_shows(event: Event, language: str, limit: int = 200) -> list[NoShow]:
    """Confirmed registrations not checked in, sorted by the reading of the name."""
    categories = {c.id: localized(c, language) for c in event.categories}
    sort_name = func.coalesce(func.nullif(Registration.name_kana, ""), Registration.name)
    rows = db.session.execute(
        db.select(Registration.id, Registration.name, Registration.name_kana,
                  Registration.organisation, Registration.category_id, Registration.country)
        .where(Registration.event_id == event.id, Registration.status == Status.CONFIRMED,
               Registration.checked_in_at.is_(None))
        .order_by(sort_name, Registration.id).limit(limit))
    return [NoShow(rid, name, kana, organisation, categories.get(category_id, ""), country)
            for rid, name, kana, organisation, category_id, country in rows]


def meeting_people(event_id: int, sheet: str = PUBLISHED):
    """One row per (meeting, participant): everyone in a sheet of the schedule (by
    default the published one, what attendees have)."""
    on_sheet = (Meeting.event_id == event_id, Meeting.sheet == sheet)
    return union_all(
        db.select(Meeting.a_id.label("registration_id")).where(*on_sheet),
        db.select(Meeting.b_id.label("registration_id")).where(*on_sheet),
    ).subquery()


def networking(event_id: int) -> Networking:
    """The schedule being worked on (the draft where one exists), what attendees see,
    and what happened at the session (networking.outcomes)."""
    drafts, published = db.session.execute(
        db.select(func.count(case((Meeting.sheet == DRAFT, 1))),
                  func.count(case((Meeting.sheet == PUBLISHED, 1))))
        .where(Meeting.event_id == event_id)).one()
    meetings = drafts or published
    people = meeting_people(event_id, DRAFT if drafts else PUBLISHED)
    opted_in, with_meeting = db.session.execute(
        db.select(func.count(),
                  func.count(case((Registration.id.in_(db.select(people.c.registration_id)),
                                   1))))
        .where(Registration.event_id == event_id, Registration.status == Status.CONFIRMED,
               Registration.networking_opt_in.is_(True))).one()
    return Networking(meetings, published, opted_in, with_meeting,
                      session=session_figures(event_id))


# -- whole reports --------------------------------------------------------------------

def build_report(event: Event, language: str, organisation_limit: int | None = 15,
                 no_show_limit: int = 200) -> Report:
    rows = _status_rows(event.id)
    organisations, organisation_total = organisation_rows(event.id, organisation_limit)
    return Report(
        event=event, generated_at=utcnow(), counts=_counts_from(rows, has_started(event)),
        attendance=attendance(event.id), categories=_category_rows(event, rows, language),
        countries=country_rows(event.id, language), organisations=organisations,
        organisation_total=organisation_total, technologies=technology_rows(event, language),
        arrivals=arrivals(event), networking=networking(event.id),
        last_check_in=last_check_in(event.id),
        no_shows=no_shows(event, language, no_show_limit)
        if no_show_limit and has_started(event) else [])


def api_report(event: Event) -> dict:
    """The answer of `GET /api/v1/events/{id}/report`: keys and codes as documented,
    the summary in English whatever the caller's language."""
    rows = _status_rows(event.id)
    totals = _counts_from(rows)
    facts = attendance(event.id)
    return {
        "registered": totals.registered, "confirmed": totals.confirmed,
        "waitlisted": totals.waitlisted, "pending": totals.pending,
        "cancelled": totals.cancelled, "checked_in": totals.checked_in,
        "by_category": {r.key: {"registered": r.registered, "checked_in": r.checked_in}
                        for r in _category_rows(event, rows, "en")},
        "by_country": {r.key: {"registered": r.registered, "checked_in": r.checked_in}
                       for r in country_rows(event.id, "en")},
        "organisations_checked_in": facts.organisations,
        "countries_checked_in": facts.countries,
        "summary": narrative.summary_sentence(facts, language="en"),
        "feedback": api_feedback(event.id),
        "networking": session_figures(event.id),
    }


def live_figures(event: Event) -> dict:
    """The counters the dashboard refreshes every few seconds."""
    totals = counts(event)
    rate = totals.attendance_rate
    last = last_check_in(event.id)
    return {
        "registered": totals.registered, "confirmed": totals.confirmed,
        "waitlisted": totals.waitlisted, "pending": totals.pending,
        "cancelled": totals.cancelled, "checked_in": totals.checked_in,
        "no_shows": totals.no_shows, "attendance_rate": rate,
        "attendance_rate_text": narrative.percent(rate),
        "last_check_in": last.astimezone(ZoneInfo(event.timezone)).isoformat() if last else None,
        "last_check_in_text": narrative.clock_time(last, event.timezone),
        "updated_at": utcnow().isoformat(),
    }


def last_check_in(event_id: int) -> datetime | None:
    return db.session.execute(
        db.select(func.max(Registration.checked_in_at))
        .where(Registration.event_id == event_id)).scalar_one()
