"""Fixtures for events, the board and introductions: a real app (CSRF on) over a SQLite file."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient

from kiosk.clock import FixedClock
from kiosk.db import connect
from kiosk.events import EventInput, create_event
from kiosk.members import NewMember, add_member
from kiosk.staff_accounts import create_staff

# The staff dashboard's fixtures, shared rather than copied: appdb, host and admin use this
# folder's `app` below.
from tests.staff.conftest import PASSWORDS, admin, appdb, host, make_app  # noqa: F401
from tests.staff.conftest import csrf_token as csrf
from tests.staff.conftest import log_in as staff_log_in

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    """A local Helsinki time in November 2026 (the clock fixture's day by default)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=HELSINKI)


def make_event(
    db: sqlite_utils.Database,
    now: datetime,
    title: str = "Somemarkkinoinnin työpaja",
    *,
    day: str = "2026-11-26",
    starts: str = "13:00",
    ends: str = "16:00",
    capacity: str = "",
    kind: str = "työpaja",
    room: str = "Iso neuvotteluhuone",
) -> int:
    """Create an event through the domain's validation; return its id."""
    form = EventInput(
        title=title, kind=kind, day=day, starts=starts, ends=ends, room=room, capacity=capacity
    )
    return create_event(db, form, now, HELSINKI)


def member(
    db: sqlite_utils.Database, now: datetime, name: str, **fields: object
) -> tuple[int, str]:
    """Add a member; return (id, card token)."""
    return add_member(db, NewMember(name=name, **fields), now)


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Flask:
    """The kiosk app with CSRF on, a host ("hanna") and an admin ("aatu"); badges as PNGs."""
    application = make_app(tmp_path, clock, PRINTER=f"preview:{tmp_path / 'badges'}")
    assert application.config.get("WTF_CSRF_ENABLED", True) is not False
    db = connect(application.config["DATABASE"])
    create_staff(db, "hanna", PASSWORDS["host"], "host", clock.now())
    create_staff(db, "aatu", PASSWORDS["admin"], "admin", clock.now())
    db.close()
    return application


@pytest.fixture
def door(app: Flask) -> FlaskClient:
    """The kiosk's own browser (127.0.0.1, a door device), in English so that assertions
    read the msgids whatever the catalogues say."""
    client = app.test_client()
    client.get("/language/en")
    return client


def log_in(app: Flask, role: str) -> FlaskClient:
    """A client logged in through the real form as the host or the admin."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    username = {"host": "hanna", "admin": "aatu"}[role]
    assert staff_log_in(client, username, PASSWORDS[role]).status_code == 302
    return client


def scan_at_door(client: FlaskClient, code: str) -> tuple[str, str]:
    """Scan a card through the welcome screen's wedge form; return (screen URL, its HTML)."""
    token = csrf(client.get("/").text)
    response = client.post("/scan", data={"code": code, "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.location)
    assert page.status_code == 200
    return response.location, page.text


def join_action(html: str, event_id: int) -> str | None:
    """The "I'll join" form's action for ``event_id`` on a greeting, if offered."""
    match = re.search(rf'action="(/hello/[^"]+/join/{event_id})"', html)
    return match.group(1) if match else None


def post_form(client: FlaskClient, page_url: str, action: str, **data: object):
    """POST to ``action`` with the CSRF token of ``page_url``."""
    token = csrf(client.get(page_url).text)
    return client.post(action, data={"csrf_token": token, **data})


MemberFactory = Callable[..., tuple[int, str]]


@pytest.fixture
def add(appdb, clock: FixedClock) -> MemberFactory:  # noqa: F811 (a fixture)
    """Add a member to the app's database: ``add("Anna Virtanen", company=…)`` → (id, token)."""

    def _add(name: str, **fields: object) -> tuple[int, str]:
        return member(appdb, clock.now(), name, **fields)

    return _add
