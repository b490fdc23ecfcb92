"""OpenAPI paths of the check-in calls (merged into /api/v1/openapi.json)."""

from ..api.openapi import DT_OR_NULL, json_content, operation, path_param

_RESULTS = ["checked_in", "already_checked_in", "unknown_code", "not_admitted", "wrong_event"]
_NULLABLE_STRING = {"type": ["string", "null"]}
_ANSWER = {"$ref": "#/components/schemas/CheckinAnswer"}
_FAILED = {"$ref": "#/components/schemas/CheckinError"}

SCHEMAS = {
    "CheckinRequest": {
        "description": "Exactly one of `code` (the text read from the QR, any case, "
                       "whitespace ignored) and `registration_id` (a check-in from a name "
                       "search).",
        "oneOf": [
            {"type": "object", "required": ["code"], "additionalProperties": False,
             "properties": {"code": {"type": "string", "minLength": 1}}},
            {"type": "object", "required": ["registration_id"], "additionalProperties": False,
             "properties": {"registration_id": {"type": "integer"}}},
        ],
    },
    "CheckinRegistration": {
        "description": "What door staff see, plus the country for the result card.",
        "allOf": [{"$ref": "#/components/schemas/RegistrationForDoor"}, {
            "type": "object", "required": ["country"],
            "properties": {"country": _NULLABLE_STRING}}],
    },
    "CheckinAnswer": {
        "type": "object", "required": ["result", "registration", "checked_in_at",
                                       "checked_in_by"],
        "properties": {
            "result": {"enum": [*_RESULTS, "undone"]},
            "registration": {"oneOf": [{"$ref": "#/components/schemas/CheckinRegistration"},
                                       {"type": "null"}]},
            "checked_in_at": DT_OR_NULL,
            "checked_in_by": {"description": "Display name of the staff member who "
                                             "checked the person in", **_NULLABLE_STRING},
            "reason": {"enum": ["cancelled", "waitlisted", "pending", "rejected"],
                       "description": "With not_admitted: the registration's status"},
            "error": {"type": "string"}, "message": {"type": "string"},
        },
    },
    "CheckinError": {
        "description": "A call that checked nobody in. `result` is `unknown_code` for "
                       "input that is no code of ours (malformed, too large), null when "
                       "the call itself failed (token, role, event, rate limit).",
        "type": "object",
        "required": ["result", "registration", "checked_in_at", "checked_in_by", "error",
                     "message"],
        "properties": {
            "result": {"enum": ["unknown_code", None]},
            "registration": {"oneOf": [{"$ref": "#/components/schemas/CheckinRegistration"},
                                       {"type": "null"}]},
            "checked_in_at": {"type": "null"}, "checked_in_by": {"type": "null"},
            "error": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


def _answer(description: str, schema=_ANSWER) -> dict:
    return {"description": description} | json_content(schema)


_EVENT = path_param("event_id")
_RID = path_param("registration_id")

PATHS = {
    "/api/v1/events/{event_id}/checkins": {
        "post": operation(
            "Check a person in by the code read from their QR, or by registration id",
            {
                "201": _answer("`checked_in`: admitted now"),
                "200": _answer("`already_checked_in`, with `checked_in_at` and "
                               "`checked_in_by`"),
                "400": _answer("The body is not a JSON object", _FAILED),
                "401": _answer("Missing or bad token", _FAILED),
                "403": _answer("The token's role may not check people in", _FAILED),
                "404": {"description": "`unknown_code` (no registration has this code or "
                                       "id; a reissued ticket's old code is unknown), or no "
                                       "such event (`result` null)"}
                | json_content({"anyOf": [_ANSWER, _FAILED]}),
                "409": _answer("`not_admitted` (with `reason`) or `wrong_event` (the code "
                               "belongs to another event)"),
                "413": _answer("The body is too large", _FAILED),
                "422": _answer("Neither or both of code and registration_id, or a wrong "
                               "type (`fields` says which)", _FAILED),
                "429": _answer("Too many scans from this token", _FAILED),
            },
            body={"$ref": "#/components/schemas/CheckinRequest"}, params=[_EVENT],
            roles="door, organiser"),
    },
    "/api/v1/events/{event_id}/checkins/{registration_id}": {
        "delete": operation(
            "Undo a check-in (logged in the scan log as `undone`)",
            {
                "200": _answer("`undone`, with the registration as it is now"),
                "401": _answer("Missing or bad token", _FAILED),
                "403": _answer("The token's role may not do this", _FAILED),
                "404": _answer("The registration is not checked in, or not at this event",
                               _FAILED),
            },
            params=[_EVENT, _RID], roles="door, organiser"),
    },
}
