"""The wheel built from the repository carries the templates and static files and serves pages."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import free_port

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    [built] = out.glob("tankkaamo_kiosk-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_templates_static_files_translations_and_fonts(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "kiosk/templates/door/welcome.html",
        "kiosk/web/static/css/kiosk.css",
        "kiosk/web/static/js/door.js",
        # The door tablet's decoder, served locally: the wheel works with no network.
        "kiosk/web/static/js/door-camera-worker.js",
        "kiosk/web/static/vendor/zxing-wasm/zxing-reader.js",
        "kiosk/web/static/vendor/zxing-wasm/zxing_reader.wasm",
        "kiosk/web/static/vendor/zxing-wasm/LICENSE",
        "kiosk/translations/fi/LC_MESSAGES/messages.mo",
        "scanner/decode.py",
        "printer/badge.py",
    ):
        assert required in names, required
    assert any(n.startswith("printer/fonts/") and n.endswith((".ttf", ".otf")) for n in names)


@pytest.mark.slow
def test_wheel_in_an_empty_venv_serves_the_pages(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Install the wheel itself into the new venv; its dependencies come from the project venv
    # through a path entry, which (unlike a site dir) runs no .pth files, so the editable
    # checkout stays invisible and only the wheel's own copy of kiosk can be imported.
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run(
        [python, "-c", "import kiosk, printer, scanner; print(kiosk.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert where.startswith(str(venv)), where

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE=str(tmp_path / "instance"), KIOSK_PRINTER="none")
    server = subprocess.Popen(
        [python, "-m", "kiosk", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    body = page.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "Tervetuloa Yritystankkaamoon" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/kiosk.css") as css:
            assert b"--paper" in css.read()
        # Demo data was seeded from the wheel's own code, with card images.
        assert list((tmp_path / "instance" / "demo-cards").glob("*.png"))
    finally:
        server.terminate()
        server.wait(timeout=10)
