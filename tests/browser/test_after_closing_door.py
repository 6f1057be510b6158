"""After closing time, at the door in Chromium: the late scan, and "Milloin lähdit viimeksi?".

Visits closed at closing time are written straight into the real server's database (the test
cannot wait for 22:00); the scans go through the API as the scanner's would, and the answer is
tapped with real touch events at the 7" panel's 800×480 and at 1024×600.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.db import connect
from kiosk.timeutil import to_db
from tests.browser.conftest import SCREENSHOTS, wait_for_door

pytestmark = pytest.mark.browser
HELSINKI = ZoneInfo("Europe/Helsinki")
SHOTS = [SCREENSHOTS, *([Path(os.environ["KIOSK_SHOTS_DIR"])] if os.environ.get(
    "KIOSK_SHOTS_DIR") else [])]  # fmt: skip


def _closed_automatically(server, token: str, checked_in: datetime, closed: datetime) -> int:
    db = connect(server.db_path)
    try:
        member_id = db.execute("SELECT member_id FROM cards WHERE token = ?", [token]).fetchone()[0]
        return int(db["visits"].insert(
            {"member_id": member_id, "checked_in_at": to_db(checked_in),
             "checked_out_at": to_db(closed), "checkin_method": "card",
             "checkout_method": "automatic", "first_visit": 1}
        ).last_pk)  # fmt: skip
    finally:
        db.close()


def _shoot(page, name: str) -> None:
    for folder in SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name))


@pytest.mark.parametrize(
    "viewport", [{"width": 800, "height": 480}, {"width": 1024, "height": 600}]
)
def test_late_scan_then_the_next_check_in_asks_when_they_left(browser, server, viewport) -> None:
    context = browser.new_context(viewport=viewport, locale="fi-FI", has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    size = f"{viewport['width']}x{viewport['height']}"
    now = datetime.now(HELSINKI)

    # Closed at "closing time" an hour ago: a scan now is someone leaving late.
    late = server.add_member(f"Leena Myöhäinen {size}")
    _closed_automatically(server, late, now - timedelta(hours=9), now - timedelta(hours=1))
    page.goto(server.url + "/")
    wait_for_door(page, server)
    status, answer = server.post_scan(late)
    assert status == 200 and answer["result"] == "repeat"
    page.wait_for_url("**/hello/**")
    text = page.locator("main").inner_text()
    assert "Sinut kirjattiin ulos sulkemisaikaan" in text and "Uutta käyntiä ei aloitettu" in text
    _shoot(page, f"door-closed-at-closing-{size}.png")

    # Closed automatically yesterday: this check-in asks, once, when they left.
    forgot = server.add_member(f"Ville Unohtaja {size}")
    yesterday = now - timedelta(days=1)
    arrived = yesterday.replace(hour=10, minute=0, second=0, microsecond=0)
    closing = yesterday.replace(hour=22, minute=0, second=0, microsecond=0)
    visit = _closed_automatically(server, forgot, arrived, closing)
    page.goto(server.url + "/?reset=1")
    wait_for_door(page, server)
    status, answer = server.post_scan(forgot)
    assert status == 200 and answer["result"] == "checked_in"
    page.wait_for_url("**/hello/**")
    page.get_by_text("Milloin lähdit viimeksi?").wait_for()
    choices = page.locator("button.left-choice")
    assert choices.count() == 5
    # Every choice is a big target, fully on screen without scrolling.
    for index in range(choices.count()):
        box = choices.nth(index).bounding_box()
        assert box["height"] >= 56 and box["y"] + box["height"] <= viewport["height"]
    _shoot(page, f"door-left-when-{size}.png")
    chosen = choices.nth(1).get_attribute("value")
    choices.nth(1).tap()
    page.get_by_text("Mitä kuuluu?").wait_for()
    db = connect(server.db_path)
    try:
        row = db["visits"].get(visit)
    finally:
        db.close()
    assert row["checkout_self_reported"] == 1
    assert datetime.fromisoformat(row["checked_out_at"]) == datetime.fromisoformat(chosen)
    context.close()
