"""Door forms typed with a finger: real touch events (CDP) at every screen size.

The on-screen keyboard opens after the finger lifts, so the tap that opens a field types
nothing; the field being typed into stays above the keyboard; a scan while someone fills in
a form leaves their screen alone; the form survives the privacy notice; errors are shown.
"""

from __future__ import annotations

import pytest

from kiosk.db import connect
from tests.browser.conftest import SIZES, PageProblems, screenshot, start_server, wait_for_door
from tests.browser.touch import Finger

pytestmark = pytest.mark.browser

GUEST_FIELDS = ("name", "company", "purpose", "host_name")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with the kiosk's own scan rules (a second scan soon after is a repeat)."""
    live = start_server(tmp_path_factory, "touch-server")
    yield live
    live.stop()


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    """Each screen the door is used on: 7" panel, 10" tablet, 13" screen, a phone."""
    return request.param


def touch_page(browser, size: str, *, live: bool = False):
    """A Finnish touch page at ``size``; without ``live`` its door stream is cut."""
    context = browser.new_context(viewport=SIZES[size], locale="fi-FI", has_touch=True)
    context.set_default_timeout(10_000)
    if not live:
        context.route("**/stream/door", lambda route: route.abort())
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    return context, page, problems


def above_keyboard(page, field_id: str) -> bool:
    """Tell whether the whole field is on the screen and not behind the keyboard."""
    return page.evaluate(
        """(id) => {
            const field = document.getElementById(id).getBoundingClientRect();
            const osk = document.getElementById('osk');
            const bottom = osk.hidden ? window.innerHeight : osk.getBoundingClientRect().top;
            return field.top >= 0 && field.bottom <= bottom;
        }""",
        field_id,
    )


def open_visits(server, first_name: str) -> int:
    """How many open visits the database holds for members called ``first_name``."""
    db = connect(server.db_path)
    try:
        return db.execute(
            "SELECT COUNT(*) FROM visits v JOIN members m ON m.id = v.member_id "
            "WHERE m.name LIKE ? AND v.checked_out_at IS NULL",
            [first_name + " %"],
        ).fetchone()[0]
    finally:
        db.close()


def test_the_tap_that_opens_a_field_types_nothing(browser, server, size) -> None:
    context, page, problems = touch_page(browser, size)
    finger = Finger(page)
    try:
        page.goto(server.url + "/forgot")
        finger.tap(page.locator("#contact"))
        assert page.locator("#osk").is_visible()
        assert page.locator("#contact").input_value() == ""
        assert above_keyboard(page, "contact")

        page.goto(server.url + "/guest")
        for field in GUEST_FIELDS:
            page.locator("#osk [data-action='hide']").wait_for(state="attached")
            if page.locator("#osk").is_visible():
                finger.tap(page.locator("#osk [data-action='enter']"))  # on to the next field
            else:
                finger.tap(page.locator(f"#{field}"))
            assert page.evaluate("document.activeElement.id") == field
            assert page.locator(f"#{field}").input_value() == "", field
            # Every field, the last one too, stays in sight above the keyboard while typed in.
            assert above_keyboard(page, field), (size, field)
            finger.type("Ab")
            assert page.locator(f"#{field}").input_value() == "Ab"
            assert above_keyboard(page, field), (size, field)
        screenshot(page, "16-guest-last-field", sizes=(size,))
    finally:
        context.close()
    assert problems.errors == []


def test_a_forgotten_card_typed_with_a_finger_is_found(browser, server, size) -> None:
    who = f"Liisa{size.replace('x', '')}"
    email = f"{who.lower()}@example.fi"
    server.add_member(f"{who} Laine", email=email)
    context, page, problems = touch_page(browser, size)
    finger = Finger(page)
    try:
        page.goto(server.url + "/forgot")
        finger.tap(page.locator("#contact"))
        finger.type(email)
        assert page.locator("#contact").input_value() == email
        assert above_keyboard(page, "contact")
        screenshot(page, "16-forgot-typing", sizes=(size,))
        finger.tap(page.locator("#osk [data-action='enter']"))  # "Valmis" puts it away
        finger.tap(page.get_by_role("button", name="Kirjaa minut sisään tai ulos"))
        page.wait_for_url("**/hello/**")
        assert who in page.locator("h1").inner_text()
    finally:
        context.close()
    assert problems.errors == []


