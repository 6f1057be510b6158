"""The door returns to the welcome screen by itself when nobody touches it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LARGE, screenshot, start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server whose door screens go idle after 2 seconds."""
    live = start_server(tmp_path_factory, "idle-server", KIOSK_IDLE_SECONDS="2")
    yield live
    live.stop()


@pytest.fixture
def page(browser):
    """A touch page; scans come through the keyboard wedge, so no live stream is needed."""
    context = browser.new_context(viewport=LARGE, has_touch=True)
    context.set_default_timeout(10_000)
    context.route("**/stream/door", lambda route: route.abort())
    yield context.new_page()
    context.close()


def test_an_untouched_greeting_returns_to_welcome_in_finnish(page, server) -> None:
    token = server.add_member("Mikko Korhonen")
    page.goto(server.url + "/")
    page.locator("#wedge-code").fill(token)
    page.locator("#wedge-code").press("Enter")
    page.wait_for_url("**/hello/**")
    # Mikko reads his greeting in English, then walks away without answering.
    page.get_by_role("link", name="English").tap()
    page.wait_for_url("**/hello/**")
    assert "How are you?" in page.locator("body").inner_text()

    # WCAG 2.2.1: a countdown with a big "Lisää aikaa" button comes 20 s before.
    countdown = page.locator("#countdown")
    countdown.wait_for(state="visible", timeout=5_000)
    assert "More time" in countdown.inner_text()
    page.wait_for_url("**/?reset=1", timeout=30_000)
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("h1").inner_text() == "Tervetuloa Yritystankkaamoon"
    assert "Mikko" not in page.locator("body").inner_text()
    screenshot(page, "12-after-idle-welcome-fi", sizes=("800x480",))


def test_more_time_keeps_the_screen_and_a_form_is_never_cut_short(page, server) -> None:
    page.goto(server.url + "/guest")
    page.get_by_label("Nimesi").tap()
    page.locator("#osk [data-key='t']").tap()
    page.locator("#osk [data-action='hide']").tap()
    countdown = page.locator("#countdown")
    more = page.get_by_role("button", name="Lisää aikaa")
    countdown.wait_for(state="visible", timeout=5_000)
    # At least 20 seconds of warning, counted down on the screen.
    seconds = int("".join(ch for ch in countdown.inner_text() if ch.isdigit()))
    assert 15 <= seconds <= 20
    box = more.bounding_box()
    assert box["height"] >= 64
    screenshot(page, "16-countdown-more-time", sizes=("800x480", "390x844"))
    page.wait_for_timeout(3_000)
    more.tap()
    assert countdown.is_hidden()
    assert page.url.endswith("/guest")
    assert page.get_by_label("Nimesi").input_value() == "T"


def test_a_half_filled_guest_form_is_cleared_when_left(page, server) -> None:
    page.goto(server.url + "/guest")
    page.get_by_label("Nimesi").tap()
    page.locator("#osk [data-key='t']").tap()
    page.locator("#osk [data-key='i']").tap()
    assert page.get_by_label("Nimesi").input_value() == "Ti"

    page.wait_for_url("**/?reset=1", timeout=40_000)
    page.get_by_role("link", name="Olen vieras").tap()
    page.wait_for_url("**/guest")
    assert page.get_by_label("Nimesi").input_value() == ""
