"""API v1: registration calls."""

from flask import Blueprint, abort, jsonify, request

from ..api.parsing import Fields, json_object, paged, query_args
from ..auth.access import api_roles, api_user
from ..extensions import csrf, db
from ..models import Event, Registration, Role, Status
from . import queries, services
from .serializers import registration_door_json, registration_json

bp = Blueprint("registration_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def parse_registration(data: dict) -> dict:
    f = Fields(data)
    parsed = {
        "name": f.string("name", required=True, max_length=200),
        "name_kana": f.string("name_kana", max_length=200),
        "email": f.string("email", required=True, max_length=254),
        "category": f.string("category", required=True, max_length=40),
        "organisation": f.string("organisation"),
        "country": f.string("country", max_length=2),
        "job_title": f.string("job_title", max_length=200),
        "phone": f.string("phone", max_length=50),
        "language": f.string("language", default="en", max_length=2) or "en",
        "networking_opt_in": f.boolean("networking_opt_in"),
        "technologies_offered": f.string_list("technologies_offered"),
        "technology_needs": f.string_list("technology_needs"),
        "target_countries": f.string_list("target_countries", max_items=250),
    }
    notify = f.boolean("notify", default=True)
    f.check()
    return parsed | {"notify": notify}


def _event_registration(event_id: int, registration_id: int) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    if reg.event_id != event_id:
        abort(404)
    return reg


@bp.post("/events/<int:event_id>/registrations")
@api_roles(Role.ORGANISER)
def create(event_id):
    event = db.get_or_404(Event, event_id)
    data = parse_registration(json_object())
    notify = data.pop("notify")
    outcome = services.register(event, data, source="import", notify=notify,
                                hold_for_approval=False, public=False)
    if not outcome.created:
        db.session.rollback()
        return jsonify(error="duplicate", id=outcome.registration.id,
                       message="This e-mail already has an active registration."), 409
    # Shaped before the commit, which expires the loaded rows: after it, reading them
    # would cost two more queries for what is already known.
    body = registration_json(outcome.registration)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/events/<int:event_id>/registrations")
@api_roles(Role.ORGANISER, Role.DOOR)
def list_registrations(event_id):
    db.get_or_404(Event, event_id)
    args = query_args()
    status = args.string("status", max_length=16) or None
    q = args.string("q", max_length=200)
    if status and status not in set(Status):
        args.errors["status"] = f"One of: {', '.join(Status)}."
    args.check()
    regs = db.session.execute(paged(queries.search(event_id, q=q, status=status))).scalars()
    shape = registration_json if api_user().role == Role.ORGANISER else registration_door_json
    return jsonify([shape(r) for r in regs])


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>")
@api_roles(Role.ORGANISER)
def get(event_id, registration_id):
    return jsonify(registration_json(_event_registration(event_id, registration_id)))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/cancel")
@api_roles(Role.ORGANISER)
def cancel(event_id, registration_id):
    reg = _event_registration(event_id, registration_id)
    notify = request.get_json(silent=True) or {}
    try:
        services.transition(reg, "cancel", notify=notify.get("notify", True) is not False)
    except services.TransitionError as e:
        db.session.rollback()
        return jsonify(error="conflict", message=str(e)), 409
    db.session.commit()
    return jsonify(registration_json(reg))
