"""Redirect targets taken from a request: only paths on this server."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str, default: str = "/", prefix: str = "/") -> str:
    """Return ``target`` if it is a plain path on this server under ``prefix``, else ``default``.

    Browsers ignore tabs and line breaks in URLs and treat ``//host`` and ``/\\host`` as other
    servers, so any control character or backslash, and anything with a scheme or a host, is
    refused rather than cleaned up.
    """
    if not target or any(ord(ch) < 32 or ch in "\\\x7f" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(prefix) or target.startswith("//"):
        return default
    return target
