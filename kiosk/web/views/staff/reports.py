"""Monthly reports for download as CSV or xlsx (admins); every download is in the audit log."""

from __future__ import annotations

import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
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
    write_report_xlsx,
)
from kiosk.web.db import get_db
from kiosk.web.views.context import app_settings, clock
from kiosk.web.views.staff.auth import actor, admin_required

bp = Blueprint("reports", __name__)

KIND_LABELS = {
    "visits": _l("Visits, one row each"),
    "daily": _l("Days: visits and peak occupancy"),
    "people": _l("People: visits per person"),
    "moods": _l("Moods (groups of 5 or more only)"),
    "events": _l("Events and attendance"),
    "summary": _l("Summary of the month"),
    "indicators": _l("EU indicators (groups of 5 or more only)"),
}
# The file choices: an Excel workbook, or CSV with ";" (Excel with Finnish settings) or ",".
FORMATS = {
    "xlsx": ("xlsx", None),
    "csv-semicolon": ("csv", ";"),
    "csv-comma": ("csv", ","),
    # Plain "csv", as the CLI names it: the separator comes from ``delimiter``, or else the
    # page's language.
    "csv": ("csv", None),
}
FORMAT_LABELS = {
    "xlsx": _l("Excel workbook (.xlsx)"),
    "csv-semicolon": _l("CSV with semicolons (Excel in Finnish)"),
    "csv-comma": _l("CSV with commas"),
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/reports")
@admin_required
def index() -> str:
    """Pick a month and a report."""
    today = clock().now().astimezone(app_settings().tz)
    return render_template(
        "staff/reports.html",
        kinds=[(kind, KIND_LABELS.get(kind, kind)) for kind in KINDS],
        formats=list(FORMAT_LABELS.items()),
        month=f"{today.year:04d}-{today.month:02d}",
        default_format="csv-comma" if _default_delimiter() == "," else "csv-semicolon",
    )


def _default_delimiter() -> str:
    # Finnish and Swedish Excel split columns on ";" (the comma is their decimal mark).
    return "," if str(get_locale()) == "en" else ";"


@bp.get("/reports/download")
@admin_required
def download() -> Response:
    """Stream the CSV of ``kind`` for ``month``, or send it as an .xlsx workbook."""
    kind = request.args.get("kind", "")
    language = str(get_locale())
    file_format, fixed_delimiter = FORMATS.get(request.args.get("format") or "csv", (None, None))
    if file_format is None:
        abort(400)
    # The separator: as asked, else the format's own, else what the page's language expects.
    delimiter = request.args.get("delimiter", "")[:3] or fixed_delimiter or _default_delimiter()
    if delimiter not in {";", ","}:
        abort(400)
    # The CSV streams after this view returns, when the request's connection is closed:
    # the report reads through a connection of its own, closed when the last row is out.
    db = connect(app_settings().database)
    try:
        month = parse_month(request.args.get("month", "")[:7])
        report = build_report(
            db,
            kind,
            month,
            app_settings().tz,
            language,
            help_topics=app_settings().help_topics,
            min_group_size=app_settings().min_group_size,
            project_start=parse_month(app_settings().project_start),
        )
        name = report_filename(kind, month, language, extension=file_format)
    except ReportError:
        db.close()
        abort(400)
    audit.record(get_db(), clock().now(), actor(), "report.export", f"{kind}:{month}")
    if file_format == "xlsx":
        # A workbook is a zip file, written whole; reports are small enough for memory.
        buffer = io.BytesIO()
        try:
            write_report_xlsx(report, buffer)
        finally:
            db.close()
        return Response(
            buffer.getvalue(),
            mimetype=XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

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
