"""Door tablet benchmark: zxing-wasm in Chromium against the Python pipeline, and card → greeting.

Run: ``.venv/bin/python bench/browser_decode.py [PHOTOS] [--reads N]``. Prints figures, asserts
nothing. PHOTOS defaults to tests/data/qr-photos (the ZXing photo set).

1. The real photos: each decoded by the Python production pipeline (scanner/decode.py) and by
   the door page's own decoder worker (kiosk/web/static/js/door-camera-worker.js, zxing-wasm)
   in Debian's Chromium. An image counts as decoded when a decoded text, as UTF-8, equals its
   ``.txt`` exactly. Times are per image: in the worker (decode only) and the round trip from
   the page (copying the pixels to the worker and back).
2. Card in view → greeting: the real server, Chromium's fake camera playing a clip of a member
   card (tilted, moving, unevenly lit) that shows an empty room for two seconds and then the
   card. From the moment the card comes into view (the first card frame's capture time, from
   the video frames' own timestamps) to the first paint of the greeting screen, over N reads.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from printer.cards import MemberCard, render_card  # noqa: E402
from scanner import decode  # noqa: E402
from scanner.clips import card_frames, write_y4m  # noqa: E402
from tests.conftest import LiveServer, free_port  # noqa: E402

DEFAULT_PHOTOS = ROOT / "tests" / "data" / "qr-photos"
STATIC = ROOT / "kiosk" / "web" / "static"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
BLANK_SECONDS = 2.0
CLIP_FPS = 30

DECODE_IN_PAGE = """async (names) => {
  const worker = new Worker('/static/js/door-camera-worker.js');
  await new Promise((resolve, reject) => {
    worker.onmessage = (e) => e.data.type === 'ready' ? resolve() : reject(e.data.message);
    worker.postMessage({type: 'init',
      decoderUrl: location.origin + '/static/vendor/zxing-wasm/zxing-reader.js',
      wasmUrl: location.origin + '/static/vendor/zxing-wasm/zxing_reader.wasm'});
  });
  const out = [];
  for (const name of names) {
    const bitmap = await createImageBitmap(await (await fetch('/photos/' + name)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', {willReadFrequently: true});
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const started = performance.now();
    const answer = await new Promise((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.postMessage({type: 'frame', id: 1, width: pixels.width, height: pixels.height,
                          buffer: pixels.data.buffer}, [pixels.data.buffer]);
    });
    out.push({name, texts: answer.texts, ms: answer.ms, trip: performance.now() - started});
  }
  worker.terminate();
  return out;
}"""

# Installed before any page script. The fake camera plays the clip from its first frame when
# it starts; each video frame says when it was captured and where in the clip it is
# (mediaTime), so the clip's start, and the card's arrival, are known on the page's clock.
CAMERA_STARTED = """if (location.pathname === '/') sessionStorage.removeItem('bench.clip_start');
document.addEventListener('playing', (event) => {
  const video = event.target;
  video.requestVideoFrameCallback((now, frame) => {
    const captured = frame.captureTime || now;
    const start = performance.timeOrigin + captured - frame.mediaTime * 1000;
    sessionStorage.setItem('bench.clip_start', String(start));
  });
}, true);"""
GREETING_PAINTED = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return performance.timeOrigin + (paint ? paint.startTime : performance.now());
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def static_server(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on 127.0.0.1 (a secure context, so workers and wasm behave as on https)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def photo_cases(root: Path) -> list[tuple[Path, str]]:
    """Every photo with the text it must decode to."""
    return [
        (png, png.with_suffix(".txt").read_bytes().decode("utf-8"))
        for png in sorted(root.glob("*/*.png"))
    ]


def matches(expected: str, texts: list[str]) -> bool:
    """Byte-exact, as bench/scanner.py counts."""
    return expected.encode("utf-8") in [t.encode("utf-8", "surrogatepass") for t in texts]


def python_figures(cases: list[tuple[Path, str]], decoder: decode.Decoder) -> dict[str, float]:
    """Decode rate and median ms of a Python decoder over the photos."""
    times, hits = [], 0
    for path, expected in cases:
        frame = decode.read_image(path)
        started = time.perf_counter()
        texts = decoder(frame)
        times.append((time.perf_counter() - started) * 1000)
        hits += matches(expected, texts)
    return {"hits": hits, "n": len(cases), "median": statistics.median(times)}


def browser_figures(playwright, cases: list[tuple[Path, str]], photos: Path) -> dict[str, float]:
    """Decode rate and median ms of the door page's worker over the same photos."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "static").symlink_to(STATIC)
        (site / "photos").symlink_to(photos.resolve())
        (site / "index.html").write_text("<!doctype html><title>bench</title>", encoding="utf-8")
        server, url = static_server(site)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url + "/index.html")
            names = [str(path.relative_to(photos)) for path, _ in cases]
            results = page.evaluate(DECODE_IN_PAGE, names)
        finally:
            browser.close()
            server.shutdown()
    hits = sum(
        matches(expected, r["texts"]) for (_, expected), r in zip(cases, results, strict=True)
    )
    return {
        "hits": hits,
        "n": len(cases),
        "median": statistics.median(r["ms"] for r in results),
        "trip": statistics.median(r["trip"] for r in results),
    }


def print_decode_table(photos: Path, rows: dict[str, dict[str, float]]) -> None:
    """The side-by-side table of decode rate and time per image."""
    print(f"\nReal photos, {photos} ({next(iter(rows.values()))['n']} images)")
    print(f"| {'decoder':<38} | {'decoded':>14} | {'median ms':>9} | {'round trip ms':>13} |")
    print(f"|{'-' * 40}|{'-' * 15}:|{'-' * 10}:|{'-' * 14}:|")
    for name, f in rows.items():
        rate = f"{f['hits']}/{f['n']} {100 * f['hits'] / f['n']:5.1f}%"
        trip = f"{f['trip']:13.2f}" if "trip" in f else f"{'':13}"
        print(f"| {name:<38} | {rate:>14} | {f['median']:9.2f} | {trip} |")
    python = rows["Python pipeline (zxing-cpp + pyzbar)"]
    wasm = rows["zxing-wasm in Chromium (door worker)"]
    gap = 100 * (python["hits"] - wasm["hits"]) / python["n"]
    print(f"in-browser decode rate: {gap:.1f} points below the Python pipeline (target <= 3)")


def greeting_latency(playwright, reads: int, base: Path) -> list[float]:
    """Milliseconds from the card coming into view to the greeting's first paint, per read."""
    server = LiveServer(
        base / "instance",
        free_port(),
        {
            "KIOSK_DOOR_CAMERA": "browser",
            "KIOSK_PREVIEW_URL": "http://127.0.0.1:9/preview.mjpg",
            # Every read acts (in, out, in…), so one card gives every read a greeting screen.
            "KIOSK_MIN_STAY_SECONDS": "0",
            "KIOSK_REPEAT_WINDOW_SECONDS": "0",
        },
    )
    try:
        token = server.add_member("Aino Laine")
        card = np.array(render_card(MemberCard(name="Aino Laine", token=token), 900, one_bit=False))
        frames = card_frames(card, 6, blank_seconds=BLANK_SECONDS, fps=CLIP_FPS)
        clip = write_y4m(frames, base / "card.y4m", fps=CLIP_FPS)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={clip}",
            ],
        )
        context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="fi-FI")
        context.add_init_script(CAMERA_STARTED)
        page = context.new_page()
        times = []
        for _ in range(reads):
            page.goto(server.url + "/?reset=1")
            page.wait_for_url("**/hello/**", timeout=30_000)
            page.wait_for_selector("h1")
            painted = page.evaluate(GREETING_PAINTED)
            start = float(page.evaluate("sessionStorage.getItem('bench.clip_start')") or "nan")
            times.append(painted - (start + BLANK_SECONDS * 1000))
        browser.close()
        return times
    finally:
        server.stop()


