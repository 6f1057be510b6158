"""Cold start: from ``kiosk up`` on a fresh instance to the first page, and the units' chain.

    .venv/bin/python bench/cold_start.py [--runs 2] [--factor 6]

1. ``kiosk up`` (what ``make run`` does) in an empty temporary instance: the database is
   created and migrated, demo data seeded, the web app and the scanner (simulated camera)
   started. Timed until ``/`` first answers 200, until the scanner's first heartbeat shows in
   ``/healthz``, and until Chromium shows the door page listening to its live stream.
2. The same, under the Pi-sized limit of ``bench/pi.py`` (the whole ``kiosk up`` tree gets
   two Pi cores' worth: ``2 / --factor`` of one core), for the first page.
3. The systemd units' own chain without a boot: ``kiosk db migrate`` (the web unit's
   ``ExecStartPre``), ``kiosk serve`` until ``/healthz`` answers, then ``kiosk scanner`` until
   its heartbeat arrives, as the units order them.
4. From power-on, ``systemd-analyze time`` and ``critical-chain`` for the browser unit, where
   systemd is PID 1; elsewhere the script says why it cannot.

The issue sets no target for these: they are printed as figures to watch. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pi import CHROMIUM, CHROMIUM_ARGS, Limit, free_port, load  # noqa: E402

NO_TARGET = "(no target: a figure to watch)"
KIOSK = [sys.executable, "-m", "kiosk"]


def environment(instance: Path, port: int) -> dict[str, str]:
    """A clean environment for a fresh instance (no KIOSK_* from the caller)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_INSTANCE=str(instance),
        KIOSK_CAMERA="simulated",
        KIOSK_PREVIEW_PORT="0",
        KIOSK_SERVER_URL=f"http://127.0.0.1:{port}",
    )
    return env


def first_ok(url: str, started: float, process: subprocess.Popen, timeout: float = 180) -> float:
    """Seconds from ``started`` until ``url`` answers 200."""
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def scanner_seen(base: str, started: float, instance: Path, timeout: float = 180) -> float:
    """Seconds from ``started`` until ``/healthz`` reports a scanner heartbeat.

    ``/healthz`` tells the scanners' state only to staff and devices, so this asks with the
    instance's device token, as the watchdog in deploy/ does.
    """
    while time.monotonic() - started < timeout:
        try:
            token = (instance / "device_token").read_text().strip()
            request = urllib.request.Request(  # noqa: S310 - our own server
                base + "/healthz", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if json.load(response)["scanner"]["devices"]:
                    return time.monotonic() - started
        except (OSError, KeyError, ValueError):
            pass
        time.sleep(0.05)
    raise SystemExit("the scanner's heartbeat never arrived")


def door_ready(base: str, started: float) -> float:
    """Seconds from ``started`` until Chromium shows the door page with its stream open."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 480})
        page.goto(base + "/")
        page.wait_for_selector("body[data-live='open']", state="attached", timeout=60_000)
        elapsed = time.monotonic() - started
        browser.close()
    return elapsed


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started (``kiosk up`` passes SIGTERM on to its children)."""
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def kiosk_up(limit: Limit | None, browser: bool) -> dict[str, float]:
    """One cold start of ``kiosk up`` in a fresh instance."""
    with tempfile.TemporaryDirectory(prefix="kiosk-cold-") as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = environment(Path(folder) / "instance", port)
        command = [*KIOSK, "up", "--port", str(port)]
        out = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        started = time.monotonic()
        process = (
            limit.popen(command, env=env, cwd=ROOT, **out)
            if limit
            else subprocess.Popen(command, env=env, cwd=ROOT, **out)
        )
        try:
            figures = {"first page": first_ok(base + "/", started, process)}
            figures["scanner heartbeat"] = scanner_seen(base, started, Path(folder) / "instance")
            if browser:
                figures["door page live in Chromium"] = door_ready(base, started)
        finally:
            stop(process)
    return figures


def unit_chain() -> dict[str, float]:
    """The units' commands in their order: migrate, serve until healthy, scanner's heartbeat."""
    with tempfile.TemporaryDirectory(prefix="kiosk-units-") as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = environment(Path(folder) / "instance", port)
        env["KIOSK_DEMO_DATA"] = "false"  # an installed kiosk starts empty, without demo data
        started = time.monotonic()
        subprocess.run(
            [*KIOSK, "db", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        figures = {"kiosk db migrate": time.monotonic() - started}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        web = subprocess.Popen([*KIOSK, "serve", "--port", str(port)], env=env, cwd=ROOT, **quiet)
        scanner = None
        try:
            figures["web unit healthy"] = first_ok(base + "/healthz", started, web)
            scanner = subprocess.Popen([*KIOSK, "scanner"], env=env, cwd=ROOT, **quiet)
            figures["scanner heartbeat"] = scanner_seen(base, started, Path(folder) / "instance")
            figures["first page"] = first_ok(base + "/", started, web)
        finally:
            for process in (scanner, web):
                if process is not None:
                    stop(process)
    return figures


def power_on() -> None:
    """``systemd-analyze`` from power-on, or why it cannot run here."""
    pid1 = Path("/proc/1/comm").read_text().strip()
    if pid1 != "systemd":
        print(
            f"  systemd-analyze time: cannot run here: PID 1 is {pid1!r}, not systemd (a "
            "container without a boot), so there is no boot to time and the units were never "
            "started by systemd. On the kiosk: systemd-analyze time; systemd-analyze "
            "critical-chain tankkaamo-kiosk-browser.service"
        )
        return
    for command in (
        ["systemd-analyze", "time"],
        ["systemd-analyze", "critical-chain", "tankkaamo-kiosk-browser.service"],
    ):
        result = subprocess.run(command, capture_output=True, text=True)
        print(f"  $ {' '.join(command)}")
        print("    " + (result.stdout or result.stderr).strip().replace("\n", "\n    "))


def main() -> None:
    """Run each measurement and print it with the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--factor", type=float, default=6.0)
    parser.add_argument("--no-pi", action="store_true", help="skip the Pi-limited run")
    args = parser.parse_args()

    print(f"Cold start ({load()})")
    print("kiosk up on a fresh instance (creates the database, seeds demo data), s:")
    for run in range(args.runs):
        figures = kiosk_up(None, browser=True)
        print(
            f"  run {run + 1}: "
            + ", ".join(f"{name} {value:.1f}" for name, value in figures.items())
            + f" {NO_TARGET}"
        )
    if not args.no_pi:
        limit = Limit("cold-start", 200 / args.factor, 768)
        try:
            figures = kiosk_up(limit, browser=False)
        finally:
            limit.close()
        print(
            f"  under the Pi limit ({limit.describe()}): "
            + ", ".join(f"{name} {value:.1f}" for name, value in figures.items())
            + f" {NO_TARGET}"
        )
    print("the systemd units' commands in their order, no demo data, s from the first:")
    figures = unit_chain()
    print(
        "  " + ", ".join(f"{name} {value:.1f}" for name, value in figures.items()) + f" {NO_TARGET}"
    )
    print("from power-on:")
    power_on()
    print(f"after the run: {load()}")


if __name__ == "__main__":
    main()
