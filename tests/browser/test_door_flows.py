"""The door screen in Chromium against the real server: scans, moods, guests, languages."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from kiosk.db import connect
from tests.browser.conftest import screenshot, wait_for_door

pytestmark = pytest.mark.browser


def visible_text(page) -> str:
    """Everything the screen shows, as one string."""
    return page.locator("body").inner_text()


def has_focus(locator) -> bool:
    """Tell whether the element has the keyboard focus."""
    return locator.evaluate("el => el === document.activeElement")


def scan_and_wait(page, server, token: str) -> float:
    """Post a scan through the API while the page listens; return seconds until it answers."""
    wait_for_door(page, server)
    started = time.monotonic()
    status, answer = server.post_scan(token)
    assert status == 200, answer
    page.wait_for_url("**/hello/**")
    page.locator("main h1").wait_for(state="visible")
    return time.monotonic() - started


def test_scan_greets_then_mood_and_help_reach_the_host(page, server) -> None:
    token = server.add_member("Anna Virtanen", company="Virtasen Puutyö")
    page.goto(server.url + "/")
    wait_for_door(page, server)
    screenshot(page, "01-welcome-fi")

    started = time.monotonic()
    status, answer = server.post_scan(token)
    assert status == 200 and answer["result"] == "checked_in"
    greeting = page.locator("h1.hello")
    greeting.wait_for(state="visible")
    elapsed = time.monotonic() - started
    print(f"\nscan posted -> greeting visible in {elapsed * 1000:.0f} ms")

    assert "Anna" in greeting.inner_text()
    text = visible_text(page)
    assert "Mitä kuuluu?" in text and "Olet kirjautunut sisään" in text
    # The first name only: no surname, no company, nobody else.
    assert "Virtanen" not in text and "Puutyö" not in text
    # The confirmation is a mark and words, not a colour alone.
    note = page.locator(".checked-note")
    assert "✓" in note.inner_text() and "sisään" in note.inner_text()
    screenshot(page, "02-greeting-member-fi")

    page.get_by_role("button", name="Hyvää").tap()
    page.wait_for_url("**/help")
    assert "Kiitos, Anna." in visible_text(page)
    screenshot(page, "03-follow-up-fi")
    page.get_by_text("Haluaisin jutella").tap()
    page.get_by_text("Rahoitus").tap()
    assert page.get_by_role("checkbox", name="Haluaisin jutella").is_checked()
    page.get_by_role("button", name="Lähetä heimopäällikölle").tap()
    page.wait_for_url("**/thanks**")
    # Nobody is on duty on this server: the door says the request was passed on, and
    # promises no visit (tests/browser/test_notifications.py has a host on duty).
    assert "Heimopäällikkö on sinuun yhteydessä" in visible_text(page)
    assert "tulee pian" not in visible_text(page)
    screenshot(page, "04-thanks-passed-on-fi")

    db = connect(server.db_path)
    try:
        mood = db.execute("SELECT mood FROM mood_answers").fetchall()
        alerts = list(db.query("SELECT wants_chat, topics FROM host_alerts"))
    finally:
        db.close()
    assert mood == [(2,)]
    assert alerts == [{"wants_chat": 1, "topics": '["rahoitus"]'}]


def test_members_are_greeted_in_their_own_language(page, server) -> None:
    elsa = server.add_member("Elsa Lindqvist", language="sv")
    sam = server.add_member("Sam Okafor", language="en")

    page.goto(server.url + "/")
    scan_and_wait(page, server, elsa)
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "Hur mår du?" in visible_text(page) and "Elsa" in visible_text(page)
    screenshot(page, "05-greeting-member-sv")

    # Back at the welcome screen, the next person starts in Finnish again.
    page.get_by_role("link", name="Hoppa över").tap()
    page.wait_for_url("**/?reset=1")
    assert page.locator("html").get_attribute("lang") == "fi"

    scan_and_wait(page, server, sam)
    assert "How are you?" in visible_text(page) and "Sam" in visible_text(page)
    # Sam may still switch the screen to another language himself.
    page.get_by_role("link", name="Suomi").tap()
    page.wait_for_url("**/hello/**")
    assert "Mitä kuuluu?" in visible_text(page) and "Sam" in visible_text(page)


def test_language_switch_and_localised_date(page, server) -> None:
    page.goto(server.url + "/")
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()  # the server's KIOSK_TIMEZONE
    expected = {
        "fi": format_date(today, "cccc d. MMMM", locale="fi"),  # "torstai 26. marraskuuta"
        "sv": format_date(today, "EEEE d MMMM", locale="sv"),  # "torsdag 26 november"
        "en": format_date(today, "EEEE d MMMM", locale="en"),  # "Thursday 26 November"
    }
    assert page.locator(".door-date").inner_text() == expected["fi"]
    for code, name, heading in [
        ("sv", "Svenska", "Välkommen till Yritystankkaamo"),
        ("en", "English", "Welcome to Yritystankkaamo"),
        ("fi", "Suomi", "Tervetuloa Yritystankkaamoon"),
    ]:
        page.get_by_role("link", name=name).tap()
        page.locator("html").wait_for(state="attached")
        assert page.locator("html").get_attribute("lang") == code
        assert page.locator("h1").inner_text() == heading
        assert page.locator(".door-date").inner_text() == expected[code]
        assert page.get_by_role("link", name=name).get_attribute("aria-current") == "true"


def type_on_screen(page, text: str) -> None:
    """Type ``text`` by tapping the on-screen keyboard's keys, shift included."""
    osk = page.locator("#osk")
    shift = osk.locator("[data-action='shift']")
    for char in text:
        if char == " ":
            osk.locator("[data-action='space']").tap()
            continue
        wants_capital = char != char.lower()
        if (shift.get_attribute("aria-pressed") == "true") != wants_capital:
            shift.tap()
        osk.locator(f"[data-key='{char.lower()}']").tap()


