"""Helpers for tests that drive the app through Flask's test client, CSRF on."""

from __future__ import annotations

import json
import re
import threading
import urllib.request

from flask.testing import FlaskClient

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """Load ``path`` and return the CSRF token of its form."""
    page = client.get(path)
    match = CSRF_PATTERN.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def visible_text(html: str) -> str:
    """The page's text without tags, in single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def read_door_events(url: str, events: list[dict], ready: threading.Event, count: int) -> None:
    """Read ``count`` scan events from the door stream into ``events``."""
    with urllib.request.urlopen(url + "/stream/door", timeout=20) as stream:
        ready.set()
        event = None
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "scan":
                events.append(json.loads(line.removeprefix("data: ")))
                if len(events) == count:
                    return
