"""The door without a camera, the greeting's two steps, and a hard day, in Chromium."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.browser.conftest import SIZES, PageProblems, screenshot, start_server
from tests.browser.touch import Finger

pytestmark = pytest.mark.browser


class SilentPreview:
    """A camera preview that answers the request and then never sends a frame."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/preview.mjpg"
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.recv(4096)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\n"
                b"Content-Type: multipart/x-mixed-replace; boundary=frame\r\n\r\n"
            )
            self.clients.append(conn)

    def close(self) -> None:
        for conn in self.clients:
            conn.close()
        self.sock.close()


@pytest.fixture(scope="module")
def preview():
    silent = SilentPreview()
    yield silent
    silent.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, preview):
    live = start_server(tmp_path_factory, "words-server", KIOSK_PREVIEW_URL=preview.url)
    yield live
    live.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=SIZES["800x480"], locale="fi-FI", has_touch=True)
    context.set_default_timeout(10_000)
    context.route("**/stream/door", lambda route: route.abort())
    tab = context.new_page()
    problems = PageProblems()
    problems.watch(tab)
    yield tab
    context.close()
    assert problems.errors == []


def wedge_scan(page, server, token: str) -> None:
    page.goto(server.url + "/")
    page.locator("#wedge-code").fill(token)
    page.locator("#wedge-code").press("Enter")
    page.wait_for_url("**/hello/**")


def test_a_camera_with_no_frames_fails_fast_and_names_what_works(page, server) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector(".preview.no-camera .preview-fallback", state="visible", timeout=5_000)
    text = page.locator(".lead-no-camera").inner_text()
    assert page.locator(".lead-camera").is_hidden()
    assert "viivakoodinlukijalle" in text and "Unohtuiko kortti?" in text and "Olen vieras" in text
    screenshot(page, "16-welcome-no-camera", sizes=("800x480", "1280x800"))


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_the_greeting_asks_the_mood_first_and_keeps_the_rest_a_step_away(
    page, server, size
) -> None:
    page.set_viewport_size(SIZES[size])
    wedge_scan(page, server, server.add_member(f"Anna-Liisa Korhonen {size}"))
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= SIZES[size]["height"], height
    assert page.get_by_role("heading", name="Mitä kuuluu?").is_visible()
    board = page.get_by_text("Näytä minut taululla")
    assert board.is_hidden()
    step = page.locator(".extras-step > summary")
    assert "Täällä tänään" in step.inner_text()
    screenshot(page, "16-greeting-first-step", sizes=(size,))
    Finger(page).tap(step)
    assert page.locator(".extras-step").get_attribute("open") is not None
    page.get_by_role("button", name="Näytä minut taululla").wait_for(state="visible")


def test_a_hyphenated_name_stays_whole(page, server) -> None:
    wedge_scan(page, server, server.add_member("Anna-Liisa Virtanen"))
    name = page.locator("h1.hello .name-whole")
    assert name.inner_text().startswith("Anna-Liisa")  # with its "!", which stays too
    # On one line, even on the narrowest screen.
    page.set_viewport_size(SIZES["390x844"])
    assert name.evaluate("el => el.getClientRects().length") == 1


def test_a_hard_day_is_met_with_care(page, server) -> None:
    wedge_scan(page, server, server.add_member("Tuomas Heikkinen"))
    Finger(page).tap(page.get_by_role("button", name="Tosi raskasta"))
    page.wait_for_url("**/help**")
    text = page.locator("main").inner_text()
    assert "Kiitos, että kerroit, Tuomas." in text
    assert "Raskaita päiviä tulee kaikille" in text
    screenshot(page, "16-hard-day", sizes=("800x480", "1280x800"))
    # Saying no is one tap, and nothing is sent.
    Finger(page).tap(page.get_by_role("link", name="Ei nyt, kiitos"))
    page.wait_for_url("**/?reset=1")
