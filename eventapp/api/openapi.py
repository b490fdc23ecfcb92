"""The OpenAPI 3 description of API v1. Paths are written in full (/api/v1/...)."""

from functools import cache

ERROR = {"$ref": "#/components/schemas/Error"}
DT = {"type": "string", "format": "date-time"}
DT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


def json_content(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def error_responses(*codes: int) -> dict:
    descriptions = {400: "Malformed body", 401: "Missing or bad token",
                    403: "The token's role may not do this", 404: "Not found",
                    409: "Conflict", 422: "Invalid fields"}
    out = {}
    for code in codes:
        schema = {"$ref": "#/components/schemas/ValidationError"} if code == 422 else ERROR
        out[str(code)] = {"description": descriptions[code]} | json_content(schema)
    return out


def operation(summary: str, responses: dict, *, body: dict | None = None, params=(), auth=True,
        roles: str = "") -> dict:
    op = {"summary": summary, "responses": responses}
    if roles:
        op["description"] = f"Roles: {roles}."
    if body is not None:
        op["requestBody"] = {"required": True} | json_content(body)
    if params:
        op["parameters"] = list(params)
    if not auth:
        op["security"] = []
    return op


def path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def query_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


PAGING = (query_param("limit", {"type": "integer", "minimum": 1}),
          query_param("offset", {"type": "integer", "minimum": 0}))

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "ValidationError": {
        "type": "object", "required": ["error", "message", "fields"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object",
                                  "additionalProperties": {"type": "string"}}},
    },
    "EventSummary": {
        "type": "object", "required": ["id", "slug", "title", "starts_at", "ends_at", "capacity"],
        "properties": {"id": {"type": "integer"}, "slug": {"type": "string"},
                       "title": {"type": "string"}, "starts_at": DT, "ends_at": DT,
                       "capacity": {"type": "integer"}},
    },
    "Networking": {
        "type": "object",
        "properties": {"starts_at": DT, "slot_minutes": {"type": "integer"},
                       "slots": {"type": "integer"}, "tables": {"type": "integer"},
                       "max_meetings_per_person": {"type": "integer"}},
    },
    "Event": {
        "allOf": [{"$ref": "#/components/schemas/EventSummary"}, {
            "type": "object",
            "required": ["categories", "technology_areas", "networking", "timezone"],
            "properties": {
                "description": {"type": "string"}, "venue": {"type": "string"},
                "timezone": {"type": "string"},
                "registration_opens_at": DT_OR_NULL, "registration_closes_at": DT_OR_NULL,
                "categories": {"type": "array", "items": {
                    "type": "object",
                    "required": ["code", "name", "networking_side", "requires_approval"],
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                   "networking_side": {"enum": ["offer", "need", "both",
                                                                "none"]},
                                   "requires_approval": {"type": "boolean"}}}},
                "technology_areas": {"type": "array", "items": {
                    "type": "object", "required": ["code", "name"],
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}},
                "networking": {"oneOf": [{"$ref": "#/components/schemas/Networking"},
                                         {"type": "null"}]},
                "agenda": {"type": "array", "items": {"type": "object"}},
            }}],
    },
    "EventCreate": {
        "type": "object", "required": ["title", "starts_at", "ends_at", "capacity"],
        "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                       "starts_at": DT, "ends_at": DT, "timezone": {"type": "string"},
                       "venue": {"type": "string"}, "capacity": {"type": "integer", "minimum": 0},
                       "registration_opens_at": DT, "registration_closes_at": DT,
                       "networking": {"$ref": "#/components/schemas/Networking"}},
    },
}

def _base_paths() -> dict:
    event_id = path_param("event_id")
    return {
        "/api/v1/openapi.json": {"get": operation(
            "This description", {"200": {"description": "OpenAPI 3 document"}}, auth=False)},
        "/api/v1/events": {
            "get": operation("List events", {
                "200": {"description": "Events"} | json_content(
                    {"type": "array", "items": {"$ref": "#/components/schemas/EventSummary"}}),
            } | error_responses(401, 403, 422), params=PAGING, roles="door, organiser"),
            "post": operation("Create an event with the default categories and technology areas", {
                "201": {"description": "Created"} | json_content({"$ref": "#/components/schemas/Event"}),
            } | error_responses(400, 401, 403, 422), body={"$ref": "#/components/schemas/EventCreate"},
                roles="organiser"),
        },
        "/api/v1/events/{event_id}": {"get": operation("One event", {
            "200": {"description": "The event"} | json_content({"$ref": "#/components/schemas/Event"}),
        } | error_responses(401, 403, 404), params=[event_id], roles="door, organiser")},
    }


def _feature_specs():
    from ..checkin import openapi as checkin_spec
    from ..networking import openapi as networking_spec
    from ..registration import openapi as registration_spec
    from ..reports import openapi as reports_spec

    return (registration_spec, checkin_spec, networking_spec, reports_spec)


@cache
def openapi_document() -> dict:
    paths, schemas = _base_paths(), dict(SCHEMAS)
    for spec in _feature_specs():
        paths |= spec.PATHS
        schemas |= spec.SCHEMAS
    return {
        "openapi": "3.1.0",
        "info": {"title": "Event registration, check-in and networking API", "version": "1"},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": paths,
    }
