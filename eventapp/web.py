"""App-wide web behaviour: error pages, template helpers, language switch, headers."""

from urllib.parse import urlsplit

from flask import (
    Flask,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from . import content, labels, timefmt
from .extensions import db
from .i18n import country_name, current_language, join_list, list_separator, sentences
from .ratelimits import retry_after_seconds

ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited", 500: "server_error", 503: "unavailable",
}
# Seconds a client is asked to wait after the database connection dropped: the pool
# opens a fresh one at the next request, so a retry soon after is answered.
DATABASE_RETRY_AFTER = 2


def error_titles() -> dict[int, str]:
    return {
        400: _("Bad request"), 401: _("Please sign in"), 403: _("Not allowed"),
        404: _("Page not found"), 405: _("Not allowed"), 413: _("Too large"),
        429: _("Too many requests"), 500: _("Something went wrong"),
        503: _("Please try again"),
    }


def error_messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("Your account may not open this page."),
        404: _("There is nothing at this address. Check the link, or start from the home page."),
        405: _("This address does not accept that kind of request."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("An unexpected error happened. Nothing you saved is lost; please try again."),
        503: _("The connection to the database was interrupted. "
               "Please try again in a moment."),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed, so `next` can't send users elsewhere."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return fallback
    return target


def _error_response(status: int, message: str | None = None, retry_after: int | None = None):
    message = message or error_messages().get(status, "")
    if wants_json():
        body = {"error": ERROR_CODES.get(status, "error"), "message": message}
        if retry_after:
            body["retry_after"] = retry_after
        response = jsonify(body)
    else:
        response = make_response(render_template(
            "errors/error.html", status=status, title=error_titles().get(status, _("Error")),
            message=message))
    response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request without the cookie (every
    API call: each scan at the door) gets its new, empty session without Flask first
    building the signing serializer it will not use (issue 21: 6% of a check-in's
    time in the worker, by cProfile)."""

    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_web(app: Flask) -> None:
    from .auth.access import ApiAuthError
    from .validation import ValidationErrors

    app.session_interface = CookieSessions()

    @app.errorhandler(ValidationErrors)
    def api_invalid(e: ValidationErrors):
        # Pages catch ValidationErrors and show them at the fields; reaching here means JSON.
        return jsonify(error="invalid", message="Some fields are not valid.",
                       fields=e.fields), 422

    @app.errorhandler(ApiAuthError)
    def api_auth_error(e: ApiAuthError):
        response = jsonify(error=e.code, message=e.message)
        response.status_code = e.status
        if e.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _error_response(400, _("The form expired or was sent from another page. "
                                      "Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        retry_after = None
        message = None
        if e.code == 429:
            retry_after = retry_after_seconds()
            message = ngettext("Too many requests. Please try again in %(num)d second.",
                               "Too many requests. Please try again in %(num)d seconds.",
                               retry_after)
        elif wants_json() and e.description and e.code not in (404, 500):
            message = e.description
        return _error_response(e.code or 500, message, retry_after)

    @app.errorhandler(Exception)
    def unexpected_error(e):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _error_response(500)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(e):
        """The server dropped the connection (a restart, a terminated backend) or no
        connection was free in time: 503 with Retry-After, not 500. The request is not
        run again here: what it did before the drop was rolled back by the server, but
        a write's outcome is unknown if the drop came during its COMMIT, and the
        client (or its user) is the one to know whether to send it again. The pool has
        already discarded the dead connection; the next request gets a fresh one."""
        if isinstance(e, DBAPIError) and not e.connection_invalidated:
            return unexpected_error(e)
        app.logger.warning("Database unavailable on %s %s: %s", request.method,
                           request.path, type(getattr(e, "orig", e)).__name__)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.close()
        return _error_response(503, retry_after=DATABASE_RETRY_AFTER)

    @app.teardown_appcontext
    def end_database_session(_error):
        """Runs before Flask-SQLAlchemy's own teardown (the later registered runs
        first). A connection the server dropped after the request's last statement
        fails the closing ROLLBACK: the answer is already made (a commit, if any, went
        through), and SQLAlchemy has discarded the connection, so the session is let
        go instead of turning that answer into a 500."""
        try:
            db.session.remove()
        except DBAPIError as e:
            if not e.connection_invalidated:
                raise
            db.session.registry.clear()

    @app.route("/language/<code>", methods=["POST"])
    def set_language(code):
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
        return redirect(safe_next_url(request.form.get("next"), url_for("events.index")))

    @app.context_processor
    def template_helpers():
        return {
            "languages": app.config["LANGUAGES"],
            "current_language": current_language(),
            "country_name": country_name,
            "side_labels": labels.networking_side_labels(),
            "url_rules": app.view_functions,
        }

    timefmt.register(app)
    app.add_template_filter(join_list, "join_list")
    app.add_template_global(list_separator, "list_separator")
    app.add_template_global(sentences, "sentences")
    app.add_template_global(content.translated, "tr")
    app.add_template_global(content.paragraphs, "paragraphs")
    app.add_template_global(labels.attendee_status_labels, "attendee_status_labels")
    app.add_template_global(labels.request_status_labels, "request_status_labels")

    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
         "style-src 'self'; script-src 'self'; object-src 'none'; "
         "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
        # The scanner page needs the camera; nothing needs the rest.
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config.get("HTTPS"):
        # Only when served over HTTPS: on plain http (a laptop at the door) it would
        # lock browsers out of the address. No includeSubDomains: other hosts of the
        # organisation's domain are not ours to decide.
        headers.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def security_headers(response):
        # Every response gets them (scanners call the check-in API hundreds of times a
        # minute, so one pass over the few headers a view may have set itself).
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend([(name, value) for name, value in headers
                                 if name.lower() not in present])
        if request.path.startswith("/r/"):
            # Secret links must not leak to other sites through the Referer header.
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "private, no-store"
        return response
