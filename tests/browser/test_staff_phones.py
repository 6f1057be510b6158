"""Staff pages on a phone (390×844): no sideways scrolling, no axe violations, and a fire
roll call ticked on one host's phone appearing on another's through the live stream."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk.db import connect
from kiosk.visits import manual_check_in
from tests.browser.conftest import SIZES, PageProblems, describe, run_axe, screenshot, start_server
from tests.browser.touch import Finger

pytestmark = pytest.mark.browser

PASSWORD = "kaunis-kevätaamu-2026"
PHONE = SIZES["390x844"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with two staff logins, made with `kiosk staff add` as an operator would."""
    live = start_server(tmp_path_factory, "phones-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE=str(live.instance), KIOSK_NEW_PASSWORD=PASSWORD)
    for name, role in (("heimo", "admin"), ("hanna", "host")):
        subprocess.run(
            [sys.executable, "-m", "kiosk", "staff", "add", name, "--role", role],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
    yield live
    live.stop()


def phone(browser, server, username: str):
    """A phone logged in as ``username``, in Finnish, with touch."""
    context = browser.new_context(
        viewport=PHONE, locale="fi-FI", has_touch=True, is_mobile=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    page.goto(server.url + "/staff/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").tap()
    page.wait_for_url(server.url + "/staff/")
    return context, page, problems


def check_in_people(server, names: list[str]) -> list[int]:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk.members import NewMember, add_member

    db = connect(server.db_path)
    try:
        now = datetime.now(ZoneInfo("Europe/Helsinki"))
        visits = []
        for name in names:
            member_id, _ = add_member(db, NewMember(name=name, company=f"{name} Oy"), now)
            visits.append(manual_check_in(db, member_id, now))
        return visits
    finally:
        db.close()


def test_every_staff_page_fits_a_phone_with_no_axe_violations(browser, server) -> None:
    check_in_people(server, ["Kaarina Pitkänen-Lindholm", "Ville Laine"])
    context, page, problems = phone(browser, server, "heimo")
    try:
        pages = {
            "here-now": "/staff/",
            "roll-call": "/staff/roll-call",
            "members": "/staff/members",
            "events": "/staff/events",
            "stats": "/staff/stats",
            "reports": "/staff/reports",
            "devices": "/staff/devices",
            "check-in": "/staff/check-in",
            "accessibility": "/accessibility",
            "not-found": "/staff/no-such-page",
        }
        overflow, violations = {}, {}
        for name, path in pages.items():
            page.goto(server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                overflow[name] = width
            found = run_axe(page)
            if found:
                violations[name] = found
            screenshot(page, f"16-staff-phone-{name}", sizes=("390x844",))
        assert overflow == {}
        assert violations == {}, describe([{"page": k, "v": v} for k, v in violations.items()])
    finally:
        context.close()
    assert problems.errors == []


def test_roll_call_ticks_on_one_phone_show_on_another(browser, server) -> None:
    visits = check_in_people(server, ["Aino Aalto", "Eero Salo", "Tiina Koski"])
    first, page_a, problems_a = phone(browser, server, "heimo")
    second, page_b, problems_b = phone(browser, server, "hanna")
    try:
        Finger(page_a).tap(page_a.get_by_role("button", name="Paloturvallisuuden nimenhuuto"))
        page_a.wait_for_url("**/roll-call**")
        page_b.goto(server.url + "/staff/roll-call")
        page_b.wait_for_selector("body[data-live='open']", state="attached")
        count_b = page_b.locator("#roll-count")
        total = int(count_b.get_attribute("data-total"))
        assert f"Vielä tavoittamatta: {total} / {total}" in count_b.inner_text()

        row = page_a.locator(f"#visit-{visits[0]}")
        Finger(page_a).tap(row.locator(".tick-button"))
        assert row.locator(".tick-button").get_attribute("aria-pressed") == "true"
        # On the other host's phone, without reloading.
        page_b.wait_for_selector(f"#visit-{visits[0]}.accounted")
        assert f"Vielä tavoittamatta: {total - 1} / {total}" in count_b.inner_text()
        screenshot(page_b, "16-roll-call-phone-shared-tick", sizes=("390x844",))

        # Unticking on the second phone reaches the first.
        Finger(page_b).tap(page_b.locator(f"#visit-{visits[0]} .tick-button"))
        page_a.wait_for_selector(f"#visit-{visits[0]}:not(.accounted)")
        # The printed list stays a plain sheet with empty boxes.
        page_a.emulate_media(media="print")
        assert page_a.locator(".tick-button").first.is_hidden()
        assert page_a.locator(".tick-box").first.is_visible()
    finally:
        first.close()
        second.close()
    assert problems_a.errors == [] and problems_b.errors == []
