"""deploy/install.sh: the dry run's steps, a real run into a temporary root, and the uninstall."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiosk.settings import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTALL = DEPLOY / "install.sh"
UNIT_NAMES = sorted(path.name for path in (DEPLOY / "systemd").iterdir())


def install(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["sh", str(INSTALL), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def commands(output: str) -> list[str]:
    """The command lines the installer printed (``+ …``)."""
    return [line[2:] for line in output.splitlines() if line.startswith("+ ")]


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")} if root.exists() else set()


@pytest.fixture
def dry_run(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "target"
    root.mkdir()
    result = install("--dry-run", "--root", root)
    return root, commands(result.stdout)


def test_dry_run_changes_nothing(dry_run: tuple[Path, list[str]]) -> None:
    root, _ = dry_run
    assert files_under(root) == set()


def test_dry_run_creates_the_system_user(dry_run: tuple[Path, list[str]]) -> None:
    _, steps = dry_run
    useradd = [step for step in steps if step.startswith("useradd ")]
    assert any(step.split()[-1] == "tankkaamo" and "--system" in step for step in useradd)
    assert any("usermod -a -G video tankkaamo" == step for step in steps)


def test_dry_run_installs_system_packages_with_the_leads_script(
    dry_run: tuple[Path, list[str]],
) -> None:
    _, steps = dry_run
    packages = [step for step in steps if "system-packages.sh" in step]
    assert len(packages) == 1
    for package in ("python3-venv", "libzbar0", "cage", "chromium"):
        assert package in packages[0].split()


def test_dry_run_makes_the_venv_and_installs_the_kiosk(dry_run: tuple[Path, list[str]]) -> None:
    root, steps = dry_run
    venv = f"{root}/opt/tankkaamo-kiosk/venv"
    assert any(step.endswith(f"-m venv {venv}") for step in steps)
    assert any(step.startswith(f"{venv}/bin/python -m pip install") for step in steps)


def test_dry_run_writes_the_config_at_mode_600(dry_run: tuple[Path, list[str]]) -> None:
    root, steps = dry_run
    assert any(
        step.startswith("write /etc/tankkaamo-kiosk/kiosk.env") and "new secrets" in step
        for step in steps
    )
    assert f"chmod 600 {root}/etc/tankkaamo-kiosk/kiosk.env" in steps
    assert f"chown root:root {root}/etc/tankkaamo-kiosk/kiosk.env" in steps


def test_dry_run_installs_and_enables_every_unit(dry_run: tuple[Path, list[str]]) -> None:
    root, steps = dry_run
    for name in UNIT_NAMES:
        assert any(
            step.startswith("install -m 644") and step.endswith(f"{root}/etc/systemd/system/{name}")
            for step in steps
        ), name
    enabled = " ".join(step for step in steps if step.startswith("systemctl enable"))
    for name in (
        "tankkaamo-kiosk.service",
        "tankkaamo-kiosk-scanner.service",
        "tankkaamo-kiosk-browser.service",
        "tankkaamo-kiosk-backup.timer",
        "tankkaamo-kiosk-watchdog.timer",
    ):
        assert name in enabled.split()
    assert "systemctl daemon-reload" in steps


def test_dry_run_installs_the_udev_rule(dry_run: tuple[Path, list[str]]) -> None:
    root, steps = dry_run
    assert any(step.endswith(f"{root}/etc/udev/rules.d/99-tankkaamo-kiosk.rules") for step in steps)
    assert "udevadm control --reload-rules" in steps


def test_no_browser_leaves_out_the_screen(tmp_path: Path) -> None:
    output = install("--dry-run", "--no-browser", "--root", tmp_path).stdout
    assert "tankkaamo-kiosk-browser.service" not in output
    assert "cage" not in output
    assert "tankkaamo-screen" not in output


def _read_env(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_install_into_a_root_is_idempotent_and_uninstall_keeps_the_data(tmp_path: Path) -> None:
    root = tmp_path / "target"
    install("--root", root)
    env_file = root / "etc/tankkaamo-kiosk/kiosk.env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    first = _read_env(env_file)
    assert len(first["KIOSK_SECRET_KEY"]) == 64
    assert len(first["KIOSK_DEVICE_TOKEN"]) == 64
    assert first["KIOSK_SECRET_KEY"] != first["KIOSK_DEVICE_TOKEN"]
    for name in UNIT_NAMES:
        installed = root / "etc/systemd/system" / name
        assert installed.read_bytes() == (DEPLOY / "systemd" / name).read_bytes()
    rule = root / "etc/udev/rules.d/99-tankkaamo-kiosk.rules"
    assert rule.read_bytes() == (DEPLOY / "udev/99-tankkaamo-kiosk.rules").read_bytes()
    assert os.access(root / "usr/local/bin/tankkaamo-kiosk", os.X_OK)

    # The operator edits a setting; a second run (an update) keeps it and the secrets.
    with env_file.open("a", encoding="utf-8") as handle:
        handle.write("KIOSK_PRINTER=network:10.0.0.5\n")
    second = install("--root", root).stdout
    assert "keeping /etc/tankkaamo-kiosk/kiosk.env" in second
    assert _read_env(env_file) == {**first, "KIOSK_PRINTER": "network:10.0.0.5"}

    data = root / "var/lib/tankkaamo-kiosk/kiosk.db"
    data.write_bytes(b"the members' visits")
    install("--uninstall", "--root", root)
    assert not (root / "etc/systemd/system/tankkaamo-kiosk.service").exists()
    assert not rule.exists()
    assert not (root / "usr/local/bin/tankkaamo-kiosk").exists()
    assert data.read_bytes() == b"the members' visits"
    assert _read_env(env_file)["KIOSK_PRINTER"] == "network:10.0.0.5"


def test_a_lost_secret_is_generated_again_and_the_rest_kept(tmp_path: Path) -> None:
    root = tmp_path / "target"
    install("--root", root)
    env_file = root / "etc/tankkaamo-kiosk/kiosk.env"
    kept = [line for line in env_file.read_text().splitlines() if "KIOSK_DEVICE_TOKEN" not in line]
    env_file.write_text("\n".join(kept) + "\n")
    install("--root", root)
    values = _read_env(env_file)
    assert len(values["KIOSK_DEVICE_TOKEN"]) == 64
    assert env_file.stat().st_mode & 0o777 == 0o600


def test_a_hand_edited_file_without_a_last_newline_is_not_glued_together(tmp_path: Path) -> None:
    root = tmp_path / "target"
    install("--root", root)
    env_file = root / "etc/tankkaamo-kiosk/kiosk.env"
    kept = [line for line in env_file.read_text().splitlines() if "KIOSK_SECRET_KEY" not in line]
    env_file.write_text("\n".join(kept) + "\nKIOSK_PRINTER=network:10.0.0.5")  # no newline
    install("--root", root)
    values = _read_env(env_file)
    assert values["KIOSK_PRINTER"] == "network:10.0.0.5"
    assert len(values["KIOSK_SECRET_KEY"]) == 64


def test_the_generated_settings_are_valid_kiosk_settings(tmp_path: Path) -> None:
    root = tmp_path / "target"
    install("--root", root)
    environ = _read_env(root / "etc/tankkaamo-kiosk/kiosk.env")
    instance = tmp_path / "instance"
    settings = load_settings(environ=environ, instance=instance)
    assert settings.demo_data is False
    assert settings.database == "/var/lib/tankkaamo-kiosk/kiosk.db"
    assert settings.secret_key == environ["KIOSK_SECRET_KEY"]
    assert settings.device_token == environ["KIOSK_DEVICE_TOKEN"]
    assert settings.port == 8080
    # The secrets come from the file, so nothing was generated into the instance folder.
    assert not (instance / "secret_key").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="runuser needs root")
def test_admin_wrapper_passes_the_settings_to_kiosk(tmp_path: Path) -> None:
    env_file = tmp_path / "kiosk.env"
    env_file.write_text(
        '# comment\nKIOSK_PRINTER="network:10.0.0.5"\nKIOSK_CAMERA=0\nPATH=/evil\n',
        encoding="utf-8",
    )
    fake_kiosk = tmp_path / "kiosk"
    fake_kiosk.write_text(
        '#!/bin/sh\necho "args=$*"\necho "printer=$KIOSK_PRINTER camera=$KIOSK_CAMERA"\n'
        'echo "user=$(id -un)"\n',
        encoding="utf-8",
    )
    fake_kiosk.chmod(0o755)
    result = subprocess.run(
        ["sh", str(DEPLOY / "bin" / "tankkaamo-kiosk"), "printer", "test"],
        env={
            "PATH": os.environ["PATH"],
            "TANKKAAMO_KIOSK_ENV": str(env_file),
            "TANKKAAMO_KIOSK_BIN": str(fake_kiosk),
            "TANKKAAMO_KIOSK_USER": "root",
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "args=printer test",
        "printer=network:10.0.0.5 camera=0",
        "user=root",
    ]


def test_a_door_machine_gets_only_the_scanner_and_screen_and_keeps_it_that_way(
    tmp_path: Path,
) -> None:
    root = tmp_path / "target"
    units = root / "etc/systemd/system"
    install("--root", root)  # first set up as a server …
    assert (units / "tankkaamo-kiosk.service").exists()
    install("--root", root, "--door")  # … then made a door: the server's units go
    for gone in (
        "tankkaamo-kiosk.service",
        "tankkaamo-kiosk-backup.timer",
        "tankkaamo-kiosk-backup.service",
    ):
        assert not (units / gone).exists(), gone
    for kept in (
        "tankkaamo-kiosk-scanner.service",
        "tankkaamo-kiosk-watchdog.timer",
        "tankkaamo-kiosk-browser.service",
    ):
        assert (units / kept).exists(), kept
    install("--root", root, "--door")  # an update of the door does not bring them back
    assert not (units / "tankkaamo-kiosk.service").exists()


def test_https_installs_caddy_with_the_kiosk_behind_it(tmp_path: Path) -> None:
    root = tmp_path / "target"
    steps = commands(install("--dry-run", "--root", root, "--https", "tankkaamo.local").stdout)
    packages = next(step for step in steps if "system-packages.sh" in step)
    assert "caddy" in packages.split()
    assert "systemctl restart caddy" in steps

    (root / "etc/caddy").mkdir(parents=True)
    (root / "etc/caddy/Caddyfile").write_text(":80 {\n\trespond hello\n}\n")
    install("--root", root, "--https", "tankkaamo.local, 192.168.1.20")
    caddyfile = root / "etc/caddy/Caddyfile"
    assert caddyfile.read_bytes() == (DEPLOY / "caddy/Caddyfile").read_bytes()
    assert (root / "etc/caddy/Caddyfile.before-tankkaamo").read_text().startswith(":80")
    drop_in = (root / "etc/systemd/system/caddy.service.d/tankkaamo-kiosk.conf").read_text()
    assert 'Environment="KIOSK_LAN_ADDRESS=tankkaamo.local, 192.168.1.20"' in drop_in
    env_file = root / "etc/tankkaamo-kiosk/kiosk.env"
    assert _read_env(env_file)["KIOSK_PROXY_HOPS"] == "1"
    install("--root", root, "--https", "tankkaamo.local")  # again: nothing doubled
    assert env_file.read_text().count("KIOSK_PROXY_HOPS") == 1
    assert (root / "etc/caddy/Caddyfile.before-tankkaamo").read_text().startswith(":80")

    install("--uninstall", "--root", root)
    assert caddyfile.read_text().startswith(":80")  # Caddy serves what it did before
    assert not (root / "etc/systemd/system/caddy.service.d/tankkaamo-kiosk.conf").exists()
