"""``kiosk scan-image`` and ``kiosk scanner`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
from click.testing import CliRunner

from kiosk.cli import cli
from scanner import synthetic


def write_code(path: Path, text: str) -> Path:
    cv2.imwrite(str(path), synthetic.render_code(text, 6))
    return path


def test_scan_image_prints_file_tab_text(tmp_path: Path) -> None:
    a = write_code(tmp_path / "a.png", "HELLO-1")
    blank = tmp_path / "blank.png"
    cv2.imwrite(
        str(blank), synthetic.background(200, 200, __import__("numpy").random.default_rng())
    )
    result = CliRunner().invoke(cli, ["scan-image", str(a), str(blank)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{a}\tHELLO-1\n{blank}\t\n"


def test_scan_image_json_keeps_newlines_in_texts(tmp_path: Path) -> None:
    a = write_code(tmp_path / "a.png", "line one\nline two")
    result = CliRunner().invoke(cli, ["scan-image", "--json", str(a)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.output.splitlines()] == [
        {"file": str(a), "codes": ["line one\nline two"]}
    ]


def test_scan_image_fails_on_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_text("no")
    result = CliRunner().invoke(cli, ["scan-image", str(bad)])
    assert result.exit_code == 1


def test_scanner_posts_an_image_folder_and_exits(tmp_path: Path, fake_api) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    write_code(folder / "1.png", "FOLDER-CARD-1")
    write_code(folder / "2.png", "FOLDER-CARD-2")
    result = CliRunner().invoke(
        cli,
        ["scanner", "--camera", str(folder), "--server", fake_api.url, "--preview-port", "0"],
        env={"KIOSK_DEVICE_TOKEN": "cli-token"},
    )
    assert result.exit_code == 0, result.output
    assert [s["code"] for s in fake_api.scans] == ["FOLDER-CARD-1", "FOLDER-CARD-2"]
    assert set(fake_api.auth) == {"Bearer cli-token"}


def test_scanner_rejects_a_bad_camera_spec(fake_api) -> None:
    result = CliRunner().invoke(
        cli,
        ["scanner", "--camera", "webcam-please", "--server", fake_api.url, "--preview-port", "0"],
    )
    assert result.exit_code != 0 and "KIOSK_CAMERA" in result.output


def test_list_cameras_runs_without_a_camera() -> None:
    result = CliRunner().invoke(cli, ["scanner", "--list-cameras"])
    assert result.exit_code == 0 and result.output
