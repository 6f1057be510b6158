"""Frame sources behind one small interface, chosen by a spec string (``KIOSK_CAMERA``).

Spec strings: a device index (``0``) or path (``/dev/video2``), a video file, an image folder,
``simulated`` / ``simulated:TOKENS.txt``, ``none``, or empty for the first webcam that opens
(``simulated`` when none does). Nothing here opens a device until :func:`open_source` is called.
"""

from __future__ import annotations

import glob
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

log = logging.getLogger(__name__)

Frame = np.ndarray
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpg", ".mjpeg", ".m4v"}


class CameraUnavailable(RuntimeError):
    """The requested camera or file cannot be opened (unplugged, busy, missing)."""


class BadSourceSpec(ValueError):
    """A ``KIOSK_CAMERA`` value that names no kind of source."""


@runtime_checkable
class Source(Protocol):
    """Where frames come from.

    ``read()`` returns the next BGR frame, or ``None`` when there is none right now (a camera
    hiccup, or a finite source that is used up: then ``exhausted`` is true).
    """

    description: str
    exhausted: bool

    def read(self) -> Frame | None:
        """The next frame, or ``None``."""
        ...

    def close(self) -> None:
        """Release the device or file."""
        ...


@runtime_checkable
class Throttleable(Protocol):
    """A source that can hand over fewer frames while the scan loop idles."""

    def set_max_fps(self, fps: float | None) -> None:
        """Deliver at most ``fps`` frames a second from now on; ``None`` for full speed."""
        ...


