"""End to end: an image-folder source -> the real kiosk server -> a visit row and a greeting."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

import cv2
import pytest

from scanner import synthetic
from scanner.debounce import Debouncer
from scanner.delivery import ApiClient, DeliveryQueue
from scanner.loop import ScannerLoop
from scanner.sources import ImageFolderSource

pytestmark = [
    pytest.mark.slow,
    # At the time of writing `kiosk serve` exits at start-up inside live_server and the kiosk
    # page has no event stream route yet; the URL below (/events) must follow the real route.
    pytest.mark.skip(reason="live_server cannot start kiosk serve yet; no kiosk event stream"),
]


@pytest.fixture
def live(request: pytest.FixtureRequest):
    try:
        return request.getfixturevalue("live_server")
    except pytest.FixtureLookupError:
        pytest.skip("waiting for the lead's live_server fixture in tests/conftest.py")


def test_card_in_an_image_folder_checks_the_member_in(live, tmp_path: Path) -> None:
    token = live.add_member("Aino Virtanen")
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "card.png"), synthetic.render_code(token, 6))
    queue = DeliveryQueue(ApiClient(live.url, live.device_token)).start()
    ScannerLoop(lambda: ImageFolderSource(folder, repeat=5), queue.put, debouncer=Debouncer()).run()
    assert queue.flush(timeout=15)
    queue.stop()
    assert [answer["result"] for _, answer in queue.delivered] == ["checked_in"]
    with sqlite3.connect(live.db_path) as conn:
        assert conn.execute("select count(*) from visits").fetchone()[0] == 1
    with urllib.request.urlopen(f"{live.url}/events", timeout=5) as stream:
        assert "Aino" in json.dumps(stream.read(4096).decode("utf-8", "replace"))
