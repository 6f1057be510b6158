"""Each report of the fixture month, byte for byte against a reviewed golden file.

To change a golden file on purpose: ``REPORTS_WRITE_GOLDEN=1 pytest tests/reports``, then read
the diff line by line against the fixture in conftest.py before committing it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.reports import KINDS, Month, build_report, iter_report_bytes, write_report

HELSINKI = ZoneInfo("Europe/Helsinki")

GOLDEN = Path(__file__).parent / "golden"
NOVEMBER = Month(2026, 11)
CASES = [(kind, "fi", ";") for kind in KINDS] + [("visits", "en", ","), ("summary", "sv", ",")]


def _render(db, kind: str, language: str, delimiter: str) -> bytes:
    stream = io.BytesIO()
    write_report(build_report(db, kind, NOVEMBER, HELSINKI, language), stream, delimiter=delimiter)
    return stream.getvalue()


@pytest.mark.parametrize(("kind", "language", "delimiter"), CASES)
def test_report_matches_golden(month_db, kind: str, language: str, delimiter: str) -> None:
    produced = _render(month_db, kind, language, delimiter)
    path = GOLDEN / f"{kind}-2026-11-{language}.csv"
    if os.environ.get("REPORTS_WRITE_GOLDEN") == "1":
        path.write_bytes(produced)
    assert produced == path.read_bytes()


@pytest.mark.parametrize("kind", KINDS)
def test_streamed_bytes_equal_written_file(month_db, kind: str) -> None:
    report = build_report(month_db, kind, NOVEMBER, HELSINKI, "fi")
    streamed = b"".join(iter_report_bytes(report, delimiter=";"))
    assert streamed == _render(month_db, kind, "fi", ";")
