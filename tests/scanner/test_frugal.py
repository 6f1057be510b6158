"""The frugal scan loop: change detector, idle policy and throttled sources, on synthetic frames.

The clock is driven by hand (frame times at 30 fps), so nothing here depends on the machine's speed.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scanner import synthetic
from scanner.attention import Attention
from scanner.delivery import Scan
from scanner.loop import ScannerLoop
from scanner.motion import ChangeDetector
from scanner.sources import CaptureSource, frame_step

FRAME = 1 / 30


def doorway(seed: int = 3) -> np.ndarray:
    return synthetic.background(1280, 720, np.random.default_rng(seed))


def camera_frame(scene: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The scene with fresh sensor noise and MJPG compression, as each webcam frame has."""
    noisy = np.clip(scene.astype(np.float32) + rng.normal(0, 2.5, scene.shape), 0, 255)
    jpeg = cv2.imencode(".jpg", noisy.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80])[1]
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def with_card(scene: np.ndarray, text: str, size: float, center=(640, 360)) -> np.ndarray:
    return synthetic.place(scene, synthetic.render_code(text, 8), center, size, rotation_deg=7)


# --- the change detector ------------------------------------------------------------------


def test_an_empty_doorway_with_sensor_noise_is_not_change() -> None:
    rng = np.random.default_rng(1)
    scene = doorway()
    detector = ChangeDetector()
    assert detector.changed(camera_frame(scene, rng), 0.0)  # the first frame: nothing to compare
    verdicts = [detector.changed(camera_frame(scene, rng), n * FRAME) for n in range(1, 60)]
    assert not any(verdicts)


@pytest.mark.parametrize(
    ("label", "size"),
    [("close", 300.0), ("arm's length", 37 * 2.4)],  # about 2.4 px a module, the hardest case
)
def test_a_card_appearing_is_change_even_far_away(label: str, size: float) -> None:
    rng = np.random.default_rng(2)
    scene = doorway()
    detector = ChangeDetector()
    for n in range(30):
        detector.changed(camera_frame(scene, rng), n * FRAME)
    card = camera_frame(with_card(scene, "TK-1234-5678-9012", size, (900, 300)), rng)
    assert detector.changed(card, 30 * FRAME), f"{label}: score {detector.score}"


def test_a_change_in_overall_brightness_is_not_change() -> None:
    rng = np.random.default_rng(4)
    scene = doorway()
    detector = ChangeDetector()
    for n in range(10):
        detector.changed(camera_frame(scene, rng), n * FRAME)
    brighter = np.clip(scene.astype(np.int16) + 12, 0, 255).astype(np.uint8)
    assert not detector.changed(camera_frame(brighter, rng), 10 * FRAME)


def test_something_left_in_view_becomes_background() -> None:
    rng = np.random.default_rng(5)
    scene = doorway()
    detector = ChangeDetector(adapt_seconds=1.0)
    detector.changed(camera_frame(scene, rng), 0.0)
    chair = scene.copy()
    chair[300:600, 100:400] = (30, 60, 200)
    views = [camera_frame(chair, rng) for _ in range(5)]
    verdicts = [detector.changed(views[n % 5], n * FRAME) for n in range(1, 300)]
    assert verdicts[0] and not verdicts[-1]


def test_a_camera_that_comes_back_at_another_size_starts_afresh() -> None:
    detector = ChangeDetector()
    detector.changed(np.full((720, 1280, 3), 100, np.uint8), 0.0)
    assert not detector.changed(np.full((720, 1280, 3), 100, np.uint8), FRAME)
    assert detector.changed(np.full((480, 640, 3), 100, np.uint8), 2 * FRAME)
    assert not detector.changed(np.full((480, 640, 3), 100, np.uint8), 3 * FRAME)


# --- the idle policy ----------------------------------------------------------------------


def run_policy(attention: Attention, changes: list[bool], start: float = 0.0) -> list:
    return [attention.observe(c, start + n * FRAME) for n, c in enumerate(changes)]


def test_idles_after_quiet_then_decodes_once_a_second_at_the_idle_rate() -> None:
    attention = Attention(idle_after=2.0, idle_fps=10.0, check_every=1.0)
    decisions = run_policy(attention, [True] + [False] * 179)  # 6 s: one change, then nothing
    active = [d for d in decisions if d.max_fps is None]
    assert len(active) == 60 and all(d.decode for d in active)  # 2 s at full speed
    idle = decisions[60:]
    assert {d.max_fps for d in idle} == {10.0}
    assert 3 <= sum(d.decode for d in idle) <= 5  # 4 s idle: a check about once a second


def test_full_speed_returns_on_the_first_changed_frame() -> None:
    attention = Attention(idle_after=2.0, idle_fps=10.0)
    run_policy(attention, [True] + [False] * 90)
    assert not attention.active
    woke = attention.observe(True, 100.0)
    assert woke == attention.observe(False, 100.0 + FRAME)
    assert woke.decode and woke.max_fps is None and attention.active


def test_idle_fps_zero_never_idles() -> None:
    attention = Attention(idle_fps=0)
    decisions = run_policy(attention, [False] * 300)
    assert all(d.decode and d.max_fps is None for d in decisions)


