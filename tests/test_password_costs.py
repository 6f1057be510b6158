"""The hashes checked on the refusal paths: as costly as real ones, never made at import."""

from __future__ import annotations

import subprocess
import sys

from werkzeug.security import generate_password_hash

from kiosk.member_pins import NO_PIN_HASH
from kiosk.staff_accounts import DUMMY_HASH


def _method(stored: str) -> str:
    return stored.split("$", 1)[0]


def test_stand_in_hashes_cost_what_a_new_hash_costs():
    # If Werkzeug changes its default method or cost, write the two hashes out anew.
    current = _method(generate_password_hash("x"))
    assert _method(DUMMY_HASH) == current
    assert _method(NO_PIN_HASH) == current


def test_importing_the_kiosk_hashes_no_password():
    """A scrypt hash needs 32 MB for a moment: no process should pay that just to start."""
    probe = (
        "import hashlib\n"
        "calls = []\n"
        "real = hashlib.scrypt\n"
        "hashlib.scrypt = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
        "import kiosk.cli, kiosk.web, kiosk.member_pins, kiosk.staff_accounts\n"
        "print(len(calls))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "0"
