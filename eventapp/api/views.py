"""Public JSON API, version 1 (see PRODUCT.md): the document and the event calls. Views
load their arguments, call a service and answer through the shapes in schemas.py."""

from flask import Blueprint, current_app, jsonify
from marshmallow import ValidationError

from ..auth.access import api_roles
from ..events import services as event_services
from ..extensions import csrf, db
from ..models import Role
from ..registration.services import capacity_changed
from ..validation import ValidationErrors
from .docs import arguments, error_responses, field_messages, openapi_document, operation
from .schemas import (
    EventChange,
    EventCreate,
    EventSchema,
    EventSummary,
    Paging,
    page,
    place_times,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

ORGANISER = Role.ORGANISER
DOOR = Role.DOOR
EVENT = EventSchema()
EVENTS = EventSummary(many=True)


@bp.get("/openapi.json")
@operation("This description", public=True,
           responses={200: ("OpenAPI 3 document", {"type": "object"})})
def openapi():
    return jsonify(openapi_document(current_app))


@bp.get("/events")
@operation("List events", roles=(ORGANISER, DOOR),
           responses={200: ("Events", EventSummary(many=True))} | error_responses(401, 403, 422))
@api_roles(ORGANISER, DOOR)
@arguments(Paging, location="query")
def list_events(args):
    events = db.session.execute(page(event_services.events_query(), args))
    return jsonify(EVENTS.dump(events.scalars()))


@bp.post("/events")
@operation("Create an event with the default categories and technology areas",
           roles=(ORGANISER,), responses={201: ("Created", EventSchema)}
           | error_responses(400, 401, 403, 422))
@api_roles(ORGANISER)
@arguments(EventCreate, also=lambda data: event_services.validate_event_data(data))
def create_event(args):
    event = event_services.create_event(args)
    db.session.commit()
    return jsonify(EVENT.dump(event)), 201


@bp.get("/events/<int:event_id>")
@operation("One event", roles=(ORGANISER, DOOR),
           responses={200: ("The event", EventSchema)} | error_responses(401, 403, 404))
@api_roles(ORGANISER, DOOR)
def get_event(event_id):
    return jsonify(EVENT.dump(event_services.event_or_404(event_id)))


@bp.patch("/events/<int:event_id>")
@operation("Change an event: any field of the create call, plus slug and translations",
           roles=(ORGANISER,), responses={200: ("The event", EventSchema)}
           | error_responses(400, 401, 403, 404, 422))
@api_roles(ORGANISER)
@arguments(EventChange)
def change_event(event_id, args):
    event = event_services.event_or_404(event_id)
    event_services.lock_event(event.id)  # the capacity may change: seats and waitlist move together
    try:
        args = place_times(args, args.get("timezone") or event.timezone)
    except ValidationError as e:
        raise ValidationErrors(field_messages(e.messages)) from e
    event_services.change_event(event, args)
    capacity_changed(event)
    db.session.commit()
    return jsonify(EVENT.dump(event))
