"""API v1: networking calls (the schedule: generate, publish, list)."""

from flask import Blueprint, abort, jsonify, request

from ..api.parsing import Fields, json_object, paged
from ..api.serializers import iso
from ..auth.access import api_roles
from ..extensions import csrf, db
from ..models import Event, Meeting, Role
from . import services
from .wording import Wording

bp = Blueprint("networking_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_ID = 2**31 - 1


def meeting_json(meeting: Meeting, event: Event, wording: Wording) -> dict:
    return {
        "id": meeting.id, "slot": meeting.slot,
        "starts_at": iso(services.slot_start(event, meeting.slot), event.timezone),
        "table": meeting.table_number, "a": meeting.a_id, "b": meeting.b_id,
        "score": round(float(meeting.score or 0.0), 4),
        "reasons": wording.reason_list(meeting.reasons),
        "published": bool(meeting.published),
    }


def _networking_event(event_id: int) -> Event:
    if event_id > MAX_ID:
        abort(404)
    return db.get_or_404(Event, event_id)


def _no_networking():
    return jsonify(error="no_networking",
                   message="This event has no networking session: set one up first."), 409


@bp.post("/events/<int:event_id>/networking/schedule")
@api_roles(Role.ORGANISER)
def schedule(event_id):
    event = _networking_event(event_id)
    data = json_object() if request.get_data() else {}
    fields = Fields(data)
    only_checked_in = fields.boolean("only_checked_in")
    fields.check()
    if not event.has_networking:
        return _no_networking()
    try:
        result = services.generate_schedule(event.id, only_checked_in)
    except services.NetworkingError:
        db.session.rollback()
        return _no_networking()
    wording = Wording(event, "en")
    body = {"meetings": [meeting_json(m, event, wording) for m in result.meetings],
            "metrics": result.metrics}
    db.session.commit()
    return jsonify(body)


@bp.post("/events/<int:event_id>/networking/publish")
@api_roles(Role.ORGANISER)
def publish(event_id):
    event = _networking_event(event_id)
    if not event.has_networking:
        return _no_networking()
    try:
        result = services.publish(event.id)
    except services.NetworkingError:
        db.session.rollback()
        return _no_networking()
    published_at = iso(event.networking_published_at, event.timezone)
    db.session.commit()
    return jsonify(published=result.meetings, notified=result.notified,
                   published_at=published_at)


@bp.get("/events/<int:event_id>/networking/meetings")
@api_roles(Role.ORGANISER)
def meetings(event_id):
    event = _networking_event(event_id)
    if not event.has_networking:
        return _no_networking()
    query = paged(db.select(Meeting).where(Meeting.event_id == event.id)
                  .order_by(Meeting.slot, Meeting.table_number, Meeting.id))
    wording = Wording(event, "en")
    return jsonify([meeting_json(m, event, wording)
                    for m in db.session.execute(query).scalars()])
