"""API v1 shapes of check-in calls (also the scanner page's answers)."""

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
            raise ValidationError("Give either code or registration_id.", "code")


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
