"""OpenAPI paths of the reports calls (merged into /api/v1/openapi.json)."""

PATHS: dict = {}
SCHEMAS: dict = {}
