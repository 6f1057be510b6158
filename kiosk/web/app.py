"""The app factory: settings, the database, blueprints and the objects views share."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from kiosk.clock import SystemClock
from kiosk.db import connect
from kiosk.migrations import apply_migrations
from kiosk.notify.dispatch import NotifyConfig
from kiosk.settings import FIELDS, Settings, instance_path, load_settings
from kiosk.visits import ScanRules
from kiosk.web.live import Broker

PACKAGE_DIR = Path(__file__).resolve().parent.parent
WEB_DIR = Path(__file__).resolve().parent
# Live streams kept for each door's screen: the page showing now and the one it just left
# (a newer page takes over the oldest), so each door costs at most two server threads.
DOOR_STREAMS = 2


def _templates_dir() -> Path:
    # An installed wheel carries the templates inside the package; a checkout keeps them at
    # the top level, beside kiosk/, printer/ and scanner/.
    packaged = PACKAGE_DIR / "templates"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "templates"


def create_app(config: dict[str, Any] | None = None, *, settings: Settings | None = None) -> Flask:
    """Build the kiosk app: defaults, then <instance>/kiosk.toml, then KIOSK_*, then ``config``.

    ``settings``, when given, is used as it is (the CLI has built it already). ``config`` may
    also hold ``CLOCK`` (an object with ``now()``), which tests use to set the time, and
    Flask's own keys. The database is migrated on start.
    """
    overrides = dict(config or {})
    clock = overrides.pop("CLOCK", None) or SystemClock()
    if settings is None:
        instance = Path(overrides.pop("INSTANCE_PATH", None) or instance_path())
        settings = load_settings(overrides, instance=instance)
    instance = settings.instance_path
    # Keys that are not kiosk settings (TESTING, WTF_CSRF_ENABLED…) are Flask's own.
    flask_only = {key: value for key, value in overrides.items() if key.lower() not in FIELDS}

    app = Flask(
        "kiosk",
        instance_path=str(instance),
        template_folder=str(_templates_dir()),
        static_folder=str(WEB_DIR / "static"),
    )
    app.config.update(settings.as_flask_config())
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the door page stays open all day
    )
    app.config.update(flask_only)
    app.extensions["kiosk.settings"] = settings
    app.extensions["kiosk.clock"] = clock
    app.extensions["kiosk.broker"] = Broker(
        max_subscribers=settings.max_streams, reserved={"door": DOOR_STREAMS}
    )
    app.extensions["kiosk.notify"] = NotifyConfig.from_settings(settings)
    app.extensions["kiosk.rules"] = ScanRules(
        min_stay=timedelta(seconds=settings.min_stay_seconds),
        repeat_window=timedelta(seconds=settings.repeat_window_seconds),
    )

    db = connect(settings.database)
    try:
        apply_migrations(db)
        if settings.demo_data:
            from kiosk.demo.seed import seed_if_empty

            seed_if_empty(db, clock.now(), instance / "demo-cards", settings)
    finally:
        db.close()

    from kiosk.web import db as web_db
    from kiosk.web import errors as errors_web
    from kiosk.web import i18n, security
    from kiosk.web.views import register_blueprints

    if settings.proxy_hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    web_db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors_web.init_app(app)
    register_blueprints(app)
    return app