def frame_step(source_fps: float, max_fps: float | None) -> int:
    """How many frames to take for each one handed over: 3 for 10 fps from a 30 fps camera."""
    if not max_fps or max_fps >= source_fps:
        return 1
    return max(1, round(source_fps / max_fps))


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` a capture source uses."""

    def grab(self) -> bool: ...
    def retrieve(self) -> tuple[bool, Frame | None]: ...
    def release(self) -> None: ...


class CaptureSource:
    """Frames from a ``cv2.VideoCapture``-like object that delivers ``fps`` frames a second.

    When throttled it grabs and discards the frames in between: the driver keeps delivering at
    its own rate, so reading less often would only hand over stale frames from its queue, while
    ``grab()`` takes a frame without converting it. With MJPG the conversion is the JPEG decode,
    which is most of the cost of a frame.
    """

    def __init__(self, capture: Capture, description: str, fps: float = 30.0) -> None:
        self._capture = capture
        self.description = description
        self.fps = fps or 30.0
        self.exhausted = False
        self._step = 1

    def set_max_fps(self, fps: float | None) -> None:
        """Hand over at most ``fps`` frames a second (``None``: every frame)."""
        self._step = frame_step(self.fps, fps)

    def read(self) -> Frame | None:
        """The newest frame; ``None`` when the capture gives nothing (e.g. unplugged)."""
        for _ in range(self._step - 1):
            if not self._capture.grab():
                return None
        if not self._capture.grab():
            return None
        ok, frame = self._capture.retrieve()
        return frame if ok else None

    def close(self) -> None:
        """Release the capture."""
        self._capture.release()


class CameraSource(CaptureSource):
    """A V4L2 webcam (or any device OpenCV opens) by index or path."""

    def __init__(
        self, device: int | str, width: int = 1280, height: int = 720, fps: int = 30
    ) -> None:
        self.device = device
        backend = cv2.CAP_V4L2 if _is_linux() else cv2.CAP_ANY
        capture = cv2.VideoCapture(device, backend)
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(f"cannot open camera {device}")
        # MJPG first: most USB webcams deliver 720p at 30 fps only compressed. Cameras that do
        # not support a property ignore it, so each set is a request, not a demand.
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_FPS, fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a stale queue
        got = (
            int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            capture.get(cv2.CAP_PROP_FPS),
        )
        super().__init__(
            capture, f"camera {device} ({got[0]}x{got[1]} @ {got[2]:.0f} fps)", got[2] or fps
        )


class VideoFileSource:
    """A video file, paced at its own frame rate unless ``realtime`` is false."""

    def __init__(self, path: str | Path, realtime: bool = True, loop: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        self.exhausted = False
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            raise CameraUnavailable(f"cannot open video file {self.path}")
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or 30.0
        self._interval = 1.0 / self.fps if realtime else 0.0
        self._next = time.monotonic()
        self._step = 1
        self.description = f"video file {self.path}"

    def set_max_fps(self, fps: float | None) -> None:
        """Hand over at most ``fps`` frames a second, skipping the others in real time.

        A file read faster than real time hands over every frame: nobody waits at its door.
        """
        self._step = frame_step(self.fps, fps) if self._interval else 1

    def read(self) -> Frame | None:
        """The next frame of the file (the next one due, when throttled)."""
        for _ in range(self._step - 1):
            _pace(self)
            if not self._capture.grab():
                break  # the end of the file: the read below loops or ends the source
        _pace(self)
        ok, frame = self._capture.read()
        if not ok and self.loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok:
            self.exhausted = True
            return None
        return frame

    def close(self) -> None:
        """Close the file."""
        self._capture.release()


class ImageFolderSource:
    """The images of a folder (or one image) in name order, each shown for ``repeat`` frames.

    After the last image the source is exhausted: ``kiosk scanner`` then delivers and exits.
    """

    def __init__(self, folder: str | Path, repeat: int = 1, interval: float = 0.0) -> None:
        self.folder = Path(folder)
        if self.folder.is_file():
            self.files = [self.folder]
        elif self.folder.is_dir():
            self.files = sorted(
                p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
            )
        else:
            raise CameraUnavailable(f"{self.folder}: no such image or folder")
        self.repeat = max(1, repeat)
        self._interval = interval
        self._next = time.monotonic()
        self._index = 0
        self.exhausted = not self.files
        self.description = f"image folder {self.folder} ({len(self.files)} images)"

    def read(self) -> Frame | None:
        """The next image, or ``None`` once every image has been shown."""
        from scanner.decode import UnreadableImage, read_image

        while self._index < len(self.files) * self.repeat:
            path = self.files[self._index // self.repeat]
            self._index += 1
            _pace(self)
            try:
                return read_image(path)
            except UnreadableImage as exc:
                log.warning("skipping %s", exc)
        self.exhausted = True
        return None

    def close(self) -> None:
        """Nothing to release."""


class NoSource:
    """``none``: a scanner with its camera switched off; never yields a frame."""

    description = "no camera (KIOSK_CAMERA=none)"
    exhausted = False

    def __init__(self, interval: float = 0.5) -> None:
        self._interval = interval

    def read(self) -> Frame | None:
        """Wait a little and yield nothing, so a loop over it does not spin."""
        time.sleep(self._interval)
        return None

    def close(self) -> None:
        """Nothing to release."""


def _pace(source: VideoFileSource | ImageFolderSource) -> None:
    # Sleep until the next frame is due, like a camera would block; no catching up after a stall.
    if not source._interval:
        return
    now = time.monotonic()
    if source._next > now:
        time.sleep(source._next - now)
    source._next = max(source._next, now) + source._interval


def _is_linux() -> bool:
    return os.name == "posix" and Path("/dev").is_dir() and os.uname().sysname == "Linux"


def parse_device(spec: str) -> int | str | None:
    """The camera device a spec names (``0`` → 0, ``/dev/video2`` → the path), else ``None``."""
    if spec.isdigit():
        return int(spec)
    if spec.startswith("/dev/"):
        return spec
    return None


def default_tokens_file(instance: str | Path | None) -> Path:
    """Where plain ``simulated`` reads its card tokens: ``<instance>/demo-cards/tokens.txt``."""
    return Path(instance or ".") / "demo-cards" / "tokens.txt"


DEMO_GAP_SECONDS = 20.0


def open_source(spec: str, instance: str | Path | None = None) -> Source:
    """Open the source that ``spec`` names; raise :class:`CameraUnavailable` when it cannot."""
    spec = (spec or "").strip()
    if not spec:
        return open_default(instance)
    lowered = spec.lower()
    if lowered == "none":
        return NoSource()
    if lowered == "simulated" or lowered.startswith("simulated:"):
        from scanner.simulated import SimulatedSource

        path = spec.split(":", 1)[1] if ":" in spec else ""
        # A visitor every ~20 s: often enough to show scanning, rarely enough that a person
        # trying the screens by hand is not interrupted at every tap.
        return SimulatedSource(
            Path(path) if path else default_tokens_file(instance), gap_seconds=DEMO_GAP_SECONDS
        )
    device = parse_device(spec)
    if device is not None:
        return CameraSource(device)
    path = Path(spec).expanduser()
    if path.is_dir():
        return ImageFolderSource(path)
    if path.is_file():
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return ImageFolderSource(path)
        return VideoFileSource(path)
    if path.suffix.lower() in VIDEO_SUFFIXES | IMAGE_SUFFIXES or "/" in spec:
        raise CameraUnavailable(f"{spec}: no such file or folder")
    raise BadSourceSpec(
        f"KIOSK_CAMERA={spec!r}: expected a device index or /dev/videoN, a video file, "
        "an image folder, 'simulated[:TOKENS.txt]' or 'none'"
    )


def video_devices() -> list[str]:
    """The ``/dev/video*`` nodes present, in number order."""
    return sorted(glob.glob("/dev/video*"), key=lambda p: (len(p), p))


def open_default(instance: str | Path | None = None) -> Source:
    """The first webcam that opens, else the simulated source."""
    for device in video_devices():
        try:
            return CameraSource(device)
        except CameraUnavailable:
            continue
    log.info("no webcam opens; using the simulated camera")
    return open_source("simulated", instance)


@dataclass(frozen=True)
class CameraInfo:
    """What ``kiosk scanner --list-cameras`` tells an operator about one device node."""

    device: str
    opens: bool
    detail: str


def list_cameras() -> list[CameraInfo]:
    """Try each ``/dev/video*`` node once and report what OpenCV makes of it."""
    found = []
    for device in video_devices():
        try:
            source = CameraSource(device)
        except CameraUnavailable:
            # Many webcams expose a second node for metadata that never opens as a capture.
            found.append(CameraInfo(device, False, "does not open (busy, or a metadata node)"))
            continue
        try:
            frame = source.read()
            detail = source.description.removeprefix(f"camera {device} ")
            if frame is None:
                detail += ", opened but gave no frame"
            found.append(CameraInfo(device, frame is not None, detail))
        finally:
            source.close()
    return found
