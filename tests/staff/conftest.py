"""Fixtures for the staff dashboard: a real app over a temporary SQLite file, real logins."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.clock import FixedClock
from kiosk.db import connect
from kiosk.members import NewMember, add_member
from kiosk.staff_accounts import create_staff
from kiosk.web import create_app

PASSWORDS = {"host": "kahvi-ja-pulla-2026", "admin": "hallinto-salasana-2026"}
CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(tmp_path: Path, clock: FixedClock, **config: object) -> Flask:
    """A kiosk app with CSRF on, on a fresh database in ``tmp_path``."""
    settings = {
        "DATABASE": str(tmp_path / "kiosk.db"),
        "CLOCK": clock,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DEMO_DATA": False,
        "PRINTER": "none",
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Flask:
    """The app, with a host ("hanna") and an admin ("aatu")."""
    application = make_app(tmp_path, clock)
    db = connect(application.config["DATABASE"])
    create_staff(db, "hanna", PASSWORDS["host"], "host", clock.now())
    create_staff(db, "aatu", PASSWORDS["admin"], "admin", clock.now())
    db.close()
    return application


@pytest.fixture
def appdb(app: Flask):
    """A connection to the app's database, for arranging and checking rows."""
    db = connect(app.config["DATABASE"])
    yield db
    db.close()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client: FlaskClient, username: str, password: str):
    """Log in through the real form (CSRF included); return the POST's response."""
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"csrf_token": csrf_token(page.text), "username": username, "password": password},
    )


def post(client: FlaskClient, page_url: str, url: str, **data: str):
    """POST ``data`` to ``url`` with the CSRF token taken from ``page_url``."""
    token = csrf_token(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def host(app: Flask) -> FlaskClient:
    """A client logged in as a host."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # assertions read the English msgids
    assert log_in(client, "hanna", PASSWORDS["host"]).status_code == 302
    return client


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    """A client logged in as an admin."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert log_in(client, "aatu", PASSWORDS["admin"]).status_code == 302
    return client


@pytest.fixture
def add(appdb, clock: FixedClock) -> Callable[..., int]:
    """Add a member: ``add("Anna Virtanen", company="…", approach_ok=True)`` → id."""

    def _add(name: str, **fields: object) -> int:
        member_id, _token = add_member(appdb, NewMember(name=name, **fields), clock.now())
        return member_id

    return _add
