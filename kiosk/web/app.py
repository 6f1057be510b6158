"""The app factory: settings, the database, blueprints and the objects views share."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from kiosk.clock import SystemClock
from kiosk.db import connect
from kiosk.files import private_dir
from kiosk.migrations import apply_migrations
from kiosk.notify.dispatch import NotifyConfig
from kiosk.settings import FIELDS, Settings, instance_path, load_settings
from kiosk.visits import ScanRules
from kiosk.web.live import Broker
from kiosk.web.server import KIOSK_ITSELF

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
    private_dir(instance)  # secrets, the database and card images live here
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
        # The cookie's lifetime; the server-side session has its own absolute expiry.
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.staff_session_seconds),
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the door page stays open all day
        # Any other Host header is refused (400), never echoed into a redirect; an empty
        # list ("*" in the setting) turns the check off.
        TRUSTED_HOSTS=settings.host_names() or None,
    )
    app.config.update(flask_only)
    app.extensions["kiosk.settings"] = settings
    app.extensions["kiosk.clock"] = clock
    kiosk_door = frozenset(f"door:{address}" for address in KIOSK_ITSELF)
    app.extensions["kiosk.broker"] = Broker(
        max_subscribers=settings.max_streams,
        reserved={"door": DOOR_STREAMS},
        # The kiosk's own door always has its streams; the other doors share the rest.
        family_limits={"door": max(0, settings.max_door_streams - DOOR_STREAMS)},
        protected=kiosk_door,
    )
    app.extensions["kiosk.notify"] = NotifyConfig.from_settings(settings)
    app.extensions["kiosk.rules"] = ScanRules(
        min_stay=timedelta(seconds=settings.min_stay_seconds),
        repeat_window=timedelta(seconds=settings.repeat_window_seconds),
        timezone=settings.tz,
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

    # Under `kiosk serve` waitress applies X-Forwarded-For itself; any other WSGI server
    # gets werkzeug's ProxyFix for the same setting.
    if settings.proxy_hops > 0 and not app.config.get("SERVER_HANDLES_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    web_db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors_web.init_app(app)
    register_blueprints(app)
    return app
