"""The steering group's monthly report page in Chromium: a realistic month, on screen and PDF.

The month is seeded as a coordinator would try it (kiosk.demo.month); the page is opened on the
real server, checked for its sections, summaries and indicator table, screenshotted, run
through axe, and printed to PDF with the print style sheet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.db import connect
from kiosk.demo.month import seed_month
from kiosk.reports.month import Month
from tests.browser.conftest import LARGE, SCREENSHOTS, PageProblems, axe_figures, describe

pytestmark = pytest.mark.browser

PASSWORD = "ohjausryhma-lokakuu-2026"
# Where people look at the pictures (the closing note links them); the test artifacts too.
SHOTS = [SCREENSHOTS, *([Path(os.environ["KIOSK_SHOTS_DIR"])] if os.environ.get(
    "KIOSK_SHOTS_DIR") else [])]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.browser.conftest import start_server

    live = start_server(tmp_path_factory, "monthly-server", KIOSK_PROJECT_START="2026-09")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE=str(live.instance), KIOSK_NEW_PASSWORD=PASSWORD)
    subprocess.run(
        [sys.executable, "-m", "kiosk", "staff", "add", "koordinaattori", "--role", "host"],
        env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    db = connect(live.db_path)
    seed_month(db, Month(2026, 10), ZoneInfo("Europe/Helsinki"))
    db.close()
    yield live
    live.stop()


def test_the_monthly_report_page_reads_and_prints(browser, server) -> None:
    context = browser.new_context(viewport=LARGE, locale="fi-FI")
    context.set_default_timeout(15_000)
    problems = PageProblems()
    page = context.new_page()
    problems.watch(page)
    page.goto(server.url + "/staff/login")
    page.get_by_label("Käyttäjätunnus").fill("koordinaattori")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url(server.url + "/staff/")
    page.goto(server.url + "/staff/monthly?month=2026-10")
    text = page.inner_text("main")
    headings = ("Käynnit viikoittain", "Uudet ja palaavat kävijät", "Tapahtumat ja osallistujat",
                "Mielialaindeksi viikoittain", "EU-indikaattorit")  # fmt: skip
    for heading in headings:
        assert heading in text, heading
    assert "Vilkkain viikko oli" in text and "käyttäjätunnus" not in text.lower()
    assert page.locator("main svg[role='img']").count() == 4
    table = page.locator("#indicators")
    assert "RCO01" in table.inner_text() and "tuetut yritykset" in table.inner_text()
    figures, serious = axe_figures(page, "monthly report")
    assert serious == [], describe(serious)
    for folder in SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "monthly-report-1280.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(folder / "monthly-report-print.png"), full_page=True)
        pdf = page.pdf(path=str(folder / "monthly-report.pdf"), format="A4")
        page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
    context.close()
    assert problems.errors == []
