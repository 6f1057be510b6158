"""A door tablet for the browser tests: real Caddy with its local CA, a Chromium that trusts
that CA (through its own NSS database, as a tablet with the CA installed would), and a fake
camera that plays a clip of a member card.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import numpy as np

from printer.cards import MemberCard, render_card
from scanner.clips import card_frames, write_y4m
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
CADDY = shutil.which("caddy") or "/usr/bin/caddy"
CERTUTIL = shutil.which("certutil") or "/usr/bin/certutil"
SHOTS = Path(os.environ.get("KIOSK_TABLET_SHOTS", ROOT / "test-artifacts" / "screenshots"))
PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1280, "height": 800}


def lan_address() -> str:
    """This machine's own address on its network, so the tablet is not on loopback.

    A browser on 127.0.0.1 is a door without pairing; from any other address it must be
    paired. Falls back to 127.0.0.1 on a machine with no network.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address


class Caddy:
    """deploy/caddy/Caddyfile run by Debian's caddy, its data in a temporary folder."""

    def __init__(self, base: Path, upstream_port: int, address: str) -> None:
        self.data = base / "data"
        self.https_port = free_port()
        self.http_port = free_port()
        self.address = address
        self.url = f"https://{address}:{self.https_port}"
        self.ca_dir = self.data / "caddy" / "pki" / "authorities" / "local"
        self.env = {
            **os.environ,
            "XDG_DATA_HOME": str(self.data),
            "XDG_CONFIG_HOME": str(base / "config"),
            "HOME": str(base),
            "KIOSK_LAN_ADDRESS": address,
            "KIOSK_UPSTREAM": f"127.0.0.1:{upstream_port}",
            "KIOSK_CADDY_HTTP_PORT": str(self.http_port),
            "KIOSK_CADDY_HTTPS_PORT": str(self.https_port),
            "KIOSK_CADDY_ADMIN": "off",
            "KIOSK_CA_DIR": str(self.ca_dir),
        }
        self.log_path = base / "caddy.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    @property
    def root_cert(self) -> Path:
        """The local CA's root certificate (what a tablet installs)."""
        return self.ca_dir / "root.crt"

    def _wait_until_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"caddy exited: {self.log_path.read_text()}")
            if self.root_cert.exists():
                try:
                    with socket.create_connection((self.address, self.https_port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"caddy did not start: {self.log_path.read_text()}")

    def stop(self) -> None:
        """Stop Caddy."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self._log.close()


def trusting_home(base: Path, root_cert: Path) -> Path:
    """A home folder whose NSS database trusts ``root_cert``: Chromium on Linux reads it."""
    nssdb = base / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    subprocess.run([CERTUTIL, "-N", "--empty-password", "-d", f"sql:{nssdb}"], check=True)
    subprocess.run(
        [
            CERTUTIL,
            "-A",
            "-n",
            "Tankkaamo kiosk local CA",
            "-t",
            "C,,",
            "-i",
            str(root_cert),
            "-d",
            f"sql:{nssdb}",
        ],
        check=True,
    )
    return base


def card_clip(
    path: Path, name: str, token: str, *, blank_seconds: float = 0.0, seconds: float = 4.0
) -> Path:
    """A Y4M clip of ``name``'s member card held up to the camera (after blank seconds)."""
    card = np.array(render_card(MemberCard(name=name, token=token), 900, one_bit=False))
    return write_y4m(card_frames(card, seconds, blank_seconds=blank_seconds), path)


def camera_args(clip: Path | None, *, allow: bool = True) -> list[str]:
    """Chromium flags for a fake camera playing ``clip`` (None: no camera at all)."""
    args = []
    if clip is not None:
        args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={clip}"]
    # Answer the camera prompt as a person would: allow, or refuse.
    args.append("--use-fake-ui-for-media-stream" if allow else "--deny-permission-prompts")
    return args


def shot(page, name: str) -> Path:
    """Save what the page shows now as NAME.png in the tablet screenshots folder."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
