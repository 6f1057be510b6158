"""Moods suppression rules, and the ``kiosk report`` command through click's CliRunner."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.reports.month import Month
from kiosk.reports.moods import _hide_small, moods_rows

from .conftest import HELSINKI


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ([6, 7, 8, 9, 2], [True, False, False, False, True]),  # one hidden: hide the smallest too
        ([6, 7, 8, 4, 4], [True, False, False, True, True]),  # 4 + 4 = 8 would reveal both
        ([6, 7, 8, 3, 1], [False, False, False, True, True]),  # 4 splits many ways
        ([0, 0, 0, 0, 9], [True, True, True, True, False]),  # zeros reveal nobody
        ([5, 5, 5, 5, 5], [False] * 5),
    ],
)
def test_hide_small_cells(counts: list[int], hidden: list[bool]) -> None:
    assert [state is not None for state in _hide_small(counts, 5)] == hidden


def test_a_cell_hidden_to_protect_another_reads_as_hidden_not_small(db) -> None:
    # Week 46 of November 2026: moods 1..5 answered 6, 7, 8, 9 and 2 times. The 2 is small;
    # the 6 is hidden only so the 2 cannot be worked out from the total, and is not "<5".
    from .conftest import at

    counts = {1: 6, 2: 7, 3: 8, 4: 9, 5: 2}
    db["mood_answers"].insert_all(
        {"answered_at": at(2026, 11, 10, 10), "mood": mood, "visit_id": None}
        for mood, n in counts.items()
        for _ in range(n)
    )
    rows = list(moods_rows(db, Month(2026, 11), HELSINKI, "fi"))
    week46 = next(row for row in rows if row[0] == "2026-W46")
    assert week46[3:9] == [32, "–", 7, 8, 9, "<5"]


def test_no_shown_cell_below_five(month_db) -> None:
    for row in moods_rows(month_db, Month(2026, 11), HELSINKI, "fi"):
        assert all(cell in ("<5", "–") or cell >= 5 for cell in row[3:])


def test_threshold_follows_the_setting(month_db) -> None:
    rows = list(moods_rows(month_db, Month(2026, 11), HELSINKI, "fi", min_group_size=3))
    week45 = next(row for row in rows if row[0] == "2026-W45")
    assert week45[3] == 3 and week45[4:9] == ["<3", "<3", "<3", "<3", "<3"]


@pytest.fixture
def runner(monkeypatch, db_path, month_db) -> CliRunner:
    monkeypatch.setenv("KIOSK_DATABASE", str(db_path))
    return CliRunner()


def test_cli_writes_stdout(runner) -> None:
    result = runner.invoke(cli, ["report", "2026-11", "--kind", "summary", "--delimiter", ";"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Kuukausi" and rows[1][:2] == ["2026-11", "4"]


def test_cli_writes_a_file_in_english(runner, tmp_path) -> None:
    out = tmp_path / "visits.csv"
    args = ["report", "2026-11", "--kind", "visits", "--out", str(out), "--language", "en"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8-sig")
    assert text.startswith("Visit,Date,In") and "Äijälä" in text
    assert len(text.splitlines()) == 8


def test_cli_honours_kiosk_timezone(runner, monkeypatch) -> None:
    # 23:30 Helsinki on 31 Oct is 21:30 UTC, still October in UTC too; in Tokyo it is November.
    monkeypatch.setenv("KIOSK_TIMEZONE", "Asia/Tokyo")
    result = runner.invoke(cli, ["report", "2026-11", "--kind", "visits", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "\r\n8,2026-11-01,06:30," in result.stdout_bytes.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13", "--kind", "visits"], "month must be 01..12"),
        (["november", "--kind", "visits"], "YYYY-MM"),
        (["2026-11", "--kind", "weekly"], "weekly"),
        (["2026-11", "--kind", "visits", "--delimiter", "x"], "delimiter must be one of"),
        (["2026-11"], "--kind"),
    ],
)
def test_cli_errors_are_clear(runner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["report", *args])
    assert result.exit_code == 2
    assert message in result.output
