"""The OpenAPI 3 description of API v1. Paths are written in full (/api/v1/...)."""

from functools import cache

ERROR = {"$ref": "#/components/schemas/Error"}
DT = {"type": "string", "format": "date-time"}
DT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    descriptions = {400: "Malformed body", 401: "Missing or bad token",
                    403: "The token's role may not do this", 404: "Not found",
                    409: "Conflict", 422: "Invalid fields"}
    out = {}
    for code in codes:
        schema = {"$ref": "#/components/schemas/ValidationError"} if code == 422 else ERROR
        out[str(code)] = {"description": descriptions[code]} | _json(schema)
    return out


def _op(summary: str, responses: dict, *, body: dict | None = None, params=(), auth=True,
        roles: str = "") -> dict:
    op = {"summary": summary, "responses": responses}
    if roles:
        op["description"] = f"Roles: {roles}."
    if body is not None:
        op["requestBody"] = {"required": True} | _json(body)
    if params:
        op["parameters"] = list(params)
    if not auth:
        op["security"] = []
    return op


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


PAGING = (_query("limit", {"type": "integer", "minimum": 1}),
          _query("offset", {"type": "integer", "minimum": 0}))

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
    event_id = _path_param("event_id")
    return {
        "/api/v1/openapi.json": {"get": _op(
            "This description", {"200": {"description": "OpenAPI 3 document"}}, auth=False)},
        "/api/v1/events": {
            "get": _op("List events", {
                "200": {"description": "Events"} | _json(
                    {"type": "array", "items": {"$ref": "#/components/schemas/EventSummary"}}),
            } | _errors(401, 403, 422), params=PAGING, roles="door, organiser"),
            "post": _op("Create an event with the default categories and technology areas", {
                "201": {"description": "Created"} | _json({"$ref": "#/components/schemas/Event"}),
            } | _errors(400, 401, 403, 422), body={"$ref": "#/components/schemas/EventCreate"},
                roles="organiser"),
        },
        "/api/v1/events/{event_id}": {"get": _op("One event", {
            "200": {"description": "The event"} | _json({"$ref": "#/components/schemas/Event"}),
        } | _errors(401, 403, 404), params=[event_id], roles="door, organiser")},
    }


@cache
def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Event registration, check-in and networking API", "version": "1"},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": _base_paths(),
    }
