"""``kiosk printer test`` and ``kiosk printer status``."""

from __future__ import annotations

import json
import socket

from click.testing import CliRunner

from kiosk.cli import cli


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_printer_test_writes_a_preview_by_default(tmp_path):
    result = CliRunner().invoke(cli, ["printer", "test"])
    assert result.exit_code == 0, result.output
    badges = list((tmp_path / "instance" / "badges").glob("*.png"))
    assert len(badges) == 1


def test_printer_test_fails_clearly_when_the_printer_is_unreachable(monkeypatch):
    monkeypatch.setenv("KIOSK_PRINTER", f"network:127.0.0.1:{_closed_port()}")
    result = CliRunner().invoke(cli, ["printer", "test"])
    assert result.exit_code != 0
    assert "cannot reach the printer" in result.output
    status = CliRunner().invoke(cli, ["printer", "status", "--json"])
    assert json.loads(status.output)["state"] == "offline"


def test_printer_test_prints_on_the_emulated_printer(monkeypatch, emu):
    monkeypatch.setenv("KIOSK_PRINTER", emu.setting("p58"))
    monkeypatch.setenv("KIOSK_PRINTER_WIDTH", "58")
    before = len(emu.receipts("p58"))
    result = CliRunner().invoke(cli, ["printer", "test"])
    assert result.exit_code == 0, result.output
    receipts = emu.wait_for_receipts("p58", before + 1)
    assert receipts[0]["width_dots"] == 384


def test_printer_test_reports_paper_out(monkeypatch, emu):
    monkeypatch.setenv("KIOSK_PRINTER", emu.setting("p80"))
    emu.set_fault("p80", "paper-out")
    result = CliRunner().invoke(cli, ["printer", "test"])
    assert result.exit_code != 0
    assert "paper_out" in result.output
