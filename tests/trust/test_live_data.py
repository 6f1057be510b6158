"""Personal data under attack, against the real server: reprints, roll-call payloads after
erasure, the host's check-in search, and file modes under a loose umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import free_port
from tests.trust.live import Browser, add_staff, log_in, query, start_server
from tests.web_helpers import visible_text

pytestmark = pytest.mark.slow


def _member_id(server, name: str) -> int:
    return query(server, "SELECT id FROM members WHERE name = ?", [name])[0]["id"]


def _staff(server, username: str, role: str) -> Browser:
    add_staff(server, username, role=role)
    browser = Browser(server.url)
    assert log_in(browser, username).status == 302
    return browser


def _reprint(browser: Browser, job_id: int):
    token = browser.csrf("/staff/devices")
    return browser.post_form(f"/staff/devices/jobs/{job_id}/reprint", {"csrf_token": token})


# --- 7. Reprint needs the role that printing needs ------------------------------------------


def test_a_host_cannot_reprint_a_member_card(live_server):
    live_server.add_member("Anna Virtanen")
    member_id = _member_id(live_server, "Anna Virtanen")
    admin = _staff(live_server, "aatu", "admin")
    host = _staff(live_server, "hanna", "host")
    token = admin.csrf(f"/staff/members/{member_id}")
    printed = admin.post_form(f"/staff/members/{member_id}/card/print", {"csrf_token": token})
    assert printed.status == 302
    job_id = query(live_server, "SELECT id FROM print_jobs WHERE kind = 'member_card'")[0]["id"]
    assert _reprint(host, job_id).status == 403
    assert _reprint(admin, job_id).status == 302
    assert len(query(live_server, "SELECT id FROM print_jobs WHERE kind = 'member_card'")) == 2
    # A guest's badge is a host's to reprint, as it is theirs to print.
    token = host.csrf("/guest")
    host.post_form("/guest", {"csrf_token": token, "name": "Vieras Esimerkki", "consent": "1"})
    badge = query(live_server, "SELECT id FROM print_jobs WHERE kind = 'guest_badge'")[0]["id"]
    assert _reprint(host, badge).status == 302


# --- 8. Erasure reaches roll-call jobs; printed roll calls are purged ------------------------


def test_erasure_redacts_the_name_in_a_waiting_roll_call(tmp_path):
    # A printer that is not there: the roll call waits in the queue with everyone's names.
    server = start_server(tmp_path, {"KIOSK_PRINTER": f"network:127.0.0.1:{free_port()}"})
    try:
        card = server.add_member("Anna Virtanen", company="Virtasen Puutarha")
        server.add_member("Mikko Korhonen")
        assert server.post_scan(card)[1]["result"] == "checked_in"
        host = _staff(server, "hanna", "host")
        admin = _staff(server, "aatu", "admin")
        token = host.csrf("/staff/roll-call")
        assert host.post_form("/staff/roll-call", {"csrf_token": token}).status == 302
        job = query(server, "SELECT id, payload FROM print_jobs WHERE kind = 'roll_call'")[0]
        assert "Virtanen" in job["payload"]
        member_id = _member_id(server, "Anna Virtanen")
        token = admin.csrf(f"/staff/members/{member_id}")
        forget = admin.post_form(
            f"/staff/members/{member_id}/forget", {"csrf_token": token, "confirm": "1"}
        )
        assert forget.status == 302
        payloads = [row["payload"] for row in query(server, "SELECT payload FROM print_jobs")]
        assert not [p for p in payloads if "Virtanen" in p or "Puutarha" in p]
        assert _reprint(host, job["id"]).status == 302
        payloads = [row["payload"] for row in query(server, "SELECT payload FROM print_jobs")]
        assert len(payloads) == 2 and not [p for p in payloads if "Virtanen" in p]
        # The line stays, blanked, so the count of people inside is still right.
        assert len(json.loads(payloads[-1])["people"]) == 1
    finally:
        server.stop()


def test_a_printed_roll_call_keeps_no_names(live_server):
    card = live_server.add_member("Anna Virtanen")
    assert live_server.post_scan(card)[1]["result"] == "checked_in"
    host = _staff(live_server, "hanna", "host")
    token = host.csrf("/staff/roll-call")
    assert host.post_form("/staff/roll-call", {"csrf_token": token}).status == 302
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = query(live_server, "SELECT * FROM print_jobs WHERE kind = 'roll_call'")[0]
        if job["status"] == "done":
            break
        time.sleep(0.2)
    assert job["status"] == "done" and json.loads(job["payload"]) == {}
    assert _reprint(host, job["id"]).status == 409  # nothing left to print again


# --- 10. The host's check-in search --------------------------------------------------------


def test_hosts_search_check_in_by_name_and_company_only(live_server):
    live_server.add_member(
        "Anna Virtanen", company="Virtasen Puutarha", email="salainen.osoite@example.com"
    )
    live_server.add_member("Mikko Korhonen", email="mikko@example.com")
    host = _staff(live_server, "hanna", "host")

    def found(text: str) -> set[str]:
        page = visible_text(host.get(f"/staff/check-in?q={quote(text)}").text)
        return {name for name in ("Anna Virtanen", "Mikko Korhonen") if name in page}

    assert found("Virtanen") == {"Anna Virtanen"}
    assert found("Puutarha") == {"Anna Virtanen"}
    assert found("salainen") == set()  # an email is not searched
    assert found("example.com") == set()
    assert found("%") == set() and found("_") == set()  # wildcards are plain characters
    assert found("s%n") == set() and found("A_na") == set()


# --- 18. File modes whatever the umask -----------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_files_are_private_under_umask_022(tmp_path):
    previous = os.umask(0o022)
    try:
        server = start_server(tmp_path, {"KIOSK_DEMO_DATA": "true"})
        try:
            card = server.add_member("Anna Virtanen")
            assert server.post_scan(card)[0] == 200
            instance = server.instance
            assert _mode(instance) == 0o700
            for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "secret_key", "device_token"):
                assert _mode(instance / name) == 0o600, name
            cards = instance / "demo-cards"
            assert _mode(cards) == 0o700
            files = list(cards.iterdir())
            assert files and all(_mode(path) == 0o600 for path in files)
            env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
            env["KIOSK_INSTANCE"] = str(instance)
            backup = tmp_path / "backups" / "kiosk-backup.db"
            result = subprocess.run(
                [sys.executable, "-m", "kiosk", "backup", str(backup)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, result.stderr
            assert _mode(backup) == 0o600 and _mode(backup.parent) == 0o700
        finally:
            server.stop()
    finally:
        os.umask(previous)
