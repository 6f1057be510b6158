"""Real touch input for browser tests: a finger on the screen through the DevTools protocol.

Playwright's ``tap()`` sends the whole gesture at once. A finger rests on the glass for a
moment between touching down and lifting off, and the page reacts in between (a keyboard
opening under the finger, say). ``Finger`` sends ``Input.dispatchTouchEvent`` start and end
separately, with that pause, the way a touchscreen does.
"""

from __future__ import annotations

import time

# How long a quick tap keeps the finger down: long enough for the page to paint in between.
TAP_SECONDS = 0.12


class Finger:
    """Touches the page through a CDP session, as a touchscreen would."""

    def __init__(self, page) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _touch(self, kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "radiusX": 6, "radiusY": 6}]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def tap_at(self, x: float, y: float, hold: float = TAP_SECONDS) -> None:
        """Touch down at (x, y), rest a moment, lift off."""
        self._touch("touchStart", x, y)
        time.sleep(hold)
        self._touch("touchEnd", x, y)
        # Let the click that follows the lift-off be handled before the next touch. A tap
        # that follows a link ends the page it was on, and there is nothing left to wait for.
        try:
            self.page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)))"
            )
        except Exception as exc:
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise

    def tap(self, locator, hold: float = TAP_SECONDS) -> None:
        """Tap the middle of ``locator``, scrolled into view first."""
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box is not None, f"{locator} is not on the screen"
        self.tap_at(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, hold)

    def type(self, text: str) -> None:
        """Type ``text`` on the on-screen keyboard, one tap a key, capitals with shift."""
        osk = self.page.locator("#osk")
        shift = osk.locator("[data-action='shift']")
        for char in text:
            if char == " ":
                self.tap(osk.locator("[data-action='space']"))
                continue
            wants_capital = char != char.lower()
            if (shift.get_attribute("aria-pressed") == "true") != wants_capital:
                self.tap(shift)
            self.tap(osk.locator(f"[data-key='{char.lower()}']"))
