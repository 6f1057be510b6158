"""Blueprints: the door screens, the scan API, the live streams and the staff dashboard."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to ``app``."""
    from kiosk.web.views import api, door, door_camera, events, pairing, staff, streams

    app.register_blueprint(door.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(streams.bp)
    app.register_blueprint(door_camera.bp)
    app.register_blueprint(pairing.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(events.bp)
