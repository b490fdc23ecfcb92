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
    networking = fields.Nested(lambda: ReportNetworking(), metadata={
        "description": "The networking session: what was scheduled and what happened"})


class ReportNetworking(Answer):
    """networking.outcomes.SessionFigures."""

    scheduled = _count("Meetings attendees were told of (published, or fallen through "
                       "with a no-show); not those a later publication cancelled")
    held = _count("Meetings an outcome says took place (and none says did not)")
    no_shows = _count("Meetings with someone marked absent")
    replacements = _count("Meetings booked after a no-show")
    rated = _count("Ratings given (one per person and meeting)")
    mean_rating = fields.Float(allow_none=True, metadata={
        "minimum": 1, "maximum": 4, "description": "Mean rating, 1-4; null without one"})
    follow_ups = _count("People who want to follow up, per meeting")
