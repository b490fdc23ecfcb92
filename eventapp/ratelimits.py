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
from functools import lru_cache

from flask import Blueprint, Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from limits import RateLimitItem, parse

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
        self._checked_by_views: set[str] = set()

    def checked_by_view(self, endpoint: str, limit_value: Callable[[], str],
                        key_func: Callable[[], str]) -> "ViewLimit":
        """A limit the view at `endpoint` checks itself (ViewLimit), for the busiest
        call; Flask-Limiter then leaves that endpoint alone, the API's write limit
        included."""
        self._checked_by_views.add(endpoint)
        return ViewLimit(endpoint, limit_value, key_func)

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
        app.extensions[SHARED_EXTENSION] = shared_limiter
        # Every write call of the JSON API counts per token; a view with a limit of its own
        # keeps only that one, and a view that checks its limit itself (checked_by_view)
        # has none from Flask-Limiter.
        write_limit = app_limiter.limit(api_write_limit, key_func=caller_key,
                                        methods=WRITE_METHODS)
        api_blueprints = {name for name, blueprint in app.blueprints.items()
                          if isinstance(blueprint, Blueprint)
                          and (blueprint.url_prefix or "").startswith("/api/")}
        for endpoint, view in list(app.view_functions.items()):
            declared = self._declared.get(get_qualified_name(view), ())
            for limit_value, shared, options in declared:
                chosen = shared_limiter if shared else app_limiter
                view = chosen.limit(limit_value, **options)(view)
            if not declared and endpoint not in self._checked_by_views \
                    and endpoint.rpartition(".")[0] in api_blueprints:
                view = write_limit(view)
            app.view_functions[endpoint] = view
        # Every limit is now on a view, checked by its decorator: neither Limiter has
        # default, application or blueprint limits for its before-request pass to find,
        # and that pass costs every request Flask-Limiter's bookkeeping for nothing
        # (0.15 ms of a check-in's CPU).
        for each in (app_limiter, shared_limiter):
            app.before_request_funcs[None].remove(each._check_request_limit)

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


class ViewLimit:
    """A limit that its view checks itself, with the `limits` library that Flask-Limiter
    drives, in the app Limiter's own storage and strategy (Redis where configured, else
    memory). For the door's check-in, called hundreds of times a minute by each scanner:
    Flask-Limiter's per-request bookkeeping (its before-request pass, then the view's
    decorator, each resolving the limits that apply) took 0.3 ms of a check-in's 1.2 ms
    of CPU in the worker; testing the counter directly takes 4 microseconds (issue 21,
    bench/bench_checkin.py).

    `exceeded()` before the work, as Flask-Limiter's decorator tests before the view;
    `count()` after it, for the answers that count (Flask-Limiter's deduct_when). When
    the storage fails, the scan goes through and the failure is logged, as
    RATELIMIT_SWALLOW_ERRORS does for the other limits: the door is not stopped by a
    Redis outage."""

    def __init__(self, name: str, limit_value: Callable[[], str],
                 key_func: Callable[[], str]):
        self.name, self.limit_value, self.key_func = name, limit_value, key_func

    def _limit(self) -> RateLimitItem:
        return _parsed(self.limit_value())

    def _identifiers(self) -> tuple[str, ...]:
        # As Flask-Limiter keys its counters: the app's key prefix (two apps sharing a
        # Redis keep apart by it), the caller, the limit's scope.
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
        return (prefix, self.key_func(), self.name) if prefix else (self.key_func(), self.name)

    def exceeded(self) -> int | None:
        """None while under the limit; else whole seconds until it lets requests
        through again."""
        limiter = current_app.extensions[EXTENSION]
        if not limiter.enabled:
            return None
        limit, identifiers = self._limit(), self._identifiers()
        try:
            if limiter.limiter.test(limit, *identifiers):
                return None
            reset = limiter.limiter.get_window_stats(limit, *identifiers).reset_time
        except Exception:  # the storage is down: let the door go on
            current_app.logger.warning("Rate limit storage failed; %s not limited", self.name)
            return None
        return max(1, math.ceil(reset - time.time()))

    def count(self) -> None:
        limiter = current_app.extensions[EXTENSION]
        if not limiter.enabled:
            return
        try:
            limiter.limiter.hit(self._limit(), *self._identifiers())
        except Exception:
            current_app.logger.warning("Rate limit storage failed; %s not counted", self.name)


@lru_cache(maxsize=64)
def _parsed(limit_value: str) -> RateLimitItem:
    return parse(limit_value)


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
