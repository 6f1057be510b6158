"""deploy/README.md keeps up with what deploy/ installs."""

from __future__ import annotations

from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
README = (DEPLOY / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name", sorted(p.name.rsplit(".", 1)[0] for p in (DEPLOY / "systemd").iterdir())
)
def test_every_unit_is_mentioned(name: str) -> None:
    assert name in README


@pytest.mark.parametrize(
    "text",
    [
        "scanner --list-cameras",
        "printer test",
        "tankkaamo-kiosk backup",
        "tankkaamo-kiosk restore",
        "--dry-run",
        "--uninstall",
        "--no-browser",
        "99-tankkaamo-kiosk.rules",
        "/etc/tankkaamo-kiosk/kiosk.env",
        "emulator",
        "docs/cli.md",
        "docs/configuration.md",
        "--https",
        "Guided Access",
        "screen pinning",
        "tankkaamo-ca.crt",
    ],
)
def test_the_operator_steps_are_documented(text: str) -> None:
    assert text in README
