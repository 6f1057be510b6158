"""The scanner watchdog's decision, on /healthz reports made by the real health code."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from kiosk.devices import health, record_device_state

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "bin" / "scanner-watchdog.py"


@pytest.fixture(scope="module")
def watchdog() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scanner_watchdog", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def report(db, now: datetime = NOW) -> dict:
    # Through JSON, as the watchdog receives it over HTTP.
    return json.loads(json.dumps(health(db, now), default=str))


def test_fresh_heartbeat_is_not_stale(db, watchdog: ModuleType) -> None:
    record_device_state(db, "scanner@door", "scanner", "ok", "", NOW - timedelta(seconds=5))
    assert watchdog.local_scanner_stale(report(db), "door") is False


def test_stopped_heartbeat_is_stale(db, watchdog: ModuleType) -> None:
    record_device_state(db, "scanner@door", "scanner", "ok", "", NOW - timedelta(minutes=5))
    assert watchdog.local_scanner_stale(report(db), "door") is True


def test_a_scanner_that_never_reported_is_stale(db, watchdog: ModuleType) -> None:
    assert watchdog.local_scanner_stale(report(db), "door") is True


def test_another_doors_scanner_does_not_hide_ours(db, watchdog: ModuleType) -> None:
    record_device_state(db, "scanner@door", "scanner", "ok", "", NOW - timedelta(minutes=5))
    record_device_state(db, "scanner@back", "scanner", "ok", "", NOW - timedelta(seconds=5))
    assert watchdog.local_scanner_stale(report(db), "door") is True
    assert watchdog.local_scanner_stale(report(db), "back") is False


def test_no_camera_is_not_a_hang(db, watchdog: ModuleType) -> None:
    # A scanner without a camera still sends heartbeats; restarting it would not help.
    record_device_state(db, "scanner@door", "scanner", "no_camera", "", NOW)
    assert watchdog.local_scanner_stale(report(db), "door") is False


def test_a_report_without_scanners_decides_nothing(watchdog: ModuleType) -> None:
    assert watchdog.local_scanner_stale({"ok": True, "database": {"ok": True}}, "door") is None


def test_web_app_down_leaves_the_scanner_alone(
    watchdog: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(watchdog.subprocess, "run", lambda *a, **k: calls.append(a))
    monkeypatch.setenv("KIOSK_SERVER_URL", "http://127.0.0.1:9")  # discard port: nothing there
    assert watchdog.main() == 0
    assert calls == []
    assert "not answering" in capsys.readouterr().out


def test_stale_scanner_running_long_enough_is_restarted(
    db, watchdog: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_device_state(db, "scanner@door", "scanner", "ok", "", NOW - timedelta(minutes=5))
    monkeypatch.setattr(watchdog, "_fetch_health", lambda url, token="": report(db))
    monkeypatch.setattr(watchdog.socket, "gethostname", lambda: "door")
    restarted: list[list[str]] = []
    monkeypatch.setattr(
        watchdog.subprocess, "run", lambda args, **kwargs: restarted.append(list(args))
    )
    monkeypatch.setattr(watchdog, "_active_seconds", lambda: 60.0)  # just restarted: wait
    watchdog.main()
    assert restarted == []
    monkeypatch.setattr(watchdog, "_active_seconds", lambda: 600.0)
    watchdog.main()
    assert restarted == [["/usr/bin/systemctl", "restart", "tankkaamo-kiosk-scanner.service"]]
