"""Who may do what: page decorators and the API's Bearer-token authentication."""

import time
from functools import wraps

from flask import abort, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..database import in_session_transaction
from ..extensions import db, login_manager
from ..models import Role, hash_token
from .services import live_token_id, user_for_token

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


def parse_bearer(header: str) -> str | None:
    """The token of an `Authorization` header of the Bearer scheme, read as RFC 9110 has
    it: the scheme in any case, any blanks between; None for another scheme or no token.
    The one parser: the token check and the rate limits' keys read the same token."""
    scheme, *rest = header.split(None, 1) or [""]
    if scheme.lower() != "bearer" or not rest or not rest[0].strip():
        return None
    return rest[0].strip()


def bearer_secret() -> str | None:
    """The secret of the request's `Authorization: Bearer` header; None without the
    header; ApiAuthError for any other scheme or an empty token."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    secret = parse_bearer(header)
    if secret is None:
        raise ApiAuthError(401, "unauthorized", "Use 'Authorization: Bearer <token>'.")
    return secret


# Which live token a secret is, kept a minute per process: a scanner's calls then cost
# no lookup of their own. Only the limits' keys use this; access is checked every time.
TOKEN_IDS_KEPT = 4096
TOKEN_ID_SECONDS = 60.0


def _known_token_id(secret: str) -> int | None:
    kept = current_app.extensions.setdefault("eventapp_token_ids", {})
    token_hash = hash_token(secret)
    now = time.monotonic()
    found = kept.get(token_hash)
    if found is not None and found[1] > now:
        return found[0]
    was_open = in_session_transaction()
    token_id = live_token_id(secret)
    if not was_open and in_session_transaction():
        db.session.rollback()  # a read of its own; the view begins what it needs
    if token_id is not None:
        if len(kept) >= TOKEN_IDS_KEPT:
            kept.clear()
        kept[token_hash] = (token_id, now + TOKEN_ID_SECONDS)
    return token_id


def caller_key() -> str:
    """The rate limits' key for staff calls: per API token or signed-in account, not per
    address, as the scanners and laptops at a venue often share one address. The token
    is the parsed, verified one (one budget per token however its header is spelled); a
    header with no live token counts against the client's address."""
    header = request.headers.get("Authorization", "")
    if header:
        secret = parse_bearer(header)
        token_id = _known_token_id(secret) if secret else None
        if token_id is not None:
            return f"token:{token_id}"
        return "ip:" + get_remote_address()
    if current_user.is_authenticated:
        return f"staff:{current_user.get_id()}"
    return "ip:" + get_remote_address()


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
