"""Print how long each report kind takes for one busy month of a benchmark database.

Usage: ``.venv/bin/python bench/report_kinds.py [DB] [--month YYYY-MM]`` (DB from
bench/generate_data.py). Prints figures only; nothing here asserts.
"""

from __future__ import annotations

import argparse
import io
import time
from zoneinfo import ZoneInfo

from kiosk.db import connect
from kiosk.migrations import apply_migrations
from kiosk.reports import KINDS, build_report, parse_month, write_report, write_report_xlsx


def main() -> None:
    """Time every kind as CSV and as xlsx, three runs each, and print the best."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "db",
        nargs="?",
        default="/tmp/tankkaamo-bench/kiosk-1.8M.db",  # noqa: S108 - bench/reports.py makes it
        help="a database from bench/generate_data.py (default: the ten-year one)",
    )
    parser.add_argument("--month", default=None)
    args = parser.parse_args()
    db = connect(args.db)
    apply_migrations(db)
    tz = ZoneInfo("Europe/Helsinki")
    last = db.execute("SELECT max(checked_in_at) FROM visits").fetchone()[0]
    month = parse_month(args.month or last[:7])
    (visits,) = db.execute(
        "SELECT count(*) FROM visits WHERE checked_in_at >= ? AND checked_in_at < ?",
        month.db_bounds(tz),
    ).fetchone()
    print(f"{args.db}: {month}, {visits} visits in the month")
    for kind in KINDS:
        for name, write in (("csv", write_report), ("xlsx", write_report_xlsx)):
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                report = build_report(db, kind, month, tz, "fi", project_start=month)
                stream = io.BytesIO()
                write(report, stream)
                best = min(best, time.perf_counter() - started)
            print(
                f"  {kind:<11} {name:<5} {best * 1000:8.1f} ms  {len(stream.getvalue()):>9} bytes"
            )


if __name__ == "__main__":
    main()
