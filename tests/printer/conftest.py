"""Printer fixtures: emupos running as two network ESC/POS printers (80 mm and 58 mm)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

try:
    import emupos  # noqa: F401

    EMUPOS_MISSING = ""
except ImportError:  # emupos needs Python >= 3.13
    EMUPOS_MISSING = f"emupos is not installed for Python {sys.version.split()[0]} (needs >= 3.13)"

PROFILE_58 = """\
type: printer
name: Generic 58 mm
dpi: 203
width_dots: 384
font_a: { width: 12, height: 24 }
font_b: { width: 9, height: 17 }
code_pages: { 0: PC437 }
default_code_page: 0
drawer_sensor_open_level: high
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Emulator:
    """A running emupos: its ports, and helpers over its control API and its event log."""

    api: str
    ports: dict[str, int]
    log_path: Path
    process: subprocess.Popen[bytes]
    faults: set[tuple[str, str]] = field(default_factory=set)

    def setting(self, device: str) -> str:
        """The KIOSK_PRINTER value that reaches ``device``."""
        return f"network:127.0.0.1:{self.ports[device]}"

    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(self.api + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def set_fault(self, device: str, fault: str) -> None:
        """Make ``device`` report ``fault`` (paper-out, offline, cover-open, paper-near-end)."""
        self._request("PUT", f"/api/v1/devices/{device}/faults/{fault}")
        self.faults.add((device, fault))

    def clear_fault(self, device: str, fault: str) -> None:
        """Clear a fault."""
        self._request("DELETE", f"/api/v1/devices/{device}/faults/{fault}")
        self.faults.discard((device, fault))

    def receipts(self, device: str) -> list[dict[str, object]]:
        """The receipts ``device`` printed, newest first."""
        return json.loads(self._request("GET", f"/api/v1/devices/{device}/receipts"))

    def image(self, device: str, receipt_id: str) -> Image.Image:
        """A receipt as the emulator rendered it."""
        data = self._request("GET", f"/api/v1/devices/{device}/receipts/{receipt_id}/image")
        return Image.open(io.BytesIO(data))

    def wait_for_receipts(self, device: str, count: int, timeout: float = 15) -> list[dict]:
        """Wait until ``device`` has at least ``count`` receipts; return them, newest first."""
        deadline = time.monotonic() + timeout
        while True:
            receipts = self.receipts(device)
            if len(receipts) >= count or time.monotonic() > deadline:
                return receipts
            time.sleep(0.1)

    def log(self) -> str:
        """Everything ``emupos run`` printed: one line per event."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """emupos as a subprocess on free ports: printer ``p80`` (576 dots) and ``p58`` (384)."""
    if EMUPOS_MISSING:
        pytest.skip(EMUPOS_MISSING)
    folder = tmp_path_factory.mktemp("emupos")
    (folder / "generic58.yaml").write_text(PROFILE_58, encoding="utf-8")
    ports = {"p80": _free_port(), "p58": _free_port(), "api": _free_port()}
    config = {
        "schema": 1,
        "api": {"host": "127.0.0.1", "port": ports["api"]},
        "devices": [
            {
                "id": "p80",
                "type": "printer",
                "profile": "epson-tm-t20iii",
                "connections": [{"tcp": {"host": "127.0.0.1", "port": ports["p80"]}}],
                "receipts_dir": str(folder / "receipts"),
            },
            {
                "id": "p58",
                "type": "printer",
                "profile": "./generic58.yaml",
                "connections": [{"tcp": {"host": "127.0.0.1", "port": ports["p58"]}}],
                "receipts_dir": str(folder / "receipts"),
            },
        ],
    }
    (folder / "emupos.yaml").write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    log_path = folder / "emupos.log"
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from emupos.cli.app import main; main()",
                "run",
                "--config",
                str(folder / "emupos.yaml"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
        )
    emu = Emulator(f"http://127.0.0.1:{ports['api']}", ports, log_path, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            emu._request("GET", "/api/v1/health")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"emupos did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
    try:
        yield emu
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session's emulator, with every fault a test set cleared afterwards."""
    yield emulator
    for device, fault in list(emulator.faults):
        emulator.clear_fault(device, fault)
