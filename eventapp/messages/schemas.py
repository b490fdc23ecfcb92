"""API v1 shapes of a message to a group (PRODUCT.md)."""

from marshmallow import fields

from ..api.fields import Answer, Flag, Input, Moment, Text, TextList, WholeNumber
from ..models import Message, max_length
from ..urls import MAX_ID
from .audience import MAX_PICKED

PLACEHOLDERS = "`{name}`, `{ticket_url}` and `{agenda_url}` are filled per person"


class SubjectTexts(Input):
    en = Text(limit=max_length(Message.subject), load_default="")
    ja = Text(limit=max_length(Message.subject), load_default="")


class BodyTexts(Input):
    en = Text(limit=20000, load_default="")
    ja = Text(limit=20000, load_default="")


class AnswerFilter(Input):
    question = Text(required=True, limit=40, metadata={"description": "A question's code"})
    option = Text(limit=40, metadata={"description": "An option's code (choice questions)"})
    value = Flag(metadata={"description": "The answer to a yes/no question"})


class Audience(Input):
    status = TextList(max_items=5, metadata={"description": "Registration statuses; "
                                             "none: pending, confirmed and waitlisted"})
    category = TextList(max_items=50, metadata={"description": "Category codes"})
    checked_in = Flag(metadata={"description": "true: only those checked in; false: "
                                               "only those not; absent: both"})
    registration_ids = fields.List(WholeNumber(minimum=1, maximum=MAX_ID),
                                   metadata={"maxItems": MAX_PICKED,
                                             "description": "Hand-picked registrations"})
    answer = fields.Nested(AnswerFilter, metadata={
        "description": "Those who gave this answer to a registration question"})


class MessageCreate(Input):
    subject = fields.Nested(SubjectTexts, required=True, metadata={
        "description": f"Plain text in English and Japanese; {PLACEHOLDERS}"})
    body = fields.Nested(BodyTexts, required=True, metadata={
        "description": f"Plain text in English and Japanese; {PLACEHOLDERS}"})
    to = fields.Nested(Audience, load_default=dict)
    send_at = Moment(metadata={"description": "When to send it; absent: now"})


class MessageCreated(Answer):
    id = fields.Integer()
    recipients = fields.Integer(metadata={"minimum": 0})
    status = fields.String(metadata={"enum": ["scheduled", "queued"]})


class MessageState(Answer):
    id = fields.Integer()
    status = fields.String(metadata={"enum": ["scheduled", "queued", "sending", "sent",
                                              "cancelled"]})
    recipients = fields.Integer(metadata={"minimum": 0})
    sent = fields.Integer(metadata={"minimum": 0})
    failed = fields.Integer(metadata={"minimum": 0})
