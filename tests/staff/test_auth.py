"""Logins: every /staff route needs one, admins only where it matters, and guessing is slow."""

from __future__ import annotations

import pytest
from flask import Flask

from kiosk.clock import FixedClock
from tests.staff.conftest import PASSWORDS, csrf_token, log_in, make_app

# A value for each URL variable, so that every rule can be requested.
SAMPLE_VALUES = {"fmt": "png"}


def _staff_urls(app: Flask) -> list[tuple[str, str]]:
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        values = {name: SAMPLE_VALUES.get(name, 1) for name in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_the_url_map_has_the_staff_pages(app: Flask) -> None:
    urls = _staff_urls(app)
    assert ("GET", "/staff/") in urls
    assert ("GET", "/staff/members/1/card.png") in urls
    assert len(urls) >= 20


def test_every_staff_route_refuses_anonymous_visitors(app: Flask) -> None:
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # so a POST reaches the login check, not CSRF
    checked = 0
    for method, url in _staff_urls(app):
        if url == "/staff/login":
            continue
        response = client.open(url, method=method)
        assert response.status_code in {302, 401, 403}, (method, url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/staff/login"), (method, url)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/staff/members"),
        ("GET", "/staff/members/new"),
        ("POST", "/staff/members/new"),
        ("GET", "/staff/members/1"),
        ("POST", "/staff/members/1/card/reissue"),
        ("POST", "/staff/members/1/card/revoke"),
        ("POST", "/staff/members/1/forget"),
        ("GET", "/staff/members/1/card.png"),
        ("GET", "/staff/reports"),
        ("GET", "/staff/reports/download?kind=visits&month=2026-11"),
    ],
)
def test_admin_pages_refuse_hosts(host, app: Flask, add, method: str, url: str) -> None:
    add("Anna Virtanen")
    token = csrf_token(host.get("/staff/").text)
    response = host.open(url, method=method, data={"csrf_token": token, "confirm": "1"})
    assert response.status_code == 403


def test_hosts_use_the_everyday_pages(host) -> None:
    for url in ("/staff/", "/staff/stats", "/staff/devices", "/staff/roll-call", "/staff/check-in"):
        assert host.get(url).status_code == 200, url
    assert "Members" not in host.get("/staff/").text  # no admin links for a host


def test_admins_see_the_admin_pages(admin) -> None:
    assert admin.get("/staff/members").status_code == 200
    assert admin.get("/staff/reports").status_code == 200


def test_login_starts_a_fresh_session_and_goes_to_next(app: Flask) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["lang"] = "en"
    page = client.get("/staff/login?next=/staff/stats")
    response = client.post(
        "/staff/login?next=/staff/stats",
        data={
            "csrf_token": csrf_token(page.text),
            "username": "Hanna",
            "password": PASSWORDS["host"],
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/stats"
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert session["staff"]["u"] == "hanna"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/not-staff"])
def test_login_never_redirects_outside_the_dashboard(app: Flask, target: str) -> None:
    client = app.test_client()
    page = client.get("/staff/login")
    response = client.post(
        f"/staff/login?next={target}",
        data={
            "csrf_token": csrf_token(page.text),
            "username": "hanna",
            "password": PASSWORDS["host"],
        },
    )
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_is_refused_and_audited(app: Flask, appdb) -> None:
    client = app.test_client()
    response = log_in(client, "hanna", "not the password at all")
    assert response.status_code == 401
    assert client.get("/staff/").status_code == 302
    actions = [row["action"] for row in appdb.query("SELECT action FROM audit_log")]
    assert actions == ["staff.login_failed"]
    log_in(client, "hanna", PASSWORDS["host"])
    assert [row["action"] for row in appdb.query("SELECT action FROM audit_log")][-1] == (
        "staff.login"
    )


def test_login_form_needs_the_csrf_token(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/staff/login", data={"username": "hanna", "password": PASSWORDS["host"]}
    )
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(host) -> None:
    assert host.get("/staff/logout").status_code == 405
    assert host.get("/staff/").status_code == 200
    token = csrf_token(host.get("/staff/").text)
    assert host.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert host.get("/staff/").status_code == 302


def test_a_deactivated_account_loses_its_session(host, appdb) -> None:
    appdb["staff_users"].update(1, {"active": 0})
    assert host.get("/staff/").status_code == 302


def test_logins_are_limited_per_username(app: Flask, appdb) -> None:
    client = app.test_client()
    # A username that does not exist never locks in the database; the limiter still stops it.
    statuses = [log_in(client, "nobody", f"guess-number-{n}").status_code for n in range(10)]
    assert statuses[:8] == [401] * 8
    assert statuses[8:] == [429, 429]


def test_logins_are_limited_per_address(app: Flask) -> None:
    client = app.test_client()
    statuses = [log_in(client, f"user{n}", "wrong-password-x").status_code for n in range(21)]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429
    # Even the right password waits while the address is limited.
    assert log_in(client, "hanna", PASSWORDS["host"]).status_code == 429


def test_the_limit_lifts_after_the_window(app: Flask, clock: FixedClock) -> None:
    client = app.test_client()
    for n in range(8):
        log_in(client, "nobody", f"wrong-{n}-password")
    assert log_in(client, "nobody", "wrong-again-pw").status_code == 429
    clock.advance(minutes=11)
    assert log_in(client, "nobody", "wrong-again-pw").status_code == 401


def test_the_account_lockout_still_applies(app: Flask, clock: FixedClock) -> None:
    client = app.test_client()
    for n in range(5):
        assert log_in(client, "hanna", f"wrong-{n}-password").status_code == 401
    assert log_in(client, "hanna", PASSWORDS["host"]).status_code == 401  # locked
    clock.advance(minutes=16)
    assert log_in(client, "hanna", PASSWORDS["host"]).status_code == 302


def test_the_session_cookie_is_secure_when_configured(tmp_path, clock: FixedClock) -> None:
    from kiosk.db import connect
    from kiosk.staff_accounts import create_staff

    app = make_app(tmp_path, clock, SESSION_COOKIE_SECURE=True)
    db = connect(app.config["DATABASE"])
    create_staff(db, "hanna", PASSWORDS["host"], "host", clock.now())
    db.close()
    client = app.test_client()
    response = log_in(client, "hanna", PASSWORDS["host"])
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
