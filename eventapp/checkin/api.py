"""API v1: check-in calls. Every answer of POST .../checkins carries `result`, whatever
its status code; rejected input is never admitted and never a 5xx."""

import functools
import hashlib
import json
import math
import time

from flask import Blueprint, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem
from limits import parse as parse_limit
from marshmallow import ValidationError

from ..api.docs import field_messages, operation, undocumented_twin
from ..auth.access import ALL_STAFF, ApiAuthError, api_user, bearer_secret
from ..database import begin_write
from ..extensions import csrf, db, limiter
from ..models import ScanResult
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


def _scanner_key() -> str:
    """Rate limits count per token or signed-in staff member, not per address: the
    scanners at a venue often share one."""
    header = request.headers.get("Authorization", "")
    if header:
        return "checkin:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:24]
    if current_user.is_authenticated:
        return f"checkin-staff:{current_user.get_id()}"
    return "checkin-ip:" + get_remote_address()


@functools.lru_cache(maxsize=8)
def _parsed_limit(text: str) -> RateLimitItem:
    return parse_limit(text)


class _CheckinLimit:
    """The check-in call's abuse limit, evaluated once per request with the limiter's
    own strategy and storage (memory or Redis). Flask-Limiter's decorator would run its
    middleware and decorator passes on every scan, a sixth of the call's CPU; the
    request filter below takes this endpoint out of both.

    A first check-in is not counted: there are only as many as registrations, and not
    counting them keeps the door's busiest call free of the limiter's bookkeeping.
    Repeats, unknown codes and errors count, which is what a runaway device sends.
    If the limit storage is unreachable the scan goes through (the door must not stop).
    """

    ENDPOINT = "checkin_api.check_in"

    @staticmethod
    def _item_and_key():
        if not limiter.enabled:
            return None
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
        return (_parsed_limit(current_app.config["CHECKIN_RATE_LIMIT"]),
                *((prefix,) if prefix else ()), _scanner_key())

    def retry_after(self) -> int | None:
        """Seconds to wait when the scanner is over its limit, else None."""
        try:
            limit = self._item_and_key()
            if limit is None or limiter.limiter.test(*limit):
                return None
            reset_at = limiter.limiter.get_window_stats(*limit).reset_time
        except Exception:
            current_app.logger.exception("Check-in rate limit storage failed; scan allowed")
            return None
        return max(1, math.ceil(reset_at - time.time()))

    def count(self, response) -> None:
        if response.status_code == 201:
            return
        try:
            limit = self._item_and_key()
            if limit is not None:
                limiter.limiter.hit(*limit)
        except Exception:
            current_app.logger.exception("Check-in rate limit storage failed")


checkin_limit = _CheckinLimit()


@limiter.request_filter
def _limited_by_checkin_limit() -> bool:
    return request.endpoint == _CheckinLimit.ENDPOINT


def _rate_limited(retry_after: int):
    response = _answer(429, "rate_limited",
                       f"Too many scans from this scanner; try again in {retry_after} s.",
                       None, retry_after=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _device() -> str:
    return request.headers.get("X-Scanner-Device") or request.headers.get("User-Agent", "")


def _scanner() -> services.Scanner:
    """The staff member and device behind the request; raises ApiAuthError."""
    user = api_user()
    if user.role not in ALL_STAFF:
        raise ApiAuthError(403, "forbidden", f"The role '{user.role}' may not do this.")
    return services.Scanner(user.id, user.display_name, _device())


def _admit_with_token(event_id: int, code: str) -> services.Answer | None:
    """A scanner with an API token and a code: on PostgreSQL the token check, admission
    and scan log of a first check-in are one statement. The answer when admitted;
    otherwise None, and _scanner() and the usual path take over (with the staff member
    already known when the token was valid)."""
    secret = bearer_secret()
    if secret is None:
        return None
    user, answer = services.admit_code_with_token(event_id, code, secret, _device())
    if user is not None:
        g.api_user = user
    return answer


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
    retry_after = checkin_limit.retry_after()
    if retry_after is not None:
        return _rate_limited(retry_after)
    response = _check_in(event_id)
    checkin_limit.count(response)
    return response


def _check_in(event_id):
    # One transaction for the whole call: on SQLite the token check runs inside the
    # write transaction (BEGIN IMMEDIATE) instead of a read transaction of its own,
    # which would cost a second BEGIN, COMMIT and pool checkout per scan. The body is
    # read first (on PostgreSQL a first check-in is one statement with the token
    # check), but its errors are answered only after the token's.
    begin_write()
    parsed, body_error = _parse_body()
    try:
        answer = None
        if body_error is None and parsed[0] is not None:
            answer = _admit_with_token(event_id, parsed[0])
        scanner = _scanner()
    except ApiAuthError as e:
        db.session.rollback()
        return _answer(e.status, e.code, e.message, None)
    if body_error is not None:
        return body_error
    code, registration_id = parsed
    if answer is None:  # (an admission by the one statement is committed already)
        try:
            answer = (services.check_in_code(event_id, code, scanner) if code is not None
                      else services.check_in_registration(event_id, registration_id, scanner))
        except services.EventMissing:
            db.session.rollback()
            return _answer(404, "not_found", "There is no event with this id.", None)
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
