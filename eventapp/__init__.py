"""Event registration, QR check-in and networking matchmaking."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import database, limitstore
from .auth.access import caller_key
from .config import DEFAULTS, from_environment, https_settings, load_secret_key
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .jobs import init_app as init_jobs
from .urls import IdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    instance_path = (instance_path or os.environ.get("EVENTAPP_INSTANCE_PATH")
                     or str(PROJECT_ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added

    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    app.config.from_mapping(https_settings(app.config))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    app.config.setdefault("OUTBOX_DIR", str(Path(app.instance_path) / "outbox"))

    proxies = int(app.config["TRUSTED_PROXIES"] or 0)
    if proxies:
        # Behind a TLS proxy: the client's address (rate limits), https
        # and the public host name (url_for) come from the proxy's X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    _init_extensions(app)
    _register_blueprints(app)
    limiter.init_app(app, caller_key, limitstore.URI)  # after the blueprints: it binds the limits declared on views
    _register_cli(app)

    from .web import init_web

    init_web(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .i18n import select_locale

    db.init_app(app)
    database.configure_engines(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    init_jobs(app)


def _register_blueprints(app: Flask) -> None:
    from .api import views as api_views
    from .auth import views as auth_views
    from .badges import kiosk as badges_kiosk
    from .badges import views as badges_views
    from .checkin import api as checkin_api
    from .checkin import views as checkin_views
    from .events import views as event_views
    from .feedback import api as feedback_api
    from .feedback import views as feedback_views
    from .messages import api as messages_api
    from .messages import views as messages_views
    from .networking import api as networking_api
    from .networking import live_views as networking_live
    from .networking import views as networking_views
    from .privacy import views as privacy_views
    from .programmes import api as programme_api
    from .programmes import views as programme_views
    from .questions import api as questions_api
    from .questions import views as questions_views
    from .registration import api as registration_api
    from .registration import desk as registration_desk
    from .registration import import_views as registration_imports
    from .registration import views as registration_views
    from .reports import api as reports_api
    from .reports import views as reports_views

    for module in (auth_views, event_views, api_views, registration_views, registration_api,
                   registration_desk, registration_imports,
                   checkin_views, checkin_api, networking_views, networking_api,
                   networking_live,
                   reports_views, reports_api, privacy_views, badges_views, badges_kiosk,
                   questions_views, questions_api, messages_views, messages_api,
                   feedback_views, feedback_api, programme_views, programme_api):
        app.register_blueprint(module.bp)


def _register_cli(app: Flask) -> None:
    from .auth.cli import users_cli
    from .backup import backup_command, restore_command
    from .demo import demo_command

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
