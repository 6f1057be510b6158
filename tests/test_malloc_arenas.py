"""kiosk serve and kiosk scanner cap glibc's malloc arenas, so freed memory is not spread over
one per thread."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest
from click.testing import CliRunner

import kiosk.web.server as server_module
from kiosk.cli import cli

try:
    GLIBC = hasattr(ctypes.CDLL(None), "malloc_stats")
except OSError:
    GLIBC = False

# Eight threads allocate at the same time, then glibc prints one "Arena N:" block per arena.
THREADS = """
import ctypes, sys, threading
from kiosk.cli.memory import limit_malloc_arenas
if sys.argv[1] == "limit":
    assert limit_malloc_arenas(2)
barrier = threading.Barrier(8)
def work():
    blocks = [bytearray(4096) for _ in range(100)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", THREADS, mode], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena "))


@pytest.mark.skipif(not GLIBC, reason="malloc arenas are glibc's")
def test_threads_share_two_arenas_once_limited():
    assert arenas("free") > 2  # the default: an arena per thread, which the limit prevents
    assert arenas("limit") == 2


def test_the_serve_command_limits_before_it_starts_anything(monkeypatch):
    order: list[str] = []
    monkeypatch.setattr(
        "kiosk.cli.server.limit_malloc_arenas", lambda count: order.append(f"limit {count}")
    )
    monkeypatch.setattr(server_module, "serve", lambda *args: order.append("serve"))
    monkeypatch.setattr(
        "kiosk.cli.server._start_background", lambda app: order.append("background") or []
    )
    monkeypatch.setenv("KIOSK_DEMO_DATA", "false")
    result = CliRunner().invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 0, result.output
    assert order == ["limit 2", "background", "serve"]


class Stop(Exception):
    """Ends the scanner command right after the step under test."""


def test_the_scanner_command_limits_before_it_starts_anything(monkeypatch):
    order: list[str] = []

    def limit(count: int) -> bool:
        order.append(f"limit {count}")
        raise Stop

    monkeypatch.setattr("kiosk.cli.scanner.limit_malloc_arenas", limit)
    result = CliRunner().invoke(cli, ["scanner", "--camera", "none"])
    assert isinstance(result.exception, Stop)
    assert order == ["limit 1"]
