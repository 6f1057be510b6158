"""The door tablet end to end: real Caddy over HTTPS with its local CA trusted by the browser,
Debian's Chromium with a fake camera playing a clip of a member card, the real server.

The tablet browses from this machine's LAN address, not loopback, so it is a door only
after it has been paired from the staff Devices page.
"""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from kiosk.db import connect
from kiosk.staff_accounts import create_staff
from scanner.decode import decode_production
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PageProblems,
    run_axe,
    serious,
    start_server,
)
from tests.browser.tablet import (
    LANDSCAPE,
    PORTRAIT,
    SHOTS,
    Caddy,
    camera_args,
    card_clip,
    lan_address,
    shot,
    trusting_home,
)
from tests.conftest import LiveServer

ADMIN = ("aatu", "hallinto-salasana-2026")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The kiosk behind Caddy on the LAN address, an admin login, a home trusting Caddy's CA."""
    # The tablets reach the kiosk by its LAN address: a Host name the operator trusts.
    server = start_server(
        tmp_path_factory,
        "tablet-server",
        KIOSK_PROXY_HOPS="1",
        KIOSK_TRUSTED_HOSTS=lan_address(),
    )
    db = connect(server.db_path)
    create_staff(db, ADMIN[0], ADMIN[1], "admin", datetime.now(UTC))
    db.close()
    base = tmp_path_factory.mktemp("tablet-caddy")
    caddy = Caddy(base, server.port, lan_address())
    home = trusting_home(tmp_path_factory.mktemp("tablet-home"), caddy.root_cert)
    stack = SimpleNamespace(server=server, caddy=caddy, home=home, base=base)
    yield stack
    caddy.stop()
    stack.server.stop()


def launch(playwright_driver, stack, clip: Path | None, *, allow: bool = True):
    """A Chromium of its own: the fake camera is chosen when the browser starts."""
    return playwright_driver.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *camera_args(clip, allow=allow)],
        env={"HOME": str(stack.home), "PATH": "/usr/bin:/bin"},
    )


def pair_tablet(browser, stack, door: str, viewport: dict, shots: str | None = None):
    """Add a door on the Devices page, read its pairing QR code, open it on a 'tablet'."""
    staff = browser.new_context(viewport=LANDSCAPE, locale="fi-FI")
    page = staff.new_page()
    page.goto(stack.caddy.url + "/staff/login")  # fails unless the CA is trusted
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("button[type=submit]")
    page.goto(stack.caddy.url + "/staff/devices")
    page.fill("#door-name", door)
    page.select_option("#door-camera", "browser")
    page.click(".add-door button[type=submit]")
    qr = page.locator(".pairing-qr")
    qr.wait_for()
    link = page.inner_text(".pairing-url").strip()
    png = np.frombuffer(qr.screenshot(), np.uint8)
    assert decode_production(cv2.imdecode(png, cv2.IMREAD_COLOR)) == [link]
    assert link.startswith(stack.caddy.url + "/pair/")
    assert serious(run_axe(page)) == []  # the Devices page with its pairing panel
    if shots:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#doors").screenshot(path=str(SHOTS / f"{shots}.png"))
    staff.close()

    tablet = browser.new_context(viewport=viewport, locale="fi-FI", has_touch=True)
    tablet.set_default_timeout(15_000)
    tab = tablet.new_page()
    problems = PageProblems()
    problems.watch(tab)
    tab.goto(link)
    assert tab.url.rstrip("/") == stack.caddy.url
    return tab, problems


def rows(stack, sql: str, *params: object) -> list[tuple]:
    with closing(sqlite3.connect(stack.server.db_path)) as conn:
        return conn.execute(sql, params).fetchall()


def member_visits(stack, token: str) -> list[tuple]:
    return rows(
        stack,
        "SELECT v.id, v.checked_in_at FROM visits v JOIN cards c ON c.member_id = v.member_id "
        "WHERE c.token = ?",
        token,
    )


