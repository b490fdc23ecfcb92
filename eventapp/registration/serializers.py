"""JSON shapes of a registration (API v1)."""

from ..api.serializers import iso
from ..models import Registration
from ..urls import external_url


def registration_fields(reg: Registration) -> dict:
    return {
        "name": reg.name, "name_kana": reg.name_kana, "email": reg.email,
        "category": reg.category.code, "organisation": reg.organisation,
        "country": reg.country, "job_title": reg.job_title, "language": reg.language,
        "networking_opt_in": reg.networking_opt_in,
        "technologies_offered": list(reg.technologies_offered or []),
        "technology_needs": list(reg.technology_needs or []),
        "target_countries": list(reg.target_countries or []),
    }


def registration_json(reg: Registration) -> dict:
    """The organiser's view: every field, status and the attendee's secret links."""
    token = reg.manage_token
    return {"id": reg.id} | registration_fields(reg) | {
        "status": reg.status,
        "checked_in_at": iso(reg.checked_in_at, reg.event.timezone),
        "ticket_url": external_url("registration.ticket", token=token),
        "qr_png_url": external_url("registration.qr_png_view", token=token),
        "manage_url": external_url("registration.manage", token=token),
        "agenda_ics_url": external_url("networking.agenda_ics", token=token),
    }


def registration_door_json(reg: Registration) -> dict:
    """What door staff see: enough to recognise a person, no contact details."""
    return {
        "id": reg.id, "name": reg.name, "name_kana": reg.name_kana,
        "organisation": reg.organisation, "category": reg.category.code,
        "status": reg.status, "checked_in_at": iso(reg.checked_in_at, reg.event.timezone),
    }
