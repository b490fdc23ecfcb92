"""API v1 shapes of events, and the paging every list call takes."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..content import translated, translations_of
from ..events.slugs import SLUG_RE
from ..models import Event, NetworkingSide, max_length
from .fields import (
    Answer,
    Flag,
    Input,
    LocalTime,
    Moment,
    QueryNumber,
    Text,
    WholeNumber,
    in_time_zone,
)

DESCRIPTION_LIMIT = 20_000  # the description is a TEXT column; this keeps bodies sane


class Paging(Input):
    limit = QueryNumber(minimum=1, maximum=1_000_000)
    offset = QueryNumber(minimum=0, maximum=10**9, load_default=0)


def page(query, args: dict):
    """A list call's query, paged by the loaded `limit` and `offset`."""
    if args.get("limit") is not None:
        query = query.limit(args["limit"])
    return query.offset(args["offset"]) if args.get("offset") else query


class InEnglish(fields.String):
    """A text in English, or in Japanese where there is no English (an event may be
    Japanese only); the Japanese versions are in `translations`."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return translated(obj, attr, "en")


class EventTexts(Answer):
    title = fields.String()
    description = fields.String()
    venue = fields.String()


class EventTranslations(Answer):
    ja = fields.Nested(EventTexts)


class _TranslationsOfEvent(fields.Nested):
    def get_value(self, obj, attr, accessor=None, default=None):
        return translations_of(obj)


class EventSummary(Answer):
    id = fields.Integer()
    slug = fields.String()
    title = InEnglish()
    starts_at = LocalTime(allow_none=False)
    ends_at = LocalTime(allow_none=False)
    capacity = fields.Integer()


class CategorySchema(Answer):
    code = fields.String()
    name = fields.String()
    networking_side = fields.String(validate=validate.OneOf(list(NetworkingSide)))
    requires_approval = fields.Boolean()


class TechnologyAreaSchema(Answer):
    code = fields.String()
    name = fields.String()


class AgendaItemSchema(Answer):
    starts_at = LocalTime(tz="event.timezone", allow_none=False)
    ends_at = LocalTime(tz="event.timezone")
    title = InEnglish()
    speaker = InEnglish()


class NetworkingSchema(Answer):
    """Read from the event's networking_* columns."""

    starts_at = LocalTime(attribute="networking_starts_at", allow_none=False)
    slot_minutes = fields.Integer(attribute="networking_slot_minutes")
    slots = fields.Integer(attribute="networking_slots")
    tables = fields.Integer(attribute="networking_tables")
    max_meetings_per_person = fields.Integer(attribute="networking_max_meetings")


class _NetworkingOfEvent(fields.Nested):
    """The event's own networking columns as one object; null without a session."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj if obj.has_networking else None


class EventSchema(EventSummary):
    description = InEnglish()
    venue = InEnglish()
    translations = _TranslationsOfEvent(EventTranslations)
    timezone = fields.String()
    registration_opens_at = LocalTime()
    registration_closes_at = LocalTime()
    confirm_email = fields.Boolean(metadata={
        "description": "A public sign-up is pending, holding no seat, until its e-mail "
                       "address is confirmed"})
    categories = fields.List(fields.Nested(CategorySchema))
    technology_areas = fields.List(fields.Nested(TechnologyAreaSchema))
    networking = _NetworkingOfEvent(NetworkingSchema, allow_none=True)
    agenda = fields.List(fields.Nested(AgendaItemSchema), attribute="agenda_items")


class NetworkingSettings(Input):
    error_messages = {"type": _l("Must be an object.")}

    starts_at = Moment(required=True)
    slot_minutes = WholeNumber(load_default=15)
    slots = WholeNumber(load_default=6)
    tables = WholeNumber(load_default=10)
    max_meetings_per_person = WholeNumber(load_default=4)


class JapaneseEventTexts(Input):
    error_messages = {"type": _l("Must be an object.")}

    title = Text(limit=max_length(Event.title_ja))
    description = Text(limit=DESCRIPTION_LIMIT)
    venue = Text(limit=max_length(Event.venue_ja))


class EventTranslationsInput(Input):
    error_messages = {"type": _l("Must be an object.")}

    ja = fields.Nested(JapaneseEventTexts)


class EventCreate(Input):
    """The event; `title` may be blank ("") when `translations.ja.title` is given (an
    event in Japanese only)."""

    title = Text(required=True, blank=True, limit=max_length(Event.title))
    slug = Text(limit=max_length(Event.slug), metadata={"pattern": SLUG_RE.pattern})
    translations = fields.Nested(EventTranslationsInput)
    description = Text(limit=DESCRIPTION_LIMIT, load_default="")
    venue = Text(limit=max_length(Event.venue), load_default="")
    timezone = Text(limit=max_length(Event.timezone), load_default="UTC")
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    capacity = WholeNumber(required=True, minimum=0, maximum=1_000_000)
    registration_opens_at = Moment(load_default=None)
    registration_closes_at = Moment(load_default=None)
    networking = fields.Nested(NetworkingSettings, load_default=None, allow_none=True)
    confirm_email = Flag(load_default=True, metadata={
        "description": "Public sign-ups confirm their e-mail address before a seat is "
                       "held (default true; organisers' creates and imports never wait)"})

    @validates_schema(skip_on_field_errors=False)
    def _has_a_title(self, data, partial=None, **kwargs):
        if partial:
            return
        japanese = (data.get("translations") or {}).get("ja") or {}
        if "title" in data and not data["title"] and not japanese.get("title"):
            raise ValidationError(
                gettext("Give the event a title (in English, Japanese or both)."), "title")

    @post_load
    def _times_in_the_event_zone(self, data, **kwargs):
        data["timezone"] = data["timezone"] or "UTC"
        return place_times(data, data["timezone"])


class EventChange(EventCreate):
    """Any field of the create call, plus `slug` and `translations`; fields left out
    keep their value. Times without an offset are read in the event's time zone (the
    view places them: this shape does not know the event)."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)

    def _times_in_the_event_zone(self, data, **kwargs):  # not a hook here: see the view
        return data


def place_times(data: dict, tz: str) -> dict:
    """Reads an event body's times without an offset in the time zone `tz`."""
    data = in_time_zone(data, ("starts_at", "ends_at", "registration_opens_at",
                               "registration_closes_at"), tz)
    if data.get("networking") is not None:
        try:
            data["networking"] = in_time_zone(data["networking"], ("starts_at",), tz)
        except ValidationError as e:
            raise ValidationError({"networking": e.messages}) from e
    return data
