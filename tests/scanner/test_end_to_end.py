"""End to end: an image-folder source -> the real kiosk server -> a visit row and a greeting."""

from __future__ import annotations

import sqlite3
import threading
import urllib.request
from contextlib import closing
from pathlib import Path

import cv2
import pytest

from scanner import synthetic
from scanner.debounce import Debouncer
from scanner.delivery import ApiClient, DeliveryQueue
from scanner.loop import ScannerLoop
from scanner.sources import ImageFolderSource
from tests.web_helpers import read_door_events, visible_text

pytestmark = pytest.mark.slow


def test_card_in_an_image_folder_checks_the_member_in(live_server, tmp_path: Path) -> None:
    token = live_server.add_member("Aino Virtanen")
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "card.png"), synthetic.render_code(token, 6))

    events: list[dict] = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_door_events, args=(live_server.url, events, ready, 1), daemon=True
    )
    reader.start()
    assert ready.wait(10)

    queue = DeliveryQueue(ApiClient(live_server.url, live_server.device_token)).start()
    ScannerLoop(lambda: ImageFolderSource(folder, repeat=5), queue.put, debouncer=Debouncer()).run()
    assert queue.flush(timeout=15)
    queue.stop()
    # Five frames of the same card make one scan and one visit.
    assert [answer["result"] for _, answer in queue.delivered] == ["checked_in"]
    with closing(sqlite3.connect(live_server.db_path)) as conn:
        assert conn.execute("select count(*) from visits").fetchone()[0] == 1

    reader.join(10)
    assert [event["result"] for event in events] == ["checked_in"]
    with urllib.request.urlopen(live_server.url + events[0]["screen"], timeout=5) as page:
        text = visible_text(page.read().decode())
    assert "Aino" in text and "Mitä kuuluu?" in text
