"""Response headers and CSRF protection for every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# The door camera's decoder worker compiles ZXing-C++ from WebAssembly. A worker runs under
# the policy of its own script's response, so only that one file may compile WebAssembly;
# pages keep the plain script-src 'self'.
WASM_WORKERS = {"js/door-camera-worker.js"}


def content_security_policy(preview_url: str, *, wasm: bool = False) -> str:
    """Return the CSP: everything from this server, no inline scripts, the camera preview.

    ``wasm`` adds 'wasm-unsafe-eval' (compiling WebAssembly, nothing else) for the decoder.
    """
    img_sources = " ".join(filter(None, ["'self'", "data:", _origin(preview_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'" if wasm else "script-src 'self'",
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
    wasm_policy = content_security_policy(app.config["PREVIEW_URL"], wasm=True)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        worker = (
            request.endpoint == "static"
            and (request.view_args or {}).get("filename") in WASM_WORKERS
        )
        response.headers.setdefault("Content-Security-Policy", wasm_policy if worker else policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: over HTTPS Flask-WTF refuses a form post that has no
        # Referer from this site (WTF_CSRF_SSL_STRICT); other sites still learn nothing.
        response.headers.setdefault("Referrer-Policy", "same-origin")
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
