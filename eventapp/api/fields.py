"""The field types API v1 shapes are made of, and the two kinds of shape: `Input`
(a body or query string, loaded) and `Answer` (a JSON answer, dumped).

Input fields keep the API's long-standing rules: JSON `null` is the same as leaving
the field out, text is stripped, numbers and booleans are strict (no "12" or "yes"),
and each bad field gets one plain message, in the request's language.
"""

import functools
import operator
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask_babel import gettext
from marshmallow import fields, missing
from werkzeug.datastructures import FileStorage

from ..urls import external_url
from ..validation import moment_problem, text_problem


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated when raised."""
    return message


REQUIRED = N_("This field is required.")


class Input(ma.Schema):
    """A request body or query string. Keys the shape does not name are ignored."""

    class Meta:
        unknown = ma.EXCLUDE


class Answer(ma.Schema):
    """A JSON answer. Every field is always in it (null where there is no value), so the
    document lists them all as required, except the names in OPTIONAL."""

    OPTIONAL: tuple[str, ...] = ()

    class Meta:
        unknown = ma.EXCLUDE  # (for the document: no additionalProperties, as before)


class _InputField:
    """Null is missing; messages are translated when raised (placeholders: %(name)s)."""

    default_error_messages = {"required": REQUIRED, "null": REQUIRED}

    def make_error(self, key: str, **kwargs) -> ma.ValidationError:
        return ma.ValidationError(gettext(self.error_messages[key], **kwargs))

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return super().deserialize(missing if value is None else value, attr, data, **kwargs)


class Text(_InputField, fields.String):
    """Text, stripped; required text may not be blank (unless `blank`: the shape then
    decides). A limit, when given, is a
    model column's length (`max_length(Model.column)`). What a database cannot store
    is refused (validation.text_problem); whether a name is readable is the service's
    rule, shared with the pages."""

    default_error_messages = {"invalid": N_("Must be a string."),
                              "too_long": N_("At most %(limit)d characters.")}

    def __init__(self, *, limit: int | None = None, blank: bool = False, **kwargs):
        if limit is not None:
            kwargs.setdefault("metadata", {})["maxLength"] = limit
        super().__init__(**kwargs)
        self.limit, self.blank = limit, blank

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if self.required and not value and not self.blank:
            raise self.make_error("required")
        if self.limit is not None and len(value) > self.limit:
            raise self.make_error("too_long", limit=self.limit)
        if message := text_problem(value, one_line=False):
            raise ma.ValidationError(message)
        return value


class WholeNumber(_InputField, fields.Integer):
    """An integer (not a boolean, not a numeric string), within bounds when given."""

    default_error_messages = {
        "invalid": N_("Must be a whole number."),
        "out_of_range": N_("Must be between %(minimum)s and %(maximum)s.")}

    def __init__(self, *, minimum: int | None = None, maximum: int | None = None, **kwargs):
        metadata = kwargs.setdefault("metadata", {})
        if minimum is not None:
            metadata["minimum"] = minimum
        if maximum is not None:
            metadata["maximum"] = maximum
        super().__init__(strict=True, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        if (self.minimum is not None and number < self.minimum) or \
                (self.maximum is not None and number > self.maximum):
            raise self.make_error("out_of_range", minimum=self.minimum, maximum=self.maximum)
        return number


class QueryNumber(WholeNumber):
    """A whole number in the query string: ASCII digits only (str.isdigit() also takes
    "³", which int() refuses; int() also takes "1_0" and " 1")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(_InputField, fields.Boolean):
    """true or false, nothing else ("yes" and 1 are refused)."""

    default_error_messages = {"invalid": N_("Must be true or false.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class FormFlag(_InputField, fields.String):
    """A multipart form's on/off field: 1 or 0 (true and false also do)."""

    WORDS = {"1": True, "true": True, "0": False, "false": False}
    default_error_messages = {"invalid": N_("Must be 1 or 0.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})["enum"] = list(self.WORDS)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or value.strip().lower() not in self.WORDS:
            raise self.make_error("invalid")
        return self.WORDS[value.strip().lower()]


class Upload(_InputField, fields.Raw):
    """An uploaded file (multipart), read as its name and bytes."""

    default_error_messages = {"invalid": N_("Must be a file.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(type="string", format="binary")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class TextList(_InputField, fields.List):
    """A list of short strings (codes), each stripped."""

    default_error_messages = {"invalid": N_("Must be a list of strings."),
                              "too_many": N_("At most %(limit)d items.")}

    def __init__(self, *, max_items: int = 50, **kwargs):
        kwargs.setdefault("metadata", {})["maxItems"] = max_items
        super().__init__(fields.String(), load_default=list, dump_default=list, **kwargs)
        self.max_items = max_items

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.make_error("invalid")
        if len(value) > self.max_items:
            raise self.make_error("too_many", limit=self.max_items)
        return [v.strip() for v in value]

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


class Moment(_InputField, fields.DateTime):
    """An ISO 8601 date and time. One without an offset stays naive here; the shape's
    post_load reads it in the event's time zone (see `in_time_zone`). A time this app
    cannot handle (validation.moment_problem) is refused here; the service checks it
    again in the event's time zone."""

    default_error_messages = {
        "invalid": N_("Must be an ISO 8601 date and time, e.g. 2026-06-09T10:00:00+09:00.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as e:
            raise self.make_error("invalid") from e
        if message := moment_problem(moment):
            raise ma.ValidationError(message)
        return moment


def in_time_zone(values: dict, names: tuple[str, ...], tz: str) -> dict:
    """Reads the naive times among `values[names]` in the time zone `tz`; raises a
    ValidationError naming each time that cannot be placed."""
    naive = [n for n in names if isinstance(values.get(n), datetime)
             and values[n].tzinfo is None]
    if not naive:
        return values
    try:
        place = ZoneInfo(tz)
    except (KeyError, ValueError) as e:
        message = gettext("Give an offset, e.g. +09:00.")
        raise ma.ValidationError({n: [message] for n in naive}) from e
    return values | {n: values[n].replace(tzinfo=place) for n in naive}


class LocalTime(fields.DateTime):
    """A stored UTC time, answered with the offset of a time zone read from the object:
    `tz` is its attribute path (e.g. "event.timezone") or a function of the object."""

    def __init__(self, *, tz: str | Callable = "timezone", **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)
        self.tz = tz if callable(tz) else _attribute_or_key(tz)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(zone(self.tz(obj))).isoformat()


def _attribute_or_key(path: str) -> Callable:
    read = operator.attrgetter(path)  # (fast: the check-in answer reads it twice)
    return lambda obj: obj[path] if isinstance(obj, dict) else read(obj)


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """A time zone by name (cached: every answer with a time asks)."""
    return ZoneInfo(name)


class Sometimes(fields.String):
    """Text that is in the answer only where `value(obj)` gives some (list the field
    in the shape's OPTIONAL)."""

    def __init__(self, value: Callable, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def get_value(self, obj, attr, accessor=None, default=missing):
        value = self.value(obj)
        return missing if value is None else value


class Code(fields.String):
    """The code of a related row (a registration's category), or a code as it is."""

    def _serialize(self, value, attr, obj, **kwargs):
        return getattr(value, "code", value)


class SecretLink(fields.String):
    """An absolute secret link of a registration (no login needed), made from its
    manage token."""

    def __init__(self, endpoint: str, **kwargs):
        kwargs.setdefault("metadata", {})["format"] = "uri"
        super().__init__(**kwargs)
        self.endpoint = endpoint

    def get_value(self, obj, attr, accessor=None, default=missing):
        return external_url(self.endpoint, token=obj.manage_token)
