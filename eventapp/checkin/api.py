"""API v1: check-in calls. Every answer of POST .../checkins carries `result`, whatever
its status code; rejected input is never admitted and never a 5xx."""

import json

from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError

from ..api.docs import field_messages, operation, undocumented_twin
from ..auth.access import ALL_STAFF, ApiAuthError, api_user_in_role, caller_key
from ..database import in_session_transaction
from ..extensions import csrf, db, limiter
from ..models import ScanResult
from ..ratelimits import retry_after_seconds
from . import services
from .schemas import (
    CHECK_IN_ANSWERS,
    UNDO_ANSWERS,
    CheckinAnswer,
    CheckinError,
    CheckinRequest,
)

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# A body is a code of at most a few hundred characters; anything far larger is refused
# before it is parsed (and deeply nested JSON cannot exhaust the parser's recursion).
MAX_BODY_BYTES = 16 * 1024
CHECKIN_REQUEST = CheckinRequest()
CHECKIN_ANSWER = CheckinAnswer()
CHECKIN_ERROR = CheckinError()


def _answer(status: int, error: str, message: str, result: str | None, **extra):
    response = jsonify(CHECKIN_ERROR.dump(
        {"result": result, "error": error, "message": message} | extra))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _invalid(fields: dict[str, str]):
    # Malformed input is not a code we know: it is answered as one, never admitted.
    return _answer(422, "invalid", "Some fields are not valid.", ScanResult.UNKNOWN_CODE,
                   fields=fields)


def _checkin_limit() -> str:
    return current_app.config["CHECKIN_RATE_LIMIT"]


# Per scanner (token). A first check-in is not counted: there are only as many as
# registrations, and not counting them keeps the door's busiest call free of the
# limiter's writes. Repeats, unknown codes and errors count, which is what a runaway
# device sends. Checked by the view itself (ratelimits.ViewLimit says why).
SCAN_LIMIT = limiter.checked_by_view("checkin_api.check_in", _checkin_limit, caller_key)


def _rate_limited_answer(retry_after: int):
    response = _answer(429, "rate_limited",
                       f"Too many scans from this scanner; try again in {retry_after} s.",
                       None, retry_after=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(429)
def _rate_limited(_error):
    """The API's write limit on the other calls (an undo), in the check-in shape."""
    return _rate_limited_answer(retry_after_seconds())


def _scanner() -> services.Scanner:
    """The staff member and device behind the request; raises ApiAuthError."""
    user = api_user_in_role(*ALL_STAFF)
    device = request.headers.get("X-Scanner-Device") or request.headers.get("User-Agent", "")
    return services.Scanner(user.id, user.display_name, device)


def _parse_body():
    """(code, registration_id) or a ready error response."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None, _answer(413, "too_large", "The body is too large for a check-in.",
                             ScanResult.UNKNOWN_CODE)
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        return None, _answer(413, "too_large", "The body is too large for a check-in.",
                             ScanResult.UNKNOWN_CODE)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return None, _answer(400, "bad_request",
                             'The body must be a JSON object: {"code": "..."} or '
                             '{"registration_id": 123}.', ScanResult.UNKNOWN_CODE)
    try:
        data = CHECKIN_REQUEST.load(data)
    except ValidationError as e:
        return None, _invalid(field_messages(e.messages))
    return (data.get("code"), data.get("registration_id")), None


@bp.post("/events/<int:event_id>/checkins")
@operation("Check a person in by the code read from their QR, or by registration id",
           roles=ALL_STAFF, body=CheckinRequest, responses=CHECK_IN_ANSWERS)
def check_in(event_id):
    retry_after = SCAN_LIMIT.exceeded()
    if retry_after is not None:
        return _rate_limited_answer(retry_after)
    response = _check_in(event_id)
    if response.status_code != 201:
        SCAN_LIMIT.count()
    return response


def _check_in(event_id):
    # Nothing begins here: the token check and a first entry are each a transaction by
    # itself (database.execute_alone, write_alone), so on SQLite the write lock is held
    # for the first entry's statements alone. Errors in the body are answered after the
    # token's.
    try:
        scanner = _scanner()
    except ApiAuthError as e:
        db.session.rollback()
        return _answer(e.status, e.code, e.message, None)
    parsed, body_error = _parse_body()
    if body_error is not None:
        return body_error
    code, registration_id = parsed
    try:
        answer = services.admit(event_id, scanner, code=code, registration_id=registration_id)
    except services.EventMissing:
        db.session.rollback()
        return _answer(404, "not_found", "There is no event with this id.", None)
    if in_session_transaction():  # (a first entry alone committed itself)
        db.session.commit()
    body = CHECKIN_ANSWER.dump(answer)
    if answer.result == ScanResult.UNKNOWN_CODE:
        body |= {"error": "not_found",
                 "message": "No registration has this code." if code is not None
                 else "No registration has this id."}
    elif answer.result in (ScanResult.NOT_ADMITTED, ScanResult.WRONG_EVENT):
        body.setdefault("message", f"Not admitted: {answer.reason}.")
        body["error"] = str(answer.result)
    response = jsonify(body)
    response.status_code = answer.status_code
    return response


@bp.delete("/events/<int:event_id>/checkins/<int:registration_id>")
@operation("Undo a check-in (logged in the scan log as `undone`)", roles=ALL_STAFF,
           responses=UNDO_ANSWERS)
def undo(event_id, registration_id):
    try:
        scanner = _scanner()
    except ApiAuthError as e:
        return _answer(e.status, e.code, e.message, None)
    answer = services.undo(event_id, registration_id, scanner)
    if answer is None:
        reg = services.registration_of_event(event_id, registration_id)
        db.session.rollback()
        message = ("This registration is not checked in." if reg is not None
                   else "No registration with this id at this event.")
        return _answer(404, "not_found", message, None, registration=reg)
    db.session.commit()
    return jsonify(CHECKIN_ANSWER.dump(answer)), 200


@bp.post("/events/<event_id>/checkins")
@bp.delete("/events/<event_id>/checkins/<registration_id>")
@undocumented_twin
def not_an_id(event_id, registration_id=None):
    """An address whose id is no id (text, negative, too long) names no event or
    registration: answered in the check-in shape, after the token check, like an
    unknown id, so scanners can always read `result`. (The <int:> routes above take
    every real id; Werkzeug tries them first.)"""
    try:
        _scanner()
    except ApiAuthError as e:
        return _answer(e.status, e.code, e.message, None)
    return _answer(404, "not_found", "There is no event or registration with this id.", None)