def main() -> None:
    """Run both measurements and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="?", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--reads", type=int, default=20, help="card → greeting reads")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print("Door tablet benchmark: in-browser decoding (zxing-wasm) vs the Python pipeline")
    with sync_playwright() as playwright:
        if args.photos.is_dir():
            cases = photo_cases(args.photos)
            rows = {
                "Python pipeline (zxing-cpp + pyzbar)": python_figures(
                    cases, decode.decode_production
                ),
                "Python zxing-cpp alone": python_figures(cases, decode.decode_zxing),
                "zxing-wasm in Chromium (door worker)": browser_figures(
                    playwright, cases, args.photos
                ),
            }
            print_decode_table(args.photos, rows)
        else:
            print(f"\n(no photo set at {args.photos}; pass the folder as an argument)")

        with tempfile.TemporaryDirectory(prefix="tankkaamo-bench-tablet-") as tmp:
            times = greeting_latency(playwright, args.reads, Path(tmp))
        p50 = statistics.median(times)
        p95 = float(np.percentile(times, 95))
        print(
            f"\nCard in view → greeting painted, fake camera at {CLIP_FPS} fps, {len(times)} reads"
        )
        print("| p50 ms | p95 ms | min ms | max ms |")
        print("|-------:|-------:|-------:|-------:|")
        print(f"| {p50:6.0f} | {p95:6.0f} | {min(times):6.0f} | {max(times):6.0f} |")
        print(f"target: p95 <= 800 ms ({'met' if p95 <= 800 else 'NOT met'})")


if __name__ == "__main__":
    main()
