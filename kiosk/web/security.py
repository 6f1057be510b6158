"""Response headers and CSRF protection for every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(preview_url: str) -> str:
    """Return the CSP: everything from this server, no inline scripts, the camera preview."""
    img_sources = " ".join(filter(None, ["'self'", "data:", _origin(preview_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img_sources}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    """Turn on CSRF checks and add the security headers to every response."""
    csrf.init_app(app)
    policy = content_security_policy(app.config["PREVIEW_URL"])

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        # Pages, and every download (CSV and Excel reports, exports, cards), are personal
        # data: no browser or proxy cache may keep a copy.
        if (
            response.mimetype == "text/html"
            or "attachment" in response.headers.get("Content-Disposition", "")
            or request.path.startswith("/staff/")
        ):
            response.headers["Cache-Control"] = "no-store"
        return response
