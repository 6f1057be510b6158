"""The staff dashboard in Chromium beside the door: live updates, a CSV download, axe."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.browser.conftest import (
    LANGUAGES,
    LARGE,
    SCREENSHOTS,
    PageProblems,
    axe_figures,
    describe,
    screenshot,
    start_server,
    wait_for_door,
)

pytestmark = pytest.mark.browser

PASSWORD = "kaunis-kevätaamu-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with an admin login, made with `kiosk staff add` as an operator would."""
    live = start_server(tmp_path_factory, "dashboard-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_INSTANCE=str(live.instance),
        KIOSK_DEMO_DATA="false",
        KIOSK_NEW_PASSWORD=PASSWORD,
    )
    subprocess.run(
        [sys.executable, "-m", "kiosk", "staff", "add", "heimo", "--role", "admin"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    yield live
    live.stop()


@pytest.fixture
def staff_page(browser, server):
    """A laptop-sized page logged in as the admin, in Finnish."""
    context = browser.new_context(viewport=LARGE, locale="fi-FI", accept_downloads=True)
    context.set_default_timeout(10_000)
    problems = PageProblems()
    page = context.new_page()
    problems.watch(page)
    page.goto(server.url + "/staff/")
    page.wait_for_url("**/staff/login**")
    page.get_by_label("Käyttäjätunnus").fill("heimo")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url(server.url + "/staff/")
    yield page
    context.close()
    assert problems.errors == []


def test_a_scan_at_the_door_appears_on_the_open_dashboard(browser, server, staff_page) -> None:
    page = staff_page
    table = page.locator("#live")
    assert "Liisa Mäkelä" not in table.inner_text()
    page.wait_for_selector("#live-status:has-text('Päivittyy reaaliajassa')")
    # A marker that a reload would wipe: the list must change in place.
    page.evaluate("window.__sameDocument = true")

    # The door is in use at the same time, in another window.
    door = browser.new_context(viewport=LARGE, has_touch=True)
    door_page = door.new_page()
    door_page.goto(server.url + "/")
    token = server.add_member("Liisa Mäkelä", company="Mäkelän Kukka")
    wait_for_door(door_page, server)
    assert server.post_scan(token)[1]["result"] == "checked_in"
    door_page.wait_for_url("**/hello/**")
    assert "Liisa" in door_page.locator("h1").inner_text()

    page.locator("#live").get_by_role("rowheader", name="Liisa Mäkelä").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    assert "Mäkelän Kukka" in table.inner_text()

    # Her "I'd like a chat" on the door reaches the host's list live too.
    door_page.get_by_role("button", name="Hyvää").tap()
    door_page.get_by_text("Haluaisin jutella").tap()
    door_page.get_by_role("button", name="Lähetä heimopäällikölle").tap()
    door_page.wait_for_url("**/thanks**")
    page.locator(".alerts .alert-who", has_text="Liisa Mäkelä").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "20-staff-here-now-fi")
    door.close()


def test_admin_downloads_the_visits_csv(server, staff_page) -> None:
    page = staff_page
    token = server.add_member("Oskari Åström")
    assert server.post_scan(token)[1]["result"] == "checked_in"
    page.get_by_role("link", name="Raportit").click()
    page.wait_for_url("**/staff/reports")
    screenshot(page, "21-staff-reports-fi", sizes=("1280x800",))
    page.get_by_label("CSV, erottimena puolipiste (suomenkielinen Excel)").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Lataa", exact=True).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    data = download.path().read_bytes()
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
    rows = list(csv.reader(io.StringIO(text), dialect))
    print(f"\n{download.suggested_filename}: {len(rows) - 1} rows, columns {rows[0]}")
    assert "Nimi" in rows[0]
    names = [row[rows[0].index("Nimi")] for row in rows[1:]]
    assert "Oskari Åström" in names


def staff_urls(page, server) -> dict[str, str]:
    """The staff pages this login can reach: the navigation, plus a member and the forms."""
    page.goto(server.url + "/staff/")
    found = {"here-now": "/staff/", "login": "/staff/login"}
    for link in page.locator("nav.staff-nav a").all():
        href = link.get_attribute("href")
        found[href.removeprefix("/staff/").strip("/") or "here-now"] = href
    for extra in ("/staff/members/new", "/staff/check-in", "/staff/roll-call"):
        found[extra.removeprefix("/staff/")] = extra
    page.goto(server.url + "/staff/members")
    member_link = page.locator("a[href^='/staff/members/']:not([href$='/new'])").first
    if member_link.count():
        found["member"] = member_link.get_attribute("href")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_serious_on_the_staff_pages(staff_page, server, language) -> None:
    page = staff_page
    server.add_member("Aino Axe", company="Saavutettava Oy")
    urls = staff_urls(page, server)
    figures = {}
    failures = {}
    for name, path in urls.items():
        page.goto(f"{server.url}/language/{language}?next={path}")
        if name == "login":
            # The login page as someone logged out sees it.
            page.context.clear_cookies()
            page.goto(f"{server.url}/language/{language}?next={path}")
        assert page.locator("html").get_attribute("lang") == language
        figures[name], bad = axe_figures(page, f"staff {language} {name}")
        if bad:
            failures[f"{name} ({path})"] = bad
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / f"axe-staff-{language}.json").write_text(
        json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    assert failures == {}, describe([{"page": k, "violations": v} for k, v in failures.items()])


def test_admin_downloads_an_xlsx_workbook(server, staff_page, tmp_path) -> None:
    import openpyxl

    page = staff_page
    token = server.add_member("Åke Öhman")
    assert server.post_scan(token)[1]["result"] in ("checked_in", "checked_out")
    page.goto(server.url + "/staff/reports")
    page.get_by_label("Excel-työkirja (.xlsx)").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Lataa", exact=True).click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    header = [cell.value for cell in sheet[1]]
    names = [row[header.index("Nimi")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Åke Öhman" in names
