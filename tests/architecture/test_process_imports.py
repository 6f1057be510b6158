"""What each long-running process loads: resident memory on a Pi is what it imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

WEB_APP = """
from kiosk.web import create_app
create_app({"INSTANCE_PATH": INSTANCE, "DEMO_DATA": False, "PRINTER": "none"})
"""
# What ``kiosk scanner`` loads before its loop starts (the loop's own imports follow).
SCANNER_COMMAND = """
import click
from kiosk.cli import cli
assert cli.get_command(click.Context(cli), "scanner") is not None
"""
USE_DATABASE = """
from kiosk.db import connect
db = connect(":memory:")
db["t"].insert({"a": 1})
assert db.execute("SELECT a FROM t").fetchone() == (1,)
"""


def loaded_after(code: str, tmp_path) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``code``."""
    probe = (
        "import json, sys\n"
        f"INSTANCE = {str(tmp_path / 'instance')!r}\n"
        f"{code}\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_web_app_does_not_load_numpy(tmp_path):
    # numpy (14 MB resident) is there for the scanner; sqlite-utils would load it too.
    assert "numpy" not in loaded_after(WEB_APP, tmp_path)


def test_numpy_still_imports_after_the_kiosk(tmp_path):
    code = "import kiosk.db\nimport numpy\nassert numpy.zeros(2).sum() == 0\n"
    assert "numpy" in loaded_after(code, tmp_path)


@pytest.mark.parametrize("first", ["numpy", "sqlite_utils"])
def test_sqlite_utils_works_whatever_came_first(tmp_path, first):
    assert "sqlite_utils" in loaded_after(f"import {first}\n{USE_DATABASE}", tmp_path)


def test_the_scanner_command_loads_none_of_the_web_app_reports_or_printing(tmp_path):
    loaded = loaded_after(SCANNER_COMMAND, tmp_path)
    unwanted = {"flask", "jinja2", "werkzeug", "PIL", "xlsxwriter", "qrcode", "escpos"}
    assert loaded & unwanted == set()
