"""The systemd units: `systemd-analyze verify`, and the properties the kiosk relies on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
SYSTEM_UNIT_DIRS = [Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")]
EXEC_KEYS = {"ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecReload"}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file as (key, value) lists; systemd allows a key more than once."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path.name}: {line!r} outside a section"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    """Every value of ``key`` in ``section``, space-separated lists split into words."""
    found = []
    for name, value in unit.get(section, []):
        if name == key:
            found.extend(value.split())
    return found


def unit(name: str) -> dict[str, list[tuple[str, str]]]:
    return parse_unit(DEPLOY / "systemd" / name)


def _executables(paths: list[Path]) -> set[str]:
    found = set()
    for path in paths:
        for section in parse_unit(path).values():
            for key, value in section:
                if key in EXEC_KEYS:
                    found.add(value.lstrip("-@:+!").split()[0])
    return found


def _verify_root(tmp_path: Path, units: list[Path]) -> Path:
    """An alternate root holding systemd's own units, ours, and stand-ins for our commands.

    The stand-ins are there because verify checks that each ExecStart= command is executable,
    and the venv and cage exist only on an installed kiosk.
    """
    system_dir = next((d for d in SYSTEM_UNIT_DIRS if (d / "sysinit.target").exists()), None)
    if system_dir is None:
        pytest.skip("systemd's own unit files are not installed (apt-get install systemd)")
    root = tmp_path / "root"
    (root / "usr" / "lib" / "systemd").mkdir(parents=True)
    (root / "lib").symlink_to("usr/lib")  # systemd's symlinks inside the root resolve through it
    shutil.copytree(system_dir, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    ours = root / "etc" / "systemd" / "system"
    ours.mkdir(parents=True)
    for path in units:
        shutil.copy(path, ours / path.name)
    for command in _executables(units):
        stand_in = root / command.lstrip("/")
        if not stand_in.exists():
            stand_in.parent.mkdir(parents=True, exist_ok=True)
            stand_in.write_text("#!/bin/sh\n", encoding="ascii")
            stand_in.chmod(0o755)
    return root


def _verify(root: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", *names],
        cwd=root / "etc" / "systemd" / "system",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    return path


def test_systemd_analyze_verify_accepts_every_unit(systemd_analyze: str, tmp_path: Path) -> None:
    root = _verify_root(tmp_path, UNITS)
    result = _verify(root, [path.name for path in UNITS])
    complaints = [
        line for line in (result.stdout + result.stderr).splitlines() if "tankkaamo" in line
    ]
    assert result.returncode == 0 and not complaints, "\n".join(complaints) or result.stderr


def test_verify_would_catch_a_broken_unit(systemd_analyze: str, tmp_path: Path) -> None:
    """The check above can fail: a misspelt key and a missing command are both reported."""
    broken = tmp_path / "tankkaamo-kiosk-broken.service"
    broken.write_text(
        "[Service]\nRestrt=always\nExecStart=/opt/nowhere/kiosk serve\n", encoding="utf-8"
    )
    root = _verify_root(tmp_path, [])
    shutil.copy(broken, root / "etc" / "systemd" / "system" / broken.name)
    result = _verify(root, [broken.name])
    output = result.stdout + result.stderr
    assert "Restrt" in output
    assert result.returncode != 0


def test_scanner_starts_after_the_web_app_but_survives_its_restarts() -> None:
    scanner = unit("tankkaamo-kiosk-scanner.service")
    assert "tankkaamo-kiosk.service" in values(scanner, "Unit", "After")
    assert "tankkaamo-kiosk.service" in values(scanner, "Unit", "Wants")
    for binding in ("Requires", "BindsTo", "PartOf", "Requisite"):
        assert not values(scanner, "Unit", binding), f"{binding}= would stop the scanner"
    assert values(scanner, "Service", "Restart") == ["always"]
    assert values(scanner, "Service", "ExecStart")[-1] == "scanner"


def test_the_watchdog_timer_checks_the_scanner_heartbeat() -> None:
    timer = unit("tankkaamo-kiosk-watchdog.timer")
    assert values(timer, "Timer", "OnUnitActiveSec")
    service = unit("tankkaamo-kiosk-watchdog.service")
    assert values(service, "Service", "ExecStart")[-1].endswith("scanner-watchdog.py")


def test_web_app_runs_kiosk_serve_and_restarts() -> None:
    web = unit("tankkaamo-kiosk.service")
    assert values(web, "Service", "ExecStart")[-1] == "serve"
    assert values(web, "Service", "ExecStartPre")[-2:] == ["db", "migrate"]
    assert values(web, "Service", "Restart") == ["always"]
    assert values(web, "Service", "User") == ["tankkaamo"]


def test_browser_is_cage_and_chromium_and_restarts() -> None:
    browser = unit("tankkaamo-kiosk-browser.service")
    command = values(browser, "Service", "ExecStart")
    assert command[0] == "/usr/bin/cage"
    assert command[-1] == "/opt/tankkaamo-kiosk/bin/kiosk-browser"
    assert values(browser, "Service", "Restart") == ["always"]
    assert values(browser, "Service", "User") != ["tankkaamo"]  # no access to the database
    script = (DEPLOY / "bin" / "kiosk-browser").read_text(encoding="utf-8")
    for flag in ("--kiosk", "--disable-pinch", "--overscroll-history-navigation=0"):
        assert flag in script


def test_backup_timer_is_nightly_persistent_and_rotates() -> None:
    timer = unit("tankkaamo-kiosk-backup.timer")
    assert values(timer, "Timer", "OnCalendar")
    assert values(timer, "Timer", "Persistent") == ["true"]
    command = values(unit("tankkaamo-kiosk-backup.service"), "Service", "ExecStart")
    assert command[1:3] == ["backup", "--dir"]
    assert "--keep-daily" in command and "--keep-weekly" in command


@pytest.mark.parametrize(
    "name",
    [
        "tankkaamo-kiosk.service",
        "tankkaamo-kiosk-scanner.service",
        "tankkaamo-kiosk-backup.service",
        "tankkaamo-kiosk-watchdog.service",
    ],
)
def test_services_are_hardened(name: str) -> None:
    service = unit(name)
    assert values(service, "Service", "NoNewPrivileges") == ["yes"]
    assert values(service, "Service", "PrivateTmp") == ["yes"]
    assert values(service, "Service", "ProtectSystem") == ["strict"]


def test_udev_rule_has_the_name_the_printer_error_message_gives() -> None:
    rule = DEPLOY / "udev" / "99-tankkaamo-kiosk.rules"
    lines = [
        line for line in rule.read_text(encoding="utf-8").splitlines() if line.startswith("SUB")
    ]
    vendors = {line.split('ATTR{idVendor}=="')[1][:4] for line in lines if "idVendor" in line}
    assert {"04b8", "0416", "0fe6", "1fc9", "28e9"} <= vendors
    assert all('GROUP="tankkaamo"' in line for line in lines if "idVendor" in line)
    assert any("video4linux" in line and 'GROUP="video"' in line for line in lines)


@pytest.mark.parametrize("name", ["tankkaamo-kiosk.service", "tankkaamo-kiosk-scanner.service"])
def test_services_that_need_devices_can_reach_them(name: str) -> None:
    """The printer and the webcam are in /dev: nothing may put a device allow-list in place.

    ProtectClock= implies DeviceAllow=char-rtc on systemd 252, which blocks every other device.
    """
    service = unit(name)
    for key in ("PrivateDevices", "DeviceAllow", "ProtectClock"):
        assert not values(service, "Service", key), f"{key}= would hide the printer or camera"
    assert values(service, "Service", "DevicePolicy") in ([], ["auto"])
