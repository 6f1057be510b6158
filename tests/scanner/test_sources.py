"""Source specs, the image folder, the simulated camera and 'none'."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from scanner import sources, synthetic
from scanner.decode import LiveDecoder, decode_production
from scanner.simulated import SimulatedSource, read_tokens


def test_parse_device() -> None:
    assert sources.parse_device("0") == 0
    assert sources.parse_device("/dev/video2") == "/dev/video2"
    assert sources.parse_device("simulated") is None


def test_bad_spec_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(sources.BadSourceSpec):
        sources.open_source("webcam-please")
    with pytest.raises(sources.CameraUnavailable):
        sources.open_source(str(tmp_path / "missing.mp4"))


def test_missing_device_is_camera_unavailable() -> None:
    with pytest.raises(sources.CameraUnavailable):
        sources.open_source("/dev/video987")


def test_none_source_yields_nothing() -> None:
    source = sources.open_source("none")
    source._interval = 0  # type: ignore[attr-defined]
    assert source.read() is None and not source.exhausted


def test_image_folder_source(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "b.png"), synthetic.render_code("B-2"))
    cv2.imwrite(str(tmp_path / "a.png"), synthetic.render_code("A-1"))
    (tmp_path / "notes.txt").write_text("ignored")
    source = sources.open_source(str(tmp_path))
    texts = []
    while (frame := source.read()) is not None:
        texts += decode_production(frame)
    assert texts == ["A-1", "B-2"] and source.exhausted


def test_video_file_source(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (320, 320))
    card = cv2.cvtColor(
        cv2.resize(synthetic.render_code("VID-9", 6), (320, 320)), cv2.COLOR_GRAY2BGR
    )
    for _ in range(5):
        writer.write(card)
    writer.release()
    source = sources.VideoFileSource(path, realtime=False)
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    assert len(frames) == 5 and source.exhausted
    assert decode_production(frames[0]) == ["VID-9"]


def test_simulated_source_shows_the_tokens_in_the_file(tmp_path: Path) -> None:
    tokens = tmp_path / "instance" / "demo-cards" / "tokens.txt"
    tokens.parent.mkdir(parents=True)
    tokens.write_text("# demo cards\nDEMO-TOKEN-ONE\n\nDEMO-TOKEN-TWO\n")
    assert read_tokens(tokens) == ["DEMO-TOKEN-ONE", "DEMO-TOKEN-TWO"]
    source = sources.open_source("simulated", tmp_path / "instance")
    assert isinstance(source, SimulatedSource)
    assert source.gap_seconds == sources.DEMO_GAP_SECONDS  # a visitor every ~20 s in make run
    source.realtime = False
    source.gap_seconds = 1.5  # keep the test short
    live = LiveDecoder()  # what the scan loop uses on video
    seen: set[str] = set()
    for _ in range(160):  # two passes at 15 fps
        seen.update(live(source.read()))
        if len(seen) == 2:
            break
    assert seen == {"DEMO-TOKEN-ONE", "DEMO-TOKEN-TWO"}


def test_simulated_source_without_tokens_shows_an_empty_entrance(tmp_path: Path) -> None:
    source = sources.open_source(f"simulated:{tmp_path / 'none.txt'}")
    source.realtime = False  # type: ignore[attr-defined]
    frame = source.read()
    assert frame is not None and frame.shape == (480, 640, 3)
    assert decode_production(frame) == []


def test_list_cameras_on_a_machine_without_any(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "video_devices", lambda: [])
    assert sources.list_cameras() == []
