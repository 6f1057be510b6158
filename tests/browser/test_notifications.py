"""In Chromium against the real server: "Haluaisin jutella" at the door reaches the host's inbox
(aiosmtpd) and the open dashboard live; marking it handled stops the reminder."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.db import connect
from kiosk.notify import dispatch
from kiosk.notify.staff_choices import Choices, save_choices
from kiosk.staff_accounts import create_staff
from kiosk.timeutil import to_db
from tests.browser.conftest import (
    LARGE,
    SCREENSHOTS,
    PageProblems,
    screenshot,
    start_server,
    wait_for_door,
)
from tests.browser.test_door_flows import type_on_screen
from tests.notify.conftest import MailServer, notify_settings

pytestmark = pytest.mark.browser

PASSWORD = "iltapäivän-kahvi-2026"


@pytest.fixture(scope="module")
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, mail_server):
    live = start_server(
        tmp_path_factory,
        "notify-server",
        KIOSK_SMTP_URL=mail_server.url,
        KIOSK_MAIL_FROM="kioski@tankkaamo.example",
    )
    db = connect(live.db_path)
    try:
        now = datetime.now(UTC)
        user_id = create_staff(db, "hanna", PASSWORD, "host", now)
        save_choices(
            db, user_id, Choices(email="hanna@tankkaamo.example", display_name="Hanna Höijer")
        )
        # On duty for the next two hours, whatever the hour the test runs at.
        db["staff_users"].update(user_id, {"on_duty_until": to_db(now + timedelta(hours=2))})
    finally:
        db.close()
    yield live
    live.stop()


@pytest.fixture
def dashboard(browser, server):
    context = browser.new_context(viewport=LARGE, locale="fi-FI")
    context.set_default_timeout(10_000)
    problems = PageProblems()
    page = context.new_page()
    problems.watch(page)
    page.goto(server.url + "/staff/")
    page.get_by_label("Käyttäjätunnus").fill("hanna")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url(server.url + "/staff/")
    yield page
    context.close()
    assert problems.errors == []


def test_a_chat_request_reaches_inbox_and_dashboard_and_handling_stops_the_reminder(
    browser,
    server,
    mail_server,
    dashboard,
    tmp_path,
) -> None:
    page = dashboard
    assert "Olet päivystysvuorossa" in page.locator(".duty").inner_text()
    page.wait_for_selector("#live-status:has-text('Päivittyy reaaliajassa')")
    page.evaluate("window.__sameDocument = true")
    title_before = page.title()

    door = browser.new_context(viewport={"width": 800, "height": 480}, has_touch=True)
    door_page = door.new_page()
    door_page.goto(server.url + "/")
    token = server.add_member("Päivi Mäkelä", approach_ok=True)
    wait_for_door(door_page, server)
    tapped = time.monotonic()
    assert server.post_scan(token)[1]["result"] == "checked_in"
    door_page.wait_for_url("**/hello/**")
    door_page.get_by_role("button", name="Hyvää").tap()
    door_page.get_by_text("Haluaisin jutella").tap()
    door_page.get_by_role("button", name="Lähetä heimopäällikölle").tap()
    door_page.wait_for_url("**/thanks**")
    # A host is on duty and was sent the request: the promise is true.
    assert "Heimopäällikkö tulee pian luoksesi" in door_page.locator("main").inner_text()
    screenshot(door_page, "30-thanks-host-on-duty-fi", sizes=("800x480",))

    [message] = mail_server.wait_for(1, timeout=15)
    print(f"\ndoor tap -> message in the inbox: {time.monotonic() - tapped:.2f} s")
    assert message["To"] == "hanna@tankkaamo.example"
    assert message["Subject"] == "Päivi haluaisi jutella"
    assert "Mäkelä" not in message.get_content()

    card = page.locator(".alerts .alert-card", has_text="Päivi Mäkelä")
    card.wait_for()
    assert page.evaluate("window.__sameDocument") is True  # live, not reloaded
    page.wait_for_function("document.title.startsWith('(1) Uusi pyyntö')")
    assert title_before != page.title()
    assert page.locator("#live").get_attribute("data-chimes") == "1"
    screenshot(page, "31-staff-open-request-fi", sizes=("1280x800",))

    settings = notify_settings(tmp_path, DATABASE=str(server.db_path))
    config = dispatch.NotifyConfig.from_settings(settings)
    later = datetime.now(UTC) + timedelta(minutes=11)
    db = connect(server.db_path)
    try:
        # Driven through the clock: eleven minutes on, this request would be reminded of…
        assert len(dispatch.reminders_due(db, later, config)) == 1
        card.get_by_role("button", name="Hoidettu").click()
        page.locator(".alerts .alert-card", has_text="Päivi Mäkelä").wait_for(state="detached")
        # …but once handled, nothing is left to remind of.
        assert dispatch.reminders_due(db, later, config) == []
        assert dispatch.queue_reminders(db, later, config) == 0
    finally:
        db.close()
    page.wait_for_function("!document.title.startsWith('(')")
    door.close()


def test_the_sound_can_be_turned_off(dashboard) -> None:
    button = dashboard.locator("#sound-toggle")
    assert button.get_attribute("aria-pressed") == "true"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    assert button.inner_text() == "Ääni pois"
    dashboard.reload()
    assert dashboard.locator("#sound-toggle").get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize("size", [{"width": 800, "height": 480}, {"width": 1024, "height": 600}])
def test_a_guest_taps_their_host_and_the_host_is_told(browser, server, mail_server, size) -> None:
    context = browser.new_context(viewport=size, locale="fi-FI", has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    before = len(mail_server.messages)
    page.goto(server.url + "/guest")
    page.get_by_label("Nimesi").tap()
    # A new guest each size: one guest still in holds one visit and is announced once.
    surname = "Äkräs" if size["width"] == 800 else "Ölander"
    type_on_screen(page, f"Jöns {surname}")
    # "Next" would open the company field; the guest closes the keyboard to see the hosts.
    page.locator("#osk [data-action='hide']").tap()
    host = page.get_by_role("radio", name="Hanna Höijer")
    host.tap()
    assert host.is_checked()
    page.get_by_text("Olen lukenut tietosuojaselosteen").tap()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"32-guest-chooses-host-fi-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(SCREENSHOTS / name))
    page.get_by_role("button", name="Kirjaudu sisään").tap()
    page.wait_for_url("**/hello/**")
    messages = mail_server.wait_for(before + 1, timeout=15)
    [message] = [m for m in messages[before:] if m["Subject"] == "Vieraasi Jöns on saapunut"]
    assert message["To"] == "hanna@tankkaamo.example"
    assert surname not in message.get_content()
    context.close()
