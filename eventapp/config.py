"""Configuration: defaults, then instance/config.py, then the environment, then tests."""

import os
import secrets
from pathlib import Path

from .files import write_private


def database_url_from_env(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "eventapp.db")
    # psycopg 3 is the PostgreSQL driver we ship; plain URLs name psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path: str) -> str:
    """A missing SECRET_KEY is generated once and kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, key, exclusive=True)
    return key


DEFAULTS = {
    # No ping per request: database.py replaces a PostgreSQL connection the server
    # closed when it is taken from the pool (SQLite connections do not go stale).
    # hide_parameters: errors and logs show statements without their values (check-in
    # codes, password and token hashes, e-mails).
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # The office's time zone: staff pages show times in it, and times in it are shown
    # without a zone name (timefmt.py); an event's times are shown in its own zone.
    "TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": {"en": "English", "ja": "日本語"},
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "Event Office <events@localhost>",
    # A failed message is tried again after MAIL_RETRY_SECONDS * 2**attempts (2, 4, 8,
    # 16 and 32 minutes), six attempts in all.
    "MAIL_RETRY_SECONDS": 60,
    # A message "sending" for longer is taken as cut off by a crash and sent again; it
    # must outlast a claimed batch of 20 over a slow SMTP server (20 s timeout each).
    "MAIL_SENDING_TIMEOUT": 600,
    # Without MAIL_SERVER messages are written to instance/outbox/*.eml; a daily job
    # deletes the files older than this many days (they hold names and addresses).
    "OUTBOX_RETENTION_DAYS": 30,
    # Background jobs (jobs.py). JOBS_URL: where they wait, "" for instance/jobs.db
    # (SQLite), or redis://... . JOBS_EMBEDDED: each process serving requests runs
    # them in a thread of its own; off when `flask jobs worker` runs them instead.
    "JOBS_URL": "",
    "JOBS_EMBEDDED": True,
    "JOBS_NAME": "eventapp",
    "JOBS_IMMEDIATE": False,  # tests: a job runs where it is enqueued
    "JOBS_SWEEP_MINUTES": 1,  # the periodic look at the outbox (a lost job loses nothing)
    "JOBS_POLL_SECONDS": 1.0,  # longest wait between looks at a SQLite queue
    "BASE_URL": "http://127.0.0.1:5000",
    "HTTPS": False,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed.
    "TRUSTED_PROXIES": 0,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Redis unreachable: limits go on per process in memory, and no request fails for it.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # A Redis that doesn't answer must not hold requests up (ignored by memory://).
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    # Our 429 answers carry Retry-After; the X-RateLimit-* headers would cost a storage
    # round trip on every limited request.
    "RATELIMIT_HEADERS_ENABLED": False,
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Above the address limit, so one address alone meets that one first.
    "LOGIN_ACCOUNT_RATE_LIMIT": "20 per 10 minutes",
    "SIGNUP_RATE_LIMIT": "30 per minute",
    # A public sign-up of an event that asks for e-mail confirmation (the default) holds
    # no seat until confirmed; unconfirmed after this many hours, it is cancelled.
    "EMAIL_CONFIRM_HOURS": 24,
    "CHECKIN_RATE_LIMIT": "6000 per minute",
    "API_WRITE_RATE_LIMIT": "30000 per minute",
}


def from_environment(instance_path: str) -> dict:
    cfg: dict = {"SQLALCHEMY_DATABASE_URI": database_url_from_env(instance_path)}
    if os.environ.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = os.environ["SECRET_KEY"]
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "BASE_URL",
                 "TIMEZONE"):
        if os.environ.get(name):
            cfg[name] = os.environ[name]
    if os.environ.get("MAIL_PORT"):
        cfg["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if name in os.environ:
            cfg[name] = _env_bool(name)
    if os.environ.get("REDIS_URL"):
        cfg["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    if os.environ.get("JOBS_URL"):
        cfg["JOBS_URL"] = os.environ["JOBS_URL"]
    if "JOBS_EMBEDDED" in os.environ:
        cfg["JOBS_EMBEDDED"] = _env_bool("JOBS_EMBEDDED")
    if "HTTPS" in os.environ:
        cfg["HTTPS"] = _env_bool("HTTPS")
    if os.environ.get("TRUSTED_PROXIES", "").strip():
        cfg["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if os.environ.get("OUTBOX_RETENTION_DAYS", "").strip():
        cfg["OUTBOX_RETENTION_DAYS"] = int(os.environ["OUTBOX_RETENTION_DAYS"])
    return cfg


def https_settings(config) -> dict:
    """Served over HTTPS (`HTTPS` on, or an https:// BASE_URL, from any config layer):
    cookies only travel encrypted, and HSTS is sent (see web.py)."""
    if not (config.get("HTTPS") or str(config.get("BASE_URL", "")).startswith("https://")):
        return {}
    return {"HTTPS": True, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True,
            "PREFERRED_URL_SCHEME": "https"}
