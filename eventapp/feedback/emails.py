"""The feedback e-mails: the request after the event ("feedback") and the follow-up
months later ("follow_up"), composed when first sent, in the attendee's language."""

from .. import mail
from ..extensions import db
from ..models import FeedbackStage, Registration
from ..urls import external_url


@mail.composer("feedback")
def compose_feedback_email(row) -> tuple[str, dict, dict[str, bytes]]:
    reg = db.session.get(Registration, row.registration_id)
    follow_up = row.kind == FeedbackStage.FOLLOW_UP
    endpoint = "feedback.follow_up" if follow_up else "feedback.form"
    context = {"kind": row.kind, "registration": reg, "event": reg.event,
               "form_url": external_url(endpoint, token=reg.manage_token, lang=reg.language)}
    return "feedback/message", context, {}