def wait_for_badge(folder: Path, timeout: float = 15.0) -> Path:
    """Wait for the printer's preview to write a PNG badge; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.png")) if folder.is_dir() else []
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no badge appeared in {folder}")


def test_guest_types_on_the_on_screen_keyboard_gets_a_badge_and_checks_out(page, server) -> None:
    badges = server.instance / "badges"
    before = set(badges.glob("*.png")) if badges.is_dir() else set()
    page.goto(server.url + "/")
    page.get_by_role("link", name="Olen vieras").tap()
    page.wait_for_url("**/guest")
    osk = page.locator("#osk")
    assert osk.is_hidden()

    page.get_by_label("Nimesi").tap()
    assert osk.is_visible()
    type_on_screen(page, "Märta Åberg-Öhman")
    # The name field capitalised each word by itself; a mistake is fixed with backspace.
    osk.locator("[data-key='x']").tap()
    osk.locator("[data-action='backspace']").tap()
    assert page.get_by_label("Nimesi").input_value() == "Märta Åberg-Öhman"
    assert has_focus(page.get_by_label("Nimesi"))

    osk.locator("[data-action='enter']").tap()  # on to the next field
    assert has_focus(page.get_by_label("Yritys"))
    type_on_screen(page, "Sää ja Sävel Oy")
    page.get_by_label("Mikä tuo sinut tänne?").tap()
    type_on_screen(page, "Yrittäjäkahvit")
    assert page.get_by_label("Yritys").input_value() == "Sää ja Sävel Oy"
    assert page.get_by_label("Mikä tuo sinut tänne?").input_value() == "Yrittäjäkahvit"
    # The field being typed into stays above the keyboard.
    field = page.get_by_label("Mikä tuo sinut tänne?").bounding_box()
    keyboard = osk.bounding_box()
    assert field["y"] + field["height"] <= keyboard["y"]
    screenshot(page, "06-guest-on-screen-keyboard-fi")

    # Two steps on: the last field's key says "Valmis" and puts the keyboard away.
    enter = osk.locator("[data-action='enter']")
    enter.tap()
    assert has_focus(page.get_by_label("Kenen luona vierailet?"))
    assert enter.inner_text() == "Valmis"
    enter.tap()
    assert osk.is_hidden()
    page.get_by_text("Olen lukenut tietosuojaselosteen").tap()
    screenshot(page, "07-guest-form-filled-fi")
    page.get_by_role("button", name="Kirjaudu sisään").tap()
    page.wait_for_url("**/hello/**")
    assert "Märta" in page.locator("h1").inner_text()
    assert "Åberg" not in visible_text(page)
    screenshot(page, "08-greeting-guest-fi")

    badge = wait_for_badge(badges)
    assert badge not in before
    from scanner.decode import decode_file

    codes = decode_file(badge)
    assert len(codes) == 1, codes
    wait_for_door(page, server)
    status, answer = server.post_scan(codes[0])
    assert status == 200 and answer == {
        "result": "checked_out",
        "visit_id": answer["visit_id"],
        "first_name": "Märta",
    }
    page.wait_for_selector("text=Kiitos käynnistä, Märta!")
    screenshot(page, "09-goodbye-fi")


def test_physical_keyboard_hides_the_on_screen_one(page, server) -> None:
    page.goto(server.url + "/forgot")
    osk = page.locator("#osk")
    page.get_by_label("Sähköposti tai puhelinnumero").tap()
    assert osk.is_visible()
    type_on_screen(page, "anna@")
    page.keyboard.type("example.fi")
    assert osk.is_hidden()
    assert page.get_by_label("Sähköposti tai puhelinnumero").input_value() == "anna@example.fi"


@pytest.mark.parametrize("size", [(800, 480), (1024, 600)])
def test_forgotten_card_then_pin_typed_on_the_on_screen_keyboard(page, server, size) -> None:
    from kiosk.member_pins import set_pin
    from kiosk.members import NewMember, add_member

    width, height = size
    email = f"pin{width}@example.fi"
    db = connect(server.db_path)
    member_id, _card = add_member(
        db, NewMember(name="Pirjo Pinnanen", email=email), datetime.now(ZoneInfo("UTC"))
    )
    set_pin(db, member_id, "2580")
    db.close()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server.url + "/forgot")
    # Tapping the field opens the keyboard, and that same tap presses no key under the finger.
    page.get_by_label("Sähköposti tai puhelinnumero").tap()
    type_on_screen(page, email)
    assert page.get_by_label("Sähköposti tai puhelinnumero").input_value() == email
    page.locator("#osk [data-action='enter']").tap()
    page.get_by_role("button", name="Kirjaa minut sisään tai ulos").tap()
    page.wait_for_url("**/hello/**")
    # An email checks her in, and nothing more until her PIN is given.
    assert "Pirjo" in page.locator("h1").inner_text()
    assert page.locator("button[name='mood']").count() == 0
    pin = page.get_by_label("PIN-koodisi, niin voit kertoa, mitä kuuluu")
    pin.tap()
    osk = page.locator("#osk")
    assert osk.is_visible()
    type_on_screen(page, "2580")
    box, keyboard = pin.bounding_box(), osk.bounding_box()
    assert box["y"] + box["height"] <= keyboard["y"]  # the PIN field stays above the keyboard
    page.locator("#osk [data-action='enter']").tap()
    page.get_by_role("button", name="Jatka").tap()
    page.wait_for_selector("button[name='mood']")
    page.locator("button[name='mood'][value='2']").tap()
    page.wait_for_url("**/help")
