"""API v1: networking calls (the schedule: generate, publish, list)."""

from flask import Blueprint, jsonify

from ..api.docs import Error, arguments, error_responses, operation
from ..api.schemas import Paging, page
from ..auth.access import api_roles
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import Role
from . import services
from .schemas import (
    MeetingContext,
    NetworkingMeeting,
    NetworkingPublished,
    NetworkingSchedule,
    NetworkingScheduleRequest,
)
from .wording import Wording

bp = Blueprint("networking_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

SCHEDULE = NetworkingSchedule()
PUBLISHED = NetworkingPublished()
MEETINGS = NetworkingMeeting(many=True)
NO_NETWORKING = {409: ("The event has no networking session (`error`: `no_networking`)",
                       Error)}


def _no_networking():
    return jsonify(error="no_networking",
                   message="This event has no networking session: set one up first."), 409


@bp.post("/events/<int:event_id>/networking/schedule")
@operation("Build a draft meeting schedule (locked meetings are kept, every other meeting "
           "is replaced)", roles=(Role.ORGANISER,),
           responses={200: ("The new schedule and its figures", NetworkingSchedule)}
           | NO_NETWORKING | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(NetworkingScheduleRequest, location="json_or_empty")
def schedule(event_id, args):
    event = event_or_404(event_id)
    if not event.has_networking:
        return _no_networking()
    try:
        result = services.generate_schedule(event.id, args["only_checked_in"])
    except services.NetworkingError:
        db.session.rollback()
        return _no_networking()
    with MeetingContext({"event": event, "wording": Wording(event, "en")}):
        body = SCHEDULE.dump(result)
    db.session.commit()
    return jsonify(body)


@bp.post("/events/<int:event_id>/networking/publish")
@operation("Publish the schedule: agendas and calendar files show it, and each attendee "
           "with a meeting is e-mailed", roles=(Role.ORGANISER,),
           responses={200: ("Published", NetworkingPublished)}
           | NO_NETWORKING | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def publish(event_id):
    event = event_or_404(event_id)
    if not event.has_networking:
        return _no_networking()
    try:
        result = services.publish(event.id)
    except services.NetworkingError:
        db.session.rollback()
        return _no_networking()
    body = PUBLISHED.dump({"meetings": result.meetings, "notified": result.notified,
                           "published_at": event.networking_published_at,
                           "timezone": event.timezone})
    db.session.commit()
    return jsonify(body)


@bp.get("/events/<int:event_id>/networking/meetings")
@operation("The current schedule, drafts included, by slot and table",
           roles=(Role.ORGANISER,),
           responses={200: ("Meetings", NetworkingMeeting(many=True))}
           | NO_NETWORKING | error_responses(401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(Paging, location="query")
def meetings(event_id, args):
    event = event_or_404(event_id)
    if not event.has_networking:
        return _no_networking()
    query = page(services.meetings_query(event.id), args)
    with MeetingContext({"event": event, "wording": Wording(event, "en")}):
        return jsonify(MEETINGS.dump(db.session.execute(query).scalars()))
