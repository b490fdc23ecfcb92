"""API v1 shapes of check-in calls (also the scanner page's answers)."""

from flask_babel import gettext
from marshmallow import ValidationError, fields, validate, validates_schema

from ..api.fields import Answer, Input, LocalTime, Sometimes, Text, WholeNumber
from ..models import ScanResult
from ..registration.schemas import RegistrationForDoor

RESULTS = [r for r in ScanResult if r != ScanResult.UNDONE]
REASONS = ["cancelled", "waitlisted", "pending", "rejected"]


class ScannedCode(Text):
    """The text read from a QR, as it came (the service normalises it); blank is no code."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not value.strip():
            raise self.make_error("required")
        return value


class CheckinRequest(Input):
    """Exactly one of `code` (the text read from the QR, any case, whitespace ignored)
    and `registration_id` (a check-in from a name search)."""

    code = ScannedCode(metadata={"minLength": 1})
    registration_id = WholeNumber()

    @validates_schema
    def _one_of_the_two(self, data, **kwargs):
        if ("code" in data) == ("registration_id" in data):
            raise ValidationError(gettext("Give either code or registration_id."), "code")


class CheckinRegistration(RegistrationForDoor):
    """What door staff see, plus the country for the result card. Read from the
    check-in's own row (services.DoorCard), which keeps the hot path cheap."""

    category = fields.String()
    checked_in_at = LocalTime()
    country = fields.String(allow_none=True)


def _answer_zone(answer) -> str:
    return answer.registration.timezone if answer.registration is not None else "UTC"


def _reason(answer) -> str | None:
    return answer.reason if answer.result == ScanResult.NOT_ADMITTED else None


def _wrong_event_message(answer) -> str | None:
    if answer.result != ScanResult.WRONG_EVENT or answer.registration is None:
        return None
    return f"This ticket is for another event: {answer.registration.event_title}."


class CheckinAnswer(Answer):
    """An answer that names a result (services.Answer). The API adds `error` and
    `message` to the answers that admitted nobody."""

    OPTIONAL = ("reason", "error", "message")

    result = fields.String(validate=validate.OneOf([*RESULTS, ScanResult.UNDONE]))
    registration = fields.Nested(CheckinRegistration, allow_none=True)
    checked_in_at = LocalTime(tz=_answer_zone)
    checked_in_by = fields.String(allow_none=True, metadata={
        "description": "Display name of the staff member who checked the person in"})
    reason = Sometimes(_reason, validate=validate.OneOf(REASONS),
                       metadata={"description": "With not_admitted: the registration's status"})
    error = fields.String()
    message = Sometimes(_wrong_event_message)


class CheckinError(Answer):
    """A call that checked nobody in. `result` is `unknown_code` for input that is no
    code of ours (malformed, too large), null when the call itself failed (token, role,
    event, rate limit)."""

    OPTIONAL = ("fields", "retry_after")  # 422 / 429 only

    result = fields.String(allow_none=True,
                           validate=validate.OneOf([ScanResult.UNKNOWN_CODE, None]))
    registration = fields.Nested(CheckinRegistration, allow_none=True, dump_default=None)
    checked_in_at = fields.Raw(dump_default=None, metadata={"type": "null"})
    checked_in_by = fields.Raw(dump_default=None, metadata={"type": "null"})
    error = fields.String()
    message = fields.String()
    field_messages = fields.Dict(keys=fields.String(), values=fields.String(),
                                 attribute="fields", data_key="fields")
    retry_after = fields.Integer(metadata={"description": "With rate_limited: seconds"})


# What each call answers, by status (for the document).
CHECK_IN_ANSWERS = {
    201: ("`checked_in`: admitted now", CheckinAnswer),
    200: ("`already_checked_in`, with `checked_in_at` and `checked_in_by`", CheckinAnswer),
    400: ("The body is not a JSON object", CheckinError),
    401: ("Missing or bad token", CheckinError),
    403: ("The token's role may not check people in", CheckinError),
    404: ("`unknown_code` (no registration has this code or id; a reissued ticket's old "
          "code is unknown), or no such event (`result` null)",
          {"anyOf": [CheckinAnswer, CheckinError]}),
    409: ("`not_admitted` (with `reason`) or `wrong_event` (the code belongs to another "
          "event)", CheckinAnswer),
    413: ("The body is too large", CheckinError),
    422: ("Neither or both of code and registration_id, or a wrong type (`fields` says "
          "which)", CheckinError),
    429: ("Too many scans from this token", CheckinError),
}
UNDO_ANSWERS = {
    200: ("`undone`, with the registration as it is now", CheckinAnswer),
    401: ("Missing or bad token", CheckinError),
    403: ("The token's role may not do this", CheckinError),
    404: ("The registration is not checked in, or not at this event", CheckinError),
}
