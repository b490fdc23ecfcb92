"""API v1 shapes of the networking calls."""

from marshmallow import fields, validate
from marshmallow.experimental.context import Context

from ..api.fields import Answer, Flag, Input, LocalTime, zone
from . import services

# What a meeting's answer is read with: {"event": Event, "wording": Wording}.
MeetingContext = Context[dict]


def _starts_at(meeting) -> str:
    event = MeetingContext.get()["event"]
    return services.slot_start(event, meeting.slot).astimezone(
        zone(event.timezone)).isoformat()


def _reasons(meeting) -> list[str]:
    return MeetingContext.get()["wording"].reason_list(meeting.reasons)


class NetworkingMeeting(Answer):
    """Dumped inside `with MeetingContext({"event": ..., "wording": ...})`."""

    id = fields.Integer()
    slot = fields.Integer(metadata={
        "minimum": 0, "description": "Slot index, counted from 0; `starts_at` is its time"})
    starts_at = fields.Function(_starts_at, metadata={"type": "string",
                                                      "format": "date-time"})
    table = fields.Integer(attribute="table_number", metadata={"minimum": 1})
    a = fields.Integer(attribute="a_id",
                       metadata={"description": "Registration id (the lower of the two)"})
    b = fields.Integer(attribute="b_id", metadata={"description": "Registration id"})
    score = fields.Function(lambda m: round(float(m.score or 0.0), 4),
                            metadata={"type": "number"})
    reasons = fields.Function(_reasons, metadata={
        "type": "array", "items": {"type": "string"},
        "description": "Why the two meet, in English: each fitting country, each shared "
                       "technology area, and \"meeting requested\" for an accepted request",
        "example": ["Kenya", "Water purification"]})
    published = fields.Boolean(metadata={"description": "Shown on the attendees' agendas"})


class WithoutMeeting(Answer):
    id = fields.Integer()
    reason = fields.String(validate=validate.OneOf(
        ["none_side", "no_match", "unavailable", "capacity"]))


class NetworkingMetrics(Answer):
    meetings = fields.Integer()
    participants = fields.Integer(metadata={
        "description": "People taking part (confirmed, opted in)"})
    with_meeting = fields.Integer()
    coverage = fields.Float(metadata={
        "description": "Share of the people with a good match who got a meeting"})
    mean_score = fields.Float()
    total_score = fields.Float()
    cross_side_share = fields.Float(metadata={
        "description": "Share of meetings pairing a company with an official"})
    table_use = fields.Float(metadata={"description": "Meetings / (slots x tables)"})
    without_meeting = fields.List(fields.Nested(WithoutMeeting))


class NetworkingScheduleRequest(Input):
    only_checked_in = Flag(load_default=False, metadata={
        "description": "Schedule only attendees who have checked in"})


class NetworkingSchedule(Answer):
    """A services.ScheduleResult, dumped inside a MeetingContext."""

    meetings = fields.List(fields.Nested(NetworkingMeeting))
    metrics = fields.Nested(NetworkingMetrics)


class NetworkingPublished(Answer):
    """Dumped from {"meetings", "notified", "published_at", "timezone"}."""

    published = fields.Integer(attribute="meetings",
                               metadata={"description": "Meetings now on the agendas"})
    notified = fields.Integer(metadata={
        "description": "Attendees e-mailed a link to their agenda"})
    published_at = LocalTime()
