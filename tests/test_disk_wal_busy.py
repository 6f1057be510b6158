"""Operational honesty: /healthz on a full disk, erased data out of the WAL, a busy database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from kiosk.db import connect
from kiosk.privacy.erasure import forget_member
from kiosk.web import create_app
from tests.factories import gen_member


def _app(tmp_path, clock, db_path, **extra):
    return create_app(
        {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE": str(db_path),
            "CLOCK": clock,
            "DEMO_DATA": False,
            "PRINTER": f"preview:{tmp_path / 'badges'}",
            **extra,
        }
    )


def test_healthz_is_not_ok_when_the_database_disk_has_too_little_space(tmp_path, clock, db_path):
    free_mb = shutil.disk_usage(db_path.parent).free // (1024 * 1024)
    roomy = _app(tmp_path, clock, db_path).test_client().get("/healthz")
    assert roomy.status_code == 200 and roomy.json["ok"] is True
    # The same real file system, judged against a floor above what it has free: "full".
    full_app = _app(tmp_path, clock, db_path, MIN_FREE_DISK_MB=free_mb + 1024)
    # The details (which part is not ok) are for devices and staff, not the public.
    device = {"Authorization": f"Bearer {full_app.config['DEVICE_TOKEN']}"}
    response = full_app.test_client().get("/healthz", headers=device)
    assert response.status_code == 503
    assert response.json["ok"] is False and response.json["database"]["error"] == "disk full"


def test_erasure_leaves_the_name_in_neither_the_wal_nor_the_database_file(db_path, clock):
    db = connect(db_path)
    member_id, _token = gen_member(db, clock.now(), "Xaverius Poistettava")
    wal = db_path.with_name(db_path.name + "-wal")
    assert b"Poistettava" in wal.read_bytes()  # the write is in the log before a checkpoint
    forget_member(db, member_id, clock.now(), "test")
    assert not wal.exists() or b"Poistettava" not in wal.read_bytes()
    assert b"Poistettava" not in db_path.read_bytes()
    db.close()


@pytest.mark.parametrize("command", [["member", "add", "--name", "Kiireinen Kalle"]])
def test_cli_waits_for_a_busy_database_then_says_so_in_one_line(db_path, command) -> None:
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock throughout
    try:
        env = dict(os.environ, KIOSK_DATABASE=str(db_path))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "busy" in lines[0], done.stderr
    assert waited >= 4.5  # it waited out the busy timeout (5 s) before giving up


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 4 MB file system (tmpfs), where root may mount one; skipped elsewhere."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_healthz_on_a_really_full_disk(tmp_path, clock, tiny_disk) -> None:
    db_path = tiny_disk / "kiosk.db"
    connect(db_path, migrate=True).close()
    app = _app(tmp_path, clock, db_path, MIN_FREE_DISK_MB=1)
    assert app.test_client().get("/healthz").status_code == 200
    # Fill the file system until under 1 MB is left, as a runaway log would.
    filler = tiny_disk / "filler"
    with filler.open("wb") as stream:
        while shutil.disk_usage(tiny_disk).free > 512 * 1024:
            stream.write(b"\0" * 65536)
            stream.flush()
    device = {"Authorization": f"Bearer {app.config['DEVICE_TOKEN']}"}
    response = app.test_client().get("/healthz", headers=device)
    assert response.status_code == 503
    assert response.json["database"]["error"] == "disk full"
