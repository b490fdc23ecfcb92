from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..badges.layouts import DEFAULT_SHEET, sheet_choices
from ..models import CATEGORY_FIELDS, Category, Event, NetworkingSide, max_length
from ..validation import Storable
from .services import timezone_choices

DT_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def networking_side_choices():
    return [(NetworkingSide.OFFER.value, _l("Offers technologies (companies)")),
            (NetworkingSide.NEED.value, _l("Has technology needs (officials)")),
            (NetworkingSide.BOTH.value, _l("Both")),
            (NetworkingSide.NONE.value, _l("Does not take part in matching"))]


def category_field_choices():
    labels = {"job_title": _l("Job title / position"), "phone": _l("Phone"),
              "technologies_offered": _l("Technologies offered"),
              "target_countries": _l("Target countries"),
              "technology_needs": _l("Technology needs")}
    return [(f, labels[f]) for f in CATEGORY_FIELDS]


def _title_field(label):
    return StringField(label, validators=[Optional(), Length(max=max_length(Event.title)),
                                          Storable(one_line=False)])


def _description_field(label):
    return TextAreaField(label, validators=[Optional(), Length(max=20000),
                                            Storable(one_line=False)],
                         description=_l("Leave a blank line between paragraphs."))


def _venue_field(label):
    return StringField(label, validators=[Optional(), Length(max=max_length(Event.venue)),
                                          Storable(one_line=False)])


def _agenda_field(label):
    return TextAreaField(
        label, validators=[Optional(), Length(max=20000), Storable(one_line=False)],
        description=_l("One item a line: “10:00-10:15 | Opening remarks | Speaker”."))


class EventForm(FlaskForm):
    """The event in English and Japanese: either title is enough; readers see their
    language and fall back to the other."""

    title = _title_field(_l("Title (English)"))
    title_ja = _title_field(_l("Title (Japanese)"))
    description = _description_field(_l("Description (English)"))
    description_ja = _description_field(_l("Description (Japanese)"))
    venue = _venue_field(_l("Venue (English)"))
    venue_ja = _venue_field(_l("Venue (Japanese)"))
    slug = StringField(
        _l("Web address"), validators=[Optional(), Length(max=max_length(Event.slug))],
        description=_l("The end of the event's public address, /e/…: lower-case letters, "
                       "digits and hyphens. Left empty on a new event, it is made from the "
                       "title. Old addresses keep working."))
    timezone = SelectField(_l("Time zone"), default="Asia/Tokyo",
                           choices=lambda: [(z, z) for z in timezone_choices()])
    starts_at = DateTimeLocalField(_l("Starts"), format=DT_FORMAT, validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DT_FORMAT, validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity"), validators=[InputRequired(), NumberRange(min=0)],
                            description=_l("Confirmed seats; beyond them people join the "
                                           "waitlist."))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=DT_FORMAT,
                                               validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format=DT_FORMAT,
                                                validators=[Optional()])
    listed = BooleanField(_l("Show on the public home page"), default=True)
    confirm_email = BooleanField(
        _l("Ask people who sign up to confirm their e-mail address before a seat is held"),
        default=True)
    badge_layout = SelectField(_l("Badge stock"), default=DEFAULT_SHEET, choices=sheet_choices,
                               description=_l("The sheets name badges are printed on."))
    agenda = _agenda_field(_l("Agenda (English)"))
    agenda_ja = _agenda_field(_l("Agenda (Japanese)"))
    technology_areas = TextAreaField(
        _l("Technology areas"),
        validators=[Optional(), Length(max=20000), Storable(one_line=False)],
        description=_l("One a line: “code | English name | Japanese name”."))
    networking_enabled = BooleanField(_l("This event has a networking session"))
    networking_starts_at = DateTimeLocalField(_l("Networking starts"), format=DT_FORMAT,
                                              validators=[Optional()])
    networking_slot_minutes = IntegerField(_l("Minutes per meeting"), default=15,
                                           validators=[Optional()])
    networking_slots = IntegerField(_l("Number of slots"), default=6, validators=[Optional()])
    networking_tables = IntegerField(_l("Tables"), default=10, validators=[Optional()])
    networking_max_meetings = IntegerField(_l("Maximum meetings per person"), default=4,
                                           validators=[Optional()])


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"),
                       validators=[Optional(), Length(max=max_length(Category.code)), Storable()],
                       description=_l("Short, lower-case; used in the API and imports."))
    name = StringField(_l("Name"),
                       validators=[DataRequired(), Length(max=max_length(Category.name)),
                                   Storable()])
    name_ja = StringField(_l("Japanese name"),
                          validators=[Optional(), Length(max=max_length(Category.name_ja)),
                                      Storable()])
    networking_side = SelectField(_l("Networking"), choices=networking_side_choices)
    requires_approval = BooleanField(_l("Registrations need approval"))
    public = BooleanField(_l("Offered on the public sign-up page"), default=True)
    fields = MultiCheckboxField(_l("Extra fields"), choices=category_field_choices)
