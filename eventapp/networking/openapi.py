"""OpenAPI paths of the networking calls (merged into /api/v1/openapi.json)."""

from ..api.openapi import (
    DT,
    DT_OR_NULL,
    PAGING,
    error_responses,
    json_content,
    operation,
    path_param,
)

_MEETING = {"$ref": "#/components/schemas/NetworkingMeeting"}
_NO_NETWORKING = {"description": "The event has no networking session "
                                 "(`error`: `no_networking`)"} | json_content(
    {"$ref": "#/components/schemas/Error"})

SCHEMAS = {
    "NetworkingMeeting": {
        "type": "object",
        "required": ["id", "slot", "starts_at", "table", "a", "b", "score", "reasons",
                     "published"],
        "properties": {
            "id": {"type": "integer"},
            "slot": {"type": "integer", "minimum": 0,
                     "description": "Slot index, counted from 0; `starts_at` is its time"},
            "starts_at": DT,
            "table": {"type": "integer", "minimum": 1},
            "a": {"type": "integer", "description": "Registration id (the lower of the two)"},
            "b": {"type": "integer", "description": "Registration id"},
            "score": {"type": "number"},
            "reasons": {"type": "array", "items": {"type": "string"},
                        "description": "Why the two meet, in English: each fitting "
                                       "country, each shared technology area, and "
                                       "\"meeting requested\" for an accepted request",
                        "example": ["Kenya", "Water purification"]},
            "published": {"type": "boolean",
                          "description": "Shown on the attendees' agendas"},
        },
    },
    "NetworkingMetrics": {
        "type": "object",
        "properties": {
            "meetings": {"type": "integer"},
            "participants": {"type": "integer",
                             "description": "People taking part (confirmed, opted in)"},
            "with_meeting": {"type": "integer"},
            "coverage": {"type": "number", "description": "Share of the people with a good "
                                                          "match who got a meeting"},
            "mean_score": {"type": "number"}, "total_score": {"type": "number"},
            "cross_side_share": {"type": "number",
                                 "description": "Share of meetings pairing a company "
                                                "with an official"},
            "table_use": {"type": "number",
                          "description": "Meetings / (slots x tables)"},
            "without_meeting": {"type": "array", "items": {
                "type": "object", "required": ["id", "reason"],
                "properties": {"id": {"type": "integer"},
                               "reason": {"enum": ["none_side", "no_match", "unavailable",
                                                   "capacity"]}}}},
        },
    },
    "NetworkingScheduleRequest": {
        "type": "object", "additionalProperties": False,
        "properties": {"only_checked_in": {
            "type": "boolean", "default": False,
            "description": "Schedule only attendees who have checked in"}},
    },
    "NetworkingSchedule": {
        "type": "object", "required": ["meetings", "metrics"],
        "properties": {"meetings": {"type": "array", "items": _MEETING},
                       "metrics": {"$ref": "#/components/schemas/NetworkingMetrics"}},
    },
    "NetworkingPublished": {
        "type": "object", "required": ["published", "notified", "published_at"],
        "properties": {
            "published": {"type": "integer", "description": "Meetings now on the agendas"},
            "notified": {"type": "integer",
                         "description": "Attendees e-mailed a link to their agenda"},
            "published_at": DT_OR_NULL,
        },
    },
}


def _paths() -> dict:
    event_id = path_param("event_id")
    base = "/api/v1/events/{event_id}/networking"
    return {
        f"{base}/schedule": {"post": operation(
            "Build a draft meeting schedule (locked meetings are kept, every other "
            "meeting is replaced)", {
                "200": {"description": "The new schedule and its figures"}
                | json_content({"$ref": "#/components/schemas/NetworkingSchedule"}),
                "409": _NO_NETWORKING,
            } | error_responses(400, 401, 403, 404, 422),
            body={"$ref": "#/components/schemas/NetworkingScheduleRequest"},
            params=[event_id], roles="organiser")},
        f"{base}/publish": {"post": operation(
            "Publish the schedule: agendas and calendar files show it, and each attendee "
            "with a meeting is e-mailed", {
                "200": {"description": "Published"}
                | json_content({"$ref": "#/components/schemas/NetworkingPublished"}),
                "409": _NO_NETWORKING,
            } | error_responses(401, 403, 404),
            params=[event_id], roles="organiser")},
        f"{base}/meetings": {"get": operation(
            "The current schedule, drafts included, by slot and table", {
                "200": {"description": "Meetings"}
                | json_content({"type": "array", "items": _MEETING}),
                "409": _NO_NETWORKING,
            } | error_responses(401, 403, 404, 422),
            params=[event_id, *PAGING], roles="organiser")},
    }


PATHS = _paths()
