"""Hypothesis over every way text gets in: scans, the scan API, the guest form, CSV import, reports.

Each test asserts the same two things: no server error (no 500, no traceback, no exception
but the named ones), and no corrupted rows (:func:`check_database` finds nothing).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.cards import new_token
from kiosk.db import connect
from kiosk.errors import InvalidInput
from kiosk.member_import import import_members
from kiosk.visits import ScanResult, ScanRules, process_scan
from kiosk.web.ratelimit import FailedScanLimiter
from kiosk.web.views.api import LIMITER_KEY
from tests.factories import gen_member
from tests.trust.conftest import auth, check_database

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')

# Text that stresses parsers: control characters, surrogate-free unicode, quotes, separators.
nasty_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300
) | st.sampled_from(["", " ", "\x00", "=cmd|' /C calc'!A0", "TK1-", "'; DROP TABLE visits;--"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def cards(db, clock) -> list[str]:
    """Three members' card tokens and one revoked one."""
    tokens = [gen_member(db, clock.now(), name)[1] for name in ("Anna A", "Mikko M", "Elsa E")]
    member_id, revoked = gen_member(db, clock.now(), "Sam S")
    from kiosk.cards import issue_member_card

    issue_member_card(db, member_id, clock.now())
    return [*tokens, revoked]


def test_process_scan_with_arbitrary_text(db, db_path, clock, cards):
    rules = ScanRules()
    seen: set[str] = set()

    @FUZZ
    @given(
        steps=st.lists(
            st.tuples(
                st.one_of(
                    nasty_text,
                    st.sampled_from(cards),
                    st.sampled_from(cards).map(lambda t: t[:-1] + "A"),
                    st.sampled_from(cards).map(lambda t: f"  {t}\n"),
                ),
                st.integers(min_value=0, max_value=400),
                st.none() | st.text(max_size=20),
            ),
            max_size=10,
        )
    )
    def run(steps: list[tuple[str, int, str | None]]) -> None:
        for code, seconds, key in steps:
            clock.advance(seconds=seconds)
            outcome = process_scan(db, code, clock.now(), rules, idempotency_key=key or None)
            seen.add(outcome.result.value)
            if code.strip() not in cards:
                assert outcome.result == ScanResult.UNKNOWN or outcome.replayed
        assert check_database(db_path) == []

    run()
    assert {"unknown", "checked_in"} <= seen


def test_scan_api_with_arbitrary_json(app, clock, db_path):
    app.extensions[LIMITER_KEY] = FailedScanLimiter(burst=10**9)
    client = app.test_client()
    db = connect(db_path)
    _id, card = gen_member(db, clock.now(), "Anna Virtanen")
    db.close()
    statuses: set[int] = set()

    @FUZZ
    @given(
        body=json_values
        | st.fixed_dictionaries(
            {"code": nasty_text | st.just(card)},
            optional={"id": json_values, "seen_at": json_values, "device": json_values},
        ),
        path=st.sampled_from(["/api/v1/scans", "/api/v1/devices/heartbeat"]),
        raw=st.none() | st.binary(max_size=200),
    )
    def run(body: object, path: str, raw: bytes | None) -> None:
        headers = {**auth(app), "Content-Type": "application/json"}
        if raw is not None:
            response = client.post(path, data=raw, headers=headers)
        else:
            response = client.post(path, json=body, headers=headers)
        statuses.add(response.status_code)
        assert response.status_code in {200, 400}, (response.status_code, response.text[:300])
        assert response.is_json and "Traceback" not in response.text
        clock.advance(seconds=30)

    run()
    assert check_database(db_path) == []
    assert statuses == {200, 400}


