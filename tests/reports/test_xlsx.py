"""Every report kind as .xlsx: read back with openpyxl, and opened by LibreOffice headless.

The workbook must hold what the CSV holds, typed: dates as dates, clock times as times,
counts and hours as numbers, hidden cells and names as text, with ä, ö and å intact, and a
hostile company name as a string, never a formula.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from kiosk.reports import KINDS, Month, build_report, write_report, write_report_xlsx

from .conftest import HELSINKI

NOVEMBER = Month(2026, 11)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Token 9 ("true"): cells as shown, with the formats the workbook gives them.
EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


def _csv_rows(db, kind: str, language: str = "en") -> list[list[str]]:
    stream = io.BytesIO()
    report = build_report(db, kind, NOVEMBER, HELSINKI, language, project_start=Month(2026, 10))
    write_report(report, stream)
    return list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"), newline="")))


def _xlsx(db, kind: str, path: Path, language: str = "en") -> Path:
    report = build_report(db, kind, NOVEMBER, HELSINKI, language, project_start=Month(2026, 10))
    with path.open("wb") as stream:
        write_report_xlsx(report, stream)
    return path


def _as_csv_text(cell) -> str:
    """How our CSV writes the value the workbook cell holds (in its number format)."""
    value = cell.value
    if cell.number_format == "0.0" and isinstance(value, int | float):
        return f"{value:.1f}"
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0) and value.hour == 0 and value.minute == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


@pytest.mark.parametrize("kind", KINDS)
def test_openpyxl_reads_back_what_the_csv_says(month_db, tmp_path, kind: str) -> None:
    path = _xlsx(month_db, kind, tmp_path / f"{kind}.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [list(row) for row in sheet.iter_rows()]
    expected = _csv_rows(month_db, kind)
    assert len(cells) == len(expected)
    for got, want in zip(cells, expected, strict=True):
        assert [_as_csv_text(cell) for cell in got] == want


def test_cells_are_typed(month_db, tmp_path) -> None:
    sheet = openpyxl.load_workbook(_xlsx(month_db, "visits", tmp_path / "v.xlsx", "fi")).active
    first = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert first[1].is_date and first[1].value == datetime(2026, 11, 2)
    assert isinstance(first[2].value, time) and first[2].value == time(9, 0)
    assert first[5].data_type == "n" and first[5].value == 150
    assert first[7].value == "Aino Äijälä"
    companies = [row[8] for row in sheet.iter_rows(min_row=2)]
    hostile = next(cell for cell in companies if cell.value and "HYPERLINK" in cell.value)
    assert hostile.data_type == "s"  # a string, not a formula
    assert sheet.column_dimensions["H"].width >= len("Aino Äijälä")
    people = openpyxl.load_workbook(_xlsx(month_db, "people", tmp_path / "p.xlsx", "fi")).active
    hours = next(people.iter_rows(min_row=2, max_row=2))[7]
    assert hours.data_type == "n" and hours.value == pytest.approx(6.1)
    daily = openpyxl.load_workbook(_xlsx(month_db, "daily", tmp_path / "d.xlsx", "fi")).active
    assert next(daily.iter_rows(min_row=2, max_row=2))[0].value == datetime(2026, 11, 1)
    moods = openpyxl.load_workbook(_xlsx(month_db, "moods", tmp_path / "m.xlsx", "fi")).active
    assert next(moods.iter_rows(min_row=2, max_row=2))[3].value == "<5"  # text, not a number
    assert date(2026, 11, 1) == next(moods.iter_rows(min_row=2, max_row=2))[1].value.date()


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                    "apt-get install libreoffice-calc-nogui, as `make test` does")  # fmt: skip
def test_libreoffice_opens_every_kind_with_the_same_values(month_db, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    files = [str(_xlsx(month_db, kind, source / f"{kind}.xlsx")) for kind in KINDS]
    out_dir = tmp_path / "out"
    # One LibreOffice start converts them all (it takes seconds to start).
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", EXPORT, "--outdir", str(out_dir), *files],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for kind in KINDS:
        text = (out_dir / f"{kind}.csv").read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows == _csv_rows(month_db, kind), kind
    visits = (out_dir / "visits.csv").read_text(encoding="utf-8")
    assert "Aino Äijälä" in visits and "Östen Åberg" in visits
