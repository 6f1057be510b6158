"""The database connection of one request, opened on first use and closed at teardown."""

from __future__ import annotations

import sqlite_utils
from flask import Flask, current_app, g

from kiosk.db import connect


def get_db() -> sqlite_utils.Database:
    """Return this request's database connection."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Register the teardown that closes connections."""
    app.teardown_appcontext(close_db)
