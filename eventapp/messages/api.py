"""API v1: messages to a group of attendees."""

from flask import Blueprint, jsonify

from ..api.docs import arguments, error_responses, operation
from ..auth.access import api_roles, api_user
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import Role
from . import services
from .schemas import MessageCreate, MessageCreated, MessageState

bp = Blueprint("messages_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

CREATED, STATE = MessageCreated(), MessageState()


def _check(data: dict, event_id: int) -> None:
    services.check_message(event_or_404(event_id), data)


@bp.post("/events/<int:event_id>/messages")
@operation("E-mail a group of attendees, now or at `send_at`; each gets the version in "
           "their registration's language", roles=(Role.ORGANISER,),
           responses={201: ("Queued or scheduled", MessageCreated)}
           | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(MessageCreate, also=_check)
def create_message(event_id, args):
    event = event_or_404(event_id)
    message = services.create_message(event, args, api_user().id)
    db.session.commit()
    return jsonify(CREATED.dump({"id": message.id, "recipients": message.recipients,
                                 "status": message.status})), 201


@bp.get("/events/<int:event_id>/messages/<int:message_id>")
@operation("A message and how many of its e-mails were sent or failed",
           roles=(Role.ORGANISER,),
           responses={200: ("The message", MessageState)} | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def get_message(event_id, message_id):
    message = services.message_or_404(event_or_404(event_id), message_id)
    counts = services.email_counts([message.id])[message.id]
    return jsonify(STATE.dump(services.progress(message, counts)))
