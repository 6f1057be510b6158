"""Every shell script in the repository passes shellcheck and parses with sh -n."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "instance", ".pytest_cache", ".ruff_cache"}


def shell_scripts() -> list[Path]:
    """Files named *.sh, and files whose first line runs sh, dash or bash."""
    found = []
    for path in REPO.rglob("*"):
        if not path.is_file() or SKIP_DIRS & set(path.relative_to(REPO).parts):
            continue
        if path.suffix == ".sh":
            found.append(path)
            continue
        try:
            with path.open("rb") as handle:
                first = handle.readline(100)
        except OSError:
            continue
        if first.startswith(b"#!") and any(
            shell in first for shell in (b"/sh", b"/dash", b"/bash", b"env sh", b"env bash")
        ):
            found.append(path)
    return sorted(found)


SCRIPTS = shell_scripts()


def test_the_deploy_scripts_are_found() -> None:
    names = {path.name for path in SCRIPTS}
    assert {"install.sh", "kiosk-browser", "tankkaamo-kiosk", "find-python.sh"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_shellcheck(script: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    result = subprocess.run(
        ["shellcheck", "--external-sources", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_parses(script: Path) -> None:
    shell = "bash" if b"bash" in script.read_bytes()[:100] else "sh"
    result = subprocess.run(
        [shell, "-n", str(script)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


# find-python.sh probes interpreters that may fail on purpose, so it has set -u only.
DEPLOY_SCRIPTS = [
    p for p in SCRIPTS if p.parent.name in {"deploy", "bin"} and p.name != "find-python.sh"
]


@pytest.mark.parametrize("script", DEPLOY_SCRIPTS, ids=lambda p: p.name)
def test_deploy_scripts_stop_on_errors(script: Path) -> None:
    assert "set -eu" in script.read_text(encoding="utf-8")
