"""OpenAPI paths of the reports calls (merged into /api/v1/openapi.json)."""

_COUNT = {"type": "integer", "minimum": 0}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

SCHEMAS: dict = {
    "ReportBreakdown": {
        "type": "object", "required": ["registered", "checked_in"],
        "properties": {"registered": _COUNT, "checked_in": _COUNT},
    },
    "Report": {
        "type": "object",
        "required": ["registered", "confirmed", "waitlisted", "pending", "cancelled",
                     "checked_in", "by_category", "by_country", "organisations_checked_in",
                     "countries_checked_in", "summary"],
        "properties": {
            "registered": _COUNT | {"description": "confirmed + waitlisted + pending"},
            "confirmed": _COUNT, "waitlisted": _COUNT, "pending": _COUNT,
            "cancelled": _COUNT,
            "checked_in": _COUNT | {"description": "Registrations with a check-in time"},
            "by_category": {
                "type": "object", "description": "From category code",
                "additionalProperties": {"$ref": "#/components/schemas/ReportBreakdown"}},
            "by_country": {
                "type": "object",
                "description": "From ISO 3166-1 alpha-2 code; ZZ for registrations "
                               "without a country",
                "additionalProperties": {"$ref": "#/components/schemas/ReportBreakdown"}},
            "organisations_checked_in": _COUNT | {
                "description": "Distinct organisations among checked-in attendees"},
            "countries_checked_in": _COUNT | {
                "description": "Distinct countries among checked-in attendees"},
            "summary": {
                "type": "string",
                "example": "48 participants attended, including representatives of 9 "
                           "companies and officials from 7 countries."},
        },
    },
}

PATHS: dict = {
    "/api/v1/events/{event_id}/report": {"get": {
        "summary": "Attendance figures of an event",
        "description": "Roles: organiser.",
        "parameters": [{"name": "event_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {
            "200": {"description": "The report", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Report"}}}},
            "401": {"description": "Missing or bad token"} | _ERROR,
            "403": {"description": "The token's role may not do this"} | _ERROR,
            "404": {"description": "Not found"} | _ERROR,
        },
    }},
}