def test_caddy_hands_tablets_its_ca_over_http_and_nothing_else(stack) -> None:
    plain = f"http://{stack.caddy.address}:{stack.caddy.http_port}"
    with urllib.request.urlopen(plain + "/tankkaamo-ca.crt", timeout=10) as response:
        assert response.read() == stack.caddy.root_cert.read_bytes()
        assert response.headers["Content-Type"] == "application/x-x509-ca-cert"
    no_redirects = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        no_redirects.open(plain + "/staff/login", timeout=10)
    answer.value.close()
    assert answer.value.code == 301
    assert answer.value.headers["Location"].startswith(f"https://{stack.caddy.address}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let a redirect answer through as it is."""

    def redirect_request(self, *args: object) -> None:
        return None


def test_tablet_paired_from_devices_page_greets_the_card(stack, playwright_driver) -> None:
    token = stack.server.add_member("Aino Laine")
    clip = card_clip(stack.base / "aino.y4m", "Aino Laine", token, blank_seconds=3)
    browser = launch(playwright_driver, stack, clip)
    try:
        tab, problems = pair_tablet(browser, stack, "Etuovi", PORTRAIT, shots="devices-pairing-qr")
        tab.wait_for_selector("body[data-camera=on]")
        assert tab.locator(".door-camera video").is_visible()
        assert tab.locator(".door-camera .preview-guide").is_visible()
        assert serious(run_axe(tab)) == []
        shot(tab, "welcome-camera-768x1024")
        tab.set_viewport_size(LANDSCAPE)
        shot(tab, "welcome-camera-1280x800")
        tab.wait_for_url("**/hello/**")
        assert "Aino" in tab.inner_text("h1")
        shot(tab, "greeting-1280x800")
        tab.wait_for_timeout(2000)  # the card stays in view: still one visit
        assert len(member_visits(stack, token)) == 1
        devices = rows(stack, "SELECT DISTINCT device FROM scans WHERE result = 'checked_in'")
        assert [d for (d,) in devices if d.startswith("door-camera:")] == [devices[0][0]]
        assert problems.errors == []
    finally:
        browser.close()


def test_camera_refused_or_missing_says_so_and_other_ways_work(stack, playwright_driver) -> None:
    token = stack.server.add_member("Eero Koski")
    clip = card_clip(stack.base / "eero.y4m", "Eero Koski", token, seconds=1)
    for clip_or_none, allow, state in ((clip, False, "refused"), (None, True, "missing")):
        browser = launch(playwright_driver, stack, clip_or_none, allow=allow)
        try:
            tab, problems = pair_tablet(browser, stack, f"Ovi {state}", PORTRAIT)
            tab.wait_for_selector(f"body[data-camera={state}]")
            message = tab.locator("[data-camera-message]")
            assert message.is_visible()
            assert message.get_attribute("data-shown") == state
            assert "kirjautua alta" in message.inner_text()  # Finnish: "sign in below"
            assert tab.locator(".preview-fallback").is_visible()
            assert serious(run_axe(tab)) == []
            shot(tab, f"camera-{state}-768x1024")
            # The other ways in still work: the forgotten-card form and the guest form.
            tab.click("a[href='/forgot']")
            tab.fill("input[name=contact]", "ei-ole@example.org")
            tab.click(".forgot-form button[type=submit]")
            assert tab.locator(".error[role=alert]").is_visible()  # an honest "not found"
            tab.goto(stack.caddy.url + "/guest")
            assert tab.locator("input[name=name]").is_visible()
            assert problems.errors == []
        finally:
            browser.close()
    assert member_visits(stack, token) == []


def test_scan_seen_while_server_is_down_is_delivered_once(stack, playwright_driver) -> None:
    token = stack.server.add_member("Sanna Mäki")
    clip = card_clip(stack.base / "sanna.y4m", "Sanna Mäki", token, blank_seconds=4, seconds=6)
    browser = launch(playwright_driver, stack, clip)
    try:
        tab, _problems = pair_tablet(browser, stack, "Sivuovi", LANDSCAPE)
        tab.wait_for_selector("body[data-decoder=ready]")
        server = stack.server
        down_at = datetime.now(UTC)  # before the stop: a card seen while it stops is queued too
        server.stop()
        tab.wait_for_selector("body[data-scan-queue='1']", timeout=20_000)
        tab.wait_for_selector("[data-camera-message][data-shown=queued]")
        tab.wait_for_selector("#scan-flash", state="hidden")
        shot(tab, "scan-queued-1280x800")
        queued = tab.evaluate("JSON.parse(localStorage.getItem('tankkaamo.door.scans'))")
        assert len(queued) == 1 and queued[0]["code"] == token
        tab.wait_for_timeout(3000)  # the card stays in view: still the one queued scan
        assert tab.evaluate("JSON.parse(localStorage.getItem('tankkaamo.door.scans'))") == queued
        assert member_visits(stack, token) == []

        stack.server = LiveServer(server.instance, server.port, server_settings(server))
        tab.wait_for_url("**/hello/**", timeout=60_000)
        assert "Sanna" in tab.inner_text("h1")
        assert tab.evaluate("localStorage.getItem('tankkaamo.door.scans')") == "[]"
        visits = member_visits(stack, token)
        assert len(visits) == 1
        # The visit keeps the time the card was seen, before the server came back.
        seen = datetime.fromisoformat(queued[0]["seen_at"].replace("Z", "+00:00"))
        assert datetime.fromisoformat(visits[0][1]) == seen
        assert seen >= down_at.replace(microsecond=0)
        keyed = rows(stack, "SELECT count(*) FROM scans WHERE idempotency_key = ?", queued[0]["id"])
        assert keyed == [(1,)]
    finally:
        browser.close()


def server_settings(server: LiveServer) -> dict[str, str]:
    """The KIOSK_* settings the module's server was started with (to start it again)."""
    return {
        "KIOSK_PROXY_HOPS": "1",
        "KIOSK_TRUSTED_HOSTS": lan_address(),
        "KIOSK_PREVIEW_URL": "http://127.0.0.1:9/preview.mjpg",
    }
