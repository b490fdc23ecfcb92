"""API v1 shapes of the networking calls."""

from marshmallow import fields, validate
from marshmallow.experimental.context import Context

from ..api.fields import Answer, Flag, FormFlag, Input, LocalTime, Text, WholeNumber, zone
from ..api.schemas import Paging
from ..urls import MAX_ID
from . import live, services

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


class MeetingsQuery(Paging):
    published = FormFlag(load_default=False, metadata={
        "description": "1: exactly the published schedule attendees see; 0 or absent: the "
                       "working schedule (the draft where one exists)"})


class PersonInMeeting(Input):
    registration_id = WholeNumber(required=True, minimum=1, maximum=MAX_ID)


class LiveMeeting(NetworkingMeeting):
    """A published meeting as the door sees it."""

    arrived = fields.Function(lambda m: live.arrived_ids(m), metadata={
        "type": "array", "items": {"type": "integer"},
        "description": "Registration ids of the people at the table"})
    absent = fields.Integer(attribute="absent_id", allow_none=True, metadata={
        "description": "Registration id of the person marked absent, or null"})
    replaces = fields.Integer(attribute="replaces_id", allow_none=True, metadata={
        "description": "For a replacement: the id of the meeting with the no-show"})


class NoShowAnswer(Answer):
    """Dumped from {"meeting", "replacement"} inside a MeetingContext."""

    meeting = fields.Nested(LiveMeeting)
    replacement = fields.Nested(LiveMeeting, allow_none=True, metadata={
        "description": "The new meeting (same slot and table) with a checked-in attendee "
                       "free in that slot who fits, or null when nobody does"})


class OutcomeRequest(Input):
    registration_id = WholeNumber(required=True, minimum=1, maximum=MAX_ID)
    held = Flag(required=True, metadata={"description": "Whether the meeting took place"})
    rating = WholeNumber(minimum=1, maximum=4, load_default=None)
    follow_up = Flag(load_default=None, metadata={"description": "Wants to follow up"})
    note = Text(limit=2000, blank=True, load_default="")
    applicable = Flag(load_default=None, metadata={
        "description": "For officials: the technology applies in their country"})


class OutcomeAnswer(Answer):
    meeting_id = fields.Integer()
    registration_id = fields.Integer()
    held = fields.Boolean()
    rating = fields.Integer(allow_none=True)
    follow_up = fields.Boolean(allow_none=True)
    note = fields.String()
    applicable = fields.Boolean(allow_none=True)
