"""API v1: networking calls (the schedule: build a draft, publish, list; the live
session: arrivals, no-shows, outcomes)."""

from flask import Blueprint, jsonify

from ..api.docs import Error, arguments, error_responses, operation
from ..api.schemas import page
from ..auth.access import api_roles, api_user
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import Role
from . import live, services, versions
from .schemas import (
    LiveMeeting,
    MeetingContext,
    MeetingsQuery,
    NetworkingMeeting,
    NetworkingPublished,
    NetworkingSchedule,
    NetworkingScheduleRequest,
    NoShowAnswer,
    OutcomeAnswer,
    OutcomeRequest,
    PersonInMeeting,
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
@operation("Build a draft meeting schedule beside the published one, which attendees keep "
           "seeing until the next publish (locked meetings and meetings already under way "
           "are kept, every other draft meeting is replaced)", roles=(Role.ORGANISER,),
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
@operation("Publish the draft: agendas and calendar files show it; the first time each "
           "attendee with a meeting is e-mailed their agenda, afterwards only the people "
           "whose meetings changed, with what changed", roles=(Role.ORGANISER,),
           responses={200: ("Published", NetworkingPublished)}
           | NO_NETWORKING | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def publish(event_id):
    event = event_or_404(event_id)
    if not event.has_networking:
        return _no_networking()
    try:
        result = versions.publish(event.id)
    except services.NetworkingError:
        db.session.rollback()
        return _no_networking()
    body = PUBLISHED.dump({"meetings": result.meetings, "notified": result.notified,
                           "published_at": event.networking_published_at,
                           "timezone": event.timezone})
    db.session.commit()
    return jsonify(body)


@bp.get("/events/<int:event_id>/networking/meetings")
@operation("A schedule by slot and table: with `published=1` exactly the published one "
           "attendees see, otherwise the working one (the draft where one exists)",
           roles=(Role.ORGANISER,),
           responses={200: ("Meetings", NetworkingMeeting(many=True))}
           | NO_NETWORKING | error_responses(401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(MeetingsQuery, location="query")
def meetings(event_id, args):
    event = event_or_404(event_id)
    if not event.has_networking:
        return _no_networking()
    query = page(services.meetings_query(event.id, args["published"]), args)
    with MeetingContext({"event": event, "wording": Wording(event, "en")}):
        return jsonify(MEETINGS.dump(db.session.execute(query).scalars()))


# -- the live session ---------------------------------------------------------------------

LIVE = LiveMeeting()
NO_SHOW = NoShowAnswer()
OUTCOME = OutcomeAnswer()
LIVE_ERRORS = {409: ("Not a published meeting, or not that person's (`error`: "
                     "`not_published`, `not_in_meeting`, `arrived`, `both_absent`)", Error)}


def _live(event_id: int, act, answer):
    """Runs one live action on an event with a session and answers what it returns,
    dumped by `answer`, once committed; a state that forbids it is a 409 with its code,
    a meeting of another event a 404."""
    event = event_or_404(event_id)
    if not event.has_networking:
        return _no_networking()
    try:
        result = act(event)
    except services.NetworkingError as e:
        db.session.rollback()
        status = 404 if e.code == "not_found" else 409
        return jsonify(error=e.code, message=e.message), status
    with MeetingContext({"event": event, "wording": Wording(event, "en")}):
        body = answer.dump(result)
    db.session.commit()
    return jsonify(body)


@bp.post("/events/<int:event_id>/networking/meetings/<int:meeting_id>/arrivals")
@operation("That person is at the table", roles=(Role.DOOR, Role.ORGANISER),
           responses={200: ("The meeting and who has arrived", LiveMeeting)}
           | LIVE_ERRORS | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.DOOR, Role.ORGANISER)
@arguments(PersonInMeeting)
def arrival(event_id, meeting_id, args):
    return _live(event_id, lambda ev: live.arrive(ev.id, meeting_id, args["registration_id"]),
                 LIVE)


@bp.post("/events/<int:event_id>/networking/meetings/<int:meeting_id>/no-show")
@operation("That person did not come: the best replacement among checked-in attendees "
           "free in that slot is booked at once (same slot and table)",
           roles=(Role.DOOR, Role.ORGANISER),
           responses={200: ("The meeting and its replacement (or null)", NoShowAnswer)}
           | LIVE_ERRORS | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.DOOR, Role.ORGANISER)
@arguments(PersonInMeeting)
def no_show(event_id, meeting_id, args):
    def act(ev):
        meeting = live.mark_absent(ev.id, meeting_id, args["registration_id"])
        proposal = live.propose(meeting)
        replacement = (live.replace(ev.id, meeting.id, proposal.candidate.id)
                       if proposal else None)
        return {"meeting": meeting, "replacement": replacement}

    return _live(event_id, act, NO_SHOW)


@bp.post("/events/<int:event_id>/networking/meetings/<int:meeting_id>/outcome")
@operation("What happened at a meeting, for one of its two people (entered by an "
           "organiser on their behalf; attendees give theirs on their agenda page)",
           roles=(Role.ORGANISER,),
           responses={200: ("The outcome as stored", OutcomeAnswer)}
           | LIVE_ERRORS | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(OutcomeRequest)
def outcome(event_id, meeting_id, args):
    return _live(event_id, lambda ev: live.record_outcome(
        ev.id, meeting_id, args["registration_id"], held=args["held"],
        rating=args["rating"], follow_up=args["follow_up"], note=args["note"],
        applicable=args["applicable"], entered_by_id=api_user().id), OUTCOME)
