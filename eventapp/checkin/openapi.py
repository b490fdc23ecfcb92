"""OpenAPI paths of the checkin calls (merged into /api/v1/openapi.json)."""

PATHS: dict = {}
SCHEMAS: dict = {}
