"""API v1 shapes of a registration."""

from flask_babel import gettext
from marshmallow import ValidationError, fields, validate

from ..api.fields import (
    Answer,
    Code,
    Flag,
    FormFlag,
    Input,
    LocalTime,
    SecretLink,
    Text,
    TextList,
    Upload,
)
from ..api.schemas import Paging
from ..models import Category, Registration, Status, max_length
from ..questions.schemas import AnswersInput, AnswersOutput

STATUS = validate.OneOf(list(Status))
LANGUAGES = validate.OneOf(["en", "ja"])


class RegistrationCreate(Input):
    """The registration fields of PRODUCT.md, as an import gives them. Codes and
    countries are checked against the event by the service."""

    name = Text(required=True, limit=max_length(Registration.name))
    name_kana = Text(limit=max_length(Registration.name_kana), load_default="")
    email = Text(required=True, limit=max_length(Registration.email),
                 metadata={"format": "email"})
    category = Text(required=True, limit=max_length(Category.code))
    organisation = Text(limit=max_length(Registration.organisation), load_default="")
    country = Text(limit=max_length(Registration.country), load_default="")
    job_title = Text(limit=max_length(Registration.job_title), load_default="")
    phone = Text(limit=max_length(Registration.phone), load_default="")
    language = Text(limit=max_length(Registration.language), load_default="en",
                    metadata={"enum": ["en", "ja"]})
    networking_opt_in = Flag(load_default=False)
    technologies_offered = TextList()
    technology_needs = TextList()
    target_countries = TextList(max_items=250)
    answers = AnswersInput(load_default=None)
    notify = Flag(load_default=True, metadata={
        "description": "Send the same e-mails as a sign-up on the page (default true)"})


class RegistrationChange(RegistrationCreate):
    """A correction (PATCH): any of the registration fields; those left out stay."""

    name = Text(limit=max_length(Registration.name))
    email = Text(limit=max_length(Registration.email), metadata={"format": "email"})
    category = Text(limit=max_length(Category.code))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


def _status_or_blank(value: str) -> None:
    if value and value not in set(Status):
        raise ValidationError(gettext("One of: %(choices)s.", choices=", ".join(Status)))


class RegistrationQuery(Paging):
    status = Text(limit=max_length(Registration.status), load_default=None,
                  validate=_status_or_blank, metadata={"enum": list(Status)})
    q = Text(limit=max_length(Registration.name), load_default="")


class RegistrationForDoor(Answer):
    """What door staff see: enough to recognise a person, no contact details."""

    id = fields.Integer()
    name = fields.String()
    name_kana = fields.String()
    organisation = fields.String()
    category = Code()
    status = fields.String(validate=STATUS)
    checked_in_at = LocalTime(tz="event.timezone")


class RegistrationSchema(RegistrationForDoor):
    """The organiser's view: every field, the status and the attendee's secret links."""

    email = fields.String(metadata={"format": "email"})
    country = fields.String(allow_none=True)
    job_title = fields.String()
    language = fields.String(validate=LANGUAGES)
    networking_opt_in = fields.Boolean()
    technologies_offered = TextList()
    technology_needs = TextList()
    target_countries = TextList(max_items=250)
    answers = AnswersOutput()
    ticket_url = SecretLink("registration.ticket")
    qr_png_url = SecretLink("registration.qr_png_view")
    manage_url = SecretLink("registration.manage")
    agenda_ics_url = SecretLink("networking.agenda_ics")


class Duplicate(Answer):
    error = fields.String(validate=validate.Equal("duplicate"))
    message = fields.String()
    id = fields.Integer()


class CancelRequest(Input):
    """An optional body: `{"notify": false}` cancels without e-mailing the attendee."""

    notify = Flag(load_default=True, metadata={
        "description": "E-mail the attendee that the registration is cancelled (default "
                       "true)"})


class ImportUpload(Input):
    """An invitation list sent as multipart/form-data."""

    file = Upload(required=True, metadata={
        "description": "CSV (UTF-8 with or without BOM, UTF-16 or Shift_JIS/CP932) or XLSX; "
                       "headers in English or Japanese, as the template "
                       "(/events/{id}/imports/template.csv or .xlsx)"})
    dry_run = FormFlag(load_default=False, metadata={
        "description": "1: check only, import nothing"})
    valid_only = FormFlag(load_default=False, metadata={
        "description": "1: import the valid rows even when others have errors (without "
                       "it, a file with errors imports nothing)"})
    notify = FormFlag(load_default=True, metadata={
        "description": "Send each person the same e-mails as a sign-up (default 1)"})


class ImportRowError(Answer):
    row = fields.Integer(metadata={"description": "The row as the spreadsheet numbers it "
                                                  "(the header is row 1)"})
    field_messages = fields.Dict(keys=fields.String(), values=fields.String(),
                                 attribute="fields", data_key="fields",
                                 metadata={"description": "From column to message"})


class ImportAnswer(Answer):
    rows = fields.Integer(metadata={"description": "People rows read from the file"})
    imported = fields.Integer()
    errors = fields.List(fields.Nested(ImportRowError))