def test_guest_form_with_arbitrary_fields(app, db_path):
    from kiosk.web.views.door import GUEST_LIMITER_KEY

    # The per-door guest limit is tested on its own; here every example must reach the form.
    app.extensions[GUEST_LIMITER_KEY] = FailedScanLimiter(burst=10**9)
    client = app.test_client()
    token = CSRF_PATTERN.search(client.get("/guest").text).group(1)
    outcomes: set[int] = set()

    @FUZZ
    @example(fields={"name": "Åsa Öörni", "consent": "1"})  # at least one sign-in succeeds
    @example(fields={"name": "", "consent": "1"})
    @given(
        fields=st.fixed_dictionaries(
            {},
            optional={
                "name": nasty_text,
                "company": nasty_text,
                "purpose": nasty_text,
                "host_name": nasty_text,
                "consent": st.sampled_from(["1", "0", "", "yes"]) | nasty_text,
                "unexpected": nasty_text,
            },
        )
    )
    def run(fields: dict[str, str]) -> None:
        response = client.post("/guest", data={**fields, "csrf_token": token})
        outcomes.add(response.status_code)
        assert response.status_code in {302, 400}, response.status_code
        if response.status_code == 302:
            assert "/hello/" in response.headers["Location"]
        else:
            assert "Traceback" not in response.text

    run()
    assert check_database(db_path) == []
    assert outcomes == {302, 400}
    db = connect(db_path)
    names = [r["name"] for r in db.query("SELECT name FROM guests")]
    db.close()
    # Whatever came in, what is stored is clean: no control characters, bounded.
    assert all(n.strip() and len(n) <= 120 and n.isprintable() for n in names)


def test_csv_import_with_arbitrary_files(db, db_path, clock):
    headers = st.lists(
        st.sampled_from(["name", "nimi", "email", "phone", "kieli", "y-tunnus", "x"]) | nasty_text,
        min_size=1,
        max_size=6,
    )
    cells = st.lists(st.lists(nasty_text | st.just("a@b.fi"), max_size=7), max_size=6)

    @FUZZ
    @given(
        header=headers,
        rows=cells,
        delimiter=st.sampled_from([",", ";", "\t", "|"]),
        raw=st.none() | nasty_text,
    )
    def run(header: list[str], rows: list[list[str]], delimiter: str, raw: str | None) -> None:
        if raw is not None:
            text = raw
        else:
            text = "\n".join(delimiter.join(line) for line in [header, *rows])
        try:
            results = list(import_members(db, text, clock.now(), "2026-11"))
        except InvalidInput:
            return
        for result in results:
            assert (result.member_id is None) != (result.error is None)

    run()
    assert check_database(db_path) == []


def test_report_cli_with_arbitrary_parameters(tmp_path, monkeypatch, clock):
    from kiosk.cli import cli

    db_file = tmp_path / "reports.db"
    monkeypatch.setenv("KIOSK_DATABASE", str(db_file))
    db = connect(db_file, migrate=True)
    _id, card = gen_member(db, clock.now(), "Anna Virtanen")
    process_scan(db, card, clock.now())
    process_scan(db, card, clock.now() + timedelta(hours=1))
    db.close()
    runner = CliRunner()
    exits: set[int] = set()

    @FUZZ
    @given(
        month=st.sampled_from(["2026-11", "2026-13", "0000-01", "9999-12"]) | nasty_text,
        kind=st.sampled_from(["visits", "daily", "people", "moods", "events", "summary"])
        | nasty_text,
        delimiter=st.sampled_from([",", ";", "tab", "|"]) | nasty_text,
        language=st.sampled_from(["fi", "sv", "en"]) | nasty_text,
    )
    def run(month: str, kind: str, delimiter: str, language: str) -> None:
        if month.startswith("-") or kind.startswith("-"):
            month = month.lstrip("-") or "x"
        args = ["report", month, "--kind", kind, "--delimiter", delimiter, "--language", language]
        result = runner.invoke(cli, args)
        exits.add(result.exit_code)
        assert result.exit_code in {0, 1, 2}, result.output
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)

    run()
    assert check_database(db_file) == []
    assert 2 in exits


def test_a_fresh_token_is_never_a_known_card(db, clock, cards):
    # The cheapest forgery: a well-formed token that nobody was issued.
    for _ in range(200):
        assert process_scan(db, new_token(), clock.now()).result == ScanResult.UNKNOWN


# --- The same attacks against the real server ------------------------------------------------
# Waitress parses the request itself (headers, chunking, bodies), so the in-process tests above
# cannot stand for it: these send raw bytes over a socket to `kiosk serve`.

LIVE_FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OPEN_LIMITS = {
    "KIOSK_SCAN_FAILURE_BURST": "1000000",
    "KIOSK_SCAN_FAILURE_GLOBAL_BURST": "1000000",
    "KIOSK_GUEST_SIGNIN_BURST": "1000000",
}


