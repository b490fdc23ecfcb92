"""API v1 shape of an event's report (reports.services.api_report)."""

from marshmallow import fields

from ..api.fields import Answer
from ..feedback.schemas import FeedbackSummary

COUNT = {"minimum": 0}


def _count(description: str | None = None):
    return fields.Integer(metadata=COUNT | ({"description": description} if description
                                            else {}))


class ReportBreakdown(Answer):
    registered = _count()
    checked_in = _count()


class Report(Answer):
    registered = _count("confirmed + waitlisted + pending")
    confirmed = _count()
    waitlisted = _count()
    pending = _count()
    cancelled = _count()
    checked_in = _count("Registrations with a check-in time")
    by_category = fields.Dict(keys=fields.String(), values=fields.Nested(ReportBreakdown),
                              metadata={"description": "From category code"})
    by_country = fields.Dict(
        keys=fields.String(), values=fields.Nested(ReportBreakdown),
        metadata={"description": "From ISO 3166-1 alpha-2 code; ZZ for registrations "
                                 "without a country"})
    organisations_checked_in = _count("Distinct organisations among checked-in attendees")
    countries_checked_in = _count("Distinct countries among checked-in attendees")
    summary = fields.String(metadata={
        "example": "48 participants attended, including representatives of 9 companies "
                   "and officials from 7 countries."})
    feedback = fields.Nested(FeedbackSummary, metadata={
        "description": "Feedback requests sent, answers and their mean rating (1-5)"})
