"""Printer and scanner status with reprint; CSV reports for admins, each in the audit log."""

from __future__ import annotations

from kiosk.devices import record_device_state
from kiosk.printing import queue as print_queue
from tests.staff.conftest import post


def test_devices_page_shows_states_and_reprints(host, appdb, clock) -> None:
    record_device_state(appdb, "door-cam", "scanner", "no_camera", "unplugged", clock.now())
    job = print_queue.enqueue(appdb, "test", {"first_name": "Testi"}, clock.now())
    page = host.get("/staff/devices").text
    assert "door-cam" in page and "no camera" in page and "unplugged" in page
    assert "KIOSK_CAPACITY" not in page  # settings are for admins
    assert post(host, "/staff/devices", f"/staff/devices/jobs/{job}/reprint").status_code == 302
    jobs = list(appdb.query("SELECT id, kind FROM print_jobs ORDER BY id"))
    assert [row["kind"] for row in jobs] == ["test", "test"]
    assert post(host, "/staff/devices", "/staff/devices/jobs/999/reprint").status_code == 404


def test_admin_sees_the_settings_but_no_secrets(admin, app) -> None:
    page = admin.get("/staff/devices").text
    assert "KIOSK_CAPACITY" in page
    assert app.config["SECRET_KEY"] not in page and app.config["DEVICE_TOKEN"] not in page


def test_csv_report_download_is_audited(admin, appdb) -> None:
    response = admin.get("/staff/reports/download?kind=visits&month=2026-11")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    actions = [r["action"] for r in appdb.query("SELECT action FROM audit_log")]
    assert "report.export" in actions
    assert admin.get("/staff/reports/download?kind=nope&month=2026-11").status_code == 400
    assert admin.get("/staff/reports/download?kind=visits&month=26-1").status_code == 400
