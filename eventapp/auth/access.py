"""Who may do what: page decorators and the API's Bearer-token authentication."""

from functools import wraps

from flask import abort, g, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..extensions import login_manager
from ..models import Role
from .services import user_for_token

ALL_STAFF = (Role.ORGANISER, Role.DOOR)


def staff_required(*roles: str):
    """Pages: anonymous visitors go to the login page; a wrong role gets 403."""
    allowed = set(roles or ALL_STAFF)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


organiser_required = staff_required(Role.ORGANISER)
door_required = staff_required(*ALL_STAFF)


class ApiAuthError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bearer_secret() -> str | None:
    """The secret of the request's `Authorization: Bearer` header; None without the
    header; ApiAuthError for any other scheme or an empty token."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiAuthError(401, "unauthorized", "Use 'Authorization: Bearer <token>'.")
    return secret.strip()


def api_user():
    """The staff member behind an API request: a Bearer token, or the signed-in
    session of our own pages (state-changing calls then need the CSRF header)."""
    if "api_user" in g:
        return g.api_user
    secret = bearer_secret()
    user = None
    if secret is not None:
        user = user_for_token(secret)
        if user is None:
            raise ApiAuthError(401, "unauthorized", "The API token is unknown or revoked.")
    elif current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except ValidationError as e:
                raise ApiAuthError(401, "unauthorized",
                                   "A signed-in browser must send the X-CSRFToken header.") from e
        user = current_user._get_current_object()
    else:
        raise ApiAuthError(401, "unauthorized", "This call needs an API token.")
    g.api_user = user
    return user


def api_user_in_role(*roles: str):
    """api_user(), when their role is one of `roles` (any staff role by default);
    ApiAuthError 403 otherwise (and 401 as api_user)."""
    user = api_user()
    if user.role not in (roles or ALL_STAFF):
        raise ApiAuthError(403, "forbidden", f"The role '{user.role}' may not do this.")
    return user


def api_roles(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            api_user_in_role(*roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def session_or_token(*roles: str):
    """Downloads linked from pages that scripts fetch too (exports): a browser without
    a session is sent to the login page, a token-less client gets 401."""
    allowed = set(roles or ALL_STAFF)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not request.headers.get("Authorization") and not current_user.is_authenticated:
                if "text/html" in request.headers.get("Accept", ""):
                    return login_manager.unauthorized()
                raise ApiAuthError(401, "unauthorized", "This download needs an API token.")
            user = api_user()
            if user.role not in allowed:
                if request.headers.get("Authorization"):
                    # A script with a token is answered like the API, in JSON.
                    raise ApiAuthError(403, "forbidden",
                                       f"The role '{user.role}' may not do this.")
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
