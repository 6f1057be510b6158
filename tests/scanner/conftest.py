"""Fixtures for the scanner tests: a stand-in scan API on 127.0.0.1 that the test controls."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeApi:
    """A tiny stdlib HTTP server recording scans and heartbeats; ``up`` decides if it answers."""

    def __init__(self) -> None:
        self.scans: list[dict] = []
        self.heartbeats: list[dict] = []
        self.auth: list[str] = []
        self.up = True
        self.status = 200
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not api.up:
                    self.send_error(503)
                    return
                api.auth.append(self.headers.get("Authorization", ""))
                if api.status != 200:
                    self.send_error(api.status)
                    return
                if self.path == "/api/v1/scans":
                    seen = {scan["id"] for scan in api.scans}
                    if body["id"] not in seen:  # the real server dedups by id too
                        api.scans.append(body)
                    answer = {"result": "checked_in", "visit_id": len(api.scans)}
                elif self.path == "/api/v1/devices/heartbeat":
                    api.heartbeats.append(body)
                    answer = {"ok": True}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_api() -> FakeApi:
    """A running stand-in for the kiosk's scan API."""
    api = FakeApi()
    yield api
    api.close()
