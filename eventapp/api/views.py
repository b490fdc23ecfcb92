"""Public JSON API, version 1 (see PRODUCT.md). Views parse, call a service, answer."""

from flask import Blueprint, jsonify

from ..auth.access import api_roles
from ..events import services as event_services
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import Event, Role
from . import serializers
from .openapi import openapi_document
from .parsing import Fields, json_object, paged

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

ORGANISER = Role.ORGANISER
DOOR = Role.DOOR


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/events")
@api_roles(ORGANISER, DOOR)
def list_events():
    events = db.session.execute(paged(db.select(Event).order_by(Event.starts_at))).scalars()
    return jsonify([serializers.event_summary(e) for e in events])


def parse_event(data: dict) -> dict:
    f = Fields(data)
    tz = f.string("timezone", default="UTC", max_length=64) or "UTC"
    parsed = {
        "title": f.string("title", required=True),
        "description": f.string("description", max_length=20000),
        "venue": f.string("venue"),
        "timezone": tz,
        "starts_at": f.datetime("starts_at", tz, required=True),
        "ends_at": f.datetime("ends_at", tz, required=True),
        "capacity": f.integer("capacity", required=True, minimum=0, maximum=1_000_000),
        "registration_opens_at": f.datetime("registration_opens_at", tz),
        "registration_closes_at": f.datetime("registration_closes_at", tz),
        "networking": None,
    }
    net = data.get("networking")
    if net is not None:
        if not isinstance(net, dict):
            f.errors["networking"] = "Must be an object."
        else:
            n = Fields(net, prefix="networking.")
            parsed["networking"] = {
                "starts_at": n.datetime("starts_at", tz, required=True),
                "slot_minutes": n.integer("slot_minutes", default=15),
                "slots": n.integer("slots", default=6),
                "tables": n.integer("tables", default=10),
                "max_meetings_per_person": n.integer("max_meetings_per_person", default=4),
            }
            f.errors.update(n.errors)
    f.check()
    return parsed


@bp.post("/events")
@api_roles(ORGANISER)
def create_event():
    event = event_services.create_event(parse_event(json_object()))
    db.session.commit()
    return jsonify(serializers.event_detail(event)), 201


@bp.get("/events/<int:event_id>")
@api_roles(ORGANISER, DOOR)
def get_event(event_id):
    event = event_or_404(event_id)
    return jsonify(serializers.event_detail(event))
