"""Browser fixtures: the real server (waitress on 127.0.0.1) and Debian's Chromium via Playwright.

One Chromium for the whole session, one server per test module, one fresh browser context
(cookies, viewport) per test. Screenshots go to test-artifacts/screenshots/ for people to look
at; nothing is compared against them.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The kiosk's two screens: a 7" Raspberry Pi panel and a 10" tablet-sized panel.
SMALL = {"width": 800, "height": 480}
LARGE = {"width": 1280, "height": 800}
TABLET = {"width": 1024, "height": 600}
PHONE = {"width": 390, "height": 844}
SIZES = {"800x480": SMALL, "1024x600": TABLET, "1280x800": LARGE, "390x844": PHONE}
LANGUAGES = ("fi", "sv", "en")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything in this folder as a browser test."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright driver for the session; tests that need their own Chromium launch it here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test-system-packages`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator[object]:
    """Debian's Chromium, launched once for the session (never a downloaded browser)."""
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def start_server(factory: pytest.TempPathFactory, name: str, **env: str) -> LiveServer:
    """Start ``kiosk serve`` with a fresh instance folder and these extra KIOSK_* settings."""
    base = factory.mktemp(name)
    settings = {
        # Nothing listens here: the welcome screen hides the camera preview, as it does
        # whenever the scanner is not running.
        "KIOSK_PREVIEW_URL": "http://127.0.0.1:9/preview.mjpg",
    }
    settings.update(env)
    return LiveServer(base / "instance", free_port(), settings)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server for this module; a second scan checks out at once (no minimum stay)."""
    live = start_server(
        tmp_path_factory,
        "browser-server",
        KIOSK_MIN_STAY_SECONDS="0",
        KIOSK_REPEAT_WINDOW_SECONDS="0",
    )
    yield live
    live.stop()


class PageProblems:
    """Uncaught script errors and CSP violations seen on a page; tests assert there are none."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page) -> None:
        """Start collecting ``page``'s problems."""
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh context and page at 1280×800, Finnish, touch enabled; fails on script errors."""
    context = browser.new_context(viewport=LARGE, locale="fi-FI", has_touch=True)
    context.set_default_timeout(10_000)
    problems = PageProblems()
    tab = context.new_page()
    problems.watch(tab)
    yield tab
    context.close()
    assert problems.errors == []


def screenshot(page, name: str, sizes: tuple[str, ...] = ("800x480", "1280x800")) -> list[Path]:
    """Save the visible screen at each size as test-artifacts/screenshots/NAME-WxH.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    saved = []
    for size in sizes:
        page.set_viewport_size(SIZES[size])
        path = SCREENSHOTS / f"{name}-{size}.png"
        page.screenshot(path=str(path))
        saved.append(path)
    if original:
        page.set_viewport_size(original)
    return saved


def run_axe(page) -> list[dict]:
    """Run axe-core (from node_modules, injected from disk) on the page; return violations.

    Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
    """
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: run `make browser-deps`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_PATH.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                  'wcag22aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )
    return result


def serious(violations: list[dict]) -> list[dict]:
    """The violations that block people: impact serious or critical."""
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def axe_figures(page, label: str) -> tuple[dict, list[dict]]:
    """Run axe on the page; return (figures for the artifact file, serious violations)."""
    violations = run_axe(page)
    bad = serious(violations)
    figures = {
        "serious_or_critical": len(bad),
        "moderate_or_minor": len(violations) - len(bad),
        "rules": sorted({v["id"] for v in violations}),
    }
    print(
        f"axe {label}: {len(bad)} serious/critical, "
        f"{len(violations) - len(bad)} moderate/minor {figures['rules']}"
    )
    return figures, bad


def describe(violations: list[dict]) -> str:
    """Readable violations for an assertion message."""
    return json.dumps(violations, indent=1, ensure_ascii=False)


def wait_for_door(page, server: LiveServer | None = None) -> None:
    """Wait until the door page listens to the live stream (it retries when refused).

    The server keeps only 4 door streams, and notices a stream whose page has gone only when
    it next writes to it (a heartbeat every 15 s). Tests move through screens faster than any
    visitor, so when the page is waiting for a slot, an unknown code is scanned three times:
    the events written to a closed page's stream find its socket gone (the first send draws
    a reset, the second fails, the third raises in the stream's thread), freeing its slot.
    """
    try:
        page.wait_for_selector("body[data-live='open']", state="attached", timeout=2_000)
        return
    except Exception:
        if server is None or page.locator("body").get_attribute("data-live") == "open":
            raise
    for _ in range(3):
        server.post_scan("not-a-card-frees-door-slots")
        time.sleep(0.25)
    page.wait_for_selector("body[data-live='open']", state="attached", timeout=10_000)
