"""``kiosk serve`` for a benchmark: a clean environment, a port, and a wait until it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_kiosk(
    instance: Path, port: int, log: Path | None = None, **settings: str
) -> subprocess.Popen[bytes]:
    """Start ``kiosk serve`` on ``instance`` and wait until ``/healthz`` answers.

    The caller's ``KIOSK_*`` variables are left out, so a figure never depends on the shell it
    was run from; ``settings`` (``KIOSK_…=value``) come on top of an instance with no demo data
    and no printer. The server's output goes to ``log``, or nowhere.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE=str(instance), KIOSK_DEMO_DATA="false", KIOSK_PRINTER="none")
    env.update(settings)
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server did not start{f'; see {log}' if log else ''}")
