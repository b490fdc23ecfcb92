"""API v1: feedback calls."""

from flask import Blueprint, jsonify

from ..api.docs import error_responses, operation
from ..auth.access import api_roles
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import Role
from .emails import compose_feedback_email  # noqa: F401  (registered as a composer)
from .requests import send_feedback_requests
from .schemas import FeedbackRecipients

bp = Blueprint("feedback_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.post("/events/<int:event_id>/feedback/requests")
@operation("E-mail the feedback request now to every checked-in attendee not yet asked",
           roles=(Role.ORGANISER,),
           responses={201: ("How many were e-mailed", FeedbackRecipients)}
           | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def send_requests(event_id):
    event = event_or_404(event_id)
    recipients = send_feedback_requests(event.id)
    db.session.commit()
    return jsonify(FeedbackRecipients().dump({"recipients": recipients})), 201
