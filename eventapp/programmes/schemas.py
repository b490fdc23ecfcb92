"""API v1 shapes of programmes and their report (programmes.report)."""

from marshmallow import fields

from ..api.fields import N_, Answer, Input, Text, WholeNumber, _InputField
from ..feedback.schemas import FeedbackSummary
from ..models import Programme, max_length
from ..urls import MAX_ID

MAX_EVENTS = 200


class EventIds(_InputField, fields.List):
    """A list of event ids (whole numbers); whether they name events is the service's
    question (programmes.services)."""

    default_error_messages = {"invalid": N_("Must be a list of event ids."),
                              "too_many": N_("At most %(limit)d items.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(maxItems=MAX_EVENTS, minItems=1)
        super().__init__(WholeNumber(minimum=1, maximum=MAX_ID), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise self.make_error("invalid")
        if len(value) > MAX_EVENTS:
            raise self.make_error("too_many", limit=MAX_EVENTS)
        return super()._deserialize(value, attr, data, **kwargs)


class ProgrammeCreate(Input):
    title = Text(required=True, limit=max_length(Programme.title))
    event_ids = EventIds(required=True)


class ProgrammeSchema(Answer):
    id = fields.Integer()
    title = fields.String()
    event_ids = fields.List(fields.Integer())


class BilingualText(Answer):
    en = fields.String()
    ja = fields.String()


class ProgrammeReport(Answer):
    events = fields.Integer(metadata={"minimum": 0})
    participants = fields.Integer(metadata={
        "minimum": 0, "description": "Distinct people who checked in at one of the events "
                                     "(one person across events: the same e-mail address, "
                                     "case-insensitive)"})
    companies = fields.Integer(metadata={
        "minimum": 0, "description": "Distinct organisations of checked-in company "
                                     "representatives"})
    countries = fields.Integer(metadata={
        "minimum": 0, "description": "Distinct countries of checked-in attendees"})
    meetings_held = fields.Integer(metadata={"minimum": 0})
    follow_ups = fields.Integer(metadata={
        "minimum": 0, "description": "Meeting outcomes of held meetings saying the person "
                                     "wants to follow up"})
    feedback = fields.Nested(FeedbackSummary)
    summary = fields.Nested(BilingualText)
