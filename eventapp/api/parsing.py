"""Turning JSON bodies into typed values, with a message per bad field (422)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request

from ..validation import ValidationErrors, unstorable, unstorable_message


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def json_object() -> dict:
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


class Fields:
    """Collects typed values and per-field errors from one JSON object."""

    def __init__(self, data: dict, prefix: str = ""):
        self.data, self.prefix, self.errors = data, prefix, {}

    def _fail(self, key, message):
        self.errors[self.prefix + key] = message

    def string(self, key, required=False, max_length=300, default=""):
        value = self.data.get(key)
        if value is None:
            if required:
                self._fail(key, "This field is required.")
            return default
        if not isinstance(value, str):
            self._fail(key, "Must be a string.")
            return default
        value = value.strip()
        if required and not value:
            self._fail(key, "This field is required.")
        elif len(value) > max_length:
            self._fail(key, f"At most {max_length} characters.")
        elif unstorable(value):
            self._fail(key, unstorable_message())
        return value

    def integer(self, key, required=False, minimum=None, maximum=None, default=None):
        value = self.data.get(key)
        if value is None:
            if required:
                self._fail(key, "This field is required.")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(key, "Must be a whole number.")
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self._fail(key, f"Must be between {minimum} and {maximum}.")
            return default
        return value

    def boolean(self, key, default=False):
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._fail(key, "Must be true or false.")
            return default
        return value

    def string_list(self, key, max_items=50):
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._fail(key, "Must be a list of strings.")
            return []
        if len(value) > max_items:
            self._fail(key, f"At most {max_items} items.")
            return []
        return [v.strip() for v in value]

    def datetime(self, key, tz: str | None, required=False):
        value = self.data.get(key)
        if value is None:
            if required:
                self._fail(key, "This field is required.")
            return None
        if not isinstance(value, str):
            self._fail(key, "Must be an ISO 8601 date and time.")
            return None
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            self._fail(key, "Must be an ISO 8601 date and time, e.g. 2026-06-09T10:00:00+09:00.")
            return None
        if parsed.tzinfo is None:
            try:
                parsed = parsed.replace(tzinfo=ZoneInfo(tz or "UTC"))
            except (KeyError, ValueError):
                self._fail(key, "Give an offset, e.g. +09:00.")
                return None
        return parsed

    def check(self):
        if self.errors:
            raise ValidationErrors(self.errors)


def query_args(integers: tuple[str, ...] = ()) -> Fields:
    """Query-string values; those named in `integers` read as integers when they are
    ASCII digits (str.isdigit() also takes "³", which int() refuses). Other values stay
    text, so a search for "2024" is a search."""
    return Fields({k: int(v) if k in integers and v.isascii() and v.isdigit()
                   and len(v) < 12 else v
                   for k, v in request.args.items()})


def paged(query):
    """`limit` and `offset` page any list call."""
    args = query_args(integers=("limit", "offset"))
    limit = args.integer("limit", minimum=1, maximum=1_000_000)
    offset = args.integer("offset", minimum=0, maximum=10**9, default=0)
    args.check()
    if limit is not None:
        query = query.limit(limit)
    return query.offset(offset) if offset else query
