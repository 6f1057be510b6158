"""Scanner benchmark: decoders side by side, and the scan loop's CPU share at 30 fps.

Run: ``.venv/bin/python bench/scanner.py [--photos DIR]``. Prints figures, asserts nothing.
An image counts as decoded when a decoded text, encoded as UTF-8, equals its ``.txt`` exactly.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner import decode, synthetic  # noqa: E402
from scanner.loop import ScannerLoop  # noqa: E402
from scanner.preview import PreviewServer  # noqa: E402

DEFAULT_PHOTOS = Path(__file__).resolve().parent.parent / "tests" / "data" / "qr-photos"


def measure(decoder: decode.Decoder, cases: list[tuple[np.ndarray, str]]) -> dict[str, float]:
    """Decode rate, median ms over all images, and median ms over the images it decoded."""
    times, hit_times, hits = [], [], 0
    for frame, expected in cases:
        started = time.perf_counter()
        texts = decoder(frame)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        if expected.encode("utf-8") in [t.encode("utf-8", "surrogatepass") for t in texts]:
            hits += 1
            hit_times.append(elapsed)
    return {
        "hits": hits,
        "n": len(cases),
        "median": statistics.median(times),
        "hit_median": statistics.median(hit_times) if hit_times else float("nan"),
    }


def table(title: str, cases: list[tuple[np.ndarray, str]]) -> dict[str, dict[str, float]]:
    """Print one table of every decoder over ``cases``; return the figures."""
    print(f"\n{title} ({len(cases)} images)")
    print(f"| {'decoder':<15} | {'decoded':>14} | {'median ms':>9} | {'median ms, hits':>15} |")
    print(f"|{'-' * 17}|{'-' * 16}:|{'-' * 10}:|{'-' * 16}:|")
    figures = {}
    for name, decoder in decode.decoders().items():
        f = measure(decoder, cases)
        figures[name] = f
        rate = f"{f['hits']}/{f['n']} {100 * f['hits'] / f['n']:5.1f}%"
        print(f"| {name:<15} | {rate:>14} | {f['median']:9.2f} | {f['hit_median']:15.2f} |")
    return figures


def hit_path(cases: list[tuple[np.ndarray, str]], rounds: int = 3) -> str:
    """Pipeline vs zxing-cpp on the images both decode, timed alternately image by image."""
    ratios, ours, theirs = [], [], []
    for frame, expected in cases:
        if expected not in decode.decode_zxing(frame):
            continue
        for _ in range(rounds):
            t0 = time.perf_counter()
            decode.decode_zxing(frame)
            t1 = time.perf_counter()
            decode.decode_production(frame)
            t2 = time.perf_counter()
            theirs.append(t1 - t0)
            ours.append(t2 - t1)
            ratios.append((t2 - t1) / (t1 - t0))
    return (
        f"hit path on the {len(ratios) // rounds} photos zxing-cpp decodes: pipeline "
        f"{statistics.median(ours) * 1000:.2f} ms vs zxing-cpp "
        f"{statistics.median(theirs) * 1000:.2f} ms, "
        f"median ratio {statistics.median(ratios):.2f}x (target <= 1.5x)"
    )


def photo_cases(root: Path) -> list[tuple[np.ndarray, str]]:
    """The real photos with their expected texts."""
    return [
        (decode.read_image(png), png.with_suffix(".txt").read_bytes().decode("utf-8"))
        for png in sorted(root.glob("*/*.png"))
    ]


def synthetic_cases(width: int, height: int, per_condition: int) -> list[tuple[np.ndarray, str]]:
    """Synthetic webcam frames of every condition."""
    return [(f.frame, f.text) for f in synthetic.frame_set(width, height, per_condition)]


class PacedFrames:
    """A 30 fps source over pre-rendered frames, so the figure is the loop's cost, not rendering."""

    exhausted = False
    description = "bench frames"

    def __init__(self, frames: list[np.ndarray], count: int, fps: float = 30.0) -> None:
        self.frames, self.count, self.interval = frames, count, 1.0 / fps
        self.index = 0
        self.late = 0
        self.next = time.monotonic()

    def read(self) -> np.ndarray | None:
        if self.index >= self.count:
            self.exhausted = True
            return None
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)
        elif now - self.next > self.interval:
            self.late += 1  # the loop missed this frame's slot: it is not keeping up
        self.next += self.interval
        frame = self.frames[self.index % len(self.frames)]
        self.index += 1
        return frame

    def close(self) -> None:
        """Nothing to release."""


