"""Redirect targets from requests stay on this server (door language switch, staff login)."""

from __future__ import annotations

import pytest

from kiosk.web.safe_paths import local_path


@pytest.mark.parametrize(
    "target",
    [
        "",
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "https://evil.example/staff",
        "/staff/\n",
        "/staff/\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
        "/other",
        "staff",
    ],
)
def test_anything_but_a_plain_local_path_falls_back(target):
    assert local_path(target, default="/staff/", prefix="/staff") == "/staff/"


@pytest.mark.parametrize("target", ["/staff/members?q=anna", "/staff/", "/staff/events/3"])
def test_plain_paths_under_the_prefix_pass(target):
    assert local_path(target, default="/staff/", prefix="/staff") == target
