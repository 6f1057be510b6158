"""QR decoding: the individual decoders, the preprocessing cascade and the production pipeline.

The production choice comes from ``bench/scanner.py`` (figures in docs/benchmarks.md):
zxing-cpp reads more of the real photos than pyzbar, an order of magnitude faster, and it
decodes Shift-JIS payloads that zbar misreads. pyzbar then runs through a preprocessing
cascade on what zxing-cpp misses, which recovers codes printed on textured or photographic
backgrounds.

Every decoder takes a numpy image (grayscale or BGR) and returns a list of texts; none raises on
a strange payload, because a bad code held up to the camera must never stop the scan loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

log = logging.getLogger(__name__)

Frame = np.ndarray
Decoder = Callable[[Frame], list[str]]


class UnreadableImage(ValueError):
    """An image file could not be read as an image."""


def bytes_to_text(data: bytes) -> str:
    """Turn a decoder's raw payload into text without ever raising.

    zbar hands back UTF-8 (it converts Shift-JIS and Latin-1 itself when it can); anything that is
    still not UTF-8 is read as Latin-1 so the bytes survive one-to-one into the log.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def to_gray(frame: Frame) -> Frame:
    """Return a single-channel view of ``frame`` (a no-op for grayscale)."""
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def _unique(texts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(texts))


# --- the single decoders -------------------------------------------------------------------


def decode_zxing(frame: Frame) -> list[str]:
    """zxing-cpp, QR only, plain text mode (control characters kept, not rendered as <SOH>)."""
    results = zxingcpp.read_barcodes(
        to_gray(frame),
        formats=zxingcpp.BarcodeFormat.QRCode,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return _unique([r.text for r in results if r.valid])


def decode_pyzbar(frame: Frame) -> list[str]:
    """pyzbar (zbar), QR only, on the frame as it is."""
    symbols = pyzbar.decode(to_gray(frame), symbols=[pyzbar.ZBarSymbol.QRCODE])
    return _unique([bytes_to_text(s.data) for s in symbols])


def _opencv(detector: cv2.QRCodeDetector | cv2.QRCodeDetectorAruco, frame: Frame) -> list[str]:
    # OpenCV's Python binding raises on payloads that are not UTF-8 and on ECI modes it does
    # not implement; both mean "not decoded" here.
    try:
        ok, texts, _points, _codes = detector.detectAndDecodeMulti(to_gray(frame))
    except (UnicodeDecodeError, cv2.error):
        return []
    return _unique([t for t in texts if t]) if ok else []


def make_opencv_decoder(aruco: bool = False) -> Decoder:
    """OpenCV's QRCodeDetector, or QRCodeDetectorAruco with ``aruco=True`` (one detector each)."""
    detector = cv2.QRCodeDetectorAruco() if aruco else cv2.QRCodeDetector()
    return lambda frame: _opencv(detector, frame)


def has_aruco_detector() -> bool:
    """Whether this OpenCV build has QRCodeDetectorAruco."""
    return hasattr(cv2, "QRCodeDetectorAruco")


# --- the preprocessing cascade -------------------------------------------------------------

_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def _blur(gray: Frame) -> Frame:
    # Smooths print texture and sensor noise that break zbar's finder-pattern scan lines.
    return cv2.GaussianBlur(gray, (5, 5), 0)


def _otsu_of_blur(gray: Frame) -> Frame:
    # Codes on coloured or photographic backgrounds: one global threshold after smoothing.
    return cv2.threshold(_blur(gray), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]


def _clahe(gray: Frame) -> Frame:
    # Dim, unevenly lit entrance: local contrast equalisation.
    return _CLAHE.apply(gray)


def _adaptive(gray: Frame) -> Frame:
    # Glare and strong light gradients across the card.
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 5
    )


def _upscale(gray: Frame) -> Frame:
    # Small codes at a distance: zbar needs about 3 px a module.
    if max(gray.shape[:2]) > 1400:
        return gray
    return cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


def _downscale(gray: Frame) -> Frame:
    # Large, noisy codes: averaging pixels away removes texture finer than a module.
    return cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


#: Tried in order after the cheap pass fails; cheap and most useful first.
CASCADE: tuple[tuple[str, Callable[[Frame], Frame]], ...] = (
    ("blur", _blur),
    ("otsu", _otsu_of_blur),
    ("clahe", _clahe),
    ("downscale", _downscale),
    ("adaptive", _adaptive),
    ("upscale", _upscale),
)


def decode_pyzbar_cascade(frame: Frame) -> list[str]:
    """pyzbar on the grayscale frame, then on each cascade stage until one decodes."""
    gray = to_gray(frame)
    found = decode_pyzbar(gray)
    for _name, stage in CASCADE:
        if found:
            break
        found = decode_pyzbar(stage(gray))
    return found


