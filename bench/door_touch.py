"""Door forms under a finger: what the opening tap types, and where each field sits against
the on-screen keyboard, at every screen size. Also the time from a scan during a form to
the "✓ Anna, kirjattu sisään" note.

Run: .venv/bin/python bench/door_touch.py
Real server (waitress), Debian's Chromium, touches sent through the DevTools protocol
(Input.dispatchTouchEvent: down, 120 ms, up). Prints figures; asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SIZES
from tests.browser.touch import Finger
from tests.conftest import LiveServer, free_port

FIELDS = ("name", "company", "purpose", "host_name")
GAP = """(id) => {
    const field = document.getElementById(id).getBoundingClientRect();
    const osk = document.getElementById('osk').getBoundingClientRect();
    return Math.round(osk.top - field.bottom);
}"""


def main() -> None:
    base = Path(tempfile.mkdtemp())
    server = LiveServer(
        base / "instance", free_port(), {"KIOSK_PREVIEW_URL": "http://127.0.0.1:9/p.mjpg"}
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print("size       opening tap typed   px between field and keyboard (negative: hidden)")
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, has_touch=True, locale="fi-FI")
                page = context.new_page()
                finger = Finger(page)
                page.goto(server.url + "/forgot")
                finger.tap(page.locator("#contact"))
                typed = page.locator("#contact").input_value()
                gaps = {"contact": page.evaluate(GAP, "contact")}
                page.goto(server.url + "/guest")
                finger.tap(page.locator("#name"))
                typed += page.locator("#name").input_value()
                for field in FIELDS:
                    if field != "name":
                        finger.tap(page.locator("#osk [data-action='enter']"))
                    gaps[field] = page.evaluate(GAP, field)
                shown = " ".join(f"{k}={v}" for k, v in gaps.items())
                print(f"{size:<10} {typed!r:<19} {shown}")
                context.close()

            token = server.add_member("Anna Virtanen")
            context = browser.new_context(viewport=SIZES["800x480"], has_touch=True)
            page = context.new_page()
            page.goto(server.url + "/guest")
            page.wait_for_selector("body[data-live='open']", state="attached")
            finger = Finger(page)
            finger.tap(page.locator("#name"))
            finger.type("Pekka")
            started = time.monotonic()
            server.post_scan(token)
            page.wait_for_function(
                "() => { const note = document.getElementById('scan-ack');"
                " return !location.pathname.startsWith('/guest') || (note && !note.hidden); }"
            )
            elapsed = time.monotonic() - started
            if page.url.endswith("/guest"):
                print(
                    f"scan during a form -> note shown in {elapsed * 1000:.0f} ms; the form "
                    f"stays, name field {page.locator('#name').input_value()!r}"
                )
            else:
                where = page.url.removeprefix(server.url)[:12]
                print(
                    f"scan during a form -> the screen went to {where}… "
                    f"after {elapsed * 1000:.0f} ms; the half-typed form is gone"
                )
            context.close()
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
