"""Accessibility of every door screen in every language: axe-core, touch targets, keyboard, zoom.

axe-core comes from npm (`make browser-deps`) and is read from node_modules, never a CDN.
The figures per page and language are printed and written to test-artifacts/axe-door.json.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.conftest import (
    LANGUAGES,
    LARGE,
    SCREENSHOTS,
    SMALL,
    PageProblems,
    axe_figures,
    describe,
    run_axe,
    screenshot,
    serious,
    start_server,
)

pytestmark = pytest.mark.browser

MIN_TARGET = 48  # px, the kiosk's touch target (WCAG 2.5.5 asks 44)
INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server where a second scan 1 s later checks out, so every person screen can be seen."""
    live = start_server(
        tmp_path_factory,
        "a11y-server",
        KIOSK_MIN_STAY_SECONDS="1",
        KIOSK_REPEAT_WINDOW_SECONDS="1",
    )
    yield live
    live.stop()


def new_page(browser, viewport=LARGE):
    """A page whose door stream is cut: these checks need no live scans, and every door
    page would otherwise hold one of the server's few door-stream slots."""
    context = browser.new_context(viewport=viewport, has_touch=True)
    context.set_default_timeout(10_000)
    context.route("**/stream/door", lambda route: route.abort())
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    return context, page, problems


def wedge_scan(page, url: str, code: str) -> str:
    """Scan ``code`` with the keyboard-wedge reader on the welcome screen; return the screen."""
    page.goto(url + "/")
    page.locator("#wedge-code").fill(code)
    page.locator("#wedge-code").press("Enter")
    page.wait_for_url("**/hello/**")
    return page.url.removeprefix(url)


