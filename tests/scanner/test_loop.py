"""The scan loop: debouncing real decoded frames, and surviving a camera that fails and returns."""

from __future__ import annotations

import numpy as np
import pytest

from scanner import decode, synthetic
from scanner.delivery import Scan
from scanner.loop import ScannerLoop
from scanner.sources import CameraUnavailable


def card_frame(text: str) -> np.ndarray:
    scene = synthetic.background(640, 480, np.random.default_rng(3))
    return synthetic.place(scene, synthetic.render_code(text, 6), (320, 240), 220)


class ListSource:
    """A finite source over given frames; ``None`` entries are hiccups."""

    def __init__(self, frames: list[np.ndarray | None], exhaust: bool = True) -> None:
        self.frames = list(frames)
        self.exhaust = exhaust
        self.exhausted = False
        self.closed = False
        self.description = "list"

    def read(self) -> np.ndarray | None:
        if not self.frames:
            self.exhausted = self.exhaust
            return None
        return self.frames.pop(0)

    def close(self) -> None:
        self.closed = True


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1 / 30  # each frame advances the clock by one 30 fps frame time
        return self.now


def test_card_in_view_for_many_frames_is_one_scan_and_a_second_card_is_another() -> None:
    a, b = card_frame("CARD-A-123"), card_frame("CARD-B-456")
    scans: list[Scan] = []
    loop = ScannerLoop(
        lambda: ListSource([a] * 20 + [b] * 20 + [a] * 5),
        scans.append,
        clock=FakeClock(),
        sleep=lambda s: None,
    )
    loop.run()
    assert [s.code for s in scans] == ["CARD-A-123", "CARD-B-456"]
    assert len({s.id for s in scans}) == 2
    assert all(s.seen_at.endswith("+00:00") for s in scans)


def test_camera_that_fails_then_comes_back_recovers() -> None:
    attempts: list[str] = []
    states: list[tuple[str, str]] = []
    sources = [
        ListSource([card_frame("FIRST-1")] + [None] * 5, exhaust=False),  # then unplugged
        ListSource([card_frame("SECOND-2")]),  # plugged back in
    ]
    sleeps: list[float] = []

    def open_source() -> ListSource:
        attempts.append("try")
        if len(attempts) in (2, 3, 4):
            raise CameraUnavailable("no /dev/video0")
        return sources.pop(0)

    scans: list[Scan] = []
    loop = ScannerLoop(
        open_source,
        scans.append,
        on_state=lambda state, detail: states.append((state, detail)),
        sleep=sleeps.append,
        max_misses=5,
        backoff=(0.5, 1.5),
    )
    stats = loop.run()
    assert [s.code for s in scans] == ["FIRST-1", "SECOND-2"]
    assert stats.reconnects == 1
    assert len(attempts) == 5
    assert [0.5, 1.0, 1.5] == [s for s in sleeps if s >= 0.5]  # backoff, capped
    assert [state for state, _ in states] == ["ok", "no_camera"] + ["no_camera"] * 3 + ["ok"]


def test_a_decoder_that_raises_does_not_stop_the_loop() -> None:
    calls = []

    def flaky(frame: np.ndarray) -> list[str]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("odd frame")
        return ["X"]

    scans: list[Scan] = []
    loop = ScannerLoop(lambda: ListSource([card_frame("X")] * 3), scans.append, decoder=flaky)
    stats = loop.run()
    assert stats.decode_errors == 1 and [s.code for s in scans] == ["X"]


def test_non_utf8_payload_passes_through_the_loop() -> None:
    import qrcode

    code = qrcode.QRCode(box_size=6, border=4)
    code.add_data(b"\xff\xfe\x80 raw bytes")
    image = np.array(code.make_image().convert("RGB"))[:, :, ::-1].copy()
    scans: list[Scan] = []
    stats = ScannerLoop(lambda: ListSource([image] * 3), scans.append).run()
    assert stats.frames == 3 and stats.decode_errors == 0


def test_a_code_only_the_slow_lane_reads_in_the_last_frame_is_still_scanned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # zxing-cpp misses the card (as on a textured print); pyzbar, in the default decoder's
    # slow lane, reads it after the source has already ended.
    monkeypatch.setattr(decode, "decode_zxing", lambda frame: [])
    scans: list[Scan] = []
    # The default decoder tries the slow lane on every third frame zxing-cpp misses: the last.
    frames = [card_frame("CARD-LAST-1")] * 3
    loop = ScannerLoop(lambda: ListSource(list(frames)), scans.append)
    stats = loop.run()
    assert [scan.code for scan in scans] == ["CARD-LAST-1"]
    assert stats.scans == 1