def test_a_missing_consent_is_shown_focused_and_read_out(browser, server, size) -> None:
    context, page, problems = touch_page(browser, size)
    finger = Finger(page)
    try:
        page.goto(server.url + "/guest")
        finger.tap(page.locator("#name"))
        finger.type("Ville")
        finger.tap(page.locator("#osk [data-action='hide']"))
        finger.tap(page.get_by_role("button", name="Kirjaudu sisään"))
        page.wait_for_load_state()
        consent = page.get_by_role("checkbox")
        page.wait_for_function("() => document.activeElement?.name === 'consent'")
        error = page.locator("#consent-error")
        assert error.is_visible() and "tietosuojaseloste" in error.inner_text()
        # In sight on the screen, not below the fold.
        box = error.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= SIZES[size]["height"]
        assert consent.get_attribute("aria-invalid") == "true"
        live = page.locator("[aria-live='assertive']:not(#scan-flash)")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[aria-live=assertive]')]"
            ".some(el => el.textContent.includes('tietosuojaseloste'))"
        )
        assert live.count() >= 1
        assert page.locator("#name").input_value() == "Ville"
        screenshot(page, "16-guest-error", sizes=(size,))
    finally:
        context.close()
    assert problems.errors == []


def test_a_scan_during_a_form_does_not_take_the_screen(browser, server) -> None:
    """The walk-through of a guest on the 7" panel, while a member scans meanwhile.

    The guest types with the on-screen keyboard and sees every field; Anna scans and gets a
    small note while the guest's form stays; the guest reads the privacy notice and comes
    back to a full form, and signs in; then the free screen offers Anna her greeting.
    """
    anna = server.add_member("Anna Virtanen", company="Virtasen Puutyö")
    context, page, problems = touch_page(browser, "800x480", live=True)
    finger = Finger(page)
    shots = "16-walk"
    try:
        page.goto(server.url + "/")
        wait_for_door(page, server)
        screenshot(page, f"{shots}-1-welcome", sizes=("800x480",))
        finger.tap(page.get_by_role("link", name="Olen vieras"))
        page.wait_for_url("**/guest")
        wait_for_door(page, server)

        finger.tap(page.locator("#name"))
        finger.type("Pekka Mäkinen")
        assert above_keyboard(page, "name")
        finger.tap(page.locator("#osk [data-action='enter']"))
        finger.type("Mäkisen Mehu")
        assert above_keyboard(page, "company")
        screenshot(page, f"{shots}-2-typing-company", sizes=("800x480",))

        # Anna scans her card at the door meanwhile: checked in at once, screen left alone.
        status, answer = server.post_scan(anna)
        assert status == 200 and answer["result"] == "checked_in"
        ack = page.locator("#scan-ack")
        ack.wait_for(state="visible")
        assert " ".join(ack.inner_text().split()) == "✓ Anna, kirjattu sisään"
        assert "Virtanen" not in page.locator("body").inner_text()
        screenshot(page, f"{shots}-3-scan-acknowledged", sizes=("800x480",))
        page.wait_for_timeout(800)  # long enough for a takeover to have happened
        assert page.url.endswith("/guest")
        assert page.locator("#company").input_value() == "Mäkisen Mehu"
        assert page.evaluate("document.activeElement.id") == "company"
        assert open_visits(server, "Anna") == 1

        finger.type(" Oy")
        finger.tap(page.locator("#osk [data-action='enter']"))
        finger.type("Tutustumassa")
        finger.tap(page.locator("#osk [data-action='hide']"))

        # The privacy notice, then back: the form is as it was.
        finger.tap(page.get_by_role("link", name="Lue tietosuojaseloste"))
        page.wait_for_url("**/privacy")
        screenshot(page, f"{shots}-4-privacy", sizes=("800x480",))
        finger.tap(page.get_by_role("link", name="Takaisin"))
        page.wait_for_url("**/guest")
        assert page.locator("#name").input_value() == "Pekka Mäkinen"
        assert page.locator("#company").input_value() == "Mäkisen Mehu Oy"
        assert page.locator("#purpose").input_value() == "Tutustumassa"
        screenshot(page, f"{shots}-5-back-full-form", sizes=("800x480",))

        finger.tap(page.get_by_text("Olen lukenut tietosuojaselosteen"))
        finger.tap(page.get_by_role("button", name="Kirjaudu sisään"))
        page.wait_for_url("**/hello/**")
        assert "Pekka" in page.locator("h1").inner_text()
        screenshot(page, f"{shots}-6-guest-greeting", sizes=("800x480",))

        # The screen is free again: Anna is offered her greeting.
        finger.tap(page.get_by_role("link", name="Ohita"))
        page.wait_for_url("**/?reset=1")
        offer = page.locator("#greeting-offer")
        offer.wait_for(state="visible")
        screenshot(page, f"{shots}-7-offer-for-anna", sizes=("800x480",))
        finger.tap(page.get_by_role("link", name="Mitä kuuluu, Anna?"))
        page.wait_for_url("**/hello/**")
        assert "Anna" in page.locator("h1").inner_text()
        assert "Mitä kuuluu?" in page.locator("body").inner_text()
    finally:
        context.close()
    assert problems.errors == []
