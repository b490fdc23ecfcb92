"""API v1 shapes of programmes and their report (programmes.report)."""

from marshmallow import fields

from ..api.fields import Answer, Input, Text, WholeNumber
from ..feedback.schemas import FeedbackSummary
from ..models import Programme, max_length
from ..urls import MAX_ID


class ProgrammeCreate(Input):
    title = Text(required=True, limit=max_length(Programme.title))
    event_ids = fields.List(WholeNumber(minimum=1, maximum=MAX_ID), required=True,
                            metadata={"maxItems": 200, "minItems": 1})


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
