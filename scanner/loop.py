"""The scan loop: frames in, once-per-card scans out; it survives cameras that come and go."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from scanner.attention import Attention
from scanner.debounce import Debouncer
from scanner.decode import Decoder, LiveDecoder
from scanner.delivery import Scan
from scanner.motion import ChangeDetector
from scanner.sources import BadSourceSpec, CameraUnavailable, Source, Throttleable

log = logging.getLogger(__name__)

Frame = np.ndarray


@dataclass
class LoopStats:
    """Counters an operator (and the tests) can read."""

    frames: int = 0
    decode_calls: int = 0  # frames handed to the decoder; the rest were idle and unchanged
    decoded: int = 0
    scans: int = 0
    reconnects: int = 0
    decode_errors: int = 0
    # The last codes only: a scanner runs for months, and codes are card tokens.
    codes: deque[str] = field(default_factory=lambda: deque(maxlen=100))


class ScannerLoop:
    """Reads frames, decodes, debounces and hands each new scan to ``emit``.

    Side effects come in through the constructor: ``open_source`` (a callable, so that a camera
    that vanished can be opened again), ``emit`` (usually :meth:`DeliveryQueue.put`), the
    monotonic ``clock`` and ``sleep``, an optional ``on_state`` for health reports and an optional
    ``on_frame`` for the preview.

    Frugal by default: a :class:`ChangeDetector` looks at each frame first, and
    :class:`Attention` decides from it whether to decode and how fast a throttleable source
    runs. Pass ``attention=Attention(idle_fps=0)`` to decode every frame at full speed. The
    default decoder is a :class:`LiveDecoder` with its slow lane in a thread of its own, so a
    slow fallback never holds up the next frame.
    """

    def __init__(
        self,
        open_source: Callable[[], Source],
        emit: Callable[[Scan], None],
        decoder: Decoder | None = None,
        debouncer: Debouncer | None = None,
        on_state: Callable[[str, str], None] | None = None,
        on_frame: Callable[[Frame], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        backoff: tuple[float, float] = (0.5, 30.0),
        max_misses: int = 30,
        detector: ChangeDetector | None = None,
        attention: Attention | None = None,
    ) -> None:
        self.open_source = open_source
        self.emit = emit
        self._owns_decoder = decoder is None
        self.decoder = decoder or LiveDecoder(background=True)
        self.debouncer = debouncer or Debouncer()
        self.on_state = on_state or (lambda state, detail: None)
        self.on_frame = on_frame
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff
        self.max_misses = max_misses  # consecutive empty reads before a camera counts as gone
        self.detector = detector or ChangeDetector()
        self.attention = attention or Attention()
        self.stats = LoopStats()
        self.source: Source | None = None
        self._progress = clock()
        self._stop = threading.Event()
        self._max_fps: float | None = None

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current frame."""
        self._stop.set()

    def progress_age(self) -> float:
        """Seconds since the loop last read a frame or tried to open the camera."""
        return self.clock() - self._progress

    def _connect(self) -> Source | None:
        delay = self.backoff[0]
        while not self._stop.is_set():
            self._progress = self.clock()
            try:
                source = self.open_source()
            except BadSourceSpec:
                raise  # a typo in the configuration does not fix itself; say so at once
            except CameraUnavailable as exc:
                self.on_state("no_camera", str(exc))
                log.warning("%s; retrying in %.1f s", exc, delay)
            except Exception as exc:  # e.g. a driver error: report it, retry, never crash
                self.on_state("error", f"{type(exc).__name__}: {exc}")
                log.exception("opening the camera failed; retrying in %.1f s", delay)
            else:
                log.info("scanning from %s", source.description)
                self.on_state("ok", source.description)
                return source
            self.sleep(delay)
            delay = min(delay * 2, self.backoff[1])
        return None

    def _throttle(self, max_fps: float | None) -> None:
        if max_fps != self._max_fps and isinstance(self.source, Throttleable):
            self.source.set_max_fps(max_fps)
        self._max_fps = max_fps

    def process(self, frame: Frame) -> list[Scan]:
        """Look at one frame; decode it when it is worth it and emit each code not seen lately."""
        self.stats.frames += 1
        if self.on_frame is not None:
            self.on_frame(frame)
        now = self.clock()
        try:
            changed = self.attention.enabled and self.detector.changed(frame, now)
        except Exception:  # an odd frame from a driver: look at it fully, as before
            log.debug("the change detector could not read a frame", exc_info=True)
            changed = True
        decision = self.attention.observe(changed, now)
        self._throttle(decision.max_fps)
        if not decision.decode:
            return []
        self.stats.decode_calls += 1
        try:
            codes = self.decoder(frame)
        except Exception:  # a decoder bug on one odd frame must not stop the entrance
            self.stats.decode_errors += 1
            log.exception("decoding a frame failed")
            return []
        return self._emit(codes, now)

    def _emit(self, codes: list[str], now: float) -> list[Scan]:
        scans = []
        for code in codes:
            self.stats.decoded += 1
            if self.debouncer.seen(code, now):
                scan = Scan(code)
                self.stats.scans += 1
                self.stats.codes.append(code)
                scans.append(scan)
                self.emit(scan)
        return scans

    def run(self, max_frames: int | None = None) -> LoopStats:
        """Scan until :meth:`stop`, until a finite source is used up, or ``max_frames``."""
        source = self.source = self._connect()
        misses = 0
        try:
            while source is not None and not self._stop.is_set():
                if max_frames is not None and self.stats.frames >= max_frames:
                    break
                try:
                    frame = source.read()
                except Exception as exc:  # a driver that raises instead of returning False
                    log.warning("reading from %s failed: %s", source.description, exc)
                    frame = None
                self._progress = self.clock()
                if frame is not None:
                    misses = 0
                    self.process(frame)
                    continue
                if source.exhausted:
                    log.info("%s: no more frames", source.description)
                    break
                misses += 1
                if misses >= self.max_misses:
                    # The camera was unplugged or hung: close it and open it again with backoff.
                    self.on_state("no_camera", f"{source.description} stopped giving frames")
                    log.warning("%s stopped giving frames; reconnecting", source.description)
                    source.close()
                    self.stats.reconnects += 1
                    source = self.source = self._connect()
                    self.detector.reset()
                    self._max_fps = None  # a new source starts at full speed
                    misses = 0
                else:
                    self.sleep(0.01)
        finally:
            if source is not None:
                source.close()
            self._finish_decoder()
        return self.stats

    def _finish_decoder(self) -> None:
        # A decoder with a slow lane may still hold the last frames' codes: a file or folder
        # that ends right after its only readable frame must still give its scan.
        finish = getattr(self.decoder, "finish", None)
        if finish is not None:
            try:
                self._emit(finish(), self.clock())
            except Exception:
                log.exception("finishing the decoder failed")
        close = getattr(self.decoder, "close", None)
        if self._owns_decoder and close is not None:
            close()
