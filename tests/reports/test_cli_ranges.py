"""``kiosk report`` over a range of months, the project period, and as .xlsx."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from click.testing import CliRunner

from kiosk.cli import cli


@pytest.fixture
def runner(monkeypatch, db_path, month_db) -> CliRunner:
    monkeypatch.setenv("KIOSK_DATABASE", str(db_path))
    monkeypatch.setenv("KIOSK_PROJECT_START", "2026-10")
    monkeypatch.setenv("KIOSK_PROJECT_END", "2026-12")
    return CliRunner()


def _rows(result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))


def test_a_range_has_one_header_and_every_month(runner) -> None:
    result = runner.invoke(cli, ["report", "--from", "2026-10", "--to", "2026-12",
                                 "--kind", "summary", "--language", "en"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _rows(result)
    assert rows[0][0] == "Month" and [row[0] for row in rows[1:]] == [
        "2026-10",
        "2026-11",
        "2026-12",
    ]


def test_the_project_period_comes_from_the_settings(runner) -> None:
    result = runner.invoke(cli, ["report", "--project", "--kind", "indicators"])
    assert result.exit_code == 0, result.output
    periods = {row[0] for row in _rows(result)[1:]}
    assert periods == {"2026-10", "2026-11", "2026-12"}


def test_xlsx_needs_a_file_and_writes_one(runner, tmp_path) -> None:
    refused = runner.invoke(cli, ["report", "2026-11", "--kind", "visits", "--format", "xlsx"])
    assert refused.exit_code != 0 and "--out" in refused.output
    out = tmp_path / "käynnit.xlsx"
    done = runner.invoke(
        cli, ["report", "2026-11", "--kind", "visits", "--format", "xlsx", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet.cell(1, 1).value == "Käynti" and sheet.max_row == 8


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--kind", "summary"],  # neither a month nor a range
        ["report", "2026-11", "--from", "2026-10", "--to", "2026-11", "--kind", "summary"],
        ["report", "--from", "2026-12", "--to", "2026-10", "--kind", "summary"],  # backwards
        ["report", "--from", "2026-13", "--to", "2027-01", "--kind", "summary"],
    ],
)
def test_bad_ranges_get_one_clear_message(runner, args) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error")
