"""API v1 shapes of feedback calls and of the `feedback` part of the event report."""

from marshmallow import fields

from ..api.fields import Answer


class FeedbackRecipients(Answer):
    recipients = fields.Integer(metadata={
        "minimum": 0, "description": "Attendees e-mailed now (checked in, not asked before, "
                                     "not opted out of messages)"})


class FeedbackSummary(Answer):
    requested = fields.Integer(metadata={"minimum": 0})
    responses = fields.Integer(metadata={"minimum": 0})
    mean_rating = fields.Float(allow_none=True, metadata={
        "minimum": 1, "maximum": 5, "description": "Null until someone answers"})
