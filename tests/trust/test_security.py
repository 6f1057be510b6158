"""Security as tests: CSRF, headers, cookies, device tokens, rate limits, cards, audit."""

from __future__ import annotations

import math
import random
import re
from collections import Counter

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk import audit
from kiosk.cards import TOKEN_PATTERN, issue_member_card, new_token
from kiosk.db import connect
from kiosk.errors import InvalidInput
from kiosk.privacy.erasure import forget_member
from kiosk.privacy.personal_data import export_member
from kiosk.staff_accounts import LoginRefused, authenticate, create_staff
from kiosk.web.ratelimit import FailedScanLimiter
from kiosk.web.screen_tokens import DoorScreen, make_screen_token
from kiosk.web.views.api import LIMITER_KEY
from tests.factories import gen_member
from tests.trust.conftest import auth, make_app

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN_PASSWORD = "Hallinto-salasana 2026"
STREAMS = {"/stream/door", "/staff/stream"}


def log_in(app: Flask, client: FlaskClient, username: str = "aatu") -> None:
    """Create an admin and log the client in through the real form."""
    db = connect(app.config["DATABASE"])
    try:
        create_staff(db, username, ADMIN_PASSWORD, "admin", app.extensions["kiosk.clock"].now())
    finally:
        db.close()
    page = client.get("/staff/login")
    token = CSRF_PATTERN.search(page.text).group(1)
    answer = client.post(
        "/staff/login",
        data={"csrf_token": token, "username": username, "password": ADMIN_PASSWORD},
    )
    assert answer.status_code == 302, answer.text


