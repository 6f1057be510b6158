"""The steering group's monthly page: behind a login, figures as in the reports, bad input."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kiosk.demo.month import seed_month
from kiosk.reports import Month, build_report


def test_needs_a_login(app) -> None:
    response = app.test_client().get("/staff/monthly?month=2026-10")
    assert response.status_code == 302 and "/staff/login" in response.location


def test_the_page_shows_the_reports_figures(host, appdb) -> None:
    helsinki = ZoneInfo("Europe/Helsinki")
    seed_month(appdb, Month(2026, 10), helsinki)
    page = host.get("/staff/monthly?month=2026-10")
    assert page.status_code == 200
    summary = next(iter(build_report(appdb, "summary", Month(2026, 10), helsinki, "en").rows))
    visits, people = summary[5], summary[1]
    assert f"{visits} visits by {people} different people." in page.text
    assert "Print or save as PDF" in page.text and 'id="indicators"' in page.text
    assert page.text.count('role="img"') == 4


def test_a_bad_month_is_refused(host) -> None:
    assert host.get("/staff/monthly?month=2026-13").status_code == 400
    assert host.get("/staff/monthly?month=last").status_code == 400


def test_an_empty_month_still_reads(host) -> None:
    page = host.get("/staff/monthly?month=2025-01")
    assert page.status_code == 200 and "No week had enough answers" in page.text