def test_bad_policy_values_are_refused() -> None:
    with pytest.raises(ValueError):
        Attention(idle_fps=-1)
    with pytest.raises(ValueError):
        Attention(check_every=0)


# --- throttled sources ----------------------------------------------------------------------


class CountingCapture:
    """A capture that counts grabs (cheap: no decode) and retrieves (the decode)."""

    def __init__(self, frames: int) -> None:
        self.left = frames
        self.grabs = 0
        self.retrieves = 0

    def grab(self) -> bool:
        if not self.left:
            return False
        self.left -= 1
        self.grabs += 1
        return True

    def retrieve(self) -> tuple[bool, np.ndarray]:
        self.retrieves += 1
        return True, np.full((4, 4), self.grabs, np.uint8)

    def release(self) -> None:
        pass


def test_frame_step() -> None:
    assert frame_step(30, None) == 1
    assert frame_step(30, 10) == 3
    assert frame_step(30, 60) == 1
    assert frame_step(15, 4) == 4


def test_a_throttled_capture_grabs_every_frame_but_decodes_only_the_newest_due() -> None:
    capture = CountingCapture(frames=30)
    source = CaptureSource(capture, "counting", fps=30)
    first = source.read()
    source.set_max_fps(10)
    frames = [source.read() for _ in range(3)]
    assert capture.grabs == 10 and capture.retrieves == 4
    assert [int(f[0, 0]) for f in [first, *frames]] == [1, 4, 7, 10]  # never a stale frame
    source.set_max_fps(None)
    assert int(source.read()[0, 0]) == 11


# --- the loop, end to end on synthetic frames ------------------------------------------------


class FrameList:
    """A throttleable finite source over frames at 30 fps, on the same clock as the loop."""

    description = "frame list"

    def __init__(self, frames: list[np.ndarray], clock: list[float]) -> None:
        self.frames = frames
        self.clock = clock
        self.index = 0
        self.step = 1
        self.exhausted = False
        self.steps: list[int] = []
        self.reads: list[int] = []

    def set_max_fps(self, fps: float | None) -> None:
        self.step = frame_step(30, fps)
        self.steps.append(self.step)

    def read(self) -> np.ndarray | None:
        self.index += self.step
        self.reads.append(self.index)
        if self.index > len(self.frames):
            self.exhausted = True
            return None
        self.clock[0] = self.index * FRAME
        return self.frames[self.index - 1]

    def close(self) -> None:
        pass


def test_the_loop_idles_on_an_empty_doorway_and_reads_a_card_held_up() -> None:
    rng = np.random.default_rng(8)
    scene = doorway()
    empty = [camera_frame(scene, rng) for _ in range(20)]
    card = camera_frame(with_card(scene, "TK-2026-0042", 320), rng)
    frames = [empty[n % 20] for n in range(150)] + [card] * 30 + [empty[0]] * 10
    now = [0.0]
    source = FrameList(frames, now)
    decoded_at: list[int] = []
    decoder_calls: list[int] = []

    def decoder(frame: np.ndarray) -> list[str]:
        decoder_calls.append(source.index)
        return ["TK-2026-0042"] if frame is card else []

    def emit(scan: Scan) -> None:
        decoded_at.append(source.index)

    loop = ScannerLoop(lambda: source, emit, decoder=decoder, clock=lambda: now[0])
    stats = loop.run()
    assert source.steps[0] == 3  # idle after 2 s: a third of the frames read
    idle_reads = [n for n in source.reads if 61 < n <= 150]
    idle_decodes = [n for n in decoder_calls if 61 < n <= 150]
    assert 28 <= len(idle_reads) <= 31 and 2 <= len(idle_decodes) <= 4
    assert stats.decode_calls < stats.frames < len(frames)
    # Entering at frame 151: seen by the next idle read at most, then back to full speed.
    assert decoded_at and 151 <= decoded_at[0] <= 153
    assert source.steps[1] == 1
    assert [n for n in decoder_calls if 151 <= n <= 160] == list(range(decoded_at[0], 161))


def test_a_video_file_skips_frames_only_when_played_in_real_time(tmp_path) -> None:
    from scanner.sources import VideoFileSource

    path = tmp_path / "door.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (64, 48))
    for n in range(12):
        writer.write(np.full((48, 64, 3), n * 20, np.uint8))
    writer.release()

    def count(source: VideoFileSource) -> int:
        frames = 0
        while source.read() is not None:
            frames += 1
        return frames

    fast = VideoFileSource(path, realtime=False)
    fast.set_max_fps(10)
    assert count(fast) == 12
    paced = VideoFileSource(path, realtime=True)
    paced.set_max_fps(10)
    assert count(paced) == 4


def test_a_broken_frame_does_not_stop_the_loop() -> None:
    scene = doorway()
    card = with_card(scene, "TK-AFTER-A-BAD-FRAME", 320)
    now = [0.0]
    frames = [scene, np.zeros((0, 0, 3), np.uint8), card, card]
    source = FrameList(frames, now)
    scans: list[Scan] = []
    stats = ScannerLoop(lambda: source, scans.append, clock=lambda: now[0]).run()
    assert [s.code for s in scans] == ["TK-AFTER-A-BAD-FRAME"]
    assert stats.frames == 4 and stats.decode_errors == 1