@pytest.fixture(scope="module")
def door_pages(browser, server) -> dict[str, str]:
    """Every door screen's path, reached through real scans and sign-ins."""
    context, page, problems = new_page(browser)
    pages = {
        "welcome": "/",
        "guest": "/guest",
        "forgot": "/forgot",
        "privacy": "/privacy",
        "refused-unknown": "/refused/unknown",
        "refused-revoked": "/refused/revoked",
        "refused-not-found": "/refused/not_found",
    }
    # Today's events and the opt-in board, where the events feature provides them.
    for name, path in [("events-today", "/events/today"), ("board", "/board")]:
        if page.goto(server.url + path).status == 200:
            pages[name] = path
    anna = server.add_member("Anna Virtanen")
    greeting = wedge_scan(page, server.url, anna)
    pages["greeting-member"] = greeting
    pages["follow-up"] = greeting + "/help"
    pages["thanks"] = greeting + "/thanks"
    pages["thanks-host-coming"] = greeting + "/thanks?asked=1"
    pages["already-in"] = wedge_scan(page, server.url, anna)
    time.sleep(1.1)  # past the minimum stay
    pages["goodbye"] = wedge_scan(page, server.url, anna)
    pages["already-out"] = wedge_scan(page, server.url, anna)

    page.goto(server.url + "/guest")
    page.get_by_label("Nimesi").fill("Vieras Testinen")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/hello/**")
    pages["greeting-guest"] = page.url.removeprefix(server.url)
    context.close()
    assert problems.errors == []
    return pages


def open_in(page, server, path: str, language: str) -> None:
    """Open ``path`` with the screen switched to ``language``, as the language links do."""
    page.goto(f"{server.url}/language/{language}?next={path}")
    assert page.locator("html").get_attribute("lang") == language


def open_with_errors(page, server, name: str, language: str) -> None:
    """The two screens that exist only after a bad submission."""
    if name == "guest-errors":
        open_in(page, server, "/guest", language)
        page.locator("form.guest-form [type=submit]").click()
    else:
        open_in(page, server, "/forgot", language)
        page.locator("#contact").fill("nobody@example.invalid")
        page.locator("form.forgot-form [type=submit]").click()
    page.locator("[role=alert]").first.wait_for()
    # Measured before the stylesheet had loaded, the controls would seem tiny.
    page.wait_for_load_state("load")


ERROR_SCREENS = ("guest-errors", "forgot-not-found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_serious_on_any_door_screen(browser, server, door_pages, language):
    context, page, problems = new_page(browser)
    figures = {}
    failures = {}
    for name in [*door_pages, *ERROR_SCREENS]:
        if name in ERROR_SCREENS:
            open_with_errors(page, server, name, language)
        else:
            open_in(page, server, door_pages[name], language)
        figures[name], bad = axe_figures(page, f"door {language} {name}")
        if bad:
            failures[name] = bad
    context.close()
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / f"axe-door-{language}.json").write_text(
        json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    assert failures == {}, describe([{"page": k, "violations": v} for k, v in failures.items()])
    assert problems.errors == []


def test_axe_does_report_a_broken_page(browser, server) -> None:
    # The checker itself must be able to fail: break a page on purpose and look.
    context, page, _problems = new_page(browser)
    page.goto(server.url + "/privacy")
    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = '/static/img/mood-1.svg';
            document.querySelector('main').append(img);
            const faint = document.createElement('p');
            faint.textContent = 'Tuskin näkyvää tekstiä';
            faint.style.color = '#f0ebe3';
            document.querySelector('main').append(faint);
        }"""
    )
    rules = {v["id"] for v in serious(run_axe(page))}
    context.close()
    assert {"image-alt", "color-contrast"} <= rules


def small_targets(page) -> list[str]:
    """Visible controls smaller than 48×48 px (a checkbox counts by its label)."""
    return page.evaluate(
        """([selector, min]) => {
            const small = [];
            for (const el of document.querySelectorAll(selector)) {
                const style = getComputedStyle(el);
                if (style.visibility === 'hidden' || el.closest('[hidden]')) continue;
                let target = el;
                if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) {
                    target = el.closest('label');
                }
                const r = target.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) continue;      // not rendered
                if (r.right < 0 || r.bottom < 0) continue;          // parked off screen
                if (r.width <= 1 && r.height <= 1) continue;        // visually hidden
                if (r.width < min || r.height < min) {
                    const label = (target.innerText || target.value || target.id || '').trim();
                    small.push(`${target.tagName.toLowerCase()} "${label.slice(0, 40)}" ` +
                               `${Math.round(r.width)}x${Math.round(r.height)}`);
                }
            }
            return small;
        }""",
        [INTERACTIVE, MIN_TARGET],
    )


@pytest.mark.parametrize("viewport", [SMALL, LARGE], ids=["800x480", "1280x800"])
def test_every_touch_target_is_at_least_48_px(browser, server, door_pages, viewport):
    context, page, _problems = new_page(browser, viewport)
    found = {}
    for name in [*door_pages, *ERROR_SCREENS]:
        if name in ERROR_SCREENS:
            open_with_errors(page, server, name, "fi")
        else:
            open_in(page, server, door_pages[name], "fi")
        small = small_targets(page)
        if small:
            found[name] = small
    # The on-screen keyboard's keys, open on the guest form.
    open_in(page, server, "/guest", "fi")
    page.get_by_label("Nimesi").tap()
    assert page.locator("#osk").is_visible()
    small = small_targets(page)
    if small:
        found["guest-keyboard"] = small
    context.close()
    assert found == {}


def fully_visible(page, locator) -> bool:
    """Tell whether the element lies wholly inside the viewport, without scrolling."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_welcome_and_greeting_fit_the_small_screen(browser, server, door_pages, language):
    context, page, _problems = new_page(browser, SMALL)
    open_in(page, server, "/", language)
    for locator in [page.locator("h1"), *page.locator(".welcome .actions .button").all()]:
        assert fully_visible(page, locator), (language, "welcome", locator)
    open_in(page, server, door_pages["greeting-member"], language)
    important = [
        page.locator("h1"),
        page.locator(".checked-note"),
        *page.locator("button.mood").all(),
        *page.locator(".after-moods .button").all(),
    ]
    for locator in important:
        assert fully_visible(page, locator), (language, "greeting", locator.inner_text())
    screenshot(page, f"10-greeting-member-{language}", sizes=("800x480",))
    context.close()


def test_text_enlarged_to_200_percent_is_not_cut_off(browser, server, door_pages):
    context, page, _problems = new_page(browser, LARGE)
    problems = {}
    for name in [*door_pages, *ERROR_SCREENS]:
        if name in ERROR_SCREENS:
            open_with_errors(page, server, name, "fi")
        else:
            open_in(page, server, door_pages[name], "fi")
        # Text zoom: the root font size at 200 %, as a browser's text-size setting does.
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        found = page.evaluate(
            """() => {
                const out = [];
                const doc = document.documentElement;
                if (doc.scrollWidth > window.innerWidth + 1) {
                    out.push(`page scrolls sideways: ${doc.scrollWidth}px`);
                }
                if (doc.scrollHeight > window.innerHeight &&
                    getComputedStyle(document.body).overflowY === 'hidden') {
                    out.push('page cannot scroll to its end');
                }
                const sel = 'h1, h2, p, label, .button, button, a, input:not([type=hidden])';
                for (const el of document.querySelectorAll(sel)) {
                    if (el.closest('[hidden], .wedge, .visually-hidden')) continue;
                    const r = el.getBoundingClientRect();
                    if (r.width === 0 && r.height === 0) continue;
                    const cut = el.scrollWidth > el.clientWidth + 1 &&
                                getComputedStyle(el).overflowX !== 'visible';
                    if (r.left < -1 || r.right > window.innerWidth + 1 || cut) {
                        const text = el.innerText.trim().slice(0, 30);
                        const where = `${Math.round(r.left)}..${Math.round(r.right)}`;
                        out.push(`${el.tagName.toLowerCase()} "${text}" ${where}` +
                                 (cut ? ' clipped' : ''));
                    }
                }
                return out;
            }"""
        )
        if found:
            problems[name] = found
        if name in {"welcome", "greeting-member", "guest"}:
            screenshot(page, f"11-text-200-percent-{name}", sizes=("1280x800",))
    context.close()
    assert problems == {}


def test_keyboard_alone_welcome_to_guest_form_to_mood(browser, server) -> None:
    context = browser.new_context(viewport=LARGE)  # no touch: a keyboard user
    context.route("**/stream/door", lambda route: route.abort())
    page = context.new_page()
    page.goto(server.url + "/")

    def tab_to(check: str, limit: int = 25) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(() => {{ const el = document.activeElement; return {check}; }})()"):
                # The focused control shows where the focus is.
                outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none", check
                return
        raise AssertionError(f"Tab never reached {check}")

    tab_to("el.matches('a.button.primary')")  # "Olen vieras"
    page.keyboard.press("Enter")
    page.wait_for_url("**/guest")
    tab_to("el.id === 'name'")
    page.keyboard.type("Keijo Näppäilijä")
    tab_to("el.name === 'consent'")
    page.keyboard.press("Space")
    tab_to("el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hello/**")
    assert "Keijo" in page.locator("h1").inner_text()
    assert page.locator("#osk").count() == 0 or page.locator("#osk").is_hidden()

    tab_to("el.classList.contains('mood')")
    tab_to("el.classList.contains('mood') && el.value === '3'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/help")
    tab_to("el.name === 'chat'")
    page.keyboard.press("Space")
    tab_to("el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks**")
    context.close()
