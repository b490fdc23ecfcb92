"""OpenAPI paths of the registration calls (merged into /api/v1/openapi.json)."""

from ..api.openapi import (
    DT_OR_NULL,
    PAGING,
    error_responses,
    json_content,
    operation,
    path_param,
    query_param,
)

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_FIELDS = {
    "name": {"type": "string"}, "name_kana": {"type": "string"},
    "email": {"type": "string", "format": "email"}, "category": {"type": "string"},
    "organisation": {"type": "string"}, "country": {"type": ["string", "null"]},
    "job_title": {"type": "string"}, "language": {"enum": ["en", "ja"]},
    "networking_opt_in": {"type": "boolean"}, "technologies_offered": _STR_LIST,
    "technology_needs": _STR_LIST, "target_countries": _STR_LIST,
}
_STATUS = {"enum": ["pending", "confirmed", "waitlisted", "cancelled", "rejected"]}
_URL = {"type": "string", "format": "uri"}

SCHEMAS = {
    "RegistrationCreate": {
        "type": "object", "required": ["name", "email", "category"],
        "properties": _FIELDS | {"phone": {"type": "string"}, "notify": {"type": "boolean"}},
    },
    "Registration": {
        "type": "object",
        "required": ["id", "status", "checked_in_at", "ticket_url", "qr_png_url", "manage_url",
                     "agenda_ics_url", *_FIELDS],
        "properties": {"id": {"type": "integer"}, "status": _STATUS,
                       "checked_in_at": DT_OR_NULL, "ticket_url": _URL, "qr_png_url": _URL,
                       "manage_url": _URL, "agenda_ics_url": _URL} | _FIELDS,
    },
    "RegistrationForDoor": {
        "type": "object",
        "required": ["id", "name", "name_kana", "organisation", "category", "status",
                     "checked_in_at"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                       "name_kana": {"type": "string"}, "organisation": {"type": "string"},
                       "category": {"type": "string"}, "status": _STATUS,
                       "checked_in_at": DT_OR_NULL},
    },
    "Duplicate": {
        "type": "object", "required": ["error", "message", "id"],
        "properties": {"error": {"const": "duplicate"}, "message": {"type": "string"},
                       "id": {"type": "integer"}},
    },
}

_REG = {"$ref": "#/components/schemas/Registration"}
_EVENT = path_param("event_id")
_RID = path_param("registration_id")

PATHS = {
    "/api/v1/events/{event_id}/registrations": {
        "get": operation(
            "List registrations (door staff get fewer fields)",
            {"200": {"description": "Registrations, sorted by name reading (door staff: "
                                    "the RegistrationForDoor fields only)"} | json_content(
                {"type": "array", "items": {"anyOf": [
                    _REG, {"$ref": "#/components/schemas/RegistrationForDoor"}]}})}
            | error_responses(401, 403, 404, 422),
            params=[_EVENT, query_param("status", _STATUS), query_param("q", {"type": "string"}),
                    *PAGING], roles="door, organiser"),
        "post": operation(
            "Create a registration (import); not held for approval",
            {"201": {"description": "Created"} | json_content(_REG),
             "409": {"description": "An active registration has this e-mail"}
             | json_content({"$ref": "#/components/schemas/Duplicate"})}
            | error_responses(400, 401, 403, 404, 422),
            body={"$ref": "#/components/schemas/RegistrationCreate"}, params=[_EVENT],
            roles="organiser"),
    },
    "/api/v1/events/{event_id}/registrations/{registration_id}": {
        "get": operation("One registration", {"200": {"description": "The registration"}
                                              | json_content(_REG)}
                         | error_responses(401, 403, 404), params=[_EVENT, _RID],
                         roles="organiser"),
    },
    "/api/v1/events/{event_id}/registrations/{registration_id}/cancel": {
        "post": operation("Cancel; the first waitlisted person is promoted",
                          {"200": {"description": "The cancelled registration"}
                           | json_content(_REG)} | error_responses(401, 403, 404, 409),
                          params=[_EVENT, _RID], roles="organiser"),
    },
}
