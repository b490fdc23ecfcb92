"""JSON shapes of the public API v1."""

from zoneinfo import ZoneInfo

from ..models import Event


def iso(value, tz: str = "UTC") -> str | None:
    return value.astimezone(ZoneInfo(tz)).isoformat() if value else None


def event_summary(event: Event) -> dict:
    return {
        "id": event.id, "slug": event.slug, "title": event.title,
        "starts_at": iso(event.starts_at, event.timezone),
        "ends_at": iso(event.ends_at, event.timezone),
        "capacity": event.capacity,
    }


def networking_settings(event: Event) -> dict | None:
    if not event.has_networking:
        return None
    return {
        "starts_at": iso(event.networking_starts_at, event.timezone),
        "slot_minutes": event.networking_slot_minutes,
        "slots": event.networking_slots,
        "tables": event.networking_tables,
        "max_meetings_per_person": event.networking_max_meetings,
    }


def event_detail(event: Event) -> dict:
    tz = event.timezone
    return event_summary(event) | {
        "description": event.description,
        "venue": event.venue,
        "timezone": tz,
        "registration_opens_at": iso(event.registration_opens_at, tz),
        "registration_closes_at": iso(event.registration_closes_at, tz),
        "categories": [
            {"code": c.code, "name": c.name, "networking_side": c.networking_side,
             "requires_approval": c.requires_approval}
            for c in event.categories],
        "technology_areas": [{"code": t.code, "name": t.name} for t in event.technology_areas],
        "networking": networking_settings(event),
        "agenda": [
            {"starts_at": iso(a.starts_at, tz), "ends_at": iso(a.ends_at, tz),
             "title": a.title, "speaker": a.speaker}
            for a in event.agenda_items],
    }
