"""Friendly pages for a database that cannot be used right now (locked too long, disk full).

This is the one place that answers "database busy": 503 with ``Retry-After``, as JSON with the
reason for API clients (the scanner retries), and for every other page, the door screen above
all, a calm page in the person's language that says the sign-in did not go through, asks them
to try again or see the host, and returns to the welcome screen by itself. Nothing is
half-written: the write transactions roll back.
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, jsonify, render_template, render_template_string, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from kiosk.db import DatabaseUnavailable

PAGE = """{% extends "door/base.html" %}
{% block title %}{{ _('One moment, please') }} · Yritystankkaamo{% endblock %}
{% block return_after %}data-return-after="15"{% endblock %}
{% block main %}
<section class="refused" role="alert">
  <h1>{{ _('One moment, please') }}</h1>
  <p class="lead">{{ _('The kiosk could not save that just now. Please try again in a moment, or ask %(host)s.', host=host.from_) }}</p>
  <div class="actions">
    <a class="button primary" href="/?reset=1">{{ _('Back') }}</a>
  </div>
</section>
{% endblock %}
"""  # noqa: E501

# SQLite errors that mean "cannot use the database now" rather than a bug in our SQL.
UNAVAILABLE_MARKERS = ("locked", "busy", "disk is full", "disk i/o", "readonly", "unable to open")


def is_unavailable(exc: BaseException) -> bool:
    """Tell whether ``exc`` means the database is unusable for now (not a programming error)."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    return isinstance(exc, sqlite3.OperationalError) and any(
        marker in str(exc).lower() for marker in UNAVAILABLE_MARKERS
    )


def unavailable_response(exc: BaseException):
    """503: JSON for API clients, the friendly page for people."""
    current_app.logger.error("database unavailable on %s: %s", request.path, exc)
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify(
            error="database_unavailable",
            message=f"the database is busy or cannot be written; please try again shortly ({exc})",
        )
    else:
        response = current_app.make_response(render_template_string(PAGE))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


# What people see for an HTTP error, in their language, with a way back (never a bare
# English page): heading and message by status.
_WENT_WRONG = (
    _l("Something went wrong"),
    _l("The page could not use what was sent. Please try again."),
)
HTTP_PAGES = {
    400: _WENT_WRONG,
    403: (_l("Not available here"), _l("This page cannot be opened on this device.")),
    404: (_l("Page not found"), _l("This page does not exist, or the link is no longer valid.")),
    405: _WENT_WRONG,
}


def _request_ctx_has_no_urls() -> bool:
    from flask.globals import request_ctx

    return request_ctx.url_adapter is None


def http_error_page(exc: HTTPException):
    """A styled, translated page for 400/403/404/405; JSON for API clients."""
    status = exc.code or 500
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), status
    if _request_ctx_has_no_urls():
        # A Host name the server does not trust: nothing may be built from it, not even the
        # links of the styled page. A plain answer, and nothing of the request echoed back.
        return current_app.response_class("Bad request\n", status=status, mimetype="text/plain")
    heading, message = HTTP_PAGES.get(status, HTTP_PAGES[400])
    page = render_template(
        "error.html",
        heading=str(heading),
        message=str(message),
        # What exactly was wrong with a request (a missing CSRF token, say), for whoever
        # looks into it: the server's own words, in English.
        detail=exc.description if status == 400 else "",
        staff_page=request.path.startswith("/staff"),
    )
    return page, status


def init_app(app: Flask) -> None:
    """Register the handlers for DatabaseUnavailable and SQLite's locked/full errors."""
    app.register_error_handler(DatabaseUnavailable, unavailable_response)
    for status in HTTP_PAGES:
        app.register_error_handler(status, http_error_page)

    @app.errorhandler(sqlite3.OperationalError)
    def operational_error(exc: sqlite3.OperationalError):
        if is_unavailable(exc):
            return unavailable_response(exc)
        raise exc
