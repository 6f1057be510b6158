"""Every door screen fits a tablet upright (768×1024) and on its side (1280×800)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_for_door
from tests.browser.tablet import LANDSCAPE, PORTRAIT, shot

SIZES = {"768x1024": PORTRAIT, "1280x800": LANDSCAPE}


def fits(page) -> None:
    """Nothing sticks out sideways, and every button on screen is big enough to touch."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url}: {overflow} px wider than the screen"
    small = page.evaluate(
        """() => [...document.querySelectorAll('main a.button, main button')]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => {
              const r = el.getBoundingClientRect();
              return r.height < 44 || r.width < 44;
            })
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert small == [], f"{page.url}: touch targets under 44 px"


def in_view(page, selector: str) -> None:
    """The element is on screen without scrolling."""
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], selector


@pytest.mark.parametrize("size", SIZES)
def test_door_screens_fit_a_tablet(page, server, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    token = server.add_member(f"Tuuli Tabletti{size.replace('x', '')}")
    page.goto(server.url + "/")
    wait_for_door(page, server)
    fits(page)
    in_view(page, "a[href='/guest']")
    in_view(page, "a[href='/forgot']")
    shot(page, f"welcome-server-camera-{size}")

    status, _answer = server.post_scan(token)
    assert status == 200
    page.locator("h1.hello").wait_for(state="visible")
    page.wait_for_load_state("load")
    fits(page)
    in_view(page, ".mood")
    shot(page, f"greeting-{size}")

    for path in ("/guest", "/forgot"):
        page.goto(server.url + path)
        fits(page)
        # A form may scroll (the on-screen keyboard needs room), but never sideways.
        submit = page.locator("main button[type=submit]").first
        submit.scroll_into_view_if_needed()
        assert submit.is_visible()
        shot(page, f"{path.strip('/')}-{size}")
