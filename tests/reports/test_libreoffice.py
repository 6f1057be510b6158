"""A real spreadsheet reads the report: LibreOffice headless converts our ``;`` CSV.

One conversion only, since LibreOffice takes seconds to start. The Makefile installs Debian's
libreoffice-calc-nogui for ``make test``; without it the test is skipped, saying so.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.reports import Month, build_report, write_report

from .conftest import HELSINKI

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# CSV filter options: field separator 59 (;), text delimiter 34 ("), charset 76 (UTF-8),
# start at line 1. The import reads the file like a Finnish user's double-click would.
IMPORT = "CSV:59,34,76,1"
EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1"


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                    "apt-get install libreoffice-calc-nogui, as `make test` does")  # fmt: skip
def test_libreoffice_reads_columns_and_letters(month_db, tmp_path: Path) -> None:
    report = build_report(month_db, "visits", Month(2026, 11), HELSINKI, "fi")
    source = tmp_path / "in" / "visits.csv"
    source.parent.mkdir()
    with source.open("wb") as stream:
        write_report(report, stream, delimiter=";")
    out_dir = tmp_path / "out"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         f"--infilter={IMPORT}", "--convert-to", EXPORT, "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = (out_dir / "visits.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    expected = build_report(month_db, "visits", Month(2026, 11), HELSINKI, "fi")
    assert rows[0] == expected.header  # every column, in order, headers with ä intact
    assert all(len(row) == len(expected.keys) for row in rows)
    names = {row[7] for row in rows[1:]}
    assert {"Aino Äijälä", "Östen Åberg"} <= names
    # The hostile company stayed text: the spreadsheet shows it, it did not run it.
    assert '\'=HYPERLINK("x","y")' in {row[8] for row in rows[1:]}
    # The duration was read as a number, and the time as a time (its format follows the locale).
    assert rows[1][5] == "150" and "09" in rows[1][2]
    # The ; inside the event title stayed inside its cell.
    assert "Työpaja: Markkinointi; somessa" in {row[12] for row in rows[1:]}