def decode_production(frame: Frame) -> list[str]:
    """The production pipeline for still images: zxing-cpp, then the pyzbar cascade."""
    gray = to_gray(frame)
    return decode_zxing(gray) or decode_pyzbar_cascade(gray)


class LiveDecoder:
    """The production pipeline spread across video frames.

    Most camera frames hold no code at all, so running the whole cascade on each would cost the
    most exactly when nothing happens. zxing-cpp (about 1-3 ms at 720p) runs on every frame; on
    every ``fallback_every``-th frame that it misses, pyzbar runs once, on a frame reduced to at
    most ``fallback_width`` pixels, through the next cascade stage in rotation ("plain" first),
    so a card held up for a moment meets every stage within a second at 30 fps.

    A pyzbar stage takes 10-60 ms here (several times that on a Raspberry Pi), many frames'
    worth of zxing-cpp. With ``background=True`` it runs in a thread of its own (the "slow
    lane"; zbar and OpenCV release the GIL), so the next frame is read and tried by zxing-cpp
    on time: a card that becomes readable just after a fallback started is not kept waiting
    behind it. While the slow lane is busy no other fallback starts, so work never piles up,
    and what it finds comes out with the next frame's codes. :meth:`finish` waits for it, for a
    source that ends.
    """

    def __init__(
        self,
        stages: Sequence[tuple[str, Callable[[Frame], Frame]]] = CASCADE,
        fallback_every: int = 3,
        fallback_width: int = 800,
        background: bool = False,
    ) -> None:
        self.stages = (("plain", lambda gray: gray), *stages)
        self.fallback_every = max(1, fallback_every)
        self.fallback_width = fallback_width
        self._misses = 0
        self._next = 0
        self._slow_lane = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="qr-fallback")
            if background
            else None
        )
        self._pending: Future[list[str]] | None = None

    def __call__(self, frame: Frame) -> list[str]:
        """Decode one video frame (plus whatever the slow lane found since the last one)."""
        gray = to_gray(frame)
        found = decode_zxing(gray)
        late = self._collect(wait=False)
        if found:
            return _unique(found + late)
        self._misses += 1
        if self._misses % self.fallback_every or self._pending is not None:
            return late
        name, stage = self.stages[self._next]
        self._next = (self._next + 1) % len(self.stages)
        width = gray.shape[1]
        if width > self.fallback_width and name != "upscale":
            scale = self.fallback_width / width
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if self._slow_lane is None:
            return decode_pyzbar(stage(gray))
        # A copy: the caller's frame buffer may be reused for the next frame.
        self._pending = self._slow_lane.submit(_fallback, stage, gray.copy())
        return late

    def _collect(self, wait: bool) -> list[str]:
        pending = self._pending
        if pending is None or not (wait or pending.done()):
            return []
        self._pending = None
        try:
            return pending.result()
        except Exception:  # a decoder bug on one odd frame must not stop the entrance
            log.exception("the fallback decoder failed on a frame")
            return []

    def finish(self) -> list[str]:
        """Wait for the slow lane's current frame, if any, and return what it found."""
        return self._collect(wait=True)

    def close(self) -> None:
        """Stop the slow lane's thread (after its current frame)."""
        if self._slow_lane is not None:
            self._slow_lane.shutdown(wait=True)


def _fallback(stage: Callable[[Frame], Frame], gray: Frame) -> list[str]:
    return decode_pyzbar(stage(gray))


def decoders() -> dict[str, Decoder]:
    """Every decoder the benchmark compares, by name; ``pipeline`` is the production one."""
    table: dict[str, Decoder] = {
        "zxing-cpp": decode_zxing,
        "pyzbar": decode_pyzbar,
        "pyzbar+cascade": decode_pyzbar_cascade,
        "pipeline": decode_production,
        # OpenCV last: its worker threads stay busy for a moment after each call and would
        # slow whatever the benchmark times next on a two-core machine.
        "opencv": make_opencv_decoder(),
    }
    if has_aruco_detector():
        table["opencv-aruco"] = make_opencv_decoder(aruco=True)
    return table


def read_image(path: str | Path) -> Frame:
    """Read an image file as a BGR array, raising :class:`UnreadableImage` when it is not one."""
    data = np.fromfile(str(path), dtype=np.uint8)
    frame = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if frame is None:
        raise UnreadableImage(f"{path}: not an image OpenCV can read")
    return frame


def decode_file(path: str | Path) -> list[str]:
    """Decode every QR code in an image file with the production pipeline."""
    return decode_production(read_image(path))