def sample_url(app: Flask, rule, visit_token: str) -> str:
    """Fill a URL rule's variables with plausible values."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name == "token":
            values[name] = visit_token
        elif type(converter).__name__ == "IntegerConverter":
            values[name] = 1
        elif name == "fmt":
            values[name] = "png"
        elif name == "reason":
            values[name] = "unknown"
        elif name == "code":
            values[name] = "fi"
        elif name == "filename":
            values[name] = "css/kiosk.css"
        else:
            values[name] = "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.fixture
def visit_token(app: Flask, clock) -> str:
    """A door-screen token for a real check-in."""
    db = connect(app.config["DATABASE"])
    try:
        _id, card = gen_member(db, clock.now(), "Anna Virtanen")
    finally:
        db.close()
    answer = app.test_client().post("/api/v1/scans", json={"code": card}, headers=auth(app))
    screen = DoorScreen(
        visit_id=answer.json["visit_id"],
        result="checked_in",
        greeting="morning",
        language="fi",
        door="127.0.0.1",
    )
    return make_screen_token(app.secret_key, screen)


# The door camera's scans: JSON from the door page itself (kiosk/web/views/door_camera.py).
JSON_ONLY_POSTS = {"/door/scans"}


def test_every_form_post_without_a_csrf_token_is_refused(app, visit_token):
    client = app.test_client()
    log_in(app, client)
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        url = sample_url(app, rule, visit_token)
        response = client.post(url, data={"name": "Eve", "code": "x", "mood": "1"})
        assert response.status_code == 400, f"{rule.rule} answered {response.status_code}"
        if rule.rule in JSON_ONLY_POSTS:
            # No CSRF token (a scan may wait in the tablet for hours), but no form can post
            # here and another site's script is refused by its Origin.
            assert "must be JSON" in response.text, f"{rule.rule} refused for another reason"
            other_site = client.post(url, json={"code": "x"}, headers={"Origin": "https://evil"})
            assert other_site.status_code == 403, rule.rule
        else:
            assert "CSRF" in response.text, f"{rule.rule} refused for another reason"
        checked.append(rule.rule)
    assert len(checked) >= 10  # the door forms and the dashboard's, at least


def test_the_api_needs_the_bearer_token_instead_of_csrf(app, client):
    rules = app.url_map.iter_rules()
    api_posts = [r.rule for r in rules if "POST" in r.methods and r.rule.startswith("/api/")]
    assert api_posts
    for path in api_posts:
        bare = client.post(path, json={"code": "x", "device": "d", "kind": "scanner"})
        assert bare.status_code == 401 and bare.json["error"] == "unauthorized"
        assert bare.headers["WWW-Authenticate"].startswith("Bearer")
        # With the token, no CSRF token is needed: a device has no session.
        body = {"code": "x", "device": "d", "kind": "scanner", "state": "ok"}
        assert client.post(path, json=body, headers=auth(app)).status_code == 200


def _check_headers(path: str, response) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert policy, f"{path}: no CSP"
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives.get(directive, ""), f"{path}: {directive}"
        assert "'unsafe-eval'" not in directives.get(directive, ""), f"{path}: {directive}"
    assert directives.get("script-src") == "'self'", f"{path}: {policy}"
    assert directives.get("object-src") == "'none'"
    assert directives.get("frame-ancestors") == "'none'"
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("X-Frame-Options") == "DENY", path
    assert headers.get("Referrer-Policy") == "same-origin", path
    if response.mimetype == "text/html":
        assert "no-store" in headers.get("Cache-Control", ""), path
        # No inline scripts in the page either: every <script> has a src.
        for tag in re.findall(r"<script\b[^>]*>", response.text):
            assert "src=" in tag, f"{path}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", response.text), f"{path}: inline handler"


def test_security_headers_on_every_page(app, visit_token):
    anonymous = app.test_client()
    staff = app.test_client()
    log_in(app, staff)
    seen = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = sample_url(app, rule, visit_token)
        for client in (anonymous, staff):
            response = client.get(url, buffered=rule.rule not in STREAMS)
            try:
                assert response.status_code < 500, f"{url}: {response.status_code}"
                if rule.rule in STREAMS:
                    assert response.headers.get("X-Content-Type-Options") == "nosniff"
                else:
                    _check_headers(url, response)
            finally:
                response.close()
            seen += 1
    assert seen >= 30


def test_cookie_flags(tmp_path, clock):
    plain = make_app(tmp_path / "a", clock)
    cookie = plain.test_client().get("/language/sv").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = make_app(tmp_path / "b", clock, SESSION_COOKIE_SECURE=True)
    cookie = secure.test_client().get("/language/sv").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_device_token_rotation_accepts_old_and_new_while_rotating(tmp_path, clock):
    old, new, stranger = new_token(), new_token(), new_token()
    before = make_app(tmp_path / "before", clock, DEVICE_TOKEN=old)
    during = make_app(tmp_path / "during", clock, DEVICE_TOKEN=new, DEVICE_TOKENS_PREVIOUS=[old])
    after = make_app(tmp_path / "after", clock, DEVICE_TOKEN=new, DEVICE_TOKENS_PREVIOUS=[])
    body = {"code": "not-a-card"}

    def status(app: Flask, token: str) -> int:
        client = app.test_client()
        return client.post("/api/v1/scans", json=body, headers=auth(app, token)).status_code

    assert (status(before, old), status(before, new)) == (200, 401)
    assert (status(during, old), status(during, new), status(during, stranger)) == (200, 200, 401)
    assert (status(after, old), status(after, new)) == (401, 200)
    # Prefixes and padding of a valid token are not valid tokens.
    assert status(during, new[:-1]) == 401 and status(during, new + "x") == 401


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_scans_are_rate_limited_per_credential_and_address_but_valid_cards_soon_pass(
    app, client, clock
):
    ticks = FakeMonotonic()
    limiter = FailedScanLimiter(burst=10, refill_seconds=3.0, monotonic=ticks)
    app.extensions[LIMITER_KEY] = limiter
    db = connect(app.config["DATABASE"])
    _id, card = gen_member(db, clock.now(), "Anna Virtanen")
    db.close()

    def scan(code: str, address: str = "10.0.0.1", **extra: object):
        body = {"code": code, "device": "door-1", **extra}
        return client.post(
            "/api/v1/scans", json=body, headers=auth(app), environ_base={"REMOTE_ADDR": address}
        )

    # Valid scans never use up the allowance.
    for _ in range(15):
        assert scan(card).status_code == 200
    answers = [scan(new_token()).status_code for _ in range(10)]
    assert answers == [200] * 10
    limited = scan(new_token())
    assert limited.status_code == 429
    assert limited.json["error"] == "too_many_failed_scans" and limited.json["message"]
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= 3
    # While limited, the device learns nothing about any code, valid or not, whatever
    # device name it gives...
    assert scan(card).status_code == 429
    assert scan(card, device="door-2").status_code == 429
    # ...but another scanner (another address) is not held up,
    assert scan(card, address="10.0.0.2").json["result"] in {
        "checked_out",
        "repeat",
        "checked_in",
    }
    # and once Retry-After has passed the valid card goes through.
    ticks.now += retry_after
    assert scan(card).status_code == 200
    # A retried failed scan with the same idempotency id does not count twice.
    limiter.reset()
    for _ in range(20):
        assert scan("TK1-" + "A" * 24, id="same-retry").status_code == 200
    # Nothing about refused scans reached the visits.
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
    db.close()


def test_revoked_card_gets_a_friendly_refusal(app, client, clock):
    db = connect(app.config["DATABASE"])
    member_id, old = gen_member(db, clock.now(), "Mikko Korhonen")
    new = issue_member_card(db, member_id, clock.now())
    db.close()
    api = client.post("/api/v1/scans", json={"code": old}, headers=auth(app))
    assert api.status_code == 200 and api.json == {"result": "revoked"}
    page = client.get("/")
    token = CSRF_PATTERN.search(page.text).group(1)
    door = client.post("/scan", data={"code": old, "csrf_token": token})
    assert door.status_code == 302 and door.headers["Location"].endswith("/refused/revoked")
    refused = client.get(door.headers["Location"])
    assert refused.status_code == 200
    assert "Mikko" not in refused.text and "Traceback" not in refused.text
    assert 'href="/guest"' in refused.text  # a way forward: sign in as a guest
    assert client.post("/api/v1/scans", json={"code": new}, headers=auth(app)).json["result"] == (
        "checked_in"
    )


def test_card_tokens_are_unguessable():
    tokens = [new_token() for _ in range(4000)]
    assert len(set(tokens)) == len(tokens)
    assert all(TOKEN_PATTERN.match(token) for token in tokens)
    body = "".join(token.removeprefix("TK1-") for token in tokens)
    # 24 URL-safe base64 characters carry 144 bits; check the characters are spread evenly.
    counts = Counter(body)
    assert len(counts) == 64
    entropy = -sum(n / len(body) * math.log2(n / len(body)) for n in counts.values())
    assert entropy > 5.95  # of the 6 bits a character can carry
    # Not from the seeded, predictable generator.
    random.seed(7)
    first = new_token()
    random.seed(7)
    assert new_token() != first


def test_password_policy_and_lockout(db, clock):
    for weak in ("short", "aaaaaaaaaaaaaaaa", "heimo-the-host-2026"):
        with pytest.raises(InvalidInput):
            create_staff(db, "heimo", weak, "host", clock.now())
    create_staff(db, "heimo", "Kahvia ja pullaa 2026", "host", clock.now())
    for _ in range(5):
        with pytest.raises(LoginRefused):
            authenticate(db, "heimo", "wrong password!", clock.now())
    with pytest.raises(LoginRefused, match="too many"):
        authenticate(db, "heimo", "Kahvia ja pullaa 2026", clock.now())
    clock.advance(minutes=16)
    assert authenticate(db, "heimo", "Kahvia ja pullaa 2026", clock.now())["username"] == "heimo"


def audit_actions(db) -> list[tuple[str, str | None]]:
    return [(r["action"], r["target"]) for r in db.query("SELECT * FROM audit_log ORDER BY id")]


def test_staff_card_changes_exports_and_erasures_are_audited(app, clock):
    client = app.test_client()
    log_in(app, client)
    db = connect(app.config["DATABASE"])
    member_id, _card = gen_member(db, clock.now(), "Elsa Lindqvist")
    page = client.get(f"/staff/members/{member_id}")
    token = CSRF_PATTERN.search(page.text).group(1)
    for action in ("reissue", "revoke"):
        answer = client.post(
            f"/staff/members/{member_id}/card/{action}", data={"csrf_token": token, "confirm": "1"}
        )
        assert answer.status_code in (200, 302)
    report = client.get("/staff/reports/download?month=2026-11&kind=summary")
    assert report.status_code == 200
    export_member(db, member_id, clock.now(), actor="staff:aatu")
    forget_member(db, member_id, clock.now(), actor="staff:aatu")
    actions = audit_actions(db)
    db.close()
    target = f"member:{member_id}"
    for expected in ("card.reissue", "card.revoke", "member.export", "member.forget"):
        assert (expected, target) in actions, (expected, actions)
    assert ("report.export", "summary:2026-11") in actions


def test_cli_card_change_is_audited(tmp_path, monkeypatch, clock):
    from click.testing import CliRunner

    from kiosk.cli import cli

    monkeypatch.setenv("KIOSK_DATABASE", str(tmp_path / "cli.db"))
    db = connect(tmp_path / "cli.db", migrate=True)
    member_id, _card = gen_member(db, clock.now(), "Sam Okafor")
    result = CliRunner().invoke(cli, ["member", "revoke-card", str(member_id), "--json"])
    assert result.exit_code == 0, result.output
    assert ("card.reissue", f"member:{member_id}") in audit_actions(db)
    db.close()


def test_audit_record_keeps_details_as_json(db, clock):
    audit.record(db, clock.now(), "cli", "member.export", "member:1", cards=2)
    [row] = db.query("SELECT details FROM audit_log")
    assert row["details"] == '{"cards": 2}'
