"""OpenAPI paths of the networking calls (merged into /api/v1/openapi.json)."""

PATHS: dict = {}
SCHEMAS: dict = {}