@pytest.fixture
def open_server(tmp_path):
    """The real server with the rate limits opened, so every example reaches the code."""
    from tests.trust.live import start_server

    server = start_server(tmp_path, OPEN_LIMITS)
    yield server
    server.stop()


@pytest.mark.slow
def test_scan_api_on_the_real_server_never_errs(open_server):
    from tests.trust.live import Browser

    card = open_server.add_member("Anna Virtanen")
    client = Browser(open_server.url)
    statuses: set[int] = set()

    @LIVE_FUZZ
    @example(body=None, raw=b'{"code": ' + b"[" * 20000 + b"]" * 20000 + b"}")
    @example(body={"code": card, "seen_at": "2026-11-29T23:59:00+02:00"}, raw=None)
    @given(
        body=json_values
        | st.fixed_dictionaries(
            {"code": nasty_text | st.just(card)},
            optional={"id": json_values, "seen_at": json_values, "device": json_values},
        ),
        raw=st.none() | st.binary(max_size=300),
    )
    def run(body: object, raw: bytes | None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        answer = client.request(
            "POST",
            "/api/v1/scans",
            data,
            {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {open_server.device_token}",
            },
        )
        statuses.add(answer.status)
        assert answer.status in {200, 400}, (answer.status, answer.text[:300])

    run()
    assert check_database(open_server.db_path) == []
    assert statuses == {200, 400}


@pytest.mark.slow
def test_guest_form_on_the_real_server_never_errs(open_server):
    from tests.trust.live import Browser

    door = Browser(open_server.url)
    token = door.csrf("/guest")
    outcomes: set[int] = set()

    @LIVE_FUZZ
    @example(fields={"name": "Åsa Öörni", "consent": "1"})
    @example(fields={"name": "", "consent": "1"})
    @given(
        fields=st.fixed_dictionaries(
            {},
            optional={
                "name": nasty_text,
                "company": nasty_text,
                "purpose": nasty_text,
                "host_name": nasty_text,
                "consent": st.sampled_from(["1", "0", ""]) | nasty_text,
            },
        )
    )
    def run(fields: dict[str, str]) -> None:
        answer = door.post_form("/guest", {**fields, "csrf_token": token})
        outcomes.add(answer.status)
        assert answer.status in {302, 400}, (answer.status, answer.text[:300])

    run()
    assert check_database(open_server.db_path) == []
    assert outcomes == {302, 400}


@pytest.mark.slow
def test_report_parameters_on_the_real_server_never_err(open_server):
    from urllib.parse import urlencode

    from tests.trust.live import Browser, add_staff, log_in

    card = open_server.add_member("Anna Virtanen")
    open_server.post_scan(card)
    add_staff(open_server, "aatu")
    admin = Browser(open_server.url)
    assert log_in(admin, "aatu").status == 302
    statuses: set[int] = set()

    @LIVE_FUZZ
    @example(kind="visits", month="2026-11", extra="")
    @given(
        kind=st.sampled_from(["visits", "daily", "people", "moods", "events", "summary"])
        | nasty_text,
        month=st.sampled_from(["2026-11", "2026-13", "0000-01", "9999-12"]) | nasty_text,
        extra=nasty_text,
    )
    def run(kind: str, month: str, extra: str) -> None:
        query = urlencode({"kind": kind, "month": month, "format": extra, "delimiter": extra})
        answer = admin.get(f"/staff/reports/download?{query}")
        statuses.add(answer.status)
        assert answer.status in {200, 400}, (answer.status, answer.text[:300])
        if answer.status == 200:
            assert answer.headers.get("Cache-Control") == "no-store"

    run()
    assert statuses == {200, 400}


@pytest.mark.slow
def test_csv_import_while_the_real_server_runs_never_corrupts(open_server, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_INSTANCE"] = str(open_server.instance)
    card = open_server.add_member("Anna Virtanen")

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @example(text="nimi;sähköposti\nÅsa Öörni;asa@example.com\n")
    @given(text=nasty_text)
    def run(text: str) -> None:
        path = tmp_path / "import.csv"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "kiosk", "member", "import", str(path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode in {0, 1}, result.stderr
        assert "Traceback" not in result.stderr
        # The server keeps answering scans meanwhile.
        assert open_server.post_scan(card)[0] == 200

    run()
    assert check_database(open_server.db_path) == []