def loop_share(frames: list[np.ndarray], count: int, preview: bool) -> dict[str, float]:
    """Run the real scan loop over ``count`` paced frames; CPU share and per-frame time."""
    server = None
    stop_viewer = threading.Event()
    if preview:
        server = PreviewServer("127.0.0.1", 0).start()

        def viewer() -> None:  # a kiosk page watching, so the preview really encodes
            with urllib.request.urlopen(server.url, timeout=5) as stream:  # noqa: S310
                while not stop_viewer.is_set():
                    stream.read(4096)

        threading.Thread(target=viewer, daemon=True).start()
    per_frame: list[float] = []
    scans: list[object] = []
    loop = ScannerLoop(lambda: source, scans.append, on_frame=server.publish if server else None)
    original = loop.process

    def timed(frame: np.ndarray) -> list:
        started = time.perf_counter()
        result = original(frame)
        per_frame.append((time.perf_counter() - started) * 1000)
        return result

    loop.process = timed  # type: ignore[method-assign]
    source = PacedFrames(frames, count)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    loop.run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    stop_viewer.set()
    if server:
        server.stop()
    return {
        "cpu_share": 100 * cpu / wall,
        "fps": count / wall,
        "median": statistics.median(per_frame),
        "p95": float(np.percentile(per_frame, 95)),
        "late": source.late,
        "scans": len(scans),
    }


def main() -> None:
    """Run every measurement and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--per-condition", type=int, default=8)
    parser.add_argument("--loop-frames", type=int, default=150, help="frames per loop run (30 fps)")
    args = parser.parse_args()

    print("Scanner benchmark: decoders side by side ('pipeline' is the production decoder)")
    if args.photos.is_dir():
        cases = photo_cases(args.photos)
        table(f"Real photos, {args.photos}", cases)
        print(hit_path(cases))
    else:
        print(f"\n(no photo set at {args.photos}; pass --photos)")
    table("Synthetic 640x480 frames", synthetic_cases(640, 480, args.per_condition))
    table("Synthetic 1280x720 frames", synthetic_cases(1280, 720, args.per_condition))

    # The loop at 720p: two empty frames for each frame with a card, as at a real entrance.
    rng = np.random.default_rng(5)
    with_card = [f.frame for f in synthetic.frame_set(1280, 720, 2, seed=5)]
    empty = [synthetic.background(1280, 720, rng) for _ in range(len(with_card) * 2)]
    frames = [
        frame for pair in zip(empty[::2], empty[1::2], with_card, strict=True) for frame in pair
    ]
    seconds = args.loop_frames / 30
    print(f"\nScan loop at 1280x720, paced at 30 fps, {args.loop_frames} frames ({seconds:.0f} s)")
    print(
        f"| {'preview':<22} | {'CPU % of one core':>17} | {'fps':>5} | {'median ms/frame':>15} "
        f"| {'p95 ms':>6} | {'late frames':>11} |"
    )
    print(f"|{'-' * 24}|{'-' * 18}:|{'-' * 6}:|{'-' * 16}:|{'-' * 7}:|{'-' * 12}:|")
    for label, preview in (("off", False), ("on, one viewer", True)):
        f = loop_share(frames, args.loop_frames, preview)
        print(
            f"| {label:<22} | {f['cpu_share']:17.1f} | {f['fps']:5.1f} | {f['median']:15.2f} "
            f"| {f['p95']:6.2f} | {f['late']:11d} |"
        )


if __name__ == "__main__":
    main()
