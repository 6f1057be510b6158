"""The staff login's place in the browser session, and ending it for good.

The signed session cookie holds the login under :data:`SESSION_KEY`; the server keeps a row
per login (:mod:`kiosk.staff_sessions`), so a login can end even for a copy of the cookie.
"""

from __future__ import annotations

from flask import session

from kiosk.staff_sessions import end_session
from kiosk.web.db import get_db
from kiosk.web.views.context import clock

SESSION_KEY = "staff"


def end_staff_session() -> None:
    """End this browser's staff login on the server too, so a copied cookie dies with it."""
    data = session.get(SESSION_KEY)
    if isinstance(data, dict) and isinstance(data.get("sid"), str):
        end_session(get_db(), data["sid"], clock().now())
