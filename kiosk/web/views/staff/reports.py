"""Monthly CSV reports for download (admins); every download is in the audit log."""

from __future__ import annotations

from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from kiosk import audit
from kiosk.db import connect
from kiosk.reports import (
    KINDS,
    ReportError,
    build_report,
    iter_report_bytes,
    parse_month,
    report_filename,
)
from kiosk.web.db import get_db
from kiosk.web.views.context import clock
from kiosk.web.views.staff.auth import actor, admin_required

bp = Blueprint("reports", __name__)

KIND_LABELS = {
    "visits": _l("Visits, one row each"),
    "daily": _l("Days: visits and peak occupancy"),
    "people": _l("People: visits per person"),
    "moods": _l("Moods (groups of 5 or more only)"),
    "events": _l("Events and attendance"),
    "summary": _l("Summary of the month"),
}


@bp.get("/reports")
@admin_required
def index() -> str:
    """Pick a month and a report."""
    today = clock().now().astimezone(current_app.config["TZ"])
    return render_template(
        "staff/reports.html",
        kinds=[(kind, KIND_LABELS.get(kind, kind)) for kind in KINDS],
        month=f"{today.year:04d}-{today.month:02d}",
        default_delimiter=_default_delimiter(),
    )


def _default_delimiter() -> str:
    # Finnish and Swedish Excel split columns on ";" (the comma is their decimal mark).
    return "," if str(get_locale()) == "en" else ";"


@bp.get("/reports/download")
@admin_required
def download() -> Response:
    """Stream the CSV of ``kind`` for ``month``."""
    kind = request.args.get("kind", "")
    language = str(get_locale())
    # The CSV streams after this view returns, when the request's connection is closed:
    # the report reads through a connection of its own, closed when the last row is out.
    db = connect(current_app.config["DATABASE"])
    try:
        month = parse_month(request.args.get("month", "")[:7])
        delimiter = request.args.get("delimiter", "")[:3] or _default_delimiter()
        if delimiter not in {";", ","}:
            raise ReportError(f"unknown delimiter {delimiter!r}")
        report = build_report(
            db,
            kind,
            month,
            current_app.config["TZ"],
            language,
            help_topics=current_app.config["HELP_TOPICS"],
            min_group_size=current_app.config["MIN_GROUP_SIZE"],
        )
        name = report_filename(kind, month, language)
    except ReportError:
        db.close()
        abort(400)
    audit.record(get_db(), clock().now(), actor(), "report.export", f"{kind}:{month}")

    def chunks() -> Iterator[bytes]:
        try:
            yield from iter_report_bytes(report, delimiter=delimiter)
        finally:
            db.close()

    return Response(
        chunks(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
