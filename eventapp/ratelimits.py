"""Abuse limits: Flask-Limiter, with one Limiter per app.

Views declare their limits at import time with `@limiter.limit(...)`, as with Flask-Limiter
itself; `RateLimits.init_app` builds the app's own Limiter from the app's config and binds the
declared limits to the app's view functions. A Limiter keeps its storage, its "storage is
down" state and settings such as the key prefix on itself, so one module-level Limiter shared
by every app (tests build hundreds) would carry counters and settings from one app into the
next. With one per app, two apps share counters only through a shared storage (Redis), exactly
as two server processes do.

Each app has two Limiters. The main one counts the high-rate limits (check-in, API writes)
in RATELIMIT_STORAGE_URI: Redis where configured, else memory, per process. The shared one
counts the rare, abuse-prone limits declared with `shared=True` (public sign-up, staff
login): in the same Redis where configured, else in the database (limitstore.py), so that
every worker and every app server draws on one budget.
"""

import math
import time
from collections.abc import Callable

from flask import Blueprint, Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address

EXTENSION = "eventapp_limiter"
SHARED_EXTENSION = "eventapp_shared_limiter"
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


def api_write_limit() -> str:
    return current_app.config["API_WRITE_RATE_LIMIT"]


class RateLimits:
    """Declares limits on views and binds them to each app's own Limiter."""

    def __init__(self, key_func: Callable[[], str] = get_remote_address):
        self._key_func = key_func
        self._declared: dict[str, list[tuple[object, bool, dict]]] = {}

    def limit(self, limit_value, shared: bool = False, **options):
        """Same arguments as Flask-Limiter's `Limiter.limit`. `shared`: counted across
        processes even without Redis (in the database), for rare requests only."""
        def declare(view):
            self._declared.setdefault(get_qualified_name(view), []).append(
                (limit_value, shared, options))
            return view
        return declare

    def init_app(self, app: Flask, caller_key: Callable[[], str],
                 database_storage: str = "memory://") -> None:
        """Call after the blueprints are registered: limits attach to their views.
        `caller_key` keys the API's write limit (eventapp.auth.access.caller_key: who
        calls, by token or session; it lives with the token check, which it uses).
        `database_storage`: the URI of the storage that counts the shared limits in the
        database when RATELIMIT_STORAGE_URI is per-process memory (limitstore.SCHEME)."""
        app_limiter = Limiter(key_func=self._key_func, default_limits=[])
        app_limiter.init_app(app)
        app.extensions[EXTENSION] = app_limiter
        if not app_limiter.enabled:
            return
        shared_limiter = Limiter(key_func=self._key_func, default_limits=[],
                                 **shared_storage(app, database_storage))
        shared_limiter.init_app(app)
        # Its limits are all on views (the decorator checks them); it has no default,
        # application or blueprint limits for its before-request hook to check, which
        # would cost every request (a check-in among them) a second pass of
        # Flask-Limiter's bookkeeping for nothing.
        app.before_request_funcs[None].remove(shared_limiter._check_request_limit)
        app.extensions[SHARED_EXTENSION] = shared_limiter
        for endpoint, view in list(app.view_functions.items()):
            for limit_value, shared, options in self._declared.get(get_qualified_name(view), ()):
                chosen = shared_limiter if shared else app_limiter
                view = chosen.limit(limit_value, **options)(view)
            app.view_functions[endpoint] = view
        # Every write call of the JSON API counts per token; a view with a limit of its own
        # keeps only that one (Flask-Limiter's override_defaults).
        write_limit = app_limiter.limit(api_write_limit, key_func=caller_key,
                                        methods=WRITE_METHODS)
        for blueprint in app.blueprints.values():
            if isinstance(blueprint, Blueprint) and (blueprint.url_prefix or "").startswith("/api/"):
                write_limit(blueprint)

    @property
    def current(self) -> Limiter:
        """The current app's Limiter."""
        return current_app.extensions[EXTENSION]

    @property
    def enabled(self) -> bool:
        return self.current.enabled

    @property
    def limiter(self):
        """The current app's rate limiting strategy (on its in-memory fallback while the
        shared storage is down)."""
        return self.current.limiter


def shared_storage(app: Flask, database_storage: str) -> dict:
    """The shared Limiter's storage: the configured one unless that is per-process
    memory, then the database."""
    if not str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        return {}
    return {"storage_uri": database_storage, "storage_options": {"app": app}}


def _broken_limit():
    found = [limiter.current_limit for name in (SHARED_EXTENSION, EXTENSION)
             if (limiter := current_app.extensions.get(name)) is not None]
    found = [limit for limit in found if limit is not None]
    return next((limit for limit in found if limit.breached), found[0] if found else None)


def retry_after_seconds(default: int = 60) -> int:
    """Whole seconds until the limit this request broke lets requests through again."""
    try:
        broken = _broken_limit()
        if broken is not None:
            # The window's own reset time: Flask-Limiter's reset_at adds a second
            # (a limit of a minute would say "61 s").
            return max(1, math.ceil(broken.window.reset_time - time.time()))
    except Exception:  # the storage went away between the check and this answer
        current_app.logger.warning("Rate limit storage failed while answering a 429")
    return default
